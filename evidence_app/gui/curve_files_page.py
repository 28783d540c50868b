"""Wizard page 1: the digitized curve files (one per arm, or one file with several curves)."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizardPage,
)

from evidence_app.core.digitize.csv_input import ParsedCurve, read_many_curve_files
from evidence_app.gui import settings
from evidence_app.gui.error_boundary import guarded
from evidence_app.gui.metadata_form import TIME_UNITS

CSV_FILTER = "Digitized curves (*.csv *.txt *.tsv);;All files (*)"
HELP = (
    "Add the CSV files exported by your digitizer (WebPlotDigitizer or similar): either one file per arm "
    "with columns <tt>time,survival</tt>, or one file with a pair of columns per arm "
    "(<tt>time1,surv1,time2,surv2</tt>, or WebPlotDigitizer's \u201cExport all data\u201d with the curve names in "
    "the first row). Survival may be a fraction or a percentage; points just outside the axes are moved onto "
    "them and clicks out of order are sorted (listed below). Rename the arms in the table if needed; the first "
    "arm is taken as experimental."
)


class CurveFilesPage(QWizardPage):
    """Holds the parsed curves; complete when at least two arms are loaded."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setTitle("Digitized curves")
        self.setSubTitle("One curve per arm, in the figure's time unit.")
        self.curves: list[ParsedCurve] = []
        help_label = QLabel(HELP)
        help_label.setWordWrap(True)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("curveFilesTable")
        self.table.setHorizontalHeaderLabels(["Arm label", "Points", "File"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.itemChanged.connect(lambda _item: self.completeChanged.emit())
        self.notes = QLabel()
        self.notes.setObjectName("curveCleaningNotes")
        self.notes.setWordWrap(True)
        add = QPushButton("Add curve files…")
        add.setObjectName("addCurveFiles")
        add.clicked.connect(self.choose_files)
        remove = QPushButton("Remove selected")
        remove.clicked.connect(self.remove_selected)
        self.time_unit = QComboBox()
        self.time_unit.addItems(list(TIME_UNITS))
        self.time_unit.setObjectName("curveTimeUnit")
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        row.addWidget(QLabel("Time unit of the figure's axis:"))
        row.addWidget(self.time_unit)
        layout = QVBoxLayout(self)
        layout.addWidget(help_label)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.notes)

    @guarded
    def choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Digitized curve files", settings.last_folder("curves"), CSV_FILTER
        )
        if paths:
            settings.remember_folder("curves", paths[0])
            self.add_files(paths)

    def add_files(self, paths: list[str]) -> None:
        """Parse every file first, so one malformed file adds nothing (and raises all its problems at once)."""
        parsed = read_many_curve_files(paths)
        self.table.blockSignals(True)
        for curve in parsed:
            self.curves.append(curve)
            row = self.table.rowCount()
            self.table.insertRow(row)
            self.table.setItem(row, 0, QTableWidgetItem(curve.name))
            for column, text in ((1, str(len(curve.points))), (2, Path(curve.file).name)):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)
        self._show_notes()
        self.completeChanged.emit()

    def _show_notes(self) -> None:
        notes = [note for curve in self.curves for note in curve.notes]
        self.notes.setText("<br>".join(f"Cleaned: {html.escape(note)}" for note in notes))

    def remove_selected(self) -> None:
        for row in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(row)
            del self.curves[row]
        self._show_notes()
        self.completeChanged.emit()

    def labels(self) -> list[str]:
        labels = []
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            labels.append((item.text().strip() if item is not None else "") or f"Arm {row + 1}")
        return labels

    def isComplete(self) -> bool:
        return len(self.curves) >= 2
