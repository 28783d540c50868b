"""Plain summaries of datasets for listings (CLI table, JSON, GUI library table)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evidence_app.core.datasets.labels import dataset_label, endpoint_label, population_label
from evidence_app.core.datasets.references import describe_path, iter_reported
from evidence_app.core.datasets.schema import Dataset
from evidence_app.core.formatting import fmt_level

CURVE_KIND_LABELS = {
    "digitized": "digitized",
    "patient-level": "patient-level",
    "none": "none (summary only)",
}
SECONDARY_KINDS = {"review", "secondary"}


def source_kinds(dataset: Dataset) -> list[str]:
    return sorted({s.kind for s in dataset.sources})


def is_secondary_only(dataset: Dataset) -> bool:
    """True when flagged, or when no primary paper, registry, congress abstract or dataset is cited."""
    if dataset.flags.secondary_source_only:
        return True
    return all(s.kind in SECONDARY_KINDS for s in dataset.sources)


def non_95_ci(dataset: Dataset) -> bool:
    hr = dataset.comparison.hazard_ratio
    return bool(hr and hr.ci_level is not None and abs(hr.ci_level - 0.95) > 1e-9)


@dataclass(frozen=True)
class DatasetFlag:
    """Something a reader must know before using a dataset's numbers.

    ``code`` is stable (for tests and programs), ``label`` the short text shown next to the
    dataset's name, ``footnote`` the full sentence for this dataset (figures, workbook, CSV, CLI).
    """

    code: str
    label: str
    footnote: str


#: code -> what the flag means in general (the library's tooltip, the Methods sheet)
FLAG_MEANINGS: dict[str, str] = {
    "summary_only": "no curve data: computed numbers are an approximation from the published summary",
    "secondary": "some published numbers were read only from reviews or news reports",
    "interim": "an interim analysis; a later analysis may give different numbers",
    "non95": "the hazard ratio's CI is published at a level other than 95%",
    "assumed_ci": "the source does not state the CI level; 95% is assumed",
    "conflict": "sources report different values; both are kept and the one used is named",
    "judgement": "a decision the sources do not settle by themselves, written down with its reason",
}


def secondary_values(dataset: Dataset) -> list[str]:
    """Names of the published numbers (or their CIs) whose every source is a review or a news report."""
    kinds = {s.id: s.kind for s in dataset.sources}

    def secondary(ids: list[str]) -> bool:
        return bool(ids) and all(kinds.get(sid) in SECONDARY_KINDS for sid in ids)

    names = []
    for path, value in iter_reported(dataset):
        if path.startswith("flags."):
            continue
        if secondary(value.sources):
            names.append(describe_path(dataset, path))
        elif secondary(getattr(value, "ci_sources", None) or []):
            names.append(describe_path(dataset, path) + " CI")
    return names


def _secondary_flag(dataset: Dataset) -> DatasetFlag | None:
    names = secondary_values(dataset)
    total = sum(1 for path, _ in iter_reported(dataset) if not path.startswith("flags."))
    whole = [n for n in names if not n.endswith(" CI")]
    if (whole and len(whole) == total) or (not names and is_secondary_only(dataset)):
        text = "Published numbers read only from secondary sources (reviews, news), not the trial's own reports."
        return DatasetFlag("secondary", "secondary source", text)
    if not names:
        return None
    return DatasetFlag("secondary", "secondary source", "Read only from a secondary source: " + "; ".join(names) + ".")


def _ci_flags(dataset: Dataset) -> list[DatasetFlag]:
    hr = dataset.comparison.hazard_ratio
    out = []
    if hr is not None and hr.ci_level is not None and non_95_ci(dataset):
        level = fmt_level(hr.ci_level)
        out.append(DatasetFlag("non95", f"{level} CI", f"The hazard ratio's CI is published at {level}, not 95%."))
    if hr is not None and hr.ci_level_assumed:
        text = "The source does not state the hazard ratio's CI level; 95% is assumed."
        out.append(DatasetFlag("assumed_ci", "CI level assumed", text))
    return out


def _conflict_flags(dataset: Dataset) -> list[DatasetFlag]:
    out = []
    for c in dataset.flags.conflicting_values:
        text = f"Sources disagree: {c.description.rstrip('.')} (source {', '.join(c.sources)})."
        if c.resolution:
            text += f" {c.resolution[0].upper()}{c.resolution[1:].rstrip('.')}."
        out.append(DatasetFlag("conflict", "conflicting reports", text))
    return out


def dataset_flags(dataset: Dataset) -> list[DatasetFlag]:
    """Every flag of a dataset, in the order they are shown; the one source for all views."""
    out = []
    if dataset.curve.kind == "none":
        text = "No curve data: computed numbers are an approximation from the published summary."
        out.append(DatasetFlag("summary_only", "summary only", text))
    secondary = _secondary_flag(dataset)
    if secondary is not None:
        out.append(secondary)
    if dataset.analysis.kind == "interim":
        label = f" — {dataset.analysis.label}" if dataset.analysis.label else ""
        text = f"Interim analysis{label}. A later analysis may give different numbers."
        out.append(DatasetFlag("interim", "interim analysis", text))
    out += _ci_flags(dataset) + _conflict_flags(dataset)
    for j in dataset.flags.judgements:
        text = f"Judgement call on {j.topic}: {j.decision}. {j.reason}"
        out.append(DatasetFlag("judgement", "judgement call", text))
    return out


def badges(dataset: Dataset) -> list[str]:
    """Short warnings a reader should see next to the dataset's name (each label once)."""
    return list(dict.fromkeys(f.label for f in dataset_flags(dataset)))


def summary(dataset: Dataset) -> dict[str, Any]:
    """The fields listed by ``evidence-app datasets --json``."""
    hr = dataset.comparison.hazard_ratio
    return {
        "id": dataset.id,
        "trial": dataset.trial.acronym,
        "title": dataset.title,
        "label": dataset_label(dataset),
        "endpoint": dataset.endpoint.name,
        "endpoint_label": endpoint_label(dataset),
        "population_label": population_label(dataset),
        "population": dataset.trial.population,
        "setting": dataset.trial.setting,
        "histology": dataset.trial.histology,
        "experimental": dataset.experimental.label,
        "control": dataset.control.label,
        "curve_kind": dataset.curve.kind,
        "analysis": dataset.analysis.kind,
        "hr": None if hr is None else hr.value,
        "hr_lower": None if hr is None else hr.lower,
        "hr_upper": None if hr is None else hr.upper,
        "hr_ci_level": None if hr is None else hr.ci_level,
        "n_sources": len(dataset.sources),
        "source_kinds": source_kinds(dataset),
        "badges": badges(dataset),
        "flags": [{"code": f.code, "label": f.label, "footnote": f.footnote} for f in dataset_flags(dataset)],
    }
