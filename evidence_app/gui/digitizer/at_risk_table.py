"""The numbers at risk printed under the figure: a grid with one row per arm and one column per
printed time, typed or pasted (Ctrl+V) from a spreadsheet or a PDF's text.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QLineEdit, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from evidence_app.core.reconstruction.at_risk_times import parse_times
from evidence_app.errors import InputError, Problem

HELP = (
    "Type the printed times (e.g. <tt>0, 6, 12, 18, 24</tt>), then each arm's numbers at risk — or copy "
    "the rows from a spreadsheet or the PDF and paste them with Ctrl+V (a first row of times fills the "
    "times; a leading arm name is skipped). Leave a cell empty when nothing is printed."
)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def split_pasted(text: str) -> list[list[str]]:
    """Clipboard text as rows of cells; a leading non-numeric cell (an arm's name) is dropped."""
    rows = []
    for line in text.splitlines():
        cells = line.split("\t") if "\t" in line else re.split(r"[\s,;]+", line.strip())
        cells = [c.strip() for c in cells]
        if cells and cells[0] and not _is_number(cells[0]):
            cells = cells[1:]
        if any(cells):
            rows.append(cells)
    return rows


def _mark(item: QTableWidgetItem) -> None:
    """Tint a cell that does not hold a whole number."""
    text = item.text().strip()
    bad = bool(text) and not text.isdigit()
    item.setBackground(QBrush(QColor("#ffd0d0")) if bad else QBrush())
    item.setToolTip("expected a whole number" if bad else "")


class PasteTable(QTableWidget):
    """A table that pastes a block of cells at the current cell; emits ``pasted(rows)`` first so
    the owner can take a row of times from it."""

    pasted = Signal(list)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Paste):
            self.pasted.emit(split_pasted(QGuiApplication.clipboard().text()))
            event.accept()
            return
        super().keyPressEvent(event)


class AtRiskTable(QWidget):
    """Emits ``changed()`` whenever a time or a count changes."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels: list[str] = []
        self.times_edit = QLineEdit()
        self.times_edit.setObjectName("atRiskTimes")
        self.times_edit.setPlaceholderText("0, 6, 12, 18, 24")
        self.times_edit.textChanged.connect(self._apply_times)
        self.grid = PasteTable(0, 0)
        self.grid.setObjectName("atRiskGrid")
        self.grid.itemChanged.connect(self._cell_changed)
        self.grid.pasted.connect(self._paste)
        help_label = QLabel(HELP)
        help_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(help_label)
        layout.addWidget(QLabel("Times:"))
        layout.addWidget(self.times_edit)
        layout.addWidget(self.grid, 1)

    def set_arm_labels(self, labels: list[str]) -> None:
        """One row per arm (rows keep their numbers when arms are renamed or added at the end)."""
        self.labels = list(labels)
        self.grid.blockSignals(True)
        self.grid.setRowCount(len(labels))
        self.grid.setVerticalHeaderLabels(self.labels)
        self.grid.blockSignals(False)

    def remove_arm(self, row: int) -> None:
        """Drop an arm's row (the rows below move up with their arms)."""
        del self.labels[row]
        self.grid.removeRow(row)
        self.changed.emit()

    def times(self) -> list[float]:
        return parse_times(self.times_edit.text())

    def _apply_times(self) -> None:
        try:
            times = self.times()
        except InputError:
            return  # reported when the table is used
        headers = [f"{t:g}" for t in times]
        header_items = [(self.grid.horizontalHeaderItem(c), c) for c in range(self.grid.columnCount())]
        old = {item.text(): c for item, c in header_items if item is not None}
        kept = {(r, h): self.text(r, c) for h, c in old.items() for r in range(self.grid.rowCount())}
        self.grid.blockSignals(True)
        self.grid.setColumnCount(len(times))
        self.grid.setHorizontalHeaderLabels(headers)
        for r in range(self.grid.rowCount()):
            for c, header in enumerate(headers):
                self.grid.setItem(r, c, QTableWidgetItem(kept.get((r, header), "")))
        self.grid.blockSignals(False)
        self.changed.emit()

    def text(self, row: int, column: int) -> str:
        item = self.grid.item(row, column)
        return item.text().strip() if item is not None else ""

    def set_cell(self, row: int, column: int, value: int | str) -> None:
        self.grid.setItem(row, column, QTableWidgetItem(str(value)))

    def _cell_changed(self, item: QTableWidgetItem) -> None:
        self.grid.blockSignals(True)
        _mark(item)
        self.grid.blockSignals(False)
        self.changed.emit()

    def _paste(self, rows: list[list[str]]) -> None:
        if (
            rows
            and len(rows) > 1
            and all(_is_number(c) for c in rows[0] if c)
            and (self.grid.columnCount() == 0 or len(rows) == self.grid.rowCount() + 1)
        ):
            self.times_edit.setText(", ".join(c for c in rows[0] if c))  # a header row of times
            rows = rows[1:]
        top = max(self.grid.currentRow(), 0)
        left = max(self.grid.currentColumn(), 0)
        self.grid.blockSignals(True)
        for r, cells in enumerate(rows[: self.grid.rowCount() - top]):
            for c, text in enumerate(cells[: self.grid.columnCount() - left]):
                item = QTableWidgetItem(text)
                _mark(item)
                self.grid.setItem(top + r, left + c, item)
        self.grid.blockSignals(False)
        self.changed.emit()

    def table(self) -> tuple[list[float], list[list[int | None]]]:
        """The times and, per arm, the count at each time (None: empty); every bad cell is reported."""
        times = self.times()
        problems: list[Problem] = []
        grid: list[list[int | None]] = []
        for r, label in enumerate(self.labels):
            row: list[int | None] = []
            for c, t in enumerate(times):
                text = self.text(r, c)
                if text and not text.isdigit():
                    problems.append(
                        Problem(f"expected a whole number ≥ 0 at time {t:g}, found {text!r}", location=f"arm '{label}'")
                    )
                row.append(int(text) if text.isdigit() else None)
            grid.append(row)
        if problems:
            raise InputError(f"{len(problems)} problem(s) in the numbers at risk", problems=problems)
        return times, grid

    def rows(self) -> list[list[tuple[float, int]]]:
        """Per arm, the ``(time, number at risk)`` pairs that were given."""
        times, grid = self.table()
        return [[(t, n) for t, n in zip(times, counts) if n is not None] for counts in grid]
