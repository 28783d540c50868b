"""Figures of a network meta-analysis: the network graph, a forest plot vs the reference, a league heat map.

* Graph: treatments on a circle (the usual layout of network graphs: no edge hides a node), node area in
  proportion to the patients randomised to the treatment (uniform when arm sizes are unknown), edge width in
  proportion to the number of studies of that comparison (the count is written on the edge). Labels sit outside
  the circle, aligned away from it, so they do not collide with nodes, edges or each other.
* Forest: every treatment vs the chosen reference (HR and CI on a log axis, the numbers to the right), the
  prediction interval of the random-effects model as a thin line when it exists.
* League heat map: HR of the row treatment vs the column treatment, coloured by log HR (blue: row better).
"""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING

from matplotlib.axes import Axes
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from evidence_app.plots.style import GRID, INK, MUTED, OKABE_ITO, figure_style

if TYPE_CHECKING:
    from evidence_app.core.synthesis.network import NetworkResult


def edges(result: NetworkResult) -> dict[tuple[str, str], int]:
    """Number of studies per compared pair (alphabetical pair order)."""
    out: dict[tuple[str, str], set[str]] = {}
    for c in result.data.contrasts:
        a, b = sorted((c.treat1, c.treat2), key=str.casefold)
        out.setdefault((a, b), set()).add(c.study)
    return {k: len(v) for k, v in out.items()}


def circle_positions(names: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    n = len(names)
    return {
        t: (math.cos(math.pi / 2 - 2 * math.pi * i / n), math.sin(math.pi / 2 - 2 * math.pi * i / n))
        for i, t in enumerate(names)
    }


def draw_network_graph(ax: Axes, result: NetworkResult, size: float = 7.0) -> None:
    names = result.treatments
    pos = circle_positions(names)
    counts = edges(result)
    most = max(counts.values())
    for (a, b), k in counts.items():
        (x1, y1), (x2, y2) = pos[a], pos[b]
        ax.plot([x1, x2], [y1, y2], color=OKABE_ITO["blue"], lw=0.8 + 3.2 * k / most, alpha=0.75, zorder=1)
        if k > 1:
            ax.text(
                (x1 + x2) / 2,
                (y1 + y2) / 2,
                str(k),
                fontsize=size - 1,
                color=INK,
                ha="center",
                va="center",
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"},
                zorder=3,
            )
    patients = result.data.patients()
    biggest = max(patients.values(), default=0)
    for t, (x, y) in pos.items():
        area = 40 + 260 * patients[t] / biggest if t in patients and biggest else 90
        ax.scatter([x], [y], s=area, color=OKABE_ITO["orange"], edgecolor=INK, linewidth=0.5, zorder=2)
        ha = "left" if x > 0.15 else "right" if x < -0.15 else "center"
        va = "bottom" if y > 0.15 else "top" if y < -0.15 else "center"
        label = t + (f"\n(n={patients[t]})" if t in patients else "")
        weight = "bold" if t == result.reference else "normal"
        ax.text(1.16 * x, 1.16 * y, label, ha=ha, va=va, fontsize=size, color=INK, weight=weight, zorder=4)
    ax.set_xlim(-1.9, 1.9)
    ax.set_ylim(-1.45, 1.45)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"{len(names)} treatments, {len(result.data.studies)} studies", fontsize=size + 1)


