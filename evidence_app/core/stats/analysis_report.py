"""Turn a :class:`DatasetAnalysis` into plain text or a JSON-ready dict (CLI and tests)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from evidence_app.core.datasets.catalog import dataset_flags
from evidence_app.core.datasets.labels import dataset_label
from evidence_app.core.formatting import fmt_hr, fmt_median, fmt_num, fmt_p
from evidence_app.core.stats.analysis import DatasetAnalysis, published_summary_lines
from evidence_app.core.stats.derived import WITHHELD


def _none_if_nan(value: Any) -> Any:
    if isinstance(value, float) and value != value:
        return None
    return value


def analysis_to_dict(a: DatasetAnalysis, reconstruction_intervals: bool = False) -> dict[str, Any]:
    """JSON-ready results; with ``reconstruction_intervals`` and reconstructed arms, also the intervals that
    add the digitization's uncertainty (``reconstruction_uncertainty``, see ``stats.reconstruction_intervals``)."""
    d = a.dataset
    arms = []
    for r in a.arms:
        entry: dict[str, Any] = {
            "arm": r.arm.id,
            "label": r.arm.label,
            "published": {
                "n": r.arm.n.value if r.arm.n else None,
                "events": r.arm.events.value if r.arm.events else None,
                "median": r.arm.median.value if r.arm.median else None,
                "median_ci": list(r.arm.median.ci) if r.arm.median and r.arm.median.ci else None,
            },
            "curve_kind": r.data.kind if r.data else None,
            "approximation": r.data.approximation if r.data else None,
        }
        if r.fit is not None:
            data = r.counts_are_data  # at-risk numbers and events of an approximation are not data
            entry["computed"] = {
                "n": r.fit.n,
                "events": r.fit.events if data else None,
                "median": r.fit.median,
                "median_lower": r.fit.median_lower,
                "median_upper": r.fit.median_upper,
                "km_ci_method": r.fit.ci_method,
                "landmarks": [{**asdict(lm), **({} if data else {"n_at_risk": None})} for lm in r.landmarks],
                "rmst": asdict(r.rmst) if r.rmst else None,
                "at_risk": [asdict(row) for row in r.at_risk] if data else None,
            }
            if not data:
                entry["computed"]["withheld"] = ["events", "at_risk", "landmarks.n_at_risk"]
                entry["events_source"] = r.data.events_source if r.data else None
        arms.append(entry)
    out: dict[str, Any] = {
        "id": d.id,
        "title": d.title,
        "label": dataset_label(d),
        "flags": [{"code": f.code, "label": f.label, "footnote": f.footnote} for f in dataset_flags(d)],
        "time_unit": d.time_unit,
        "curve": a.curve_label,
        "approximation": "summary-based" if a.is_approximation else None,
        "arms": arms,
        "notes": list(a.notes),
        "published_hr": None,
        "computed": None,
        "agreement": [asdict(x) for x in a.agreement],
    }
    hr = d.comparison.hazard_ratio
    if hr is not None:
        out["published_hr"] = {
            "hr": hr.value,
            "lower": hr.lower,
            "upper": hr.upper,
            "ci_level": hr.ci_level,
            "ci_level_assumed": hr.ci_level_assumed,
            "p": d.comparison.p_value.value if d.comparison.p_value else None,
        }
    if a.published_effect is not None:
        out["published_log_hr"] = a.published_effect.log_hr
        out["published_se"] = a.published_effect.se
    if a.comparison is not None:
        c = a.comparison
        data = a.counts_are_data  # p-values of an approximation are not data
        hr_dict = asdict(c.hazard_ratio)
        if not data:
            hr_dict["p"] = None
        out["computed"] = {
            "hr": hr_dict,
            "logrank_p": c.logrank_p if data else None,
            "rmst_difference": asdict(c.rmst_difference),
            "ph_test_p": c.ph_test_p if data else None,
            "ph_flag": c.ph_flag if data else None,
        }
        if not data:
            out["computed"]["withheld"] = ["hr.p", "logrank_p", "ph_test_p"]
    if reconstruction_intervals:
        from evidence_app.core.stats.reconstruction_intervals import reconstruction_uncertainty, uncertainty_to_dict

        uncertainty = reconstruction_uncertainty(a)
        out["reconstruction_uncertainty"] = uncertainty_to_dict(uncertainty) if uncertainty else None
    return _clean(out)


def _clean(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _clean(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [_clean(v) for v in node]
    return _none_if_nan(node)


def analysis_text(a: DatasetAnalysis) -> str:
    d = a.dataset
    unit = d.time_unit
    label = dataset_label(d)
    out = [label, "=" * len(label), f"Curve data: {a.curve_label}", ""]
    out += [f"[{f.label}] {f.footnote}" for f in dataset_flags(d)] + [""]
    if a.is_approximation:
        out += ["APPROXIMATION: curves are built from published summaries (approximation: summary-based).", ""]
    out += ["Published"] + [f"  {line}" for line in published_summary_lines(d)] + [""]
    for r in a.arms:
        if r.fit is None:
            continue
        tag = " [approximation]" if r.data and r.data.is_approximation else ""
        data = r.counts_are_data
        out.append(
            f"{r.arm.label}{tag}: N {r.fit.n}, events {r.fit.events if data else WITHHELD}, median "
            + fmt_median(r.fit.median, r.fit.median_lower, r.fit.median_upper, not_reached=r.fit.median is None)
            + f" {unit}"
        )
        for lm in r.landmarks:
            surv = (
                "beyond follow-up"
                if lm.survival is None
                else (f"{lm.survival:.3f} ({fmt_num(lm.lower, 3)}–{fmt_num(lm.upper, 3)})")
            )
            out.append(f"  S({lm.time:.4g} {unit}) = {surv}; at risk {lm.n_at_risk if data else WITHHELD}")
        if r.rmst is not None:
            out.append(
                f"  RMST to {r.rmst.horizon:.1f} {unit}: {r.rmst.value:.2f} ({r.rmst.lower:.2f}–{r.rmst.upper:.2f})"
            )
        if data:
            out.append(
                "  at risk (just before t): " + ", ".join(f"{row.time:.4g}: {row.n_at_risk}" for row in r.at_risk)
            )
        else:
            out.append(f"  at risk (just before t): {WITHHELD}")
    if a.comparison is not None:
        c = a.comparison
        h = c.hazard_ratio
        data = a.counts_are_data
        out += [
            "",
            f"Computed comparison ({a.curve_label})",
            f"  Cox HR {h.experimental} vs {h.control}: {fmt_hr(h.hr, h.lower, h.upper, h.ci_level)}, "
            f"Wald p {fmt_p(h.p) if data else WITHHELD}",
            f"  log-rank p {fmt_p(c.logrank_p) if data else WITHHELD}",
            f"  RMST difference to {c.rmst_difference.horizon:.1f} {unit}: {c.rmst_difference.value:.2f} "
            f"({c.rmst_difference.lower:.2f}–{c.rmst_difference.upper:.2f})",
            f"  proportional hazards (Schoenfeld test) p {fmt_p(c.ph_test_p) if data else WITHHELD}"
            + (f" — {c.ph_flag}" if c.ph_flag and data else ""),
        ]
    if a.agreement:
        out += ["", "Published vs computed"]
        for row in a.agreement:
            diff = "" if row.difference is None else f" (difference {row.difference:+.3f})"
            out.append(
                f"  {row.quantity}: {row.published_text} vs {row.computed_text}{diff}"
                + (f" [{row.note}]" if row.note else "")
            )
    if a.notes:
        out += ["", "Notes"] + [f"  - {n}" for n in a.notes]
    return "\n".join(out)
