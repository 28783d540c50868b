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

from matplotlib.figure import Figure
from openpyxl.drawing.image import Image
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from evidence_app.core.progress import CancelCheck, ProgressCallback, check_cancelled, report
from evidence_app.core.synthesis.methods import method_label
from evidence_app.export.figure_pool import FigureBatch, RenderJob
from evidence_app.export.sheets import AnalyzedDataset
from evidence_app.export.sheets_comparison import curve_kind_text
from evidence_app.export.sheets_forest import EndpointForest
from evidence_app.export.xlsx_format import SECTION_FONT, print_setup, set_widths

#: Not lowered for speed: drawing costs per glyph more than per pixel (120 dpi saves ~10 ms of
#: ~200 ms a figure), and the layout is measured at this dpi, so at 120 one KM figure and the
#: forest plots came out with boxes and line breaks moved.
RENDER_DPI = 144
#: zlib level 3 makes PNGs of the same size as the default 6 in two thirds of the time.
PNG_OPTIONS = {"compress_level": 3}
SCREEN_PX_PER_INCH = 108  # shown at 0.75 of the rendered pixels: ~750 px wide for 175 mm
ROW_PX = 20  # default row height (15 pt) in pixels
FIGURE_WIDTH = "double"


def render_png(draw: Callable[[Figure], object], width: str = FIGURE_WIDTH) -> tuple[bytes, float, float]:
    """Draw on a new figure; return PNG bytes and the width and height in inches."""
    import matplotlib

    from evidence_app.plots.save import SAVE_RC
    from evidence_app.plots.style import new_figure

    fig = new_figure(width, dpi=RENDER_DPI)
    draw(fig)
    buffer = io.BytesIO()
    with matplotlib.rc_context(SAVE_RC):  # the fonts the figure files are saved with
        fig.savefig(buffer, format="png", dpi=RENDER_DPI, facecolor="white", pil_kwargs=dict(PNG_OPTIONS))
    w, h = fig.get_size_inches()
    return buffer.getvalue(), float(w), float(h)


def place_image(ws: Worksheet, png: bytes, width_in: float, height_in: float, row: int, column: str = "A") -> int:
    """Anchor the PNG at ``column``+``row``; return the first free row below it."""
    image = Image(io.BytesIO(png))
    image.width = round(width_in * SCREEN_PX_PER_INCH)
    image.height = round(height_in * SCREEN_PX_PER_INCH)
    ws.add_image(image, f"{column}{row}")
    return row + math.ceil(image.height / ROW_PX) + 2


def _title(ws: Worksheet, row: int, text: str) -> None:
    ws.cell(row=row, column=1, value=text).font = SECTION_FONT


def drawable(items: list[AnalyzedDataset]) -> list[AnalyzedDataset]:
    """The datasets that get a KM figure: those with a fitted curve."""
    return [i for i in items if i.analysis is not None and any(a.fit is not None for a in i.analysis.arms)]


def render_km(item: AnalyzedDataset) -> tuple[bytes, float, float]:
    from evidence_app.plots.km import KMOptions, draw_km

    analysis = item.analysis
    if analysis is None:  # jobs are made for drawable() items only
        raise ValueError(f"{item.dataset.id}: no analysis to draw a Kaplan–Meier figure from")
    return render_png(lambda fig: draw_km(fig, analysis, KMOptions(width=FIGURE_WIDTH)))


def render_forest(forest: EndpointForest) -> tuple[bytes, float, float]:
    from evidence_app.plots.forest import ForestOptions, draw_forest

    return render_png(lambda fig: draw_forest(fig, forest.first, ForestOptions()))


def km_job(item: AnalyzedDataset) -> RenderJob:
    return functools.partial(render_km, item)


def forest_job(forest: EndpointForest) -> RenderJob:
    return functools.partial(render_forest, forest)


def add_forest_jobs(figures: FigureBatch, forests: list[EndpointForest]) -> None:
    for index, forest in enumerate(forests):
        figures.add(("forest", index), forest_job(forest))


def add_km_jobs(figures: FigureBatch, items: list[AnalyzedDataset]) -> None:
    for index, item in enumerate(drawable(items)):
        figures.add(("km", index), km_job(item))


def add_km_figures(
    ws: Worksheet,
    items: list[AnalyzedDataset],
    *,
    progress: ProgressCallback = None,
    cancelled: CancelCheck = None,
    figures: FigureBatch | None = None,
) -> int:
    """One KM figure per dataset with curve data; datasets without are listed. Returns the count.

    ``figures`` holds the figures (see :func:`add_km_jobs`); without, they are drawn here.
    """
    set_widths(ws, [110])
    print_setup(ws, fit_width=True, landscape=False, title_rows=None)
    _title(ws, 1, "Kaplan–Meier figures, one per dataset with curve data")
    ws.cell(
        row=2,
        column=1,
        value="Dashed curves are approximations from published summaries, not trial data; see the Methods sheet.",
    )
    row, count = 4, 0
    shown = drawable(items)
    for index, item in enumerate(shown):
        check_cancelled(cancelled)
        report(progress, index / max(len(shown), 1), f"Figure for {item.dataset.id}")
        png, w, h = figures.get(("km", index), cancelled) if figures is not None else render_km(item)
        if count:
            ws.row_breaks.append(Break(id=row - 1))  # one figure per printed page
        _title(ws, row, f"{item.dataset.id}: {item.dataset.title} ({curve_kind_text(item.analysis)})")
        row = place_image(ws, png, w, h, row + 1)
        count += 1
    missing = [i.dataset.id for i in items if i not in shown]
    if missing:
        ws.cell(row=row, column=1, value="No curve data (no figure): " + ", ".join(missing))
    report(progress, 1.0, "Figures done")
    return count


def add_forest_figures(
    ws: Worksheet,
    forests: list[EndpointForest],
    row: int,
    figures: FigureBatch | None = None,
    cancelled: CancelCheck = None,
) -> int:
    """The forest plot of each endpoint (first pooling method) below ``row``; returns the count."""
    count = 0
    for index, forest in enumerate(forests):
        method, data = next(iter(forest.by_method.items()))
        _title(ws, row, f"Forest plot, {forest.endpoint} ({method_label(method, data.hk)})")
        png, w, h = figures.get(("forest", index), cancelled) if figures is not None else render_forest(forest)
        row = place_image(ws, png, w, h, row + 1)
        count += 1
    return count
