"""Figures embedded in the workbook: the forest plot(s) and one Kaplan–Meier figure per dataset.

Figures are drawn by :mod:`evidence_app.plots` on a bare Agg figure (safe off the GUI thread),
rendered to PNG bytes in memory and embedded at a readable size: 175 mm wide, about 750 pixels
on screen, rendered at a higher resolution so they stay sharp when zoomed or printed.

Every figure is a picklable job (:func:`km_job`, :func:`forest_job`) handed to a
:class:`~evidence_app.export.figure_pool.FigureBatch`, which renders it — ahead of time in worker
processes where that is safe — and the sheets place it by key (``("km", i)``, ``("forest", i)``).
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Callable
from dataclasses import dataclass

from matplotlib.figure import Figure
from openpyxl.drawing.image import Image
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from evidence_app.core.progress import CancelCheck, ProgressCallback, check_cancelled, report
from evidence_app.core.synthesis.methods import method_label
from evidence_app.export.figure_cache import figure_key
from evidence_app.export.figure_pool import FigureBatch, RenderJob
from evidence_app.export.sheets import AnalyzedDataset
from evidence_app.export.sheets_comparison import curve_kind_text
from evidence_app.export.sheets_forest import EndpointForest
from evidence_app.export.xlsx_format import (
    LANDSCAPE_PRINTABLE_INCH,
    PRINTABLE_INCH,
    SECTION_FONT,
    fit_to_width,
    page_setup,
    set_widths,
)

#: Not lowered for speed: drawing costs per glyph more than per pixel (120 dpi saves ~10 ms of
#: ~200 ms a figure), and the layout is measured at this dpi, so at 120 one KM figure and the
#: forest plots came out with boxes and line breaks moved.
RENDER_DPI = 144
#: zlib level 1: PNGs 3% larger than at level 3 (and the default 6) in less time — at 300 dpi,
#: for the Word report, encoding is a sixth of a KM figure's cost.
PNG_OPTIONS = {"compress_level": 1}
KM_WIDTH = "single"  # 85 mm: two side by side on a portrait page, as in a journal
FOREST_WIDTH = "double"
PX_PER_INCH = 96  # how spreadsheets place pictures (openpyxl sizes are pixels at 96 per inch)
ROW_PX = 20  # the row height set on the sheet (15 pt) in pixels
COLUMN_CHARS = 48  # a column holds one 85 mm figure
COLUMN_PX = 7 * COLUMN_CHARS + 5
GAP_ROWS = 1  # between a figure and the next title


@dataclass(frozen=True)
class Grid:
    """Figures laid out ``columns`` across, ``rows_per_page`` down, on A4 fitted to the width."""

    columns: int
    rows_per_page: int
    landscape: bool

    @property
    def page_px(self) -> int:
        """Sheet pixels one page holds, top to bottom (A4 inside xlsx_format.MARGINS_INCH)."""
        width_in, height_in = LANDSCAPE_PRINTABLE_INCH if self.landscape else PRINTABLE_INCH
        return int(height_in / width_in * self.columns * COLUMN_PX)

    @property
    def max_px(self) -> tuple[int, int]:
        """The largest a figure is shown: its cell's width, its share of the page's height."""
        # less each figure's title row and gap, a row for rounding, and the note row on the first page
        return COLUMN_PX - 8, (self.page_px - ROW_PX) // self.rows_per_page - (2 + GAP_ROWS) * ROW_PX


#: Forest plots are tall: one per portrait page. KM figures: eight to a landscape page.
FOREST_GRID = Grid(columns=2, rows_per_page=1, landscape=False)
KM_GRID = Grid(columns=4, rows_per_page=2, landscape=True)


def render_png(
    draw: Callable[[Figure], object], width: str = FOREST_WIDTH, dpi: int = RENDER_DPI
) -> tuple[bytes, float, float]:
    """Draw on a new figure; return PNG bytes and the width and height in inches."""
    import matplotlib

    from evidence_app.plots.save import SAVE_RC
    from evidence_app.plots.style import new_figure

    fig = new_figure(width, dpi=dpi)
    draw(fig)
    buffer = io.BytesIO()
    with matplotlib.rc_context(SAVE_RC):  # the fonts the figure files are saved with
        fig.savefig(buffer, format="png", dpi=dpi, facecolor="white", pil_kwargs=dict(PNG_OPTIONS))
    w, h = fig.get_size_inches()
    return buffer.getvalue(), float(w), float(h)


def place_image(ws: Worksheet, png: bytes, size_px: tuple[int, int], row: int, column: str = "A") -> int:
    """Anchor the PNG at ``column``+``row`` shown ``size_px``; return the first free row below it."""
    image = Image(io.BytesIO(png))
    image.width, image.height = size_px
    ws.add_image(image, f"{column}{row}")
    return row + math.ceil(image.height / ROW_PX) + 1


def shown_size(width_in: float, height_in: float, max_px: tuple[int, int]) -> tuple[int, int]:
    """Printed at its own size (96 px per inch), shrunk to fit ``max_px`` if larger."""
    w, h = width_in * PX_PER_INCH, height_in * PX_PER_INCH
    shrink = min(1.0, max_px[0] / w, max_px[1] / h)
    return round(w * shrink), round(h * shrink)


def drawable(items: list[AnalyzedDataset]) -> list[AnalyzedDataset]:
    """The datasets that get a KM figure: those with a fitted curve."""
    return [i for i in items if i.analysis is not None and any(a.fit is not None for a in i.analysis.arms)]


def render_km(item: AnalyzedDataset, dpi: int = RENDER_DPI) -> tuple[bytes, float, float]:
    from evidence_app.plots.km import KMOptions, draw_km

    analysis = item.analysis
    if analysis is None:  # jobs are made for drawable() items only
        raise ValueError(f"{item.dataset.id}: no analysis to draw a Kaplan–Meier figure from")
    return render_png(lambda fig: draw_km(fig, analysis, KMOptions(width=KM_WIDTH)), KM_WIDTH, dpi)


def render_forest(forest: EndpointForest, dpi: int = RENDER_DPI) -> tuple[bytes, float, float]:
    from evidence_app.plots.forest import ForestOptions, draw_forest

    return render_png(lambda fig: draw_forest(fig, forest.first, ForestOptions()), FOREST_WIDTH, dpi)


def km_job(item: AnalyzedDataset, dpi: int = RENDER_DPI) -> RenderJob:
    return functools.partial(render_km, item, dpi)


def forest_job(forest: EndpointForest, dpi: int = RENDER_DPI) -> RenderJob:
    return functools.partial(render_forest, forest, dpi)


def add_forest_jobs(
    figures: FigureBatch, forests: list[EndpointForest], dpi: int = RENDER_DPI, sources: list[list[str]] | None = None
) -> None:
    """``sources``: per forest, the JSON of the datasets it is drawn from (keys kept figures)."""
    for index, forest in enumerate(forests):
        key = None
        if sources is not None:
            methods = [f"{m}:{d.hk}" for m, d in forest.by_method.items()]
            key = figure_key("forest", [forest.endpoint, str(dpi), *methods, *sources[index]])
        figures.add(("forest", index), forest_job(forest, dpi), key)


def add_km_jobs(figures: FigureBatch, items: list[AnalyzedDataset], dpi: int = RENDER_DPI) -> None:
    for index, item in enumerate(drawable(items)):
        figures.add(("km", index), km_job(item, dpi), km_key(item, dpi))


def km_key(item: AnalyzedDataset, dpi: int) -> str | None:
    """Everything a KM figure is drawn from: the dataset, the analysis settings, the resolution."""
    a = item.analysis
    if a is None:
        return None
    settings = f"{dpi};{KM_WIDTH};{a.landmark_times!r};{a.horizon!r}"
    return figure_key("km", [item.dataset.model_dump_json(), settings])


class _Pages:
    """Rows of a figure sheet, with a page break wherever the next block would not fit."""

    def __init__(self, ws: Worksheet, grid: Grid) -> None:
        self.ws, self.grid, self.row, self.used = ws, grid, 1, 0
        set_widths(ws, [COLUMN_CHARS] * grid.columns)
        ws.sheet_format.defaultRowHeight = ROW_PX * 0.75
        ws.sheet_format.customHeight = True  # so every program lays the rows (and page breaks) out alike
        page_setup(ws, landscape=grid.landscape)
        fit_to_width(ws)

    def block(self, rows: int) -> int:
        """Reserve ``rows`` rows (on a new page when they do not fit); return the first."""
        if self.row > 1 and (self.used + rows) * ROW_PX > self.grid.page_px:
            self.ws.row_breaks.append(Break(id=self.row - 1))
            self.used = 0
        first = self.row
        self.row += rows
        self.used += rows
        return first

    def place(self, figures: list[tuple[str, bytes, float, float]]) -> None:
        """One row of the grid: each figure under its title, side by side."""
        sizes = [shown_size(w, h, self.grid.max_px) for _, _, w, h in figures]
        first = self.block(1 + GAP_ROWS + max(math.ceil(h / ROW_PX) for _, h in sizes))
        for column, ((title, png, _, _), size) in enumerate(zip(figures, sizes), start=1):
            cell = self.ws.cell(row=first, column=column, value=title)
            cell.font = SECTION_FONT
            place_image(self.ws, png, size, first + 1, get_column_letter(column))

    def note(self, text: str) -> None:
        """A line across the sheet above the figures (a page holds one row more than its figures)."""
        first = self.block(1)
        self.ws.cell(row=first, column=1, value=text)

    def finish(self) -> None:
        self.ws.print_area = f"A1:{get_column_letter(self.grid.columns)}{self.row - 1}"


def add_forest_figures(
    ws: Worksheet, forests: list[EndpointForest], figures: FigureBatch | None = None, cancelled: CancelCheck = None
) -> int:
    """The forest plot of each endpoint (first pooling method), one to a page; returns the count."""
    pages = _Pages(ws, FOREST_GRID)
    for index, forest in enumerate(forests):
        check_cancelled(cancelled)
        method, data = next(iter(forest.by_method.items()))
        png, w, h = figures.get(("forest", index), cancelled) if figures is not None else render_forest(forest)
        size = shown_size(w, h, (2 * COLUMN_PX, FOREST_GRID.max_px[1]))
        first = pages.block(1 + GAP_ROWS + math.ceil(size[1] / ROW_PX))
        ws.cell(
            row=first, column=1, value=f"Forest plot, {forest.endpoint} ({method_label(method, data.hk)})"
        ).font = SECTION_FONT
        place_image(ws, png, size, first + 1)
    pages.finish()
    return len(forests)


def add_km_figures(
    ws: Worksheet,
    items: list[AnalyzedDataset],
    *,
    progress: ProgressCallback = None,
    cancelled: CancelCheck = None,
    figures: FigureBatch | None = None,
) -> int:
    """One KM figure per dataset with curve data, six to a page; datasets without are listed."""
    pages = _Pages(ws, KM_GRID)
    shown = drawable(items)
    missing = [i.dataset.id for i in items if i not in shown]
    pages.note(
        "Dashed curves: approximations from published summaries, not trial data (see Methods)."
        + (" No curve data, no figure: " + ", ".join(missing) + "." if missing else "")
    )
    for start in range(0, len(shown), KM_GRID.columns):
        row = []
        for index, item in enumerate(shown[start : start + KM_GRID.columns], start=start):
            check_cancelled(cancelled)
            report(progress, index / max(len(shown), 1), f"Figure for {item.dataset.id}")
            png, w, h = figures.get(("km", index), cancelled) if figures is not None else render_km(item)
            row.append((f"{item.dataset.id} ({curve_kind_text(item.analysis)})", png, w, h))
        pages.place(row)
    pages.finish()
    report(progress, 1.0, "Figures done")
    return len(shown)
