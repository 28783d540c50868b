"""Building a dataset from what the user typed: a new digitized dataset, or edited metadata (no Qt).

Everything goes through :func:`parse_dataset`, so a user-made dataset meets the same schema as a
bundled one and every problem is reported with its field path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from evidence_app.core.datasets.io import parse_dataset
from evidence_app.core.datasets.schema import FORMAT_VERSION, Dataset

SOURCE_ID = "s1"
DRAFT_CITATION = "draft: the source is entered on the next page"


@dataclass
class ArmMeta:
    label: str
    agents: list[str] = field(default_factory=list)
    n: int | None = None


@dataclass
class SourceMeta:
    kind: str = "primary paper"
    citation: str = ""
    url: str | None = None
    #: where in the source the typed numbers (N per arm) stand, e.g. "Figure 2A, numbers at risk at time 0"
    locator: str | None = None


@dataclass
class DatasetMeta:
    """The metadata form's content."""

    id: str
    title: str
    trial_name: str
    acronym: str
    setting: str
    disease: str
    population: str
    histology: str
    endpoint: str
    time_unit: str
    arms: list[ArmMeta]
    experimental: int = 0
    control: int = 1
    source: SourceMeta = field(default_factory=SourceMeta)
    registry_id: str | None = None
    phase: str | None = None
    assessment: str | None = None
    analysis_kind: str = "not stated"
    notes: str | None = None


@dataclass(frozen=True)
class DigitizedArmInput:
    """One arm's digitized points, its numbers at risk and (optionally) its total of events."""

    points: list[tuple[float, float]]
    at_risk: list[tuple[float, int]] = field(default_factory=list)
    total_events: int | None = None


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def suggest_id(acronym: str, endpoint: str) -> str:
    return f"{slug(acronym)}-{slug(endpoint)}-user"[:80]


def arm_ids(labels: list[str]) -> list[str]:
    """Unique schema-valid ids from arm labels."""
    ids: list[str] = []
    for label in labels:
        base = slug(label)[:36]
        candidate, k = base, 2
        while candidate in ids:
            candidate, k = f"{base}-{k}", k + 1
        ids.append(candidate)
    return ids


def _reported(value: Any, sources: list[str], locator: str | None = None) -> dict[str, Any]:
    return {"value": value, "sources": sources, "locator": locator or None}


def _trial(meta: DatasetMeta) -> dict[str, Any]:
    return {
        "name": meta.trial_name,
        "acronym": meta.acronym,
        "registry_id": meta.registry_id or None,
        "phase": meta.phase or None,
        "setting": meta.setting,
        "disease": meta.disease,
        "population": meta.population,
        "histology": meta.histology,
    }


def digitized_dataset(meta: DatasetMeta, curves: list[DigitizedArmInput], provenance: dict[str, Any]) -> Dataset:
    """A new dataset with curve kind "digitized"; every number cites the one source the user gave."""
    ids = arm_ids([a.label for a in meta.arms])
    arms = [
        {
            "id": i,
            "label": a.label,
            "agents": [x.lower() for x in a.agents],
            "n": _reported(a.n, [SOURCE_ID], meta.source.locator) if a.n is not None else None,
        }
        for i, a in zip(ids, meta.arms, strict=True)
    ]
    curve_arms = {
        i: {
            "points": [list(p) for p in c.points],
            "at_risk": [list(r) for r in c.at_risk],
            "total_events": c.total_events,
        }
        for i, c in zip(ids, curves, strict=True)
    }
    data = {
        "format_version": FORMAT_VERSION,
        "id": meta.id,
        "title": meta.title,
        "trial": _trial(meta),
        "endpoint": {"name": meta.endpoint, "assessment": meta.assessment or None},
        "analysis": {"kind": meta.analysis_kind, "label": None},
        "time_unit": meta.time_unit,
        "arms": arms,
        "comparison": {"experimental_arm": ids[meta.experimental], "control_arm": ids[meta.control]},
        "curve": {"kind": "digitized", "arms": curve_arms, "provenance": provenance, "sources": [SOURCE_ID]},
        "sources": [
            {
                "id": SOURCE_ID,
                "kind": meta.source.kind,
                "citation": meta.source.citation,
                "url": meta.source.url or None,
            }
        ],
        "notes": meta.notes or None,
    }
    return parse_dataset(data, "new dataset")


def draft_meta(labels: list[str], ns: list[int | None], time_unit: str = "months") -> DatasetMeta:
    """Placeholder metadata so a preview can be analysed before the user fills in the form."""
    return DatasetMeta(
        id="draft",
        title="Draft",
        trial_name="Draft",
        acronym="Draft",
        setting="not stated",
        disease="not stated",
        population="not stated",
        histology="not stated",
        endpoint="OS",
        time_unit=time_unit,
        arms=[ArmMeta(label, [], n) for label, n in zip(labels, ns, strict=True)],
        source=SourceMeta("primary paper", DRAFT_CITATION),
    )


def meta_from_dataset(dataset: Dataset) -> DatasetMeta:
    d = dataset
    ids = [a.id for a in d.arms]
    first = d.sources[0]
    return DatasetMeta(
        id=d.id,
        title=d.title,
        trial_name=d.trial.name,
        acronym=d.trial.acronym,
        setting=d.trial.setting,
        disease=d.trial.disease,
        population=d.trial.population,
        histology=d.trial.histology,
        endpoint=d.endpoint.name,
        time_unit=d.time_unit,
        arms=[ArmMeta(a.label, list(a.agents), a.n.value if a.n else None) for a in d.arms],
        experimental=ids.index(d.comparison.experimental_arm),
        control=ids.index(d.comparison.control_arm),
        source=SourceMeta(first.kind, first.citation, first.url),
        registry_id=d.trial.registry_id,
        phase=d.trial.phase,
        assessment=d.endpoint.assessment,
        analysis_kind=d.analysis.kind,
        notes=d.notes,
    )


def apply_meta(dataset: Dataset, meta: DatasetMeta) -> Dataset:
    """``dataset`` with the edited metadata; numbers keep their sources (a new N cites the first source)."""
    data = dataset.model_dump(mode="json")
    data.update(id=meta.id, title=meta.title, time_unit=meta.time_unit, notes=meta.notes or None, trial=_trial(meta))
    data["endpoint"] = {"name": meta.endpoint, "assessment": meta.assessment or None}
    data["analysis"]["kind"] = meta.analysis_kind
    first_source = data["sources"][0]["id"]
    for arm, edited in zip(data["arms"], meta.arms, strict=True):
        arm["label"], arm["agents"] = edited.label, [x.lower() for x in edited.agents]
        old = arm.get("n")
        if edited.n is None:
            arm["n"] = None
        elif old is None or old["value"] != edited.n:
            arm["n"] = _reported(edited.n, old["sources"] if old else [first_source], meta.source.locator)
    data["sources"][0].update(kind=meta.source.kind, citation=meta.source.citation, url=meta.source.url or None)
    return parse_dataset(data, dataset.id)
