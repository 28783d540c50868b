"""Layout of the forest plot's table: column widths from measured text, wrapping and font fitting,
the height of each line, and drawing the header and cells.

The plot column takes what the text columns leave; wrappable columns give up width (in
:data:`WRAP_ORDER`) and the font shrinks only when wrapping is not enough.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

from evidence_app.plots.forest_rows import HEADERS, Item
from evidence_app.plots.style import INK, MIN_FONT, MUTED, mm, text_width, wrap_to_width

if TYPE_CHECKING:
    from evidence_app.plots.forest_options import ForestArtists

RIGHT_COLUMNS = ("HR [CI]", "weight", "p")
ALIGN = {"N": "right", "weight": "right"}
#: Columns that may wrap, in the order they give up width, with the narrowest they may become (mm).
WRAP_ORDER = (("comparison", 30.0), ("trial", 22.0), ("setting", 18.0), ("endpoint", 12.0), ("HR [CI]", 24.0))
#: Lines whose cells are drawn in bold (and so measured in bold).
BOLD_KINDS = ("group", "overall")
#: Columns left out, in this order, when the figure is too narrow for them.
DROP_ORDER = ("weight", "setting", "endpoint", "N", "p", "comparison")


@dataclass
class Table:
    """The measured table at one font size (inches)."""

    size: float
    columns: tuple[str, ...]
    widths: dict[str, float]
    cells: list[dict[str, str]]  # wrapped text per item and column
    plot_left: float
    plot_width: float
    x: dict[str, float]  # left edge of each column (inches)


def measure(
    fig: Figure, items: list[Item], columns: tuple[str, ...], width: float, size: float, limits: dict[str, float]
) -> Table:
    """Column widths and positions at font ``size`` with the columns in ``limits`` wrapped to those widths."""
    pad, gap = mm(2.0), mm(3.0)
    cells: list[dict[str, str]] = []
    widths = {c: text_width(fig, HEADERS[c], size, "bold") for c in columns}
    for item in items:
        wrapped = {}
        weight = "bold" if item.kind in BOLD_KINDS else "normal"  # measured as drawn, so bold cells fit too
        for c, text in item.cells.items():
            lines = wrap_to_width(fig, text, size, limits.get(c, math.inf), weight) if c in limits else [text]
            wrapped[c] = "\n".join(lines)
            widths[c] = max(widths[c], max(text_width(fig, ln, size, weight) for ln in lines))
        cells.append(wrapped)
    left_cols = [c for c in columns if c not in RIGHT_COLUMNS]
    right_cols = [c for c in columns if c in RIGHT_COLUMNS]
    labels = [it.span for it in items if it.kind in ("pooled", "overall", "pi")]
    left_w = sum(widths[c] for c in left_cols) + gap * max(len(left_cols) - 1, 0)
    left_w = max(left_w, max((text_width(fig, s, size, "bold") for s in labels), default=0.0))
    right_w = sum(widths[c] for c in right_cols) + gap * max(len(right_cols) - 1, 0)
    plot_left = pad + left_w + gap
    plot_width = width - plot_left - gap - right_w - pad
    x, pos = {}, pad
    for c in left_cols:
        x[c], pos = pos, pos + widths[c] + gap
    pos = plot_left + plot_width + gap
    for c in right_cols:
        x[c], pos = pos, pos + widths[c] + gap
    return Table(size, columns, widths, cells, plot_left, plot_width, x)


def fit(
    fig: Figure, items: list[Item], columns: tuple[str, ...], width: float, size: float, smallest: float = MIN_FONT
) -> Table:
    """The largest font (down to ``smallest``) at which the columns leave the plot its minimum
    width with few wrapped lines; failing that, the largest font at which the plot fits at all."""
    min_plot = max(mm(30), 0.22 * width)
    rows = max(1, sum(1 for it in items if it.cells))
    fallback: Table | None = None
    while True:
        table = _wrap_until_fits(fig, items, columns, width, size, min_plot)
        extra = sum(max(c.count("\n") for c in cells.values()) for cells in table.cells if cells)
        fits = table.plot_width >= min_plot - 1e-6
        if fits and extra <= max(4, 0.8 * rows):
            return table
        if fits and fallback is None:
            fallback = table
        if size - 0.5 < smallest - 1e-9:
            return fallback or table
        size -= 0.5


def _wrap_until_fits(
    fig: Figure, items: list[Item], columns: tuple[str, ...], width: float, size: float, min_plot: float
) -> Table:
    """Narrow wrappable columns one line break at a time until the plot gets ``min_plot``, each
    time taking the step that frees the most room per extra table line."""
    limits: dict[str, float] = {}
    wrap = _Wrapper(fig, size)
    while True:
        table = measure(fig, items, columns, width, size, limits)
        if table.plot_width >= min_plot:
            return table
        lines_now = wrap.table_lines(items, limits)
        best: tuple[float, str, float] | None = None
        for column, narrowest_mm in WRAP_ORDER:
            current = table.widths.get(column, 0.0)
            narrowest = max(mm(narrowest_mm), wrap.widest_word(items, column)) if column in columns else 0.0
            if column not in columns or current <= narrowest + 1e-4:
                continue
            trial = {**limits, column: max(narrowest, current - 1e-3)}
            saved = current - wrap.column_width(items, column, trial[column])
            if saved <= 1e-4:
                continue
            added = wrap.table_lines(items, trial) - lines_now
            score = saved / (max(added, 0) + 0.2)
            if best is None or score > best[0]:
                best = (score, column, trial[column])
        if best is None:
            return table
        limits[best[1]] = best[2]


class _Wrapper:
    """Cached wrapping of cells at a font size (the column fitting tries many widths)."""

    def __init__(self, fig: Figure, size: float) -> None:
        self.fig, self.size = fig, size
        self.cache: dict[tuple[str, float], list[str]] = {}

    def lines(self, text: str, limit: float) -> list[str]:
        key = (text, round(limit, 5))
        if key not in self.cache:
            self.cache[key] = wrap_to_width(self.fig, text, self.size, limit)
        return self.cache[key]

    def widest_word(self, items: list[Item], column: str) -> float:
        """The widest word of a column: narrower, a word such as ``(0.90–1.86)`` would be split."""
        words = {w for it in items for w in it.cells.get(column, "").split(" ")}  # not at no-break spaces
        return max((text_width(self.fig, w, self.size) for w in words), default=0.0)

    def table_lines(self, items: list[Item], limits: dict[str, float]) -> int:
        return sum(
            max((len(self.lines(t, limits.get(c, math.inf))) for c, t in it.cells.items()), default=1)
            for it in items
            if it.cells
        )

    def column_width(self, items: list[Item], column: str, limit: float) -> float:
        header = text_width(self.fig, HEADERS[column], self.size, "bold")
        return max(
            [header]
            + [
                text_width(self.fig, ln, self.size, "bold" if it.kind in BOLD_KINDS else "normal")
                for it in items
                if column in it.cells
                for ln in self.lines(it.cells[column], limit)
            ]
        )


def stack_rows(fig: Figure, items: list[Item], table: Table, lh: float, label_width: float) -> float:
    """Wrap each line's running text to ``label_width`` and stack the lines from the top, setting
    their ``lines``, ``height`` and centre ``y`` (inches); the table's height."""
    y = 0.0
    for item, cells in zip(items, table.cells):
        if item.kind == "gap":
            item.height = 0.5 * lh
        else:
            item.span = "\n".join(wrap_to_width(fig, item.span, table.size, label_width)) if item.span else ""
            item.lines = max(
                [item.span.count("\n") + 1 if item.span else 1] + [c.count("\n") + 1 for c in cells.values()]
            )
            item.height = item.lines * lh + 0.35 * lh
        item.y = y + item.height / 2
        y += item.height
    return y


