"""Forest plot of :class:`~evidence_app.core.synthesis.forest_data.ForestData`: a table with a plot column.

Every piece of text is measured before anything is placed: columns take their widest cell,
long cells wrap (comparison, trial, setting, then the HR column) and the font shrinks only when
wrapping is not enough, so nothing overlaps whatever the number of rows; the figure's height is
set from the rows. Lines show 95% CIs on a log axis (derived from the published interval when
another level was published, whose own values the HR column prints); a CI running off the
axis ends in an arrow. Notes on rows become lettered footnotes.
"""

from __future__ import annotations

from matplotlib import transforms
from matplotlib.figure import Figure

from evidence_app.core.synthesis.forest_data import ForestData
from evidence_app.plots.forest_marks import (
    default_xlim,
    draw_diamond,
    draw_favours,
    draw_prediction,
    draw_study,
    format_axis,
    hr_ticks,
)
from evidence_app.plots.forest_options import ForestArtists, ForestOptions
from evidence_app.plots.forest_rows import COLUMNS, HEADERS, Footnotes, build_items, default_title, footnote_lines
from evidence_app.plots.forest_table import DROP_ORDER, draw_cells, draw_header, fit, stack_rows
from evidence_app.plots.style import INK, MUTED, figure_style, fonts_for, line_height, mm, width_mm, wrap_to_width


def draw_forest(fig: Figure, data: ForestData, options: ForestOptions | None = None) -> ForestArtists:
    """Draw ``data`` as a forest plot on ``fig`` (cleared; its size is set from the rows)."""
    options = options or ForestOptions()
    unknown = [c for c in options.columns if c not in COLUMNS]
    if unknown:
        raise ValueError(f"unknown forest-plot column(s) {', '.join(unknown)}; choose from {', '.join(COLUMNS)}")
    with figure_style():
        fig.clear()
        return _draw(fig, data, options)


def _draw(fig: Figure, data: ForestData, options: ForestOptions) -> ForestArtists:
    fonts = fonts_for(options.width)
    width = mm(width_mm(options.width))
    notes = Footnotes()
    items = build_items(data, options, notes)
    columns, dropped = tuple(c for c in options.columns if c in COLUMNS), []
    while True:  # too narrow even with wrapping and the smallest font: leave out columns, and say so
        table = fit(fig, items, columns, width, fonts.base, fonts.minimum)
        expendable = [c for c in DROP_ORDER if c in columns]
        if table.plot_width >= mm(20) or not expendable:
            break
        dropped.append(HEADERS[expendable[0]])
        columns = tuple(c for c in columns if c != expendable[0])
        for item in items:
            item.cells.pop(expendable[0], None)
    if table.plot_width < mm(20):
        raise ValueError(f"a forest plot does not fit in {width_mm(options.width):g} mm; choose a wider figure")
    size = table.size
    small = max(min(fonts.small, size - 0.5), fonts.minimum)
    lh = line_height(size, 1.2)
    pad = mm(2.0)
    inner = width - 2 * pad
    label_width = table.plot_left - pad - mm(3.0)  # running text stays clear of the plot column
    table_h = stack_rows(fig, items, table, lh, label_width)
    title = options.title if options.title is not None else default_title(data)
    title_lines = wrap_to_width(fig, title, fonts.title, inner, "bold")
    left_out = (f"Columns left out for lack of width: {', '.join(dropped)}.",) if dropped else ()
    foot = [
        ln
        for text in [*footnote_lines(data, notes), *options.extra_notes, *left_out]
        for ln in wrap_to_width(fig, text, small, inner)
    ]
    header_h = lh + mm(1.5)
    top = pad + len(title_lines) * line_height(fonts.title, 1.2) + mm(2.5) + header_h
    axis_h = 5 / 72 + line_height(size, 1.0) + mm(1.5) + 2 * line_height(size, 1.2) + line_height(size, 1.1)
    foot_h = mm(2.5) + len(foot) * line_height(small, 1.25)
    height = top + table_h + axis_h + foot_h + pad
    fig.set_size_inches(width, height)
    ax = fig.add_axes(
        (table.plot_left / width, (height - top - table_h) / height, table.plot_width / width, table_h / height)
    )
    art = ForestArtists(ax=ax, font_size=size)
    xlim = options.xlim or default_xlim(data, options)
    format_axis(ax, hr_ticks(fig, xlim, table.plot_width, size), xlim, table_h, size)
    row_trans = transforms.blended_transform_factory(fig.transFigure, ax.transData)
    draw_header(ax, art, table, row_trans, width, header_h, size)
    ref_top, ref_bottom = None, None
    for item, cells in zip(items, table.cells):
        if item.kind == "gap":
            continue
        texts = draw_cells(ax, item, cells, table, row_trans, width, size)
        art.texts += texts
        if item.row is not None:
            art.row_texts[item.row.dataset_id] = texts
            art.row_y[item.row.dataset_id] = item.y
            draw_study(ax, art, item, xlim, lh, data)
        elif item.pooled is not None:
            art.row_y[item.key] = item.y
            if item.kind == "pi":
                draw_prediction(ax, art, item, xlim, lh)
            else:
                art.diamonds[item.key] = draw_diamond(ax, item, xlim, lh)
        if item.kind in ("study", "pooled", "overall", "pi"):
            ref_top = item.y - item.height / 2 if ref_top is None else ref_top
            ref_bottom = item.y + item.height / 2
    if ref_top is not None and ref_bottom is not None:  # set together
        ax.plot([1, 1], [ref_top, ref_bottom], color=INK, lw=0.6, zorder=1)
    art.favours = draw_favours(fig, ax, data, xlim, height, top + table_h, size)
    fig_y = lambda inches: 1 - inches / height  # noqa: E731 - inches from the top -> figure fraction
    art.headers.append(
        fig.text(
            pad / width,
            fig_y(pad),
            "\n".join(title_lines),
            fontsize=fonts.title,
            fontweight="bold",
            va="top",
            ha="left",
            linespacing=1.2,
        )
    )
    art.footnotes = [
        fig.text(
            pad / width,
            fig_y(height - pad - foot_h + mm(2.5)),
            "\n".join(foot),
            fontsize=small,
            color=MUTED,
            va="top",
            ha="left",
            linespacing=1.25,
        )
    ]
    return art
