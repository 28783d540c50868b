"""Tables as plain data, and the one function that writes a table onto a worksheet.

Each sheet module builds a :class:`Table` (columns + rows of plain values) without touching
openpyxl, so the same Comparison table feeds the workbook and the CSV export, and tests can
read rows without a file. :func:`write_table` gives every table the same look.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from evidence_app.core.datasets.schema import Dataset
from evidence_app.core.formatting import NOT_REPORTED
from evidence_app.core.stats.analysis import DatasetAnalysis
from evidence_app.export import xlsx_format as fmt

#: Tables up to this many characters wide print one page wide (A4 landscape, shrunk to fit);
#: wider ones (the Comparison sheet) print across pages at a fixed scale.
PAGE_WIDTH_CHARS = 280


@dataclass(frozen=True)
class Link:
    """A cell showing ``text`` that opens ``url``."""

    text: str
    url: str

    def __str__(self) -> str:
        return self.text


CellValue = str | int | float | Link | None


@dataclass(frozen=True)
class Column:
    """One column: its header, width (Excel characters), number format and wrapping."""

    header: str
    width: float = 12.0
    number_format: str | None = None
    wrap: bool = False
    center: bool = False


@dataclass
class Table:
    """Rows under a header; every row has one value per column."""

    columns: tuple[Column, ...]
    rows: list[tuple[CellValue, ...]] = field(default_factory=list)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def add(self, *values: CellValue) -> None:
        if len(values) != len(self.columns):
            raise ValueError(f"row has {len(values)} values for {len(self.columns)} columns")
        self.rows.append(tuple(values))

    def column(self, header: str) -> list[CellValue]:
        index = self.headers.index(header)
        return [row[index] for row in self.rows]


def _set_value(ws: Worksheet, row: int, col: int, value: CellValue, column: Column) -> None:
    if value is None:  # a safety net: builders say what is missing, a blank would read as zero
        value = NOT_REPORTED
    cell = ws.cell(row=row, column=col)
    if isinstance(value, Link):
        cell.value = value.text
        cell.hyperlink = value.url
        cell.font = fmt.LINK_FONT
    else:
        cell.value = value
        if isinstance(value, str):
            # Text from a dataset is data, never a formula (openpyxl treats "=..." as one).
            cell.data_type = "s"
            if value == NOT_REPORTED:
                cell.font = fmt.MISSING_FONT
        elif column.number_format:
            cell.number_format = column.number_format
    cell.alignment = fmt.TOP_CENTER if column.center else fmt.TOP_WRAP if column.wrap else fmt.TOP


def write_rows(ws: Worksheet, table: Table, start_row: int) -> int:
    """Write the header at ``start_row`` and the rows below; return the last row written."""
    for col, column in enumerate(table.columns, start=1):
        ws.cell(row=start_row, column=col, value=column.header)
    fmt.style_header(ws, start_row, 1, len(table.columns))
    if _is_plain(table):
        # Long data tables (patient rows): no per-cell styling, which costs more than the data.
        # _is_plain checked every value: no Link and no None, only what openpyxl writes as is.
        for plain in cast("list[tuple[str | int | float, ...]]", table.rows):
            ws.append(plain)
        return start_row + len(table.rows)
    row = start_row
    for row, values in enumerate(table.rows, start=start_row + 1):
        for col, (value, column) in enumerate(zip(values, table.columns), start=1):
            _set_value(ws, row, col, value, column)
        fmt.fit_row_height(ws, row, [(str(v), c.width) for v, c in zip(values, table.columns) if c.wrap])
    return row


def _is_plain(table: Table) -> bool:
    """True when cells need no styling: no wrapping, formats, links, missing values or formula-like text."""
    if any(c.wrap or c.number_format or c.center for c in table.columns):
        return False
    return all(
        not isinstance(v, Link)
        and v is not None
        and v != NOT_REPORTED
        and not (isinstance(v, str) and v.startswith("="))
        for row in table.rows
        for v in row
    )


def write_table(ws: Worksheet, table: Table, *, frozen_cols: int = 0, header_lines: int = 2) -> int:
    """Write ``table`` from A1 with a frozen, filtered header row; return the last row.

    Narrow tables print one page wide; wide ones print across pages repeating the header
    row and the frozen columns.
    """
    last = write_rows(ws, table, 1)
    fmt.set_widths(ws, [c.width for c in table.columns])
    fmt.freeze_and_filter(ws, 1, len(table.columns), last, frozen_cols)
    fmt.header_height(ws, 1, header_lines)
    total_width = sum(c.width for c in table.columns)
    title_cols = f"A:{get_column_letter(frozen_cols)}" if frozen_cols else None
    fmt.print_setup(ws, title_cols=title_cols, fit_width=total_width <= PAGE_WIDTH_CHARS)
    return last


@dataclass(frozen=True, eq=False)
class AnalyzedDataset:
    """A dataset with what was computed from its curve data (None when nothing could be)."""

    dataset: Dataset
    analysis: DatasetAnalysis | None
    problem: str | None = None