def draw_header(ax: Axes, art: ForestArtists, table: Table, trans, width: float, header_h: float, size: float) -> None:
    """Bold column headers above the first line, and the rule under them."""
    y = -header_h / 2 - mm(0.5)
    for c in table.columns:
        right = ALIGN.get(c) == "right"
        x = (table.x[c] + (table.widths[c] if right else 0)) / width
        art.headers.append(
            ax.text(
                x,
                y,
                HEADERS[c],
                transform=trans,
                ha="right" if right else "left",
                va="center",
                fontsize=size,
                fontweight="bold",
                color=INK,
            )
        )
    rule_y = -mm(0.4)
    ax.add_line(
        Line2D(
            [mm(2.0) / width, 1 - mm(2.0) / width], [rule_y, rule_y], transform=trans, color=INK, lw=0.5, clip_on=False
        )
    )


def draw_cells(
    ax: Axes, item: Item, cells: dict[str, str], table: Table, trans, width: float, size: float
) -> list[Text]:
    """The texts of one line: its running text and its (wrapped) cells."""
    texts = []
    bold = item.kind in BOLD_KINDS
    style = "italic" if item.kind in ("het", "test", "pi") else "normal"
    colour = MUTED if item.row is not None and item.row.status != "reported" else INK
    if item.span:
        texts.append(
            ax.text(
                mm(2.0) / width,
                item.y,
                item.span,
                transform=trans,
                ha="left",
                va="center",
                fontsize=size,
                fontweight="bold" if bold or item.kind == "pooled" else "normal",
                fontstyle=style,
                color=INK,
                linespacing=1.2,
            )
        )
    for c, text in cells.items():
        if not text:
            continue
        right = ALIGN.get(c) == "right"
        x = (table.x[c] + (table.widths[c] if right else 0)) / width
        texts.append(
            ax.text(
                x,
                item.y,
                text,
                transform=trans,
                ha="right" if right else "left",
                va="center",
                fontsize=size,
                fontweight="bold" if bold else "normal",
                fontstyle=style,
                color=colour,
                linespacing=1.2,
            )
        )
    return texts
