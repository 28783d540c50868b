"""What the Kaplan–Meier figure says in words: title, endpoint names, p-values and the notes under it.

Kept apart from the drawing so that other figures (the forest plot's title) name endpoints the
same way without loading the Kaplan–Meier drawing code.
"""

from __future__ import annotations

from evidence_app.core.datasets.catalog import dataset_flags
from evidence_app.core.datasets.labels import analysis_label, population_label, review_label
from evidence_app.core.formatting import fmt_p
from evidence_app.core.reconstruction.kinds import KIND_APPROXIMATION, KIND_PATIENT, KIND_RECONSTRUCTED
from evidence_app.core.stats.analysis import DatasetAnalysis
from evidence_app.core.synthesis.forest_data import comparison_text

APPROXIMATION_LABEL = "approximation from published summary"
AT_RISK_HEADER = "Number at risk (just before t)"
ENDPOINT_NAMES = {
    "OS": "Overall survival",
    "PFS": "Progression-free survival",
    "DFS": "Disease-free survival",
    "EFS": "Event-free survival",
    "RFS": "Recurrence-free survival",
    "TTP": "Time to progression",
}


def endpoint_name(endpoint: str) -> str:
    return ENDPOINT_NAMES.get(endpoint.upper(), endpoint)


def p_phrase(p: str) -> str:
    """``p = 0.008`` or ``p < 0.001`` from a p-value as printed (a trailing remark is dropped)."""
    p = p.split(" (")[0].strip()
    if p[:1] in "<>≤≥":
        return f"p\u00a0{p[0]}\u00a0{p[1:].strip()}"
    return f"p\u00a0=\u00a0{p}"


def titles(analysis: DatasetAnalysis, override: str | None) -> tuple[str, str]:
    """Bold title (trial and endpoint) and subtitle (the comparison, interim analyses flagged)."""
    if override is not None:
        return override, ""
    d = analysis.dataset
    comparison = comparison_text(d.experimental.label, d.control.label).replace("->", "→")
    review = review_label(d)
    parts = [review] if review else []
    parts += [analysis_label(d), population_label(d)]
    return f"{d.trial.acronym}: {endpoint_name(d.endpoint.name).lower()}", f"{comparison} — {', '.join(parts)}"


def flag_notes(analysis: DatasetAnalysis) -> list[str]:
    """The dataset's flags as printed under the figure (judgement calls by their decision only)."""
    notes = []
    for flag in dataset_flags(analysis.dataset):
        if flag.code == "summary_only":
            continue  # the approximation note below says it in full
        text = flag.footnote.split(". ")[0].rstrip(".") + "." if flag.code == "judgement" else flag.footnote
        notes.append(f"[{flag.label}] {text}")
    return notes


def figure_notes(analysis: DatasetAnalysis, ci_bands: bool, risk_table: bool) -> list[str]:
    """What a reader must know to read the figure, printed under it."""
    d = analysis.dataset
    kinds = analysis.curve_kinds
    notes = []
    if KIND_APPROXIMATION in kinds:
        notes.append(
            f"Dashed curves: {APPROXIMATION_LABEL} (N, median, landmark survival; piecewise "
            "exponential), not trial data and not a digitized curve. No censor marks: the censoring "
            "is assumed."
        )
        if risk_table:
            notes.append("Numbers at risk: not reported in the sources (an approximation cannot estimate them).")
    if KIND_PATIENT in kinds:
        kmdata = any(s.kind == "dataset" and "kmdata" in s.citation.lower() for s in d.sources)
        origin = getattr(d.curve, "origin", "patient-level data")
        notes.append(
            "Curves: patient-level data reconstructed from the published Kaplan–Meier figure by the "
            "kmdata curators (MIT licence), not the trial's own data."
            if kmdata
            else f"Curves: {origin}."
        )
    if KIND_RECONSTRUCTED in kinds:
        notes.append(
            "Curves: patient-level data reconstructed from the digitized published figure and numbers "
            "at risk (Guyot et al. 2012)."
        )
    if ci_bands:
        notes.append("Shaded: pointwise 95% CI (log–log).")
    c = analysis.comparison
    if c is not None and c.ph_flag and not analysis.is_approximation:
        notes.append(
            f"Hazards may not be proportional (Schoenfeld test {p_phrase(fmt_p(c.ph_test_p))}); "
            "read the HR together with the curves."
        )
    return notes + flag_notes(analysis)
