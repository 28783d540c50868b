"""A network meta-analysis as JSON (the field names of netmeta-based reference files) and as plain text.

Field names follow the project's validation files (heterogeneity, estimates_vs_reference, league_table, pscores,
netsplit, decomp_design) so the two can be compared by a script. Undefined values (z of the reference vs itself,
p with 0 df) are null.
"""

from __future__ import annotations

import math
from typing import Any

from evidence_app.core.synthesis.network import DIRECTION, MODELS, Comparison, NetworkResult, z_value
from evidence_app.core.synthesis.network_inconsistency import Split, chi2_p


def _num(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _interval(est: float, se: float, level: float) -> dict[str, float | None]:
    half = z_value(level) * se
    return {"log_hr": _num(est), "se": _num(se), "lower": _num(est - half), "upper": _num(est + half)}


def _estimate(c: Comparison, reference: bool) -> dict[str, Any]:
    if reference:
        zeros: dict[str, Any] = {"log_hr": 0.0, "se": 0.0, "lower": 0.0, "upper": 0.0, "z": None, "pval": None}
        return zeros | {"hr": 1.0, "hr_lower": 1.0, "hr_upper": 1.0}
    return {
        "log_hr": c.log_hr,
        "se": c.se,
        "lower": c.lower,
        "upper": c.upper,
        "z": _num(c.z),
        "pval": _num(c.p),
        "hr": math.exp(c.log_hr),
        "hr_lower": math.exp(c.lower),
        "hr_upper": math.exp(c.upper),
    }


def _split(res: NetworkResult, s: Split) -> dict[str, Any]:
    t1, t2 = res.treatments[s.treat1], res.treatments[s.treat2]
    diff, se, z, p = s.difference
    half = z_value(res.level) * se
    return {
        "comparison": f"{t1}:{t2}",
        "treat1": t1,
        "treat2": t2,
        "k_direct": s.k_direct,
        "prop_direct": s.prop_direct,
        "nma": _interval(*s.nma, res.level),
        "direct": _interval(*s.direct, res.level),
        "indirect": _interval(*s.indirect, res.level),
        "difference": {"log_ror": diff, "se": se, "lower": diff - half, "upper": diff + half, "z": z, "pval": p},
    }


def heterogeneity(res: NetworkResult) -> dict[str, Any]:
    d = res.decomposition
    i2, lower, upper = res.i2()
    out: dict[str, Any] = {
        "tau2": res.tau2 if d.df_total > 0 else None,
        "tau": math.sqrt(res.tau2) if d.df_total > 0 else None,
        "tau2_method": "preset" if res.tau2_preset is not None else res.tau_method,
        "tau2_DL": res.tau2_dl,
        "I2": i2,
        "I2_lower": _num(lower),
        "I2_upper": _num(upper),
    }
    for name, q, df in (
        ("Q_total", d.q_total, d.df_total),
        ("Q_heterogeneity", d.q_within, d.df_within),
        ("Q_inconsistency", d.q_between, d.df_between),
    ):
        out |= {name: q, f"df_{name}": df, f"pval_{name}": chi2_p(q, df)}
    if res.tau_method == "REML" and res.tau2_preset is None:
        out["reml"] = {"tau2_REML_full_within_study_cov": res.tau2}
    return out


def decomp_design(res: NetworkResult) -> dict[str, Any]:
    d = res.decomposition
    rows = [("Total", d.q_total, d.df_total), ("Within designs", d.q_within, d.df_within)]
    rows.append(("Between designs", d.q_between, d.df_between))
    return {
        "Q_decomp": [{"component": c, "Q": q, "df": df, "pval": chi2_p(q, df)} for c, q, df in rows],
        "Q_inc_random": [
            {
                "component": "Between designs",
                "Q": d.q_between_random,
                "df": d.df_between,
                "pval": chi2_p(d.q_between_random, d.df_between),
                "tau.within": math.sqrt(d.tau2_within),
            }
        ],
        "Q_het_design": [
            {"design": x.label, "studies": list(x.studies), "Q": x.q, "df": x.df, "pval": x.p} for x in d.designs
        ],
    }


def network_to_dict(res: NetworkResult) -> dict[str, Any]:
    data = res.data
    league = {
        m: [
            {"treat1": c.treat1, "treat2": c.treat2, "log_hr": c.log_hr, "se": c.se, "lower": c.lower}
            | {"upper": c.upper, "pval": _num(c.p)}
            for c in res.league(m)
        ]
        for m in MODELS
    }
    estimates = []
    for t in res.treatments:
        row: dict[str, Any] = {"treatment": t, "is_reference": t == res.reference}
        for m in MODELS:
            row[m] = _estimate(res.compare(t, res.reference, m), t == res.reference)
        pi = None if t == res.reference else res.prediction(t, res.reference)
        row["random"]["predict_lower"], row["random"]["predict_upper"] = pi if pi else (None, None)
        estimates.append(row)
    return {
        "sm": "HR",
        "scale": "log",
        "level": res.level,
        "reference_group": res.reference,
        "method_tau": res.tau_method,
        "treatments": list(res.treatments),
        "n_studies": len(data.studies),
        "n_treatments": len(res.treatments),
        "n_pairwise_comparisons": len(data.contrasts),
        "n_designs": len(res.decomposition.designs),
        "multiarm_studies": [s for s, a in zip(res.layout.study_names, res.layout.study_arms) if len(a) > 2],
        "treatment_names": data.name_map,
        "heterogeneity": heterogeneity(res),
        "decomp_design": decomp_design(res),
        "estimates_vs_reference": estimates,
        "league_table": {"description": "log_hr = log HR of treat1 vs treat2"} | league,
        "pscores": {"small_values": "desirable", "direction": DIRECTION, "method": "P-score"}
        | {m: res.pscores(m) for m in MODELS},
        "netsplit": {"method": "Back-calculation", "description": "difference = direct - indirect"}
        | {m: [_split(res, s) for s in res.splits[m]] for m in MODELS},
        "studies": [
            {"study": c.study, "treat1": c.treat1, "treat2": c.treat2, "log_hr": c.log_hr, "se": c.se}
            | {"source": c.source, "row": c.row, "note": c.note}
            for c in data.contrasts
        ],
    }


def _hr(log_hr: float, lower: float, upper: float) -> str:
    return f"{math.exp(log_hr):.2f} ({math.exp(lower):.2f}–{math.exp(upper):.2f})"


def network_text(res: NetworkResult, model: str = "random") -> str:
    """The summary the CLI prints: estimates vs the reference, P-scores, league table, inconsistency checks."""
    pct = f"{res.level * 100:g}%"
    d = res.decomposition
    lines = [
        f"Network meta-analysis of hazard ratios: {len(res.treatments)} treatments, {len(res.data.studies)} studies, "
        f"{len(res.data.contrasts)} pairwise comparisons; {model} effects"
        + (f" (τ² = {res.tau2:.4g}, {res.tau_method})" if model == "random" else ""),
    ]
    renamed = res.data.renamed()
    if renamed:
        lines.append("Treatment names used: " + "; ".join(f"'{k}' → '{v}'" for k, v in renamed.items()))
    lines += ["", f"HR vs {res.reference} ({pct} CI){'  [prediction interval]' if model == 'random' else ''}:"]
    scores = res.pscores(model)
    width = max(len(t) for t in res.treatments)
    for c in res.versus_reference(model):
        if c.treat1 == res.reference:
            lines.append(f"  {c.treat1:<{width}}  reference{'':18}P-score {scores[c.treat1]:.3f}")
            continue
        pi = res.prediction(c.treat1, res.reference) if model == "random" else None
        extra = f"  [{math.exp(pi[0]):.2f}–{math.exp(pi[1]):.2f}]" if pi else ""
        lines.append(f"  {c.treat1:<{width}}  {_hr(c.log_hr, c.lower, c.upper)}  P-score {scores[c.treat1]:.3f}{extra}")
    lines.append(f"P-scores: {DIRECTION}.")
    lines += ["", "League table (HR of the row treatment vs the column treatment):"]
    cell = 18
    lines.append(" " * (width + 4) + "".join(f"{t[: cell - 2]:<{cell}}" for t in res.treatments))
    for a in res.treatments:
        cells = []
        for b in res.treatments:
            if a == b:
                cells.append(f"{a[: cell - 2]:<{cell}}")
            else:
                c = res.compare(a, b, model)
                cells.append(f"{_hr(c.log_hr, c.lower, c.upper):<{cell}}")
        lines.append(f"  {a:<{width}}  " + "".join(cells).rstrip())
    i2, lower, upper = res.i2()
    i2_text = f"I² {i2 * 100:.1f}%" + (f" ({lower * 100:.1f}%–{upper * 100:.1f}%)" if math.isfinite(lower) else "")
    lines += ["", "Heterogeneity and inconsistency:", f"  τ² {res.tau2:.4g} ({res.tau_method}); {i2_text}"]
    for name, q, df in (
        ("Q total", d.q_total, d.df_total),
        ("Q within designs (heterogeneity)", d.q_within, d.df_within),
        ("Q between designs (inconsistency, design-by-treatment)", d.q_between, d.df_between),
        (
            f"  the same under random effects (τ_within {math.sqrt(d.tau2_within):.3g})",
            d.q_between_random,
            d.df_between,
        ),
    ):
        p = chi2_p(q, df)
        lines.append(f"  {name}: {q:.3f} on {df} df" + (f", p = {p:.3g}" if p is not None else ""))
    splits = res.splits[model]
    if splits:
        lines += ["", "Node-splitting (back-calculation), HR direct vs indirect, p of the difference:"]
        for s in splits:
            t1, t2 = res.treatments[s.treat1], res.treatments[s.treat2]
            dir_, ind = math.exp(s.direct[0]), math.exp(s.indirect[0])
            lines.append(f"  {t1} vs {t2}: direct {dir_:.2f}, indirect {ind:.2f}, p = {s.difference[3]:.3g}")
    else:
        lines += ["", "Node-splitting: no comparison has both direct and indirect evidence."]
    return "\n".join(lines)
