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

from matplotlib.axes import Axes
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

    Drawn once: the plot is laid out with the legend and HR box inside it; a box that hides
    data there is measured and the layout recomputed with a strip above the plot for it. The
    plot keeps its size in inches, so moving it only moves the axes, and nothing is drawn twice.

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
        return _Drawing(fig, analysis, arms, options).draw()


class _Drawing:
    """One figure's parts, drawn in the order the layout needs them."""

    def __init__(
        self, fig: Figure, analysis: DatasetAnalysis, arms: list[tuple[int, ArmResult]], options: KMOptions
    ) -> None:
        self.fig, self.analysis, self.arms, self.options = fig, analysis, arms, options
        self.fs = fonts_for(options.width)
        self.width = mm(width_mm(options.width))
        self.table = options.risk_table and analysis.counts_are_data  # never numbers at risk from an approximation
        self.labels = {
            r.arm.id: "\n".join(wrap_to_width(fig, r.arm.label.replace("->", "→"), self.fs.base, 0.27 * self.width))
            for _, r in arms
        }

    def layout(self, outside: dict[str, tuple[float, float]]) -> Layout:
        """The layout with the boxes named in ``outside`` (their sizes in inches) above the plot."""
        d, options, arms = self.analysis.dataset, self.options, self.arms
        title, subtitle = titles(self.analysis, options.title)
        return Layout.compute(
            self.fig,
            width=self.width,
            fonts=self.fs,
            title=title,
            subtitle=subtitle,
            notes=figure_notes(self.analysis, options.ci_bands, options.risk_table)
            + (median_notes(arms) if options.median_lines else [])
            + event_notes(self.analysis),
            risk_labels=list(self.labels.values()) if self.table else [],
            ylabel=endpoint_name(d.endpoint.name),
            x_max=max(r.fit.last_followup for _, r in arms),  # type: ignore[union-attr]
            time_unit=d.time_unit,
            keys=outside,
        )

    def hr_box(self, ax: Axes, layout: Layout, above: bool) -> AnchoredText | None:
        # Above the plot, under a subtitle naming the comparison, the box needs no heading of its own.
        if not self.options.show_hr_box:
            return None
        heading = not (above and self.options.title is None)
        width = layout.plot_width * (1.0 if above else 0.6)
        return draw_hr_box(self.fig, ax, self.analysis, self.fs.small, width, heading)

    def draw(self) -> KMArtists:
        fig, options, fs = self.fig, self.options, self.fs
        layout = self.layout({})
        ax = fig.add_axes(layout.plot_rect)
        art = KMArtists(ax=ax)
        for i, result in self.arms:
            draw_arm(ax, art, i, result, options)
        format_axes(ax, layout, self.analysis.dataset.time_unit, fs.base)
        if options.median_lines:
            draw_medians(fig, ax, art, self.arms, fs.small)
        approx = self.analysis.is_approximation
        art.legend = draw_legend(fig, ax, art, self.arms, approx, options, fs.small, 0.6 * layout.plot_width)
        art.hr_box = self.hr_box(ax, layout, above=False)
        layout = self._place_keys(art, layout)
        if self.table:
            art.risk_ax = fig.add_axes(layout.risk_rect, sharex=ax)
            draw_risk_table(fig, art, self.arms, self.labels, layout, fs.base, fs.small)
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
        return art

    def _place_keys(self, art: KMArtists, layout: Layout) -> Layout:
        """Legend and HR box inside the plot where they hide no data, else in a strip above it
        (first only those that hide data, then both); the final layout."""
        hidden = self._hidden_inside(art, {})
        if not hidden:
            return layout
        sizes = self._measure(art, layout)
        box_above = False
        for outside in ({k: sizes[k] for k in hidden}, sizes):
            layout = self.layout(outside)
            art.ax.set_position(layout.plot_rect)  # the plot keeps its size: data and labels move with it
            art.keys_outside = True
            if "box" in outside and art.hr_box is not None and not box_above:
                art.hr_box.remove()
                art.hr_box, box_above = self.hr_box(art.ax, layout, above=True), True
            if not self._hidden_inside(art, outside):
                break
        legend = art.legend if "legend" in outside else None
        layout.place_keys(self.fig, legend, art.hr_box if "box" in outside else None)
        return layout

    def _hidden_inside(self, art: KMArtists, outside: dict[str, tuple[float, float]]) -> set[str]:
        """Place the boxes not in ``outside`` inside the plot; those that hide data there."""
        boxes = {"legend": art.legend, "box": art.hr_box}
        inside = {k: b for k, b in boxes.items() if b is not None and k not in outside}
        scores = place_inside(self.fig, art.ax, art, list(inside.values()))
        return {k for k, score in zip(inside, scores) if score > 0}

    def _measure(self, art: KMArtists, layout: Layout) -> dict[str, tuple[float, float]]:
        """Every box's size in inches; the HR box as it would be drawn above the plot (full width)."""
        sizes = {"legend": _size(self.fig, art.legend)}
        if art.hr_box is not None:
            wide = self.hr_box(art.ax, layout, above=True)
            sizes["box"] = _size(self.fig, wide)
            if wide is not None:
                wide.remove()
        return sizes


def _size(fig: Figure, artist: Legend | AnchoredText | None) -> tuple[float, float]:
    if artist is None:
        return 0.0, 0.0
    box = artist.get_window_extent(renderer(fig))
    return box.width / fig.dpi, box.height / fig.dpi
