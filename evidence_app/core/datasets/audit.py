"""Every number of a dataset with its source, where in the source it stands, its flags, published or derived.

``audit_rows`` is what ``evidence-app audit`` prints, so a reader can check each number against
its source; ``unlocated_values`` is what ``evidence-app validate`` refuses: a published value
that does not say where in its source it stands.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from evidence_app.core.datasets.catalog import SECONDARY_KINDS, dataset_flags
from evidence_app.core.datasets.labels import dataset_label
from evidence_app.core.datasets.published import published_hr_text, published_median_text
from evidence_app.core.datasets.references import describe_path, iter_reported
from evidence_app.core.datasets.schema import (
    ConflictingValue,
    Dataset,
    OtherReported,
    ReportedHazardRatio,
    ReportedInt,
    ReportedLandmark,
    ReportedMedian,
    ReportedText,
    _Reported,
)
from evidence_app.core.distributions import z_for_level
from evidence_app.errors import Problem

PUBLISHED = "published"
DERIVED = "derived"
NOT_RECORDED = "published, not recorded"
CSV_HEADER = ("dataset", "dataset label", "quantity", "field", "value", "status", "sources", "locator", "flags")
LOCATOR_MESSAGE = (
    "published value has no locator: say where in the source it stands, in your own words "
    "(e.g. 'abstract', 'Table 2', 'Figure 2A', 'text, Results')"
)


@dataclass(frozen=True)
class AuditRow:
    dataset_id: str
    dataset_label: str
    quantity: str
    field: str
    value: str
    status: str
    sources: str
    locator: str
    flags: str

    def as_tuple(self) -> tuple[str, ...]:
        return (
            self.dataset_id,
            self.dataset_label,
            self.quantity,
            self.field,
            self.value,
            self.status,
            self.sources,
            self.locator,
            self.flags,
        )


def value_text(dataset: Dataset, reported: _Reported) -> str:
    """A reported value as the source printed it (at its published precision)."""
    if isinstance(reported, ReportedHazardRatio):
        return published_hr_text(reported)
    if isinstance(reported, ReportedMedian):
        return published_median_text(reported)
    if isinstance(reported, ReportedLandmark):
        return f"{reported.survival * 100:g}% at {reported.time:g} {dataset.time_unit}"
    if isinstance(reported, ReportedInt | ReportedText):
        return str(reported.value)
    if isinstance(reported, OtherReported):
        return reported.text
    if isinstance(reported, ConflictingValue):
        return reported.value or reported.description
    return ""


def _source_text(dataset: Dataset, ids: list[str]) -> str:
    parts = []
    for sid in ids:
        source = dataset.source(sid)
        citation = source.citation if len(source.citation) <= 90 else source.citation[:89].rstrip() + "…"
        parts.append(f"{sid} ({source.kind}): {citation}" + (f" <{source.url}>" if source.url else ""))
    return " | ".join(parts)


def _value_flags(dataset: Dataset, path: str, reported: _Reported, dataset_labels: list[str]) -> str:
    kinds = {s.id: s.kind for s in dataset.sources}
    own = []
    if all(kinds.get(sid) in SECONDARY_KINDS for sid in reported.sources):
        own.append("secondary source only")
    ci_sources = getattr(reported, "ci_sources", None) or []
    if ci_sources and all(kinds.get(sid) in SECONDARY_KINDS for sid in ci_sources):
        own.append(f"CI from a secondary source only ({', '.join(ci_sources)})")
    if isinstance(reported, ConflictingValue):
        own.append("conflicting report, not used")
    if any(c.quantity == path for c in dataset.flags.conflicting_values):
        own.append("another source reports a different value")
    return "; ".join(dict.fromkeys(own + dataset_labels))


def _derived_rows(dataset: Dataset, label: str, flags: str) -> list[AuditRow]:
    rows = []

    def add(quantity: str, field: str, value: str, how: str) -> None:
        rows.append(AuditRow(dataset.id, label, quantity, field, value, DERIVED, how, "", flags))

    hr = dataset.comparison.hazard_ratio
    if hr is not None and hr.lower is not None and hr.upper is not None and hr.ci_level is not None:
        z = z_for_level(hr.ci_level)
        se = (math.log(hr.upper) - math.log(hr.lower)) / (2 * z)
        add("standard error of log HR", "comparison.hazard_ratio", f"{se:.4f}", "from the published CI at its level")
    curve_arms = getattr(dataset.curve, "arms", {})
    for arm in dataset.arms:
        data = curve_arms.get(arm.id)
        events = getattr(data, "event", None)
        if events is not None:
            how = f"counted from the {dataset.curve.kind} curve data"
            add(f"{arm.label}: n", f"curve.arms.{arm.id}", str(len(events)), how)
            add(f"{arm.label}: events", f"curve.arms.{arm.id}", str(sum(events)), how)
    return rows


def audit_rows(dataset: Dataset) -> list[AuditRow]:
    """Every published number of ``dataset`` (with source and locator), then the numbers derived from them."""
    label = dataset_label(dataset)
    labels = [f.label for f in dataset_flags(dataset)]
    rows = [
        AuditRow(
            dataset.id,
            label,
            describe_path(dataset, path),
            path,
            value_text(dataset, reported),
            PUBLISHED,
            _source_text(dataset, reported.sources),
            reported.locator or "",
            _value_flags(dataset, path, reported, labels),
        )
        for path, reported in iter_reported(dataset)
    ]
    unrecorded = [
        AuditRow(
            dataset.id,
            label,
            describe_path(dataset, j.field),
            j.field,
            "—",
            NOT_RECORDED,
            f"judgement call on {j.topic}: {j.decision}",
            "",
            "judgement call",
        )
        for j in dataset.flags.judgements
        if j.field and j.field.startswith("comparison.") and getattr(dataset.comparison, j.field[11:], 0) is None
    ]
    return rows + unrecorded + _derived_rows(dataset, label, "; ".join(labels))


def unlocated_values(dataset: Dataset, file: str | None = None) -> list[Problem]:
    """A problem for each published value that does not say where in its source it stands."""
    return [
        Problem(LOCATOR_MESSAGE, file, path)
        for path, reported in iter_reported(dataset)
        if not (reported.locator or "").strip()
    ]
