"""The rows of the Numbers tab, as plain strings (no Qt): published next to computed, per arm and
per comparison. Nothing is estimated here: a missing published number reads "not reported".
"""

from __future__ import annotations

from dataclasses import dataclass

from evidence_app.core.datasets.published import published_hr_text, published_median_text
from evidence_app.core.datasets.schema import Arm, Dataset, _Reported
from evidence_app.core.formatting import NOT_REPORTED, fmt_hr, fmt_median, fmt_num, fmt_p
from evidence_app.core.stats.derived import WITHHELD

HEADERS = ("Quantity", "Published", "Sources (where in them)", "Computed", "Note")
NOT_RECORDED = "published, not recorded (see judgement call)"
PENDING = "computing…"
NOT_COMPUTED = "not computed"
APPROX_TAG = " (approximation)"


@dataclass(frozen=True)
class NumbersRow:
    cells: tuple[str, str, str, str, str]
    heading: bool = False
    approximation: bool = False


def _row(
    quantity: str,
    published: str,
    sources: _Reported | None,
    computed: str,
    note: str = "",
    approximation: bool = False,
) -> NumbersRow:
    return NumbersRow((quantity, published, where(sources), computed, note), approximation=approximation)


def where(reported: _Reported | None) -> str:
    """``s1 — abstract``, or the per-source locator ``s6: abstract; s7: Table 1`` as it stands."""
    if reported is None:
        return ""
    ids = ", ".join(reported.sources)
    locator = reported.locator or "place in source not given"
    if all(f"{sid}:" in locator for sid in reported.sources):
        return locator
    return f"{ids} — {locator}"


def _unrecorded(dataset: Dataset, field: str) -> str:
    """What a missing published value reads as: "not reported", or published but not recorded."""
    return NOT_RECORDED if any(j.field == field for j in dataset.flags.judgements) else NOT_REPORTED


def _conflict_note(dataset: Dataset, field: str) -> list[str]:
    return [
        f"another source reports {c.value} (see Conflicting reports)"
        for c in dataset.flags.conflicting_values
        if c.quantity == field and c.value
    ]


def _heading(text: str) -> NumbersRow:
    return NumbersRow((text, "", "", "", ""), heading=True)


def _survival_at(fit, t: float) -> float | None:
    """The KM step function at ``t`` (None beyond the last follow-up)."""
    import numpy as np

    if t > fit.last_followup:
        return None
    i = int(np.searchsorted(fit.timeline, t, side="right")) - 1
    return float(fit.survival[max(i, 0)])


def _pct(value: float | None) -> str:
    return NOT_REPORTED if value is None else f"{value * 100:.1f}%"


def comparison_rows(dataset: Dataset, analysis, computed_default: str) -> list[NumbersRow]:
    comp = dataset.comparison
    hr, p, total = comp.hazard_ratio, comp.p_value, comp.total_events
    c = analysis.comparison if analysis is not None else None
    approx = bool(analysis is not None and analysis.is_approximation)
    tag = APPROX_TAG if approx else ""
    hr_note = []
    if hr is not None and hr.ci_level_assumed:
        hr_note.append("CI level not stated; 95% assumed")
    if hr is not None and hr.adjusted:
        hr_note.append("published HR is adjusted")
    if hr is not None and hr.note:
        hr_note.append(hr.note)
    hr_note += _conflict_note(dataset, "comparison.hazard_ratio")
    rows = [
        _heading(f"Comparison: {dataset.experimental.label} vs {dataset.control.label}"),
        _row(
            "Hazard ratio",
            published_hr_text(hr) if hr else _unrecorded(dataset, "comparison.hazard_ratio"),
            hr,
            fmt_hr(c.hazard_ratio.hr, c.hazard_ratio.lower, c.hazard_ratio.upper) + tag if c else computed_default,
            "; ".join(hr_note + (["computed: Cox model on the curve data"] if c else [])),
            approx,
        ),
        _row(
            "p-value",
            p.value if p else NOT_REPORTED,
            p,
            (fmt_p(c.logrank_p) if not approx else WITHHELD) if c else computed_default,
            "computed: log-rank test" if c else "",
            approx,
        ),
    ]
    computed_total = NOT_COMPUTED
    if analysis is not None and all(a.fit is not None for a in analysis.arms):
        computed_total = WITHHELD if approx else str(sum(a.fit.events for a in analysis.arms))
    elif analysis is None:
        computed_total = computed_default
    rows.append(
        _row(
            "Total events",
            str(total.value) if total else NOT_REPORTED,
            total,
            computed_total,
            "",
            approx,
        )
    )
    if c is not None:
        d = c.rmst_difference
        rows.append(
            _row(
                f"RMST difference to {d.horizon:.1f} {dataset.time_unit}",
                NOT_REPORTED,
                None,
                f"{d.value:.2f} ({d.lower:.2f}–{d.upper:.2f}){tag}",
                "experimental minus control",
                approx,
            )
        )
        rows.append(
            _row(
                "Proportional hazards (Schoenfeld test)",
                NOT_REPORTED,
                None,
                WITHHELD if approx else f"p {fmt_p(c.ph_test_p)}",
                c.ph_flag or "",
                approx,
            )
        )
    return rows


