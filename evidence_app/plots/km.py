"""Kaplan–Meier figure of one dataset: curves, numbers at risk and the comparison, journal-ready.

The layout is computed in physical units from measured text, so nothing overlaps at 85 or
175 mm, and the figure's height is set from what it holds. The legend and the HR box go
inside the plot where they hide no curve; when no such spot exists they move to a strip
above the plot. The risk table shares the plot's x axis, so each count sits exactly under
its tick. A summary-based approximation is drawn dashed, without censor marks (its
censoring is assumed), says so in the legend and in a note, and gets no risk table: its
numbers at risk were never published and would be invented.
"""

from __future__ import annotations

from collections.abc import Callable

from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.offsetbox import AnchoredText

from evidence_app.core.stats.analysis import ArmResult, DatasetAnalysis
from evidence_app.plots.km_curves import draw_arm, draw_medians, event_notes, median_notes
from evidence_app.plots.km_keys import draw_hr_box, draw_legend, place_inside
from evidence_app.plots.km_layout import Layout, draw_risk_table, format_axes
from evidence_app.plots.km_options import KMArtists, KMOptions
from evidence_app.plots.km_text import (
    APPROXIMATION_LABEL,
    AT_RISK_HEADER,
    endpoint_name,
    figure_notes,
    titles,
)
from evidence_app.plots.style import MUTED, figure_style, fonts_for, mm, renderer, width_mm, wrap_to_width

__all__ = ["APPROXIMATION_LABEL", "AT_RISK_HEADER", "KMArtists", "KMOptions", "draw_km"]


def draw_km(fig: Figure, analysis: DatasetAnalysis, options: KMOptions | None = None) -> KMArtists:
    """Draw the Kaplan–Meier figure of ``analysis`` on ``fig`` (cleared; its size is set).

    Raises
    ------
    ValueError
        If no arm has curve data (nothing to draw) or the width is not valid.
    """
    options = options or KMOptions()
    arms = [(i, r) for i, r in enumerate(analysis.arms) if r.fit is not None and r.data is not None]
    if not arms:
        raise ValueError(f"{analysis.dataset.id}: no arm has curve data to draw")
    with figure_style():
        fig.clear()
        art, hidden, measure = _draw(fig, analysis, arms, options, {})
        if hidden:  # no clean spot inside the plot: move those boxes to a strip above it
            sizes = measure()
            fig.clear()
            art, still, _ = _draw(fig, analysis, arms, options, {k: sizes[k] for k in hidden})
            if still:
                fig.clear()
                art, _, _ = _draw(fig, analysis, arms, options, sizes)
    return art


def _draw(
    fig: Figure,
    analysis: DatasetAnalysis,
    arms: list[tuple[int, ArmResult]],
    options: KMOptions,
    outside: dict[str, tuple[float, float]],
) -> tuple[KMArtists, set[str], Callable[[], dict[str, tuple[float, float]]]]:
    """Draw with the boxes named in ``outside`` above the plot; return the boxes that hide data inside
    it, and how to measure every box's size in inches (only needed to move boxes, so only then paid)."""
    d = analysis.dataset
    fs = fonts_for(options.width)
    width = mm(width_mm(options.width))
    approx = analysis.is_approximation
    table = options.risk_table and analysis.counts_are_data  # never numbers at risk from an approximation
    labels = {
        r.arm.id: "\n".join(wrap_to_width(fig, r.arm.label.replace("->", "→"), fs.base, 0.27 * width)) for _, r in arms
    }
    title, subtitle = titles(analysis, options.title)
    layout = Layout.compute(
        fig,
        width=width,
        fonts=fs,
        title=title,
        subtitle=subtitle,
        notes=figure_notes(analysis, options.ci_bands, options.risk_table)
        + (median_notes(arms) if options.median_lines else [])
        + event_notes(analysis),
        risk_labels=list(labels.values()) if table else [],
        ylabel=endpoint_name(d.endpoint.name),
        x_max=max(r.fit.last_followup for _, r in arms),  # type: ignore[union-attr]
        time_unit=d.time_unit,
        keys=outside,
    )
    ax = fig.add_axes(layout.plot_rect)
    art = KMArtists(ax=ax, keys_outside=bool(outside))
    for i, result in arms:
        draw_arm(ax, art, i, result, options)
    format_axes(ax, layout, d.time_unit, fs.base)
    if options.median_lines:
        draw_medians(fig, ax, art, arms, fs.small)
    if table:
        art.risk_ax = fig.add_axes(layout.risk_rect, sharex=ax)
        draw_risk_table(fig, art, arms, labels, layout, fs.base, fs.small)
    art.title = layout.draw_titles(fig, fs)
    if layout.note_lines:
        art.notes = [
            fig.text(
                layout.pad,
                layout.notes_top,
                "\n".join(layout.note_lines),
                fontsize=fs.small,
                color=MUTED,
                va="top",
                ha="left",
                linespacing=1.25,
            )
        ]
    art.legend = draw_legend(fig, ax, art, arms, approx, options, fs.small, 0.6 * layout.plot_width)
    # Above the plot, under a subtitle naming the comparison, the box needs no heading of its own.
    above = "box" in outside
    heading = not (above and options.title is None)
    art.hr_box = (
        draw_hr_box(fig, ax, analysis, fs.small, layout.plot_width * (1.0 if above else 0.6), heading)
        if options.show_hr_box
        else None
    )
    boxes = {"legend": art.legend, "box": art.hr_box}
    layout.place_keys(fig, art.legend if "legend" in outside else None, art.hr_box if "box" in outside else None)
    inside = {k: b for k, b in boxes.items() if b is not None and k not in outside}
    hidden = {k for k, score in zip(inside, place_inside(fig, ax, art, list(inside.values()))) if score > 0}

    def measure() -> dict[str, tuple[float, float]]:
        sizes = {"legend": _size(fig, art.legend)}
        if art.hr_box is not None:  # measured as it would be drawn above the plot (full width)
            wide = (
                art.hr_box
                if above
                else draw_hr_box(fig, ax, analysis, fs.small, layout.plot_width, options.title is not None)
            )
            sizes["box"] = _size(fig, wide)
            if wide is not art.hr_box and wide is not None:
                wide.remove()
        return sizes

    return art, hidden, measure


def _size(fig: Figure, artist: Legend | AnchoredText | None) -> tuple[float, float]:
    if artist is None:
        return 0.0, 0.0
    box = artist.get_window_extent(renderer(fig))
    return box.width / fig.dpi, box.height / fig.dpi
