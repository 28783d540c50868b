"""The library table: every dataset (bundled and the user's), filterable, searchable and sortable."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QPoint, Qt, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from evidence_app.core.datasets.library import Library
from evidence_app.gui import settings
from evidence_app.gui.column_fit import FitColumnsOnResize, fit_columns
from evidence_app.gui.library_model import (
    COLUMNS,
    FACETS,
    ID_ROLE,
    LibraryFilterProxy,
    facet_values,
    fill_model,
)

__all__ = ["LibraryPanel", "COLUMNS"]

#: Widest a column gets by itself (pixels): long comparisons are elided (the tooltip has the full title)
#: so that the endpoint, setting and HR stay in view in a library panel of ordinary width.
MAX_COLUMN_WIDTH = 230
#: The columns that tell datasets apart, shown at first (they fit a 1366 px screen); the header's
#: context menu shows the others (remembered).
NARROW_COLUMNS = ("Trial", "Comparison", "Endpoint", "Analysis", "Population")


class LibraryPanel(QWidget):
    """Lists the datasets.

    Emits ``datasetActivated(id)`` on double-click or Enter and ``selectionChanged()`` when the
    selected rows change. ``filters`` maps each facet (drug, comparator, setting, histology,
    endpoint, curve) to its combo box.
    """

    datasetActivated = Signal(str)
    selectionChanged = Signal()

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.search = QLineEdit(placeholderText="Search trials, drugs, populations…  (Ctrl+F)")
        self.search.setObjectName("librarySearch")
        self.search.setClearButtonEnabled(True)
        self.filters: dict[str, QComboBox] = {}
        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(COLUMNS)
        self.proxy = LibraryFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setObjectName("libraryTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        header.setToolTip("Right-click to choose the columns")
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self._fitter = FitColumnsOnResize(self.table, MAX_COLUMN_WIDTH, resize_rows=False)
        # Two lines a row: enough to tell analyses apart, short enough to see many datasets.
        self.table.verticalHeader().setDefaultSectionSize(2 * self.table.fontMetrics().lineSpacing() + 8)
        self.table.verticalHeader().hide()
        self.count_label = QLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addLayout(self._filter_grid())
        layout.addWidget(self.table)
        layout.addWidget(self.count_label)
        self.search.textChanged.connect(self._search_changed)
        self.table.activated.connect(self._activated)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.selectionChanged.emit())
        self.set_library(library)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)

    def _filter_grid(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        for i, key in enumerate(FACETS):
            combo = QComboBox()
            combo.setObjectName(f"{key}Filter")
            combo.setToolTip(f"Show only datasets with this {key}")
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(6)
            combo.currentIndexChanged.connect(lambda _i, k=key: self._facet_changed(k))
            self.filters[key] = combo
            grid.addWidget(combo, i // 3, i % 3)
        reset = QPushButton("Clear filters")
        reset.setObjectName("clearFilters")
        reset.clicked.connect(self.clear_filters)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(reset)
        grid.addLayout(row, 2, 0, 1, 3)
        return grid

    # -- content ---------------------------------------------------------------------------------
    def set_library(self, library: Library) -> None:
        """Show ``library``; keeps filters and the selection where they still apply."""
        selected = self.selected_ids()
        self.library = library
        fill_model(self.model, self.proxy, library)
        values = facet_values(library)
        for key, combo in self.filters.items():
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(f"All {FACETS[key]}", None)
            for value in values[key]:
                combo.addItem(value, value)
            found = combo.findData(current) if current is not None else 0
            combo.setCurrentIndex(max(found, 0))
            combo.blockSignals(False)
            self.proxy.set_facet(key, combo.currentData())
        shown = settings.read("library/columns", ",".join(NARROW_COLUMNS)).split(",")
        for column, name in enumerate(COLUMNS):
            self.table.setColumnHidden(column, name not in shown)
        self.fit_columns()
        self.select_ids(selected)
        self._update_count()

    # -- columns -----------------------------------------------------------------------------------
    def shown_columns(self) -> list[str]:
        return [name for column, name in enumerate(COLUMNS) if not self.table.isColumnHidden(column)]

    def set_column_shown(self, name: str, shown: bool) -> None:
        """Show or hide a column (remembered); the shown columns are fitted to the width again."""
        self.table.setColumnHidden(COLUMNS.index(name), not shown)
        if not self.shown_columns():
            self.table.setColumnHidden(0, False)
        settings.write("library/columns", ",".join(self.shown_columns()))
        self.fit_columns()

    def _column_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        for name in COLUMNS:
            action = menu.addAction(name)
            action.setCheckable(True)
            action.setChecked(name in self.shown_columns())
            action.toggled.connect(lambda on, n=name: self.set_column_shown(n, on))
        menu.popup(self.table.horizontalHeader().mapToGlobal(pos))

    def fit_columns(self) -> None:
        """The shown columns at their content's width, narrowed (elided) to fit without scrolling."""
        fit_columns(self.table, MAX_COLUMN_WIDTH, resize_rows=False)

    def clear_filters(self) -> None:
        self.search.clear()
        for combo in self.filters.values():
            combo.setCurrentIndex(0)

    def set_filter(self, key: str, value: str | None) -> None:
        """Choose ``value`` in the ``key`` filter box (None = all)."""
        combo = self.filters[key]
        index = combo.findData(value) if value is not None else 0
        if index < 0:
            raise KeyError(f"no {key} {value!r} in the library")
        combo.setCurrentIndex(index)

    def _search_changed(self, text: str) -> None:
        self.proxy.set_text(text)
        self._update_count()

    def _facet_changed(self, key: str) -> None:
        self.proxy.set_facet(key, self.filters[key].currentData())
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count_label.setText(f"{total} datasets" if shown == total else f"{shown} of {total} datasets shown")

    # -- selection ---------------------------------------------------------------------------------
    def visible_ids(self) -> list[str]:
        return [self.proxy.index(r, 0).data(ID_ROLE) for r in range(self.proxy.rowCount())]

    def selected_ids(self) -> list[str]:
        """Selected dataset ids in the order shown."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.proxy.index(r, 0).data(ID_ROLE) for r in rows]

    def current_id(self) -> str | None:
        index = self.table.currentIndex()
        return index.data(ID_ROLE) if index.isValid() else None

    def select_ids(self, ids: list[str]) -> None:
        wanted = set(ids)
        selection = self.table.selectionModel()
        selection.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(ID_ROLE) in wanted:
                selection.select(index, flags)
                selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)

    def _activated(self, index) -> None:
        self.datasetActivated.emit(index.data(ID_ROLE))
