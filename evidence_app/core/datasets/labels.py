"""One name per dataset for people: trial, comparison, endpoint, analysis and population.

``dataset_label`` is what library rows, window titles and figure titles show, so the two ARCC
overall-survival rows or the three RECORD-1 PFS rows are told apart at a glance, e.g.
``RECORD-1: Everolimus vs Placebo — PFS by central review, final analysis, ITT``.
"""

from __future__ import annotations

from evidence_app.core.datasets.schema import Dataset

ANALYSIS_WORDS = {"interim": "interim analysis", "final": "final analysis", "not stated": "analysis not stated"}
#: Endpoints judged by someone reading scans (OS needs no assessor).
ASSESSED_ENDPOINTS = {"PFS", "DFS", "EFS", "RFS", "TTP", "ORR"}


def review_label(dataset: Dataset) -> str | None:
    """``central review``, ``investigator review`` or ``assessment not stated`` (None when not applicable)."""
    text = (dataset.endpoint.assessment or "").lower()
    if "investigator" in text:
        return "investigator review"
    if any(word in text for word in ("independent", "central", "committee", "blinded")):
        return "central review"
    if dataset.endpoint.name.upper() in ASSESSED_ENDPOINTS:
        return "assessment not stated"
    return None


def endpoint_label(dataset: Dataset) -> str:
    """``PFS by central review``, ``PFS (assessment not stated)`` or ``OS``."""
    review = review_label(dataset)
    name = dataset.endpoint.name
    if review is None:
        return name
    return f"{name} ({review})" if review == "assessment not stated" else f"{name} by {review}"


def analysis_label(dataset: Dataset) -> str:
    return ANALYSIS_WORDS[dataset.analysis.kind]


def population_label(dataset: Dataset) -> str:
    """The short population name, or the start of the population description."""
    if dataset.trial.population_label:
        return dataset.trial.population_label
    text = dataset.trial.population.split(";")[0].split(",")[0].strip()
    return text if len(text) <= 40 else text[:39].rstrip() + "…"


def comparison_label(dataset: Dataset) -> str:
    return f"{dataset.experimental.label} vs {dataset.control.label}".replace("->", "→")


def dataset_label(dataset: Dataset) -> str:
    """Trial, comparison, endpoint (and assessor), analysis and population in one line."""
    return (
        f"{dataset.trial.acronym}: {comparison_label(dataset)} — {endpoint_label(dataset)}, "
        f"{analysis_label(dataset)}, {population_label(dataset)}"
    )
