"""The library as a Qt item model, and the proxy that filters it by facets and free text."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel

from evidence_app.core.datasets.catalog import CURVE_KIND_LABELS, FLAG_MEANINGS, badges, dataset_flags
from evidence_app.core.datasets.labels import analysis_label, dataset_label, endpoint_label, population_label
from evidence_app.core.datasets.library import Library, LibraryEntry
from evidence_app.core.datasets.published import published_hr_text

COLUMNS = (
    "Trial",
    "Comparison",
    "Endpoint",
    "Analysis",
    "Population",
    "Setting",
    "Histology",
    "HR (CI)",
    "Curve",
    "Flags",
    "Id",
)
ID_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1

#: Facet key → label of its filter box ("All …" is the unfiltered choice).
FACETS = {
    "drug": "drugs",
    "comparator": "comparators",
    "setting": "settings",
    "histology": "histologies",
    "endpoint": "endpoints",
    "curve": "curve kinds",
}
USER_BADGE = "user dataset"
#: What each flag means in general (the dataset's own footnotes are in the row's tooltip).
BADGE_EXPLANATIONS = {**FLAG_MEANINGS, USER_BADGE: "your own dataset (editable); not curated with the bundled library"}


def hr_text(entry: LibraryEntry) -> str:
    return published_hr_text(entry.dataset.comparison.hazard_ratio)


def analysis_text(entry: LibraryEntry) -> str:
    """Which analysis: its label (e.g. "second interim analysis"), prefixed with its kind only when the
    label does not say it, so the words that tell two analyses apart come first in a narrow column."""
    analysis = entry.dataset.analysis
    kind = analysis_label(entry.dataset)
    if not analysis.label:
        return kind
    if analysis.kind == "not stated" or analysis.kind.lower() in analysis.label.lower():
        return analysis.label
    return f"{kind}: {analysis.label}"


def entry_badges(entry: LibraryEntry) -> list[str]:
    return badges(entry.dataset) + ([] if entry.bundled else [USER_BADGE])


def facets(entry: LibraryEntry) -> dict[str, frozenset[str]]:
    """The values a dataset has for each filter (a trial may have several drugs)."""
    d = entry.dataset
    return {
        "drug": frozenset(agent for arm in d.arms for agent in arm.agents),
        "comparator": frozenset({d.control.label}),
        "setting": frozenset({d.trial.setting}),
        "histology": frozenset({d.trial.histology}),
        "endpoint": frozenset({d.endpoint.name}),
        "curve": frozenset({CURVE_KIND_LABELS[d.curve.kind]}),
    }


def _row(entry: LibraryEntry) -> list[QStandardItem]:
    d = entry.dataset
    flags = entry_badges(entry)
    hr = d.comparison.hazard_ratio
    texts = (
        d.trial.acronym,
        f"{d.experimental.label} vs {d.control.label}",
        endpoint_label(d),
        analysis_text(entry),
        population_label(d),
        d.trial.setting,
        d.trial.histology,
        hr_text(entry),
        CURVE_KIND_LABELS[d.curve.kind],
        ", ".join(flags),
        d.id,
    )
    tooltip = dataset_label(d) + "".join(f"\n• {f.label}: {f.footnote}" for f in dataset_flags(d))
    if not entry.bundled:
        tooltip += f"\n• {USER_BADGE}: {BADGE_EXPLANATIONS[USER_BADGE]}"
    items = []
    for column, text in enumerate(texts):
        item = QStandardItem(text)
        item.setData(d.id, ID_ROLE)
        sort_key: object = text.lower()
        if COLUMNS[column] == "HR (CI)":  # sort by value, "not reported" last
            sort_key = hr.value if hr is not None else float("inf")
        item.setData(sort_key, SORT_ROLE)
        item.setToolTip(tooltip)
        if not entry.bundled:
            font = QFont()
            font.setItalic(True)
            item.setFont(font)
        items.append(item)
    return items


def search_text(entry: LibraryEntry) -> str:
    """Everything the search box looks in, lower-case."""
    d = entry.dataset
    parts = (
        d.id,
        d.title,
        dataset_label(d),
        d.trial.name,
        d.trial.acronym,
        d.trial.population,
        d.trial.disease,
        d.trial.setting,
        d.trial.histology,
        d.trial.registry_id or "",
        d.endpoint.name,
        hr_text(entry),
        CURVE_KIND_LABELS[d.curve.kind],
        *entry_badges(entry),
        *(text for arm in d.arms for text in (arm.label, *arm.agents)),
    )
    return " ".join(parts).lower()


def fill_model(model: QStandardItemModel, proxy: LibraryFilterProxy, library: Library) -> None:
    proxy.index_library(library)
    model.removeRows(0, model.rowCount())
    for entry in library.entries.values():
        model.appendRow(_row(entry))


def facet_values(library: Library) -> dict[str, list[str]]:
    values: dict[str, set[str]] = {key: set() for key in FACETS}
    for entry in library.entries.values():
        for key, found in facets(entry).items():
            values[key] |= found
    return {key: sorted(found, key=str.lower) for key, found in values.items()}


class LibraryFilterProxy(QSortFilterProxyModel):
    """Shows rows matching every chosen facet and containing the search text (case-insensitive)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._text = ""
        self._chosen: dict[str, str] = {}
        self._facets: dict[str, dict[str, frozenset[str]]] = {}
        self._search: dict[str, str] = {}
        self.setSortRole(SORT_ROLE)

    def index_library(self, library: Library) -> None:
        self._facets = {i: facets(e) for i, e in library.entries.items()}
        self._search = {i: search_text(e) for i, e in library.entries.items()}

    def set_text(self, text: str) -> None:
        self._begin()
        self._text = text.strip().lower()
        self._end()

    def set_facet(self, key: str, value: str | None) -> None:
        self._begin()
        if value is None:
            self._chosen.pop(key, None)
        else:
            self._chosen[key] = value
        self._end()

    # Qt 6.10 replaced invalidateFilter() by a begin/end pair; older Qt only has the former.
    def _begin(self) -> None:
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()

    def _end(self) -> None:
        if hasattr(self, "endFilterChange"):
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.invalidateFilter()

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        dataset_id = self.sourceModel().index(row, 0, parent).data(ID_ROLE)
        if self._text and self._text not in self._search.get(dataset_id, ""):
            return False
        found = self._facets.get(dataset_id, {})
        return all(value in found.get(key, ()) for key, value in self._chosen.items())
