"""Wizard page 2: the numbers at risk printed under the figure, typed into a grid
(rows = arms, columns = times), and each arm's N and total events when known.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, cast

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QHeaderView, QLabel, QPushButton, QTableWidget, QVBoxLayout, QWizardPage

from evidence_app.core.digitize.at_risk_input import AtRiskGrid, arrange_for_arms, parse_at_risk_text, read_at_risk_file
from evidence_app.errors import InputError, Problem
from evidence_app.gui import settings
from evidence_app.gui.curve_files_page import CurveFilesPage
from evidence_app.gui.digitizer.at_risk_table import AtRiskTable
from evidence_app.gui.error_boundary import guarded, show_error
from evidence_app.gui.flow_layout import flow_row

__all__ = ["ArmCounts", "AtRiskPage"]


class _Pages(Protocol):
    """What this page reads from the wizard that holds it (the curve files page)."""

    @property
    def files_page(self) -> CurveFilesPage: ...


HELP = "The numbers at risk are the best information the reconstruction has; without them give at least N."
TABLE_FILTER = "Numbers at risk (*.csv *.txt *.tsv);;All files (*)"


@dataclass(frozen=True)
class ArmCounts:
    at_risk: list[tuple[float, int]]
    n: int | None
    total_events: int | None


class AtRiskPage(QWizardPage):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setTitle("Numbers at risk")
        self.setSubTitle("As printed under the Kaplan–Meier figure.")
        self.table = AtRiskTable()  # the same grid as the digitizer's (typing and Ctrl+V paste)
        self.times_edit = self.table.times_edit
        self.grid = self.table.grid
        self.counts = QTableWidget(0, 2)
        self.counts.setObjectName("armCounts")
        self.counts.setHorizontalHeaderLabels(["Patients (N)", "Total events (optional)"])
        self.counts.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.counts.setMaximumHeight(110)
        help_label = QLabel(HELP)
        help_label.setWordWrap(True)
        load = QPushButton("Load from CSV…")
        load.setObjectName("loadAtRiskCsv")
        load.setToolTip("A row of times, then a row per arm (name, numbers); or a column per arm: time,arm 1,arm 2")
        load.clicked.connect(self.choose_file)
        paste = QPushButton("Paste a table")
        paste.setObjectName("pasteAtRiskTable")
        paste.setToolTip("Replace the times and numbers with a table copied from a spreadsheet or the PDF")
        paste.clicked.connect(self.paste_table)
        layout = QVBoxLayout(self)
        layout.addWidget(flow_row([load, paste]))
        layout.addWidget(self.table, 1)
        layout.addWidget(help_label)
        layout.addWidget(QLabel("N (taken from time 0 when empty) and reported events per arm:"))
        layout.addWidget(self.counts)

    def import_wizard(self) -> _Pages:
        return cast(_Pages, self.wizard())

    @property
    def labels(self) -> list[str]:
        return self.table.labels

    def initializePage(self) -> None:
        labels = self.import_wizard().files_page.labels()
        self.table.set_arm_labels(labels)
        self.counts.setRowCount(len(labels))
        self.counts.setVerticalHeaderLabels(labels)

    @staticmethod
    def _text(table: QTableWidget, row: int, column: int) -> str:
        item = table.item(row, column)
        return item.text().strip() if item is not None else ""

    @guarded
    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Numbers at risk", settings.last_folder("curves"), TABLE_FILTER)
        if path:
            settings.remember_folder("curves", path)
            self.load_grid(read_at_risk_file(path), path)

    @guarded
    def paste_table(self) -> None:
        self.load_grid(parse_at_risk_text(QGuiApplication.clipboard().text()), "pasted table")

    def load_grid(self, grid: AtRiskGrid, name: str) -> None:
        """Fill the times and every arm's numbers from a table read from a file or the clipboard."""
        rows = arrange_for_arms(grid, self.labels, name)
        self.times_edit.setText(", ".join(f"{t:g}" for t in grid.times))
        for arm, counts in enumerate(rows):
            for column, count in enumerate(counts):
                self.set_cell(arm, column, "" if count is None else count)

    def set_cell(self, arm: int, column: int, value: int | str) -> None:
        self.table.set_cell(arm, column, value)

    def _count(self, table: QTableWidget, row: int, column: int, what: str, problems: list[Problem]) -> int | None:
        text = self._text(table, row, column)
        if not text:
            return None
        if not text.isdigit():
            problems.append(
                Problem(f"expected a whole number ≥ 0 for {what}, found {text!r}", location=f"arm '{self.labels[row]}'")
            )
            return None
        return int(text)

    def arm_counts(self) -> list[ArmCounts]:
        """Every arm's table, N and events; raises :class:`InputError` listing every problem."""
        problems: list[Problem] = []
        try:
            per_arm = self.table.rows()
        except InputError as exc:
            problems.extend(exc.problems)
            per_arm = [[] for _ in self.labels]
        result = []
        for r, (label, rows) in enumerate(zip(self.labels, per_arm)):
            n = self._count(self.counts, r, 0, "N", problems)
            if n is None and rows and rows[0][0] == 0:
                n = rows[0][1]
            if n is None:
                problems.append(Problem("give N or the number at risk at time 0", location=f"arm '{label}'"))
            result.append(ArmCounts(rows, n, self._count(self.counts, r, 1, "the total of events", problems)))
        if problems:
            raise InputError(f"{len(problems)} problem(s) in the numbers at risk", problems=problems)
        return result

    def validatePage(self) -> bool:
        try:
            self.arm_counts()
        except InputError as exc:
            show_error(self, exc)
            return False
        return True
