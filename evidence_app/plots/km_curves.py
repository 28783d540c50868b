"""The Kaplan–Meier curves and the marks on them: CI bands, censor marks, digitized points,
published medians and landmarks, and the median drop lines with their values.

An approximation from a published summary is drawn dashed and without censor marks: its
censoring is assumed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from evidence_app.core.stats.analysis import ArmResult, DatasetAnalysis
from evidence_app.core.stats.derived import PUBLISHED, median_label
from evidence_app.plots.km_text import APPROXIMATION_LABEL
from evidence_app.plots.style import INK, MUTED, arm_style, renderer

if TYPE_CHECKING:
    from evidence_app.plots.km_options import KMArtists, KMOptions


def draw_arm(ax: Axes, art: KMArtists, index: int, result: ArmResult, options: KMOptions) -> None:
    """One arm's curve with the CI band and marks ``options`` ask for."""
    fit, data, arm = result.fit, result.data, result.arm
    assert fit is not None and data is not None
    style = arm_style(index)
    approx = data.is_approximation
    (line,) = ax.step(
        fit.timeline,
        fit.survival,
        where="post",
        color=style.color,
        lw=1.3,
        zorder=3,
        label=f"{arm.label} ({APPROXIMATION_LABEL})" if approx else arm.label,
    )
    if approx:
        line.set_dashes(style.approximation_dashes)
    art.curves[arm.id] = line
    if options.ci_bands:
        art.bands[arm.id] = ax.fill_between(
            fit.timeline, fit.ci_lower, fit.ci_upper, step="post", color=style.color, alpha=0.13, lw=0, zorder=1
        )
    if options.censor_marks and not approx and len(fit.censor_times):
        idx = np.searchsorted(fit.timeline, fit.censor_times, side="right") - 1
        (art.censor_marks[arm.id],) = ax.plot(
            fit.censor_times,
            fit.survival[idx],
            ls="none",
            ms=3.2,
            mew=0.7,
            marker=style.censor_marker,
            color=style.color,
            zorder=4,
        )
    if options.show_digitized and data.digitized_points is not None and len(data.digitized_points):
        pts = np.asarray(data.digitized_points)
        (art.digitized[arm.id],) = ax.plot(
            pts[:, 0],
            pts[:, 1],
            ls="none",
            marker="o",
            ms=1.8,
            mfc="none",
            mew=0.5,
            color=style.color,
            alpha=0.8,
            zorder=2,
        )
    points = [(lm.time, lm.survival) for lm in arm.landmarks]
    if arm.median is not None and arm.median.value is not None:
        points.append((arm.median.value, 0.5))
    if options.show_published_medians and points:
        xs, ys = zip(*sorted(points))
        (art.published[arm.id],) = ax.plot(
            xs, ys, ls="none", marker="D", ms=3.6, mfc="white", mew=0.9, color=style.color, zorder=5
        )


def median_notes(arms: list[tuple[int, ArmResult]]) -> list[str]:
    """Where the printed medians come from, with the published CIs (the labels print the values only)."""
    labels = [(r.arm.label, m) for _, r in arms if (m := median_label(r.arm, r.fit)) is not None]
    published = [f"{arm} {m.text}" for arm, m in labels if m.source == PUBLISHED]
    notes = []
    if published:
        notes.append(f"Medians printed at the time axis: published values ({'; '.join(published)}).")
    if len(published) < len(labels):
        notes.append("Medians labelled 'computed': from the curves shown (no median was published for that arm).")
    return notes


def event_notes(analysis: DatasetAnalysis) -> list[str]:
    """The approximations' assumed event counts, said under the figure (their warnings in full are in the notes)."""
    assumed = [r.arm.label for r in analysis.arms if r.data is not None and r.data.events_assumed]
    if not assumed:
        return []
    return [
        f"Event count assumed for {', '.join(assumed)}: none is published, so the approximation's events and "
        "censoring rest on an assumed follow-up."
    ]


def draw_medians(fig: Figure, ax: Axes, art: KMArtists, arms: list[tuple[int, ArmResult]], size: float) -> None:
    """Dotted drop lines at each median with its value printed just above the time axis: the published
    median (and CI) when one is published, else the computed one; each label says which."""
    labels = [(m, i) for i, r in arms if (m := median_label(r.arm, r.fit)) is not None]
    medians = sorted((m.value, i, m) for m, i in labels)
    if not medians:
        return
    kw: dict[str, Any] = {"lw": 0.7, "dashes": (1.0, 1.6), "zorder": 2}
    art.median_lines.append(ax.plot([0, medians[-1][0]], [0.5, 0.5], color=MUTED, **kw)[0])
    r = renderer(fig)
    drop_x = [ax.transData.transform((m, 0))[0] for m, _, _ in medians]
    frame = ax.get_window_extent(r)
    placed: list = []
    for median, i, source in medians:
        art.median_lines.append(ax.plot([median, median], [0, 0.5], color=arm_style(i).color, **kw)[0])
        label = ax.annotate(
            source.short if source.source == PUBLISHED else f"computed {source.short}",
            xy=(median, 0),
            xytext=(1.5, 1.5),
            textcoords="offset points",
            ha="left",
            va="bottom",
            fontsize=size,
            color=INK,
            zorder=5,
        )
        own = ax.transData.transform((median, 0))[0]

        def clashes(label: Any = label, own: float = own) -> bool:
            box = label.get_window_extent(r)
            crosses = any(box.x0 - 1 <= x <= box.x1 + 1 for x in drop_x if abs(x - own) > 0.5)
            outside = box.x0 < frame.x0 + 1 or box.x1 > frame.x1 - 1  # over the tick labels
            return crosses or outside or any(box.overlaps(other) for other in placed)

        if clashes():  # try the left of the drop line before lifting the label
            label.set_position((-1.5, 1.5))
            label.set_horizontalalignment("right")
            if clashes():
                label.set_position((1.5, 1.5))
                label.set_horizontalalignment("left")
        for lift in range(1, 8):
            if not clashes():
                break
            label.set_position((label.get_position()[0], 1.5 + lift * size * 1.3))
        placed.append(label.get_window_extent(r).padded(1))
        art.median_texts.append(label)
