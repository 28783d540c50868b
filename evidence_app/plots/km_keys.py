"""The keys of the Kaplan–Meier figure: the legend and the hazard-ratio box, and where they go
inside the plot (where they hide the fewest curve points)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.offsetbox import AnchoredText

from evidence_app.core.datasets.published import published_hr_text
from evidence_app.core.formatting import fmt_hr, fmt_p
from evidence_app.core.stats.analysis import ArmResult, DatasetAnalysis
from evidence_app.core.synthesis.forest_data import comparison_text
from evidence_app.plots.km_text import APPROXIMATION_LABEL, p_phrase
from evidence_app.plots.placement import densify, place_artists
from evidence_app.plots.style import INK, MUTED, arm_style, renderer, wrap_to_width

if TYPE_CHECKING:
    from evidence_app.plots.km_options import KMArtists, KMOptions


def draw_legend(
    fig: Figure,
    ax: Axes,
    art: KMArtists,
    arms: list[tuple[int, ArmResult]],
    approx: bool,
    options: KMOptions,
    size: float,
    max_width: float,
) -> Legend:
    """One entry per arm (with its N), then one for each kind of mark drawn; texts wrapped to ``max_width``."""
    handles, texts = [], []
    for i, result in arms:
        style = arm_style(i)
        marker = None if approx or not options.censor_marks else style.censor_marker
        handle = Line2D([], [], color=style.color, lw=1.3, marker=marker, ms=3.2, mew=0.7)
        if approx:
            handle.set_dashes(style.approximation_dashes)
        handles.append(handle)
        texts.append(f"{result.arm.label.replace('->', '→')} (n = {result.fit.n})")  # type: ignore[union-attr]
    if approx:
        handles.append(Line2D([], [], color=MUTED, lw=1.0, dashes=(3, 1.5)))
        texts.append(f"dashed: {APPROXIMATION_LABEL}")
    if art.published:
        handles.append(Line2D([], [], ls="none", marker="D", ms=3.6, mfc="white", mew=0.9, color=MUTED))
        texts.append("published median / landmark")
    if art.digitized:
        handles.append(Line2D([], [], ls="none", marker="o", ms=1.8, mfc="none", mew=0.5, color=MUTED))
        texts.append("digitized points")
    if art.censor_marks:
        handles.append(Line2D([], [], ls="none", marker="|", ms=3.2, mew=0.7, color=MUTED))
        texts.append("censored")
    texts = ["\n".join(wrap_to_width(fig, t, size, max_width)) for t in texts]
    legend = ax.legend(
        handles,
        texts,
        loc="upper right",
        fontsize=size,
        frameon=False,
        handlelength=2.4,
        handletextpad=0.5,
        borderaxespad=0.3,
        labelspacing=0.3,
        borderpad=0.2,
    )
    legend.set_zorder(6)
    return legend


def draw_hr_box(
    fig: Figure, ax: Axes, analysis: DatasetAnalysis, size: float, max_width: float, heading: bool = True
) -> AnchoredText | None:
    """Published and computed HR. For an approximation the computed HR only shows how closely the
    approximation follows the publication, so it comes second and without a p-value."""
    d = analysis.dataset
    pub, p_pub = d.comparison.hazard_ratio, d.comparison.p_value
    published = computed = None
    if pub is not None:
        published = f"Published HR {_nb(published_hr_text(pub))}"
        published += f", {p_phrase(p_pub.value)}" if p_pub is not None else ""
    if analysis.comparison is not None:
        hr, c = analysis.comparison.hazard_ratio, analysis.comparison
        if analysis.is_approximation:
            computed = f"Approximation: HR {_nb(fmt_hr(hr.hr, hr.lower, hr.upper, hr.ci_level))}"
        else:
            computed = (
                f"Cox HR {_nb(fmt_hr(hr.hr, hr.lower, hr.upper, hr.ci_level))}, log-rank {p_phrase(fmt_p(c.logrank_p))}"
            )
    body = [x for x in ([published, computed] if analysis.is_approximation else [computed, published]) if x]
    if not body:
        return None
    lines = [comparison_text(d.experimental.label, d.control.label).replace("->", "→")] if heading else []
    lines += [ln for text in body for ln in wrap_to_width(fig, text, size, max_width)]
    box = AnchoredText(
        "\n".join(lines),
        loc="lower left",
        frameon=True,
        borderpad=0.3,
        pad=0.25,
        prop={"fontsize": size, "color": INK, "linespacing": 1.3},
    )
    box.patch.set(facecolor="white", edgecolor="none", alpha=0.9)
    box.set_zorder(6)
    ax.add_artist(box)
    return box


def _nb(text: str) -> str:
    """Keep a number and its interval on one line when wrapping."""
    return text.replace(" ", "\u00a0")


def place_inside(fig: Figure, ax: Axes, art: KMArtists, boxes: list) -> list[int]:
    """Put ``boxes`` where they hide the fewest curve points; the number each hides."""
    to_display = ax.transData.transform
    points = []
    for line in art.curves.values():  # step curves: include the corners
        xs, ys = (np.asarray(v, float) for v in line.get_data())
        xy = to_display(np.column_stack([np.repeat(xs, 2)[1:], np.repeat(ys, 2)[:-1]]))
        points.append(densify(xy[:, 0], xy[:, 1]))
    for line in art.median_lines:
        xy = to_display(np.column_stack(line.get_data()).astype(float))
        points.append(densify(xy[:, 0], xy[:, 1]))
    for marks in [*art.censor_marks.values(), *art.published.values(), *art.digitized.values()]:
        points.append(to_display(np.column_stack(marks.get_data()).astype(float)))
    obstacles = np.vstack(points) if points else np.empty((0, 2))
    taken = [t.get_window_extent(renderer(fig)).padded(2) for t in art.median_texts]
    return place_artists(fig, ax, boxes, obstacles, taken)