def arm_rows(dataset: Dataset, arm: Arm, result, computed_default: str) -> list[NumbersRow]:
    fit = result.fit if result is not None else None
    approx = bool(result is not None and result.data is not None and result.data.is_approximation)
    tag = APPROX_TAG if approx else ""
    missing = computed_default if result is None else NOT_COMPUTED
    unit = dataset.time_unit
    rows = [_heading(f"Arm: {arm.label}" + (f" — {arm.regimen}" if arm.regimen else ""))]
    rows.append(
        _row(
            "Patients (N)",
            str(arm.n.value) if arm.n else NOT_REPORTED,
            arm.n,
            f"{fit.n}{tag}" if fit else missing,
            "",
            approx,
        )
    )
    rows.append(
        _row(
            "Events",
            str(arm.events.value) if arm.events else NOT_REPORTED,
            arm.events,
            (WITHHELD if approx else str(fit.events)) if fit else missing,
            "",
            approx,
        )
    )
    med = arm.median
    published_median = published_median_text(med)
    computed_median = (
        fmt_median(fit.median, fit.median_lower, fit.median_upper, not_reached=fit.median is None) + tag
        if fit
        else missing
    )
    rows.append(
        _row(
            f"Median ({unit})",
            published_median,
            med,
            computed_median,
            med.note or "" if med else "",
            approx,
        )
    )
    published = {lm.time: lm for lm in arm.landmarks}
    computed = {lm.time: lm for lm in (result.landmarks if result is not None else ())}
    for t in sorted(set(published) | set(computed)):
        lm = published.get(t)
        if t in computed and computed[t].survival is not None:
            e = computed[t]
            value = (
                f"{e.survival * 100:.1f}% ({fmt_num(e.lower * 100 if e.lower is not None else None, 1)}–"
                f"{fmt_num(e.upper * 100 if e.upper is not None else None, 1)}){tag}"
            )
        elif t in computed:
            value = "beyond follow-up"
        elif fit is not None:
            s = _survival_at(fit, t)
            value = "beyond follow-up" if s is None else _pct(s) + tag
        else:
            value = missing
        rows.append(
            _row(
                f"Survival at {t:g} {unit}",
                _pct(lm.survival) if lm else NOT_REPORTED,
                lm,
                value,
                (lm.note or "") if lm else "",
                approx,
            )
        )
    if result is not None and result.rmst is not None:
        r = result.rmst
        rows.append(
            _row(
                f"RMST to {r.horizon:.1f} {unit}",
                NOT_REPORTED,
                None,
                f"{r.value:.2f} ({r.lower:.2f}–{r.upper:.2f}){tag}",
                "",
                approx,
            )
        )
    return rows


def extra_rows(dataset: Dataset) -> list[NumbersRow]:
    rows: list[NumbersRow] = []
    flags = dataset.flags
    if flags.conflicting_values:
        rows.append(_heading("Conflicting reports (not used)"))
        rows += [
            _row(c.description, c.value or "see note", c, "", "; ".join(x for x in (c.resolution, c.note) if x))
            for c in flags.conflicting_values
        ]
    if flags.other_reported:
        rows.append(_heading("Also reported"))
        rows += [_row(o.label, o.text, o, "", o.note or "") for o in flags.other_reported]
    if flags.judgements:
        rows.append(_heading("Judgement calls"))
        rows += [NumbersRow((j.topic, j.decision, "team decision", "", j.reason)) for j in flags.judgements]
    return rows


def numbers_rows(dataset: Dataset, analysis=None, *, failed: bool = False) -> list[NumbersRow]:
    """All rows for ``dataset``; ``analysis`` None means still computing (or ``failed``)."""
    computed_default = NOT_COMPUTED if failed else PENDING
    rows = comparison_rows(dataset, analysis, computed_default)
    for arm in dataset.arms:
        result = analysis.arm_result(arm.id) if analysis is not None else None
        rows += arm_rows(dataset, arm, result, computed_default)
    return rows + extra_rows(dataset)
