"""Layout of the Kaplan–Meier figure, and what is drawn where it says: axes, titles, risk table.

Sizes are computed in inches from measured text and stored as figure fractions (:class:`Layout`);
the risk table gets its own axes sharing the plot's x axis, so each count sits under its tick.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.offsetbox import AnchoredText
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from evidence_app.core.stats.analysis import ArmResult
from evidence_app.core.stats.survival import at_risk_table
from evidence_app.plots.km_text import AT_RISK_HEADER
from evidence_app.plots.style import (
    GRID,
    INK,
    FontSizes,
    arm_style,
    line_height,
    mm,
    renderer,
    text_width,
    wrap_to_width,
)

if TYPE_CHECKING:
    from evidence_app.plots.km_options import KMArtists


TIME_STEPS = {
    "days": (7, 14, 30, 60, 90, 180, 365, 730),
    "weeks": (1, 2, 4, 8, 12, 16, 24, 26, 52, 104),
    "months": (1, 2, 3, 4, 6, 12, 24, 36, 60),
    "years": (0.25, 0.5, 1, 2, 5, 10),
}


def time_ticks(x_max: float, unit: str, max_intervals: int) -> np.ndarray:
    """Ticks from 0 in steps a reader expects for the unit (3/6/12 months, 4/12/24 weeks ...)."""
    steps = TIME_STEPS.get(unit, (1, 2, 5, 10, 20, 50, 100))
    x_max = max(x_max, 1e-9)
    step = next((s for s in steps if np.ceil(x_max / s - 1e-9) <= max_intervals), None)
    if step is None:
        step = steps[-1] * float(np.ceil(x_max / (steps[-1] * max_intervals)))
    return np.arange(int(np.ceil(x_max / step - 1e-9)) + 1) * step


@dataclass(frozen=True)
class Layout:
    """Where everything goes: computed in inches from measured text, stored as figure fractions."""

    width: float
    height: float
    pad: float
    plot_rect: tuple[float, float, float, float]
    risk_rect: tuple[float, float, float, float]
    ticks: np.ndarray
    title_lines: list[str]
    subtitle_lines: list[str]
    ylabel_lines: list[str]
    note_lines: list[str]
    notes_top: float
    risk_header_top: float
    risk_row_centres: tuple[float, ...]
    risk_height: float
    risk_label_gap: float
    key_top: float
    key_side_by_side: bool

    @property
    def plot_width(self) -> float:
        """Width of the plot in inches."""
        return self.plot_rect[2] * self.width

    @classmethod
    def compute(
        cls,
        fig: Figure,
        *,
        width: float,
        fonts: FontSizes,
        title: str,
        subtitle: str,
        notes: list[str],
        risk_labels: list[str],
        ylabel: str,
        x_max: float,
        time_unit: str,
        keys: dict[str, tuple[float, float]],
    ) -> Layout:
        lh, pad = line_height, mm(2.0)
        inner = width - 2 * pad
        title_lines = wrap_to_width(fig, title, fonts.title, inner, "bold") if title else []
        subtitle_lines = wrap_to_width(fig, subtitle, fonts.base, inner) if subtitle else []
        note_lines = [ln for note in notes for ln in wrap_to_width(fig, note, fonts.small, inner)]
        digit_w = text_width(fig, "0000", fonts.base)
        tick_space = 5 / 72
        plot_h = mm(40) if width < mm(130) else mm(80)
        ylabel_lines = wrap_to_width(fig, ylabel, fonts.base, plot_h)
        left = pad + len(ylabel_lines) * lh(fonts.base, 1.1) + 4 / 72 + text_width(fig, "0.0", fonts.base) + tick_space
        label_gap = digit_w / 2 + mm(1.0)  # room for the count centred on t = 0
        if risk_labels:
            label_w = max(text_width(fig, lab, fonts.base) for lab in risk_labels)
            left = max(left, pad + label_w + mm(1.2 + 4.0) + label_gap)
        plot_w = width - left - (digit_w / 2 + mm(1.5))
        ticks = time_ticks(x_max, time_unit, int(min(10, max(3, plot_w // (digit_w + mm(1.5))))))
        heading = len(title_lines) * lh(fonts.title, 1.2) + len(subtitle_lines) * lh(fonts.base, 1.2)
        top = pad + heading + mm(2.5)
        key_top, side_by_side = top, False
        if keys:
            (leg_w, leg_h), (box_w, box_h) = keys.get("legend", (0.0, 0.0)), keys.get("box", (0.0, 0.0))
            side_by_side = leg_w + box_w + mm(3) <= plot_w
            top += (max(leg_h, box_h) if side_by_side else leg_h + box_h + mm(1)) + mm(1.5)
        below_axis = tick_space + 2 * lh(fonts.base, 1.0) + 3 / 72 + mm(1.5)
        rows = [(lab.count("\n") + 1) * lh(fonts.base, 1.1) + lh(fonts.base, 0.45) for lab in risk_labels]
        header_h = lh(fonts.small, 1.2) + mm(0.8)
        risk_block = mm(2.5) + header_h + sum(rows) if rows else 0.0
        notes_h = mm(2.5) + len(note_lines) * lh(fonts.small, 1.25) if note_lines else 0.0
        height = top + plot_h + below_axis + risk_block + notes_h + pad
        fig.set_size_inches(width, height)
        y_plot = height - top - plot_h
        risk_top = y_plot - below_axis - mm(2.5) - header_h
        centres = tuple(float(c) for c in np.cumsum(rows) - np.asarray(rows) / 2) if rows else ()
        return cls(
            width=width,
            height=height,
            pad=pad / width,
            plot_rect=(left / width, y_plot / height, plot_w / width, plot_h / height),
            risk_rect=(left / width, (risk_top - sum(rows)) / height, plot_w / width, max(sum(rows), 1e-3) / height),
            ticks=ticks,
            title_lines=title_lines,
            subtitle_lines=subtitle_lines,
            ylabel_lines=ylabel_lines,
            note_lines=note_lines,
            notes_top=(notes_h - mm(2.5) + pad) / height,
            risk_header_top=(risk_top + header_h) / height,
            risk_row_centres=centres,
            risk_height=max(sum(rows), 1e-3),
            risk_label_gap=label_gap,
            key_top=1 - key_top / height,
            key_side_by_side=side_by_side,
        )

    def draw_titles(self, fig: Figure, fonts: FontSizes) -> list[Text]:
        y = 1 - self.pad * self.width / self.height
        out = []
        if self.title_lines:
            out.append(
                fig.text(
                    self.pad,
                    y,
                    "\n".join(self.title_lines),
                    fontsize=fonts.title,
                    fontweight="bold",
                    va="top",
                    ha="left",
                    linespacing=1.2,
                )
            )
            y -= len(self.title_lines) * line_height(fonts.title, 1.2) / self.height
        if self.subtitle_lines:
            out.append(
                fig.text(
                    self.pad,
                    y,
                    "\n".join(self.subtitle_lines),
                    fontsize=fonts.base,
                    va="top",
                    ha="left",
                    linespacing=1.2,
                )
            )
        return out

    def place_keys(self, fig: Figure, legend: Legend | None, box: AnchoredText | None) -> None:
        """Legend and HR box in the strip above the plot: side by side, or stacked."""
        left, right = self.plot_rect[0], self.plot_rect[0] + self.plot_rect[2]
        if legend is not None:
            legend.set_loc("upper left")
            legend.set_bbox_to_anchor((left, self.key_top), transform=fig.transFigure)
        if box is not None:
            box.loc = 1 if self.key_side_by_side and legend is not None else 2
            y = self.key_top
            if not self.key_side_by_side and legend is not None:
                y -= legend.get_window_extent(renderer(fig)).height / fig.dpi / self.height + mm(1) / self.height
            # The point as the zero-size box matplotlib makes of an (x, y) pair (its stubs take a box only).
            anchor = Bbox.from_bounds(right if box.loc == 1 else left, y, 0, 0)
            box.set_bbox_to_anchor(anchor, transform=fig.transFigure)


def format_axes(ax: Axes, layout: Layout, unit: str, size: float) -> None:
    """Limits, ticks, grid, spines and labels of the survival plot."""
    ax.set_xlim(0, layout.ticks[-1])
    ax.set_ylim(0, 1.02)
    ax.set_xticks(layout.ticks, [f"{t:g}" for t in layout.ticks])
    levels = np.linspace(0, 1, 6)
    ax.set_yticks(levels, [f"{v:.1f}" for v in levels])
    ax.tick_params(labelsize=size, pad=2.5, length=2.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_bounds(0, 1)
    ax.grid(axis="y", color=GRID, lw=0.4, zorder=0)
    ax.set_axisbelow(True)
    ax.set_xlabel(f"Time ({unit})", fontsize=size, labelpad=3)
    ax.set_ylabel("\n".join(layout.ylabel_lines), fontsize=size, labelpad=4, linespacing=1.1)


def draw_risk_table(
    fig: Figure,
    art: KMArtists,
    arms: list[tuple[int, ArmResult]],
    labels: dict[str, str],
    layout: Layout,
    size: float,
    small: float,
) -> None:
    """Numbers at risk at the time ticks on ``art.risk_ax``, one row per arm under its labelled line sample."""
    rax = art.risk_ax
    assert rax is not None
    rax.set_ylim(layout.risk_height, 0)  # data units of the risk axes: inches from its top
    rax.tick_params(axis="both", which="both", bottom=False, left=False, labelbottom=False, labelleft=False)
    for spine in rax.spines.values():
        spine.set_visible(False)
    rax.patch.set_visible(False)
    art.risk_times = tuple(float(t) for t in layout.ticks)
    to_axes = 1 / layout.plot_width  # inches -> fraction of the axes width
    trans = rax.get_yaxis_transform()  # x in axes fraction, y in data
    for (i, result), centre in zip(arms, layout.risk_row_centres):
        data = result.data
        assert data is not None
        rows = at_risk_table(data.time, data.event, art.risk_times)
        art.risk_cells[result.arm.id] = [
            rax.text(
                row.time, centre, str(row.n_at_risk), ha="center", va="center", fontsize=size, color=INK, clip_on=False
            )
            for row in rows
        ]
        sample_end = -layout.risk_label_gap * to_axes
        sample_start = sample_end - mm(4.0) * to_axes
        style = arm_style(i)
        rax.add_line(
            Line2D(
                [sample_start, sample_end], [centre, centre], transform=trans, color=style.color, lw=1.3, clip_on=False
            )
        )
        art.risk_labels[result.arm.id] = rax.text(
            sample_start - mm(1.2) * to_axes,
            centre,
            labels[result.arm.id],
            transform=trans,
            ha="right",
            va="center",
            fontsize=size,
            color=INK,
            linespacing=1.1,
            clip_on=False,
        )
    art.risk_header = fig.text(
        layout.pad,
        layout.risk_header_top,
        AT_RISK_HEADER,
        fontsize=small,
        fontweight="bold",
        color=INK,
        va="top",
        ha="left",
    )
