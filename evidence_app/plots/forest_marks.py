"""The plot column of the forest plot: the log HR axis and what is drawn on it.

Study rows get a 95% CI line and a square sized by weight (open when not pooled), pooled rows a
diamond, the prediction interval a capped line; an interval running off the axis ends in an
arrow. Under the axis: which side favours which arm.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from matplotlib import transforms
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon
from matplotlib.text import Text
from matplotlib.ticker import FixedLocator, NullLocator
from scipy import stats

from evidence_app.core.synthesis.forest_data import ForestData, ForestRow
from evidence_app.plots.forest_rows import Item
from evidence_app.plots.style import INK, line_height, mm, text_width

if TYPE_CHECKING:
    from evidence_app.plots.forest_options import ForestArtists, ForestOptions


def default_xlim(data: ForestData, options: ForestOptions) -> tuple[float, float]:
    """HR-axis limits fitted to the intervals drawn (cut near 0.1 and 10), always spanning 0.5–2."""
    lows, highs = [], []
    for row in data.rows:
        if row.effect is not None:
            lo, hi = _ci95(row)
            lows.append(lo)
            highs.append(hi)
    pools = [g.pooled for g in data.groups if g.pooled is not None] + ([data.overall] if data.overall else [])
    for p in pools if options.show_pooled else []:
        lows.append(p.lower)
        highs.append(p.upper)
        if options.show_prediction_interval and p is data.overall and p.k >= 3:
            lows.append(p.pi_lower)
            highs.append(p.pi_upper)
    lo = max(min(lows, default=0.5), 0.1)
    hi = min(max(highs, default=2.0), 10.0)
    # End on a power of two unless that adds more than half a doubling of empty axis; keep 1 inside.
    lo_pow, hi_pow = 2.0 ** math.floor(math.log2(lo) + 1e-9), 2.0 ** math.ceil(math.log2(hi) - 1e-9)
    lo = lo_pow if math.log2(lo / lo_pow) <= 0.5 else lo / 1.06
    hi = hi_pow if math.log2(hi_pow / hi) <= 0.5 else hi * 1.06
    return min(lo, 0.5), max(hi, 2.0)


def _ci95(row: ForestRow) -> tuple[float, float]:
    e = row.effect
    assert e is not None
    z = float(stats.norm.ppf(0.975))
    return math.exp(e.log_hr - z * e.se), math.exp(e.log_hr + z * e.se)


def hr_ticks(fig: Figure, xlim: tuple[float, float], plot_width: float, size: float) -> list[float]:
    """Powers of two inside ``xlim``; every second (or third ...) one, always keeping 1, when the
    labels would otherwise touch."""
    lo, hi = math.ceil(math.log2(xlim[0]) - 1e-9), math.floor(math.log2(xlim[1]) + 1e-9)
    per_doubling = plot_width / max(math.log2(xlim[1] / xlim[0]), 1e-9)
    widest = max(text_width(fig, f"{2.0**k:g}", size) for k in range(lo, hi + 1))
    step = 1
    while step * per_doubling < widest + mm(1.5) and step < 4:
        step += 1
    return [2.0**k for k in range(lo, hi + 1) if k % step == 0]


def format_axis(ax: Axes, ticks: list[float], xlim: tuple[float, float], table_h: float, size: float) -> None:
    """Log x axis with ``ticks``; y in inches from the table's top, no y axis."""
    ax.set_xscale("log")
    ax.set_xlim(*xlim)
    ax.set_ylim(table_h, 0)
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels([f"{t:g}" for t in ticks])
    ax.tick_params(axis="x", labelsize=size, length=2.5, pad=2.5)
    ax.set_yticks([])
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.patch.set_visible(False)


def _clip(lo: float, hi: float, xlim: tuple[float, float]) -> tuple[float, float, bool, bool]:
    return max(lo, xlim[0]), min(hi, xlim[1]), lo < xlim[0] * (1 - 1e-9), hi > xlim[1] * (1 + 1e-9)


def _arrows(ax: Axes, xlim: tuple[float, float], y: float, left: bool, right: bool) -> list[Line2D]:
    out = []
    for on, x, marker in ((left, xlim[0], "<"), (right, xlim[1], ">")):
        if on:
            out.append(ax.plot([x], [y], marker=marker, ms=3.5, color=INK, ls="none", clip_on=False, zorder=3)[0])
    return out


