"""Plain summaries of datasets for listings (CLI table, JSON, GUI library table)."""

from __future__ import annotations

from typing import Any

from evidence_app.core.datasets.schema import Dataset

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


def badges(dataset: Dataset) -> list[str]:
    """Short warnings a reader should see next to the dataset's name."""
    out = []
    if dataset.curve.kind == "none":
        out.append("summary only")
    if is_secondary_only(dataset):
        out.append("secondary source")
    if dataset.analysis.kind == "interim":
        out.append("interim analysis")
    hr = dataset.comparison.hazard_ratio
    if hr is not None and hr.ci_level is not None and non_95_ci(dataset):
        out.append(f"{hr.ci_level * 100:g}% CI")
    if dataset.comparison.hazard_ratio and dataset.comparison.hazard_ratio.ci_level_assumed:
        out.append("CI level assumed")
    if dataset.flags.conflicting_values:
        out.append("conflicting sources")
    return out


def summary(dataset: Dataset) -> dict[str, Any]:
    """The fields listed by ``evidence-app datasets --json``."""
    hr = dataset.comparison.hazard_ratio
    return {
        "id": dataset.id,
        "trial": dataset.trial.acronym,
        "title": dataset.title,
        "endpoint": dataset.endpoint.name,
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
    }
