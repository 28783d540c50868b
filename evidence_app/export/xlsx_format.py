"""Worksheet formatting shared by every sheet of the workbook.

One look for every table: a bold, frozen header row with an autofilter, fixed column widths,
number formats on numeric columns and wrapped text in long ones. Sheets describe their columns
(:class:`evidence_app.export.sheets.Column`); this module only applies the look.
"""

from __future__ import annotations

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from evidence_app import __version__

#: Hazard ratios and their bounds.
HR_FORMAT = "0.00"
#: Survival probabilities, I² and weights are given with this many decimals.
PROB_FORMAT = "0.000"
TIME_FORMAT = "0.0#"
STAT_FORMAT = "0.00"
TAU2_FORMAT = "0.0000"
INT_FORMAT = "0"
#: A CI level in percent (95, 98.5).
LEVEL_FORMAT = "General"

# Fonts name their face: without one, LibreOffice falls back to a serif face for styled cells.
FONT_NAME = "Calibri"
HEADER_FONT = Font(name=FONT_NAME, bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
HEADER_BORDER = Border(bottom=Side(style="thin", color="7F8FA6"))
SECTION_FONT = Font(name=FONT_NAME, bold=True, size=12)
LINK_FONT = Font(name=FONT_NAME, color="0563C1", underline="single")
MISSING_FONT = Font(name=FONT_NAME, italic=True, color="595959")
LINE_POINTS = 15.0  # one line of 11-pt Calibri
WIDE_PX = 7.0
SPACE_PX = 3.0
_CHAR_PX = {
    **dict.fromkeys("iljI.,;:'|!()[]{}", 3.0),
    **dict.fromkeys('ftrJ-/*"', 4.0),
    **dict.fromkeys("mwMW—–%", 9.5),
    **dict.fromkeys("sz", 5.0),
}
#: A table prints in portrait when that shrinks it to no less than this (its rows then take half
#: the pages landscape would); wider tables print in landscape.
MIN_PORTRAIT_SCALE = 0.45
MARGINS_INCH = {"left": 0.3, "right": 0.3, "top": 0.45, "bottom": 0.45, "header": 0.18, "footer": 0.18}
A4_INCH = (8.27, 11.69)
#: A4 inside the margins, inches: (portrait width, portrait height); landscape swaps them.
PRINTABLE_INCH = (
    A4_INCH[0] - MARGINS_INCH["left"] - MARGINS_INCH["right"],
    A4_INCH[1] - MARGINS_INCH["top"] - MARGINS_INCH["bottom"],
)
LANDSCAPE_PRINTABLE_INCH = (
    A4_INCH[1] - MARGINS_INCH["left"] - MARGINS_INCH["right"],
    A4_INCH[0] - MARGINS_INCH["top"] - MARGINS_INCH["bottom"],
)
DEFAULT_TITLE = "Survival evidence comparison"
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


def _text_px(text: str) -> float:
    """Width of ``text`` in 11-pt Calibri at 96 dpi, from rough per-character widths."""
    return sum(_CHAR_PX.get(ch, WIDE_PX if ch.isupper() or ch.isdigit() else 6.0) for ch in text)


def wrapped_lines(text: str, width_chars: float) -> int:
    """Lines ``text`` takes when wrapped at word boundaries in a column ``width_chars`` wide."""
    room = max(7 * width_chars - 2, 10.0)  # a column of width w is 7w + 5 px, less the cell padding
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0.0
        for word in paragraph.split(" "):
            w = _text_px(word)
            if used and used + SPACE_PX + w > room:
                lines += 1
                used = 0.0
            used += (SPACE_PX if used else 0.0) + w
            while used > room:  # a word longer than the column breaks inside
                lines += 1
                used -= room
    return lines


def fit_row_height(ws: Worksheet, row: int, wrapped: list[tuple[str, float]]) -> None:
    """Give ``row`` the height its tallest wrapped cell needs: Excel fits such rows when the file
    opens, LibreOffice does not, so the height is written."""
    lines = max((wrapped_lines(text, width) for text, width in wrapped), default=1)
    if lines > 1:
        ws.row_dimensions[row].height = LINE_POINTS * lines


def portrait_scale(width_chars: float, columns: int) -> float:
    """The scale a table of this width prints at on an A4 portrait page (a column of width w is 7w + 5 px)."""
    return min(1.0, PRINTABLE_INCH[0] * 96 / (7 * width_chars + 5 * columns))


def page_setup(ws: Worksheet, *, landscape: bool, title: str = DEFAULT_TITLE) -> None:
    """A4, narrow margins, and the running header and footer: title, sheet name, page n of m."""
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_margins = PageMargins(**MARGINS_INCH)
    header, footer = ws.oddHeader, ws.oddFooter
    if header is None or footer is None:  # openpyxl gives every new sheet both
        raise TypeError(f"sheet {ws.title!r} has no header or footer to fill")
    header.left.text = title.replace("&", "&&")
    header.right.text = "&A"  # the sheet's name
    footer.left.text = f"evidence-app {__version__}, &D"
    footer.right.text = "Page &P of &N"
    for part in (header.left, header.right, footer.left, footer.right):
        part.size = 8
        part.font = FONT_NAME


def fit_to_width(ws: Worksheet, pages_tall: int = 0) -> None:
    """Shrink the printout to one page wide (``pages_tall`` 0: as many pages down as needed)."""
    page = ws.sheet_properties.pageSetUpPr
    if page is None:  # optional in the file format; openpyxl gives every new sheet one
        page = ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    page.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = pages_tall


def print_setup(
    ws: Worksheet,
    *,
    width_chars: float,
    last_row: int,
    last_col: int,
    title: str = DEFAULT_TITLE,
    title_rows: str | None = "1:1",
) -> None:
    """A table printed one page wide on A4 (landscape when wider than a portrait page), its header
    row repeated on every page, and a print area that covers the table and nothing else."""
    page_setup(ws, landscape=portrait_scale(width_chars, last_col) < MIN_PORTRAIT_SCALE, title=title)
    fit_to_width(ws)
    if title_rows:
        ws.print_title_rows = title_rows
    ws.print_area = f"A1:{get_column_letter(max(last_col, 1))}{max(last_row, 1)}"