def draw_study(
    ax: Axes, art: ForestArtists, item: Item, xlim: tuple[float, float], lh: float, data: ForestData
) -> None:
    """A study's 95% CI line (arrows where it leaves the axis) and its square, sized by weight."""
    row = item.row
    assert row is not None
    if row.effect is None:
        return
    lo, hi = _ci95(row)
    a, b, left, right = _clip(lo, hi, xlim)
    key = row.dataset_id
    if a < b:
        art.ci_lines[key] = ax.plot([a, b], [item.y, item.y], color=INK, lw=0.8, solid_capstyle="butt", zorder=2)[0]
    art.arrows[key] = _arrows(ax, xlim, item.y, left, right)
    if not xlim[0] <= row.effect.hr <= xlim[1]:
        return
    max_ms, min_ms = lh * 72 * 0.75, 2.8
    weights = [r.weight for r in data.rows if r.weight is not None]
    if row.weight is not None and weights:
        ms = min_ms + (max_ms - min_ms) * math.sqrt(row.weight / max(weights))
        face = INK
    else:
        ms, face = 3.4, "white"
    art.markers[key] = ax.plot(
        [row.effect.hr], [item.y], marker="s", ms=ms, mfc=face, mec=INK, mew=0.7, ls="none", zorder=4
    )[0]


def draw_diamond(ax: Axes, item: Item, xlim: tuple[float, float], lh: float) -> Polygon:
    """A pooled estimate's diamond, its CI clipped to the axis (black overall, grey for subtotals)."""
    p = item.pooled
    assert p is not None
    lo, hi, _, _ = _clip(p.lower, p.upper, xlim)
    est = min(max(p.estimate, xlim[0]), xlim[1])
    h = 0.32 * lh
    face = INK if item.kind == "overall" else "#9a9a9a"
    poly = Polygon(
        [(lo, item.y), (est, item.y - h), (hi, item.y), (est, item.y + h)],
        closed=True,
        facecolor=face,
        edgecolor=INK,
        lw=0.6,
        zorder=4,
    )
    ax.add_patch(poly)
    return poly


def draw_prediction(ax: Axes, art: ForestArtists, item: Item, xlim: tuple[float, float], lh: float) -> None:
    """The prediction interval: a line with end caps, or arrows where it leaves the axis."""
    p = item.pooled
    assert p is not None
    a, b, left, right = _clip(p.pi_lower, p.pi_upper, xlim)
    cap = 0.22 * lh
    art.prediction = ax.plot([a, b], [item.y, item.y], color=INK, lw=0.8, zorder=3)[0]
    for x, clipped in ((a, left), (b, right)):
        if not clipped:
            ax.plot([x, x], [item.y - cap, item.y + cap], color=INK, lw=0.8, zorder=3)
    art.arrows["prediction"] = _arrows(ax, xlim, item.y, left, right)


def draw_favours(
    fig: Figure, ax: Axes, data: ForestData, xlim: tuple[float, float], height: float, axis_top: float, size: float
) -> tuple[Text, ...]:
    """The "Favours ..." labels either side of HR = 1 under the tick labels, and the axis label under them."""
    y = 1 - (axis_top + 5 / 72 + line_height(size, 1.0) + mm(1.5)) / height
    trans = transforms.blended_transform_factory(ax.transData, fig.transFigure)
    offset = transforms.ScaledTranslation(mm(1.2), 0, fig.dpi_scale_trans)
    left = ax.text(
        1,
        y,
        f"← Favours {data.favours_experimental}",
        transform=trans - offset,
        ha="right",
        va="top",
        fontsize=size,
        color=INK,
    )
    right = ax.text(
        1,
        y,
        f"Favours {data.favours_control} →",
        transform=trans + offset,
        ha="left",
        va="top",
        fontsize=size,
        color=INK,
    )
    label_y = y - line_height(size, 1.2) * 1.1 / height
    xlabel = ax.text(
        0.5,
        label_y,
        "Hazard ratio (log scale)",
        transform=transforms.blended_transform_factory(ax.transAxes, fig.transFigure),
        ha="center",
        va="top",
        fontsize=size,
        color=INK,
    )
    return left, right, xlabel
