"""Table columns that fit the table's width, so a narrow screen never scrolls a table sideways.

Each shown column gets its content's width up to a cap; when they do not all fit, the widest are
narrowed to one common width (their text is elided or wrapped; tooltips keep it whole).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QTableView


def fit_columns(table: QTableView, max_width: int, min_width: int = 24, *, resize_rows: bool = True) -> None:
    """Size the shown columns of ``table`` to their content (at most ``max_width`` px), narrowing the
    widest ones until all fit in the viewport; then rows take their wrapped text's height unless
    ``resize_rows`` is False (rows of a fixed height elide what does not fit)."""
    header = table.horizontalHeader()
    model = table.model()
    if model is None:
        return
    shown = [c for c in range(model.columnCount()) if not table.isColumnHidden(c)]
    least = max(min_width, header.minimumSectionSize())
    wanted = {
        c: max(min(max(table.sizeHintForColumn(c), header.sectionSizeFromContents(c).width()), max_width), least)
        for c in shown
    }
    room = table.viewport().width()
    cap = float(max_width)
    if room > 0 and sum(wanted.values()) > room:  # the largest common cap at which everything fits
        low, high = float(least), cap
        while high - low > 1:
            mid = (low + high) / 2
            low, high = (mid, high) if sum(min(w, mid) for w in wanted.values()) <= room else (low, mid)
        cap = low
    for c, width in wanted.items():
        header.resizeSection(c, int(min(width, cap)))
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)  # clipped at the end
    if resize_rows and table.wordWrap():
        table.resizeRowsToContents()


class FitColumnsOnResize(QObject):
    """Keeps a table's columns fitted whenever its viewport changes size."""

    def __init__(self, table: QTableView, max_width: int, *, min_width: int = 24, resize_rows: bool = True) -> None:
        super().__init__(table)
        self.table, self.max_width, self.min_width, self.resize_rows = table, max_width, min_width, resize_rows
        table.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            fit_columns(self.table, self.max_width, self.min_width, resize_rows=self.resize_rows)
        return False
