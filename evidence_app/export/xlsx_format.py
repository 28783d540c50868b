"""Worksheet formatting shared by every sheet of the workbook.

One look for every table: a bold, frozen header row with an autofilter, fixed column widths,
number formats on numeric columns and wrapped text in long ones. Sheets describe their columns
(:class:`evidence_app.export.sheets.Column`); this module only applies the look.
"""

from __future__ import annotations

import math

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

#: Hazard ratios and their bounds.
HR_FORMAT = "0.00"
#: Survival probabilities, I² and weights are given with this many decimals.
PROB_FORMAT = "0.000"
TIME_FORMAT = "0.0#"
STAT_FORMAT = "0.00"
TAU2_FORMAT = "0.0000"
INT_FORMAT = "0"

# Fonts name their face: without one, LibreOffice falls back to a serif face for styled cells.
FONT_NAME = "Calibri"
HEADER_FONT = Font(name=FONT_NAME, bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
HEADER_BORDER = Border(bottom=Side(style="thin", color="7F8FA6"))
SECTION_FONT = Font(name=FONT_NAME, bold=True, size=12)
LINK_FONT = Font(name=FONT_NAME, color="0563C1", underline="single")
MISSING_FONT = Font(name=FONT_NAME, italic=True, color="595959")
LINE_POINTS = 15.0  # one line of 11-pt text
MAX_ROW_LINES = 12
WIDE_TABLE_SCALE = 70  # percent: wide tables print across pages, still readable
TOP_WRAP = Alignment(vertical="top", wrap_text=True)
TOP = Alignment(vertical="top")
TOP_CENTER = Alignment(vertical="top", horizontal="center")
HEADER_ALIGN = Alignment(vertical="center", wrap_text=True)


def style_header(ws: Worksheet, row: int, first_col: int, last_col: int) -> None:
    """Bold, shaded, wrapped header cells on ``row``."""
    for col in range(first_col, last_col + 1):
        cell = ws.cell(row=row, column=col)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.border = HEADER_BORDER
        cell.alignment = HEADER_ALIGN


def set_widths(ws: Worksheet, widths: list[float], first_col: int = 1) -> None:
    """Column widths in Excel character units."""
    for offset, width in enumerate(widths):
        ws.column_dimensions[get_column_letter(first_col + offset)].width = width


def freeze_and_filter(ws: Worksheet, header_row: int, n_cols: int, last_row: int, frozen_cols: int = 0) -> None:
    """Freeze everything above the first data row (and ``frozen_cols`` columns); filter the table."""
    ws.freeze_panes = ws.cell(row=header_row + 1, column=frozen_cols + 1).coordinate
    last = get_column_letter(n_cols)
    ws.auto_filter.ref = f"A{header_row}:{last}{max(last_row, header_row)}"


def section_title(ws: Worksheet, row: int, text: str, column: int = 1) -> None:
    """A bold heading above a block of rows (Methods, pooled results)."""
    cell = ws.cell(row=row, column=column, value=text)
    cell.font = SECTION_FONT


def header_height(ws: Worksheet, row: int, lines: int) -> None:
    """Give a wrapped header room for ``lines`` lines of text."""
    ws.row_dimensions[row].height = LINE_POINTS * lines


def text_lines(text: str, width: float) -> int:
    """Lines ``text`` needs when wrapped in a column ``width`` characters wide (an estimate)."""
    per_line = max(1, int(width))
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


def fit_row_height(ws: Worksheet, row: int, wrapped: list[tuple[str, float]]) -> None:
    """Set the row tall enough for its longest wrapped cell (spreadsheets do not re-flow on open)."""
    lines = max((text_lines(text, width) for text, width in wrapped), default=1)
    if lines > 1:
        ws.row_dimensions[row].height = LINE_POINTS * min(lines, MAX_ROW_LINES)


def print_setup(
    ws: Worksheet,
    *,
    title_cols: str | None = None,
    fit_width: bool = False,
    landscape: bool = True,
    title_rows: str | None = "1:1",
) -> None:
    """A4 pages repeating the header row (and ``title_cols``); one page wide or at a fixed scale."""
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    if title_rows:
        ws.print_title_rows = title_rows
    if title_cols:
        ws.print_title_cols = title_cols
    if fit_width:
        page = ws.sheet_properties.pageSetUpPr
        if page is None:  # optional in the file format; openpyxl gives every new sheet one
            page = ws.sheet_properties.pageSetUpPr = PageSetupProperties()
        page.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
    else:
        ws.page_setup.scale = WIDE_TABLE_SCALE
