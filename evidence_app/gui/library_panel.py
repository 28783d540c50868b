"""The library table: every dataset, searchable and sortable."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLineEdit, QTableView, QVBoxLayout, QWidget

from evidence_app.core.catalog import CURVE_KIND_LABELS, badges
from evidence_app.core.library import Library

COLUMNS = ("Trial", "Comparison", "Endpoint", "Setting", "Histology", "HR (CI)", "Curve", "Flags", "Id")


def _hr_text(dataset) -> str:
    hr = dataset.comparison.hazard_ratio
    if hr is None:
        return "not reported"
    if hr.lower is None:
        return f"{hr.value:.2f} (CI not reported)"
    level = "" if hr.ci_level == 0.95 else f", {hr.ci_level * 100:g}% CI"
    return f"{hr.value:.2f} ({hr.lower:.2f}–{hr.upper:.2f}{level})"


class LibraryPanel(QWidget):
    """Lists the datasets; emits ``datasetActivated(id)`` on double-click or Enter."""

    datasetActivated = Signal(str)

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(placeholderText="Search trials, drugs, populations…  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(COLUMNS)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.table)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.table.activated.connect(self._activated)
        self.set_library(library)

    def set_library(self, library: Library) -> None:
        self.model.removeRows(0, self.model.rowCount())
        for entry in library.entries.values():
            d = entry.dataset
            values = (
                d.trial.acronym,
                f"{d.experimental.label} vs {d.control.label}",
                d.endpoint.name,
                d.trial.setting,
                d.trial.histology,
                _hr_text(d),
                CURVE_KIND_LABELS[d.curve.kind],
                ", ".join(badges(d) + ([] if entry.bundled else ["user dataset"])),
                d.id,
            )
            items = [QStandardItem(v) for v in values]
            for item in items:
                item.setData(d.id, Qt.ItemDataRole.UserRole)
                item.setToolTip(d.title)
            self.model.appendRow(items)
        self.table.resizeColumnsToContents()
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)

    def visible_ids(self) -> list[str]:
        return [self.proxy.index(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(self.proxy.rowCount())]

    def _activated(self, index) -> None:
        self.datasetActivated.emit(index.data(Qt.ItemDataRole.UserRole))
