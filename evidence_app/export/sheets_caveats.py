"""Caveats as numbered footnotes: ``[1]`` in a Comparison cell, its text in the Methods sheet.

A caveat that applies to several datasets (interim analysis, a 98.5% CI, a summary-based
approximation, the same dataset caveat text) gets one number; numbers are given in the order
the caveats first appear in the Comparison sheet, so ``[1]`` is met before ``[2]``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from evidence_app.core.datasets.catalog import dataset_flags, non_95_ci
from evidence_app.core.datasets.schema import Dataset
from evidence_app.core.reconstruction.kinds import KIND_APPROXIMATION, KIND_RECONSTRUCTED
from evidence_app.core.stats.analysis import DatasetAnalysis

#: key -> (short label for the Notes column, full text for the Methods sheet)
CATEGORIES: dict[str, tuple[str, str]] = {
    "interim": (
        "interim analysis",
        "Interim analysis: a later analysis of the same trial may give different numbers. Interim "
        "and final analyses are separate datasets; do not pool both.",
    ),
    "secondary": (
        "secondary source only",
        "The published numbers were read only from secondary sources (reviews, commentaries, "
        "news), not from the trial's own publication, registry record or congress abstract.",
    ),
    "non95": (
        "CI level is not 95%",
        "The hazard ratio's CI is published at a level other than 95% (the level is given in the "
        "cell). Its standard error for pooling is derived with that level; compare widths with care.",
    ),
    "assumed": ("CI level assumed", "The source does not state the CI level of the hazard ratio; 95% is assumed."),
    "no_ci": (
        "HR without CI",
        "The hazard ratio is published without a confidence interval: it cannot be pooled and is "
        "left out of the forest plot.",
    ),
    "adjusted": ("adjusted HR", "Covariate-adjusted hazard ratio (the adjustment is named in the dataset's caveats)."),
    "median_level": ("median CI level not stated", "A median's confidence interval is published without its level."),
    "approximation": (
        "summary-based approximation",
        "Computed values come from a summary-based approximation: curves built from the "
        "published N, median and landmark survival (piecewise exponential). They reproduce "
        "the published summaries by construction and are not evidence beyond them.",
    ),
    "reconstructed": (
        "reconstructed from digitized curve",
        "Computed values come from patient data reconstructed from a digitized Kaplan–Meier "
        "curve and its numbers at risk, not from the trial's own patient data.",
    ),
    "ph": (
        "proportional hazards doubtful",
        "In the computed data the Schoenfeld residual test rejects proportional hazards (p < 0.05): "
        "the single hazard ratio averages an effect that changes over time; read it with the curves "
        "and the RMST difference.",
    ),
}


@dataclass
class Footnote:
    number: int
    key: str
    label: str
    text: str
    datasets: list[str] = field(default_factory=list)

    @property
    def marker(self) -> str:
        return f"[{self.number}]"


class Footnotes:
    """Numbered caveats, each remembering the datasets it applies to."""

    def __init__(self) -> None:
        self._notes: dict[str, Footnote] = {}

    def mark(self, key: str, label: str, text: str, dataset_id: str) -> Footnote:
        note = self._notes.get(key)
        if note is None:
            note = self._notes[key] = Footnote(len(self._notes) + 1, key, label, text)
        if dataset_id not in note.datasets:
            note.datasets.append(dataset_id)
        return note

    def category(self, key: str, dataset_id: str) -> Footnote:
        label, text = CATEGORIES[key]
        return self.mark(key, label, text, dataset_id)

    def __iter__(self) -> Iterator[Footnote]:
        return iter(sorted(self._notes.values(), key=lambda n: n.number))

    def __len__(self) -> int:
        return len(self._notes)


@dataclass
class RowMarks:
    """The footnotes of one Comparison row, by the cell they belong to."""

    by_cell: dict[str, list[Footnote]] = field(default_factory=dict)

    def add(self, cell: str, note: Footnote) -> None:
        notes = self.by_cell.setdefault(cell, [])
        if note not in notes:
            notes.append(note)

    def markers(self, cell: str) -> str:
        return " ".join(n.marker for n in self.by_cell.get(cell, []))

    def suffix(self, cell: str) -> str:
        """`` [1] [3]`` to append to a cell's text, or ``""``."""
        text = self.markers(cell)
        return f" {text}" if text else ""

    def all_notes(self) -> list[Footnote]:
        seen: dict[int, Footnote] = {}
        for notes in self.by_cell.values():
            for n in notes:
                seen.setdefault(n.number, n)
        return [seen[k] for k in sorted(seen)]

    def notes_text(self) -> str:
        return "; ".join(f"{n.marker} {n.label.rstrip('.')}" for n in self.all_notes())


def _analysis_and_published(d: Dataset, notes: Footnotes, marks: RowMarks) -> None:
    if d.analysis.kind == "interim":
        marks.add("analysis", notes.category("interim", d.id))
    for arm in d.arms:
        if arm.median is not None and arm.median.ci is not None and arm.median.ci_level is None:
            marks.add(f"median:{arm.id}", notes.category("median_level", d.id))
    hr = d.comparison.hazard_ratio
    if hr is not None:
        if non_95_ci(d):
            marks.add("hr", notes.category("non95", d.id))
        if hr.ci_level_assumed:
            marks.add("hr", notes.category("assumed", d.id))
        if hr.lower is None:
            marks.add("hr", notes.category("no_ci", d.id))
        if hr.adjusted:
            marks.add("hr", notes.category("adjusted", d.id))


def _computed(a: DatasetAnalysis, notes: Footnotes, marks: RowMarks) -> None:
    d = a.dataset
    origin = getattr(d.curve, "origin", None)
    if origin:
        marks.add(
            "curve",
            notes.mark(f"origin:{origin}", f"patient-level data {origin}", f"Patient-level data {origin}.", d.id),
        )
    if KIND_APPROXIMATION in a.curve_kinds:
        marks.add("computed", notes.category("approximation", d.id))
    if KIND_RECONSTRUCTED in a.curve_kinds:
        marks.add("computed", notes.category("reconstructed", d.id))
    if a.comparison is not None and a.comparison.ph_flag:
        marks.add("computed", notes.category("ph", d.id))


def _sources_and_flags(d: Dataset, notes: Footnotes, marks: RowMarks) -> None:
    """Secondary sources, conflicting reports and judgement calls: the dataset's own flag footnotes."""
    for j, flag in enumerate(dataset_flags(d)):
        if flag.code == "secondary":
            marks.add("sources", notes.mark(f"secondary:{d.id}", flag.label, f"{d.id}: {flag.footnote}", d.id))
        elif flag.code in ("conflict", "judgement"):
            marks.add("notes", notes.mark(f"{flag.code}:{d.id}:{j}", flag.label, f"{d.id}: {flag.footnote}", d.id))
    for caveat in d.flags.caveats:
        marks.add("notes", notes.mark(f"caveat:{caveat}", caveat, caveat, d.id))


def row_marks(dataset: Dataset, analysis: DatasetAnalysis | None, notes: Footnotes) -> RowMarks:
    """Register the caveats of one dataset and return the cells they belong to.

    Caveats are registered in the order of the Comparison columns, so footnote numbers grow
    from left to right and from top to bottom.
    """
    marks = RowMarks()
    _analysis_and_published(dataset, notes, marks)
    if analysis is not None:
        _computed(analysis, notes, marks)
    _sources_and_flags(dataset, notes, marks)
    return marks