def draw_forest(ax: Axes, result: NetworkResult, model: str = "random", size: float = 7.0) -> None:
    rows = [c for c in result.versus_reference(model) if c.treat1 != result.reference]
    pct = f"{result.level * 100:g}%"
    lows, highs = [], []
    for i, c in enumerate(rows):
        y = len(rows) - i
        pi = result.prediction(c.treat1, result.reference) if model == "random" else None
        if pi:
            ax.plot([math.exp(pi[0]), math.exp(pi[1])], [y, y], color=MUTED, lw=0.6, zorder=1)
            lows.append(math.exp(pi[0]))
            highs.append(math.exp(pi[1]))
        ax.plot([math.exp(c.lower), math.exp(c.upper)], [y, y], color=INK, lw=1.2, zorder=2)
        ax.plot([c.hr], [y], marker="s", color=OKABE_ITO["blue"], ms=4, zorder=3)
        lows.append(math.exp(c.lower))
        highs.append(math.exp(c.upper))
        text = f"{c.hr:.2f} ({math.exp(c.lower):.2f}–{math.exp(c.upper):.2f})"
        ax.text(1.02, y, text, transform=ax.get_yaxis_transform(), fontsize=size, va="center", ha="left")
    ax.axvline(1.0, color=GRID, lw=0.8, zorder=0)
    ax.set_xscale("log")
    low, high = min(lows + [1.0]), max(highs + [1.0])
    ax.set_xlim(low / 1.15, high * 1.15)
    ticks = [t for t in (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 10.0, 20.0) if low / 1.15 <= t <= high * 1.15]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_ylim(0.4, len(rows) + 0.6)
    ax.set_yticks(range(len(rows), 0, -1), [c.treat1 for c in rows], fontsize=size)
    ax.tick_params(axis="x", labelsize=size - 1)
    ax.set_xlabel(f"HR vs {result.reference} ({pct} CI, {model} effects)\n< 1 favours the treatment", fontsize=size)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def draw_network_summary(fig: Figure, result: NetworkResult, model: str = "random", size: float = 7.0) -> None:
    """The graph on top and the forest vs the reference below, the figure's height set to fit them
    (its width is kept); margins are measured from the labels, so nothing overlaps at any width."""
    from evidence_app.plots.style import text_width

    width = fig.get_figwidth()
    rows = len(result.treatments) - 1
    graph_h = min(0.62 * width, 4.5)
    row_h = 0.2 * size / 7.0
    forest_h = rows * row_h + 0.25
    bottom = 0.75 * size / 7.0
    height = graph_h + forest_h + bottom + 0.1
    fig.set_size_inches(width, height)
    labels = [t for t in result.treatments if t != result.reference]
    left = max(text_width(fig, t, size) for t in labels) + 0.15
    right = text_width(fig, "00.00 (00.00–00.00)", size) + 0.15
    with figure_style():
        graph = fig.add_axes((0.0, (bottom + forest_h + 0.1) / height, 1.0, graph_h / height))
        forest = fig.add_axes(
            (left / width, bottom / height, max(width - left - right, 0.5) / width, forest_h / height)
        )
        draw_network_graph(graph, result, size)
        draw_forest(forest, result, model, size)


def draw_league_heatmap(fig: Figure, result: NetworkResult, model: str = "random") -> None:
    """League table coloured by log HR of the row treatment vs the column treatment."""
    import numpy as np

    names = result.treatments
    n = len(names)
    values = np.zeros((n, n))
    with figure_style():
        ax = fig.add_axes((0.22, 0.03, 0.75, 0.72))
        size = 7.0 if n <= 8 else max(4.0, 7.0 - 0.25 * (n - 8))
        for i, a in enumerate(names):
            for j, b in enumerate(names):
                if i == j:
                    ax.text(j, i, textwrap.fill(a, 12), ha="center", va="center", fontsize=size, weight="bold")
                    continue
                c = result.compare(a, b, model)
                values[i, j] = c.log_hr
                text = f"{c.hr:.2f}" + (f"\n({math.exp(c.lower):.2f}–{math.exp(c.upper):.2f})" if n <= 10 else "")
                ax.text(j, i, text, ha="center", va="center", fontsize=size)
        bound = max(float(np.abs(values).max()), 1e-6)
        masked = np.ma.masked_where(np.eye(n, dtype=bool), values)
        ax.imshow(masked, cmap="RdBu_r", norm=TwoSlopeNorm(0.0, -bound, bound), alpha=0.55)
        ax.set_xticks(range(n), names, rotation=45, ha="left", fontsize=size)
        ax.set_yticks(range(n), names, fontsize=size)
        ax.xaxis.tick_top()
        fig.suptitle(f"HR of row vs column ({model} effects; blue: row treatment better)", fontsize=size + 1, y=0.99)
