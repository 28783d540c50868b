"""Wizard page 2: the numbers at risk printed under the figure, typed into a grid
(rows = arms, columns = times), and each arm's N and total events when known.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from PySide6.QtWidgets import (
    QHeaderView, QLabel, QLineEdit, QTableWidget, QTableWidgetItem, QVBoxLayout, QWizardPage,
)

from evidence_app.errors import InputError, Problem
from evidence_app.gui.app import show_error

if TYPE_CHECKING:
    from evidence_app.gui.curve_import_wizard import CurveImportWizard

HELP = ("Type the times printed under the figure (e.g. <tt>0, 6, 12, 18, 24</tt>), then each arm's numbers at "
        "risk. Leave a cell empty when it is not printed. The numbers at risk are the best information the "
        "reconstruction has; without them give at least N.")


@dataclass(frozen=True)
class ArmCounts:
    at_risk: list[tuple[float, int]]
    n: int | None
    total_events: int | None


def parse_times(text: str) -> list[float]:
    times = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            value = float(part)
        except ValueError:
            raise InputError(f"expected times as numbers separated by commas, found {part!r}",
                             location="times") from None
        if value < 0:
            raise InputError(f"times cannot be negative, found {part}", location="times")
        times.append(value)
    if times != sorted(set(times)):
        raise InputError("expected increasing times without repeats", location="times")
    return times


class AtRiskPage(QWizardPage):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setTitle("Numbers at risk")
        self.setSubTitle("As printed under the Kaplan–Meier figure.")
        self.labels: list[str] = []
        self.times_edit = QLineEdit()
        self.times_edit.setObjectName("atRiskTimes")
        self.times_edit.setPlaceholderText("0, 6, 12, 18, 24")
        self.times_edit.textChanged.connect(self._apply_times)
        self.grid = QTableWidget(0, 0)
        self.grid.setObjectName("atRiskGrid")
        self.counts = QTableWidget(0, 2)
        self.counts.setObjectName("armCounts")
        self.counts.setHorizontalHeaderLabels(["Patients (N)", "Total events (optional)"])
        self.counts.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.counts.setMaximumHeight(110)
        help_label = QLabel(HELP)
        help_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(help_label)
        layout.addWidget(QLabel("Times:"))
        layout.addWidget(self.times_edit)
        layout.addWidget(self.grid, 1)
        layout.addWidget(QLabel("N (taken from time 0 when empty) and reported events per arm:"))
        layout.addWidget(self.counts)

    def import_wizard(self) -> CurveImportWizard:
        return cast("CurveImportWizard", self.wizard())

    def initializePage(self) -> None:  # noqa: N802 (Qt naming)
        self.labels = self.import_wizard().files_page.labels()
        for table in (self.grid, self.counts):
            table.setRowCount(len(self.labels))
            table.setVerticalHeaderLabels(self.labels)
        self._apply_times()

    def _apply_times(self) -> None:
        try:
            times = parse_times(self.times_edit.text())
        except InputError:
            return  # reported when the user presses Next
        headers_before = [self.grid.horizontalHeaderItem(c) for c in range(self.grid.columnCount())]
        old = {item.text(): c for c, item in enumerate(headers_before) if item is not None}
        kept = {(r, header): self._text(self.grid, r, c)
                for header, c in old.items() for r in range(self.grid.rowCount())}
        self.grid.setColumnCount(len(times))
        headers = [f"{t:g}" for t in times]
        self.grid.setHorizontalHeaderLabels(headers)
        for r in range(self.grid.rowCount()):
            for c, header in enumerate(headers):
                self.grid.setItem(r, c, QTableWidgetItem(kept.get((r, header), "")))

    @staticmethod
    def _text(table: QTableWidget, row: int, column: int) -> str:
        item = table.item(row, column)
        return item.text().strip() if item is not None else ""

    def set_cell(self, arm: int, column: int, value: int | str) -> None:
        self.grid.setItem(arm, column, QTableWidgetItem(str(value)))

    def _count(self, table: QTableWidget, row: int, column: int, what: str, problems: list[Problem]) -> int | None:
        text = self._text(table, row, column)
        if not text:
            return None
        if not text.isdigit():
            problems.append(Problem(f"expected a whole number ≥ 0 for {what}, found {text!r}",
                                    location=f"arm '{self.labels[row]}'"))
            return None
        return int(text)

    def arm_counts(self) -> list[ArmCounts]:
        """Every arm's table, N and events; raises :class:`InputError` listing every problem."""
        times = parse_times(self.times_edit.text())
        problems: list[Problem] = []
        result = []
        for r, label in enumerate(self.labels):
            rows = [(t, n) for c, t in enumerate(times)
                    if (n := self._count(self.grid, r, c, f"the number at risk at time {t:g}", problems)) is not None]
            n = self._count(self.counts, r, 0, "N", problems)
            if n is None and rows and rows[0][0] == 0:
                n = rows[0][1]
            if n is None:
                problems.append(Problem("give N or the number at risk at time 0", location=f"arm '{label}'"))
            result.append(ArmCounts(rows, n, self._count(self.counts, r, 1, "the total of events", problems)))
        if problems:
            raise InputError(f"{len(problems)} problem(s) in the numbers at risk", problems=problems)
        return result

    def validatePage(self) -> bool:  # noqa: N802 (Qt naming)
        try:
            self.arm_counts()
        except InputError as exc:
            show_error(self, exc)
            return False
        return True
