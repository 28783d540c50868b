"""Tables as plain data, and the one function that writes a table onto a worksheet.

Each sheet module builds a :class:`Table` (columns + rows of plain values) without touching
openpyxl, so the same Comparison table feeds the workbook and the CSV export, and tests can
read rows without a file. :func:`write_table` gives every table the same look.

A column holds either numbers or text, never both: a numeric column (one with a number format)
leaves a missing number as an empty cell and the row says why in a text column ("Not reported",
"Notes"); a text column writes "not reported" for a missing value. Writing text into a numeric
column is a programming error and raises.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import cast

from openpyxl.worksheet.worksheet import Worksheet

from evidence_app.core.datasets.schema import Dataset
from evidence_app.core.formatting import NOT_REPORTED, defuse_formula
from evidence_app.core.stats.analysis import DatasetAnalysis
from evidence_app.export import xlsx_format as fmt
from evidence_app.export.xlsx_limits import MAX_CELL_CHARS, LimitLog, clip_text

#: Widths are measured on at most this many rows (long patient tables look alike further down).
WIDTH_SAMPLE_ROWS = 2000


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
    """One column: its header, widest width (Excel characters), number format and wrapping.

    A column with a ``number_format`` is numeric: it holds numbers or empty cells only.
    """

    header: str
    width: float = 12.0
    number_format: str | None = None
    wrap: bool = False
    center: bool = False

    @property
    def numeric(self) -> bool:
        return self.number_format is not None


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

    def select(self, headers: tuple[str, ...]) -> Table:
        """The same rows with only ``headers``, in that order."""
        index = [self.headers.index(h) for h in headers]
        return Table(tuple(self.columns[i] for i in index), [tuple(row[i] for i in index) for row in self.rows])


def display_text(value: CellValue, column: Column) -> str:
    """A cell as a spreadsheet shows it: numbers with the column's decimals, blanks empty."""
    if isinstance(value, Link):
        return value.text
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int) or not column.number_format or column.number_format == "General":
        return f"{value:g}" if isinstance(value, float) else str(value)
    number_format = column.number_format
    places = len(number_format.split(".", 1)[1]) if "." in number_format else 0
    text = f"{value:.{places}f}"
    # "0.0#": at least one decimal, a second only when it is not zero.
    optional = number_format.count("#")
    while optional and text.endswith("0") and "." in text:
        text, optional = text[:-1], optional - 1
    return text


def csv_value(value: CellValue, column: Column) -> str:
    """One cell as CSV text: numbers as displayed, formula-like text defused with an apostrophe."""
    text = display_text(value, column)
    return defuse_formula(text) if isinstance(value, (str, Link)) else text


def table_csv(table: Table) -> str:
    """The table as CSV text (header + one line per row, CRLF line ends as RFC 4180)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow(csv_value(v, c) for v, c in zip(row, table.columns))
    return buffer.getvalue()


def _check_type(value: CellValue, column: Column) -> None:
    if column.numeric and isinstance(value, (str, Link)):
        raise TypeError(f"column {column.header!r} is numeric; text {str(value)!r} belongs in a notes column")


def _set_value(ws: Worksheet, row: int, col: int, value: CellValue, column: Column, log: LimitLog | None) -> None:
    _check_type(value, column)
    cell = ws.cell(row=row, column=col)
    if value is None and column.numeric:
        return  # an empty numeric cell: the row's notes say why
    if value is None:  # a safety net: builders say what is missing
        value = NOT_REPORTED
    if isinstance(value, Link):
        cell.value = clip_text(value.text, log, ws.title, cell.coordinate)
        cell.hyperlink = value.url
        cell.font = fmt.LINK_FONT
    else:
        cell.value = clip_text(value, log, ws.title, cell.coordinate) if isinstance(value, str) else value
        if isinstance(value, str):
            # Text from a dataset is data, never a formula (openpyxl treats "=..." as one).
            cell.data_type = "s"
            if value == NOT_REPORTED:
                cell.font = fmt.MISSING_FONT
        elif column.number_format:
            cell.number_format = column.number_format
    cell.alignment = fmt.TOP_CENTER if column.center else fmt.TOP_WRAP if column.wrap else fmt.TOP


def fitted_widths(table: Table) -> list[float]:
    """Column widths from the content: the longest cell (sampled), at most ``Column.width``,
    at least the header's longest word (headers wrap)."""
    sample = table.rows[:WIDTH_SAMPLE_ROWS]
    widths = []
    for i, column in enumerate(table.columns):
        longest = max((len(display_text(row[i], column)) for row in sample), default=0)
        if any(row[i] is None for row in sample) and not column.numeric:
            longest = max(longest, len(NOT_REPORTED))
        word = max((len(w) for w in column.header.split()), default=1)
        widths.append(float(max(word + 1, 4, min(longest + 2, column.width))))
    return widths


def write_rows(ws: Worksheet, table: Table, start_row: int, log: LimitLog | None = None) -> int:
    """Write the header at ``start_row`` and the rows below; return the last row written."""
    for col, column in enumerate(table.columns, start=1):
        ws.cell(row=start_row, column=col, value=column.header)
    fmt.style_header(ws, start_row, 1, len(table.columns))
    if _is_plain(table):
        # Long data tables (patient rows): no per-cell styling, which costs more than the data.
        # _is_plain checked every value: no Link, no None and no long or formula-like text.
        for plain in cast("list[tuple[str | int | float, ...]]", table.rows):
            ws.append(plain)
        return start_row + len(table.rows)
    widths = fitted_widths(table)
    fmt.fit_row_height(ws, start_row, [(c.header, w) for c, w in zip(table.columns, widths)])
    row = start_row
    for row, values in enumerate(table.rows, start=start_row + 1):
        for col, (value, column) in enumerate(zip(values, table.columns), start=1):
            _set_value(ws, row, col, value, column, log)
        fmt.fit_row_height(
            ws, row, [(display_text(v, c), w) for v, c, w in zip(values, table.columns, widths) if c.wrap]
        )
    return row


def _is_plain(table: Table) -> bool:
    """True when cells need no styling: no wrapping, formats, links, missing values or formula-like text."""
    if any(c.wrap or c.number_format or c.center for c in table.columns):
        return False
    return all(
        not isinstance(v, Link)
        and v is not None
        and v != NOT_REPORTED
        and not (isinstance(v, str) and (v.startswith("=") or len(v) > MAX_CELL_CHARS))
        for row in table.rows
        for v in row
    )


def write_table(
    ws: Worksheet, table: Table, *, frozen_cols: int = 0, title: str = fmt.DEFAULT_TITLE, log: LimitLog | None = None
) -> int:
    """Write ``table`` from A1 with a frozen, filtered header row; return the last row.

    Printed one page wide (landscape when wide), the header row repeated on every page.
    """
    last = write_rows(ws, table, 1, log)
    widths = fitted_widths(table)
    fmt.set_widths(ws, widths)
    fmt.freeze_and_filter(ws, 1, len(table.columns), last, frozen_cols)
    fmt.print_setup(ws, width_chars=sum(widths), title=title, last_row=last, last_col=len(table.columns))
    return last


@dataclass(frozen=True, eq=False)
class AnalyzedDataset:
    """A dataset with what was computed from its curve data (None when nothing could be)."""

    dataset: Dataset
    analysis: DatasetAnalysis | None
    problem: str | None = None
