"""A read-only table whose selection copies as tab-separated text (pastes into Word or Excel)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from evidence_app.core.formatting import defuse_formula

#: Cell text that marks a value nobody published or nothing could compute: shown in grey italics.
MUTED_TEXTS = ("not reported", "not computed", "not reached", "—")
APPROXIMATION_BRUSH = QBrush(QColor(255, 243, 205))  # pale amber, like a warning badge


class CopyableTable(QTableWidget):
    """``set_rows`` fills it; Ctrl+C (or the context menu) copies the selected cells as TSV.

    Headers are included when whole rows are copied, so a paste into a spreadsheet is labelled.
    """

    def __init__(self, headers: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(0, len(headers), parent)
        self.setHorizontalHeaderLabels(list(headers))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setStretchLastSection(True)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        copy = QAction("Copy\tCtrl+C", self)  # the key itself is handled in keyPressEvent
        copy.triggered.connect(self.copy_selection)
        copy_all = QAction("Copy whole table", self)
        copy_all.triggered.connect(self.copy_all)
        self.addActions([copy, copy_all])

    def keyPressEvent(self, event) -> None:
        # QTableView's own Ctrl+C copies one cell; copy the whole selection instead.
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            event.accept()
            return
        super().keyPressEvent(event)

    def set_rows(
        self, rows: Sequence[Sequence[str]], *, bold_rows: Sequence[int] = (), highlighted_rows: Sequence[int] = ()
    ) -> None:
        """Replace the content; ``bold_rows`` are section headings, ``highlighted_rows`` approximations.

        A heading with nothing in its other cells spans the row, so a long heading does not widen
        the first column.
        """
        self.clearSpans()
        self.setRowCount(0)
        self.setRowCount(len(rows))
        bold, highlighted = set(bold_rows), set(highlighted_rows)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(str(text))
                if len(str(text)) > 12:  # a narrow column elides it: the tooltip has it whole
                    item.setToolTip(str(text))
                font = QFont()
                font.setBold(r in bold)
                font.setItalic(str(text).startswith(MUTED_TEXTS))
                item.setFont(font)
                if font.italic():
                    item.setForeground(QBrush(QColor(90, 90, 90)))
                if r in highlighted:
                    item.setBackground(APPROXIMATION_BRUSH)
                self.setItem(r, c, item)
            if r in bold and len(row) > 1 and not any(str(text) for text in row[1:]):
                self.setSpan(r, 0, 1, self.columnCount())
        self.resizeColumnsToContents()
        self.resizeRowsToContents()

    def text_at(self, row: int, column: int) -> str:
        item = self.item(row, column)
        return item.text() if item is not None else ""

    def _header(self, column: int) -> str:
        item = self.horizontalHeaderItem(column)
        return item.text() if item is not None else ""

    def selection_as_tsv(self) -> str:
        """The selected cells as TSV (rectangular bounding box; gaps stay empty)."""
        indexes = self.selectedIndexes()
        if not indexes:
            return ""
        rows = sorted({i.row() for i in indexes})
        cols = sorted({i.column() for i in indexes})
        chosen = {(i.row(), i.column()) for i in indexes}
        lines = []
        if len(rows) > 1 and len(cols) == self.columnCount():
            lines.append("\t".join(self._header(c) for c in cols))
        for r in rows:
            lines.append("\t".join(_clean(self.text_at(r, c)) if (r, c) in chosen else "" for c in cols))
        return "\n".join(lines)

    def copy_selection(self) -> None:
        text = self.selection_as_tsv()
        if text:
            QGuiApplication.clipboard().setText(text)

    def copy_all(self) -> None:
        self.selectAll()
        self.copy_selection()


def _clean(text: str) -> str:
    """Tabs and newlines inside a cell would break the TSV grid; formula-like text is defused as the
    export does, so a paste into a spreadsheet never runs a label such as ``=HYPERLINK(...)``."""
    return defuse_formula(text.replace("\t", " ").replace("\r", " ").replace("\n", " "))
