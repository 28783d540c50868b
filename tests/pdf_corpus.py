"""Kaplan–Meier figures drawn as vector PDF from simulated patients, in several journal styles
(this module holds no tests itself; the vector-PDF tests and ``benchmarks/vector_pdf_accuracy.py``
use it).

Every figure keeps what drew it (:class:`DrawnFigure`): the arms' patients, the plotted step
function, the censoring times marked, the printed numbers at risk, the axis limits and ticks. The
styles imitate what journals print:

* ``survminer``: a risk table in a panel of its own under the plot, row labels and numbers in the
  arm's colour, ``+`` censor marks, the legend above the plot;
* ``nejm``: thin lines, ticks pointing out, a "No. at Risk" block of arm rows under the axis;
* ``lancet``: y in percent, ticks in, a "Number at risk" block, legend inside the frame;
* ``grey``: black solid and dashed curves, ``|`` censor marks, y from 0 to 1.

Options: censor marks on or off, y in percent, curves that cross, a long follow-up tail, two
panels on one page, and the font type (3 or 42) the PDF backend embeds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

STYLES = ("survminer", "nejm", "lancet", "grey")
COLOURS = {
    "survminer": ("#F8766D", "#00BFC4", "#7CAE00"),
    "nejm": ("#BC3C29", "#0072B5", "#E18727"),
    "lancet": ("#00468B", "#ED0000", "#42B540"),
    "grey": ("#000000", "#000000", "#666666"),
}
DASHES = {"grey": ("-", "--", ":")}
LABELS = (("Placebo", "Treatment", "Combination"), ("Control", "Experimental", "High dose"))


@dataclass
class DrawnArm:
    """One arm as drawn: patients, the step function plotted and the printed at-risk counts."""

    label: str
    colour: str
    dash: str
    time: np.ndarray
    event: np.ndarray
    step_t: np.ndarray
    step_s: np.ndarray
    censor_times: np.ndarray
    at_risk: tuple[int, ...]


@dataclass
class DrawnFigure:
    """Everything one KM panel was drawn from."""

    style: str
    arms: list[DrawnArm]
    x_limits: tuple[float, float]
    x_ticks: tuple[float, ...]
    y_limits: tuple[float, float]
    percent: bool
    censor_marks: bool
    notes: dict[str, object] = field(default_factory=dict)


@dataclass
class CorpusPage:
    """A one-page PDF file and the figures drawn on it (left to right)."""

    path: Path
    name: str
    figures: list[DrawnFigure]


def simulate(rng: np.random.Generator, n: int, hazard: float, shape: float, accrual: float, follow: float):
    """``n`` Weibull times with staggered entry: censored at the data cut-off or by drop-out."""
    t = (rng.exponential(1.0, n) ** (1.0 / shape)) / hazard
    entry = rng.uniform(0, accrual, n)
    cut = accrual + follow - entry
    drop = rng.exponential(1.0 / 0.01, n)
    c = np.minimum(cut, drop)
    time = np.round(np.minimum(t, c), 3) + 0.001
    return time, (t <= c).astype(np.int8)


def km_steps(time: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The KM curve of ``(time, event)`` as step corners, from (0, 1)."""
    times = np.unique(time[event == 1])
    at_risk = len(time) - np.searchsorted(np.sort(time), times, side="left")
    deaths = np.array([np.sum((time == u) & (event == 1)) for u in times])
    return np.r_[0.0, times], np.r_[1.0, np.cumprod(1.0 - deaths / at_risk)]


def make_arms(seed: int, style: str, k: int = 2, crossing: bool = False, long_tail: bool = False) -> list[DrawnArm]:
    """``k`` simulated arms in the style's colours and line styles."""
    rng = np.random.default_rng(seed)
    arms = []
    labels = LABELS[seed % 2]
    for i in range(k):
        n = int(rng.integers(80, 400))
        hazard = 0.05 * (0.65**i) * rng.uniform(0.8, 1.25)
        shape = (1.6 if i == 0 else 0.6) if crossing else rng.uniform(0.8, 1.2)
        follow = 60.0 if long_tail else 24.0
        time, event = simulate(rng, n, hazard, shape, accrual=18.0, follow=follow)
        step_t, step_s = km_steps(time, event)
        colour = COLOURS[style][i]
        dash = DASHES.get(style, ("-", "-", "-"))[i]
        arms.append(DrawnArm(labels[i], colour, dash, time, event, step_t, step_s, time[event == 0], ()))
    return arms


def _tick_step(longest: float) -> float:
    """A round tick step giving 4 to 9 intervals (6 or 12 for months-like ranges)."""
    for step in (0.5, 1.0, 2.0, 3.0, 6.0, 12.0, 24.0, 50.0, 100.0, 200.0, 250.0, 500.0, 1000.0):
        if longest / step <= 8.0:
            return step
    return 10 ** np.ceil(np.log10(longest / 8.0))


def figure_for(arms: list[DrawnArm], style: str, percent: bool, censor_marks: bool) -> DrawnFigure:
    """The figure description: limits and ticks cover the longest follow-up, counts at every tick."""
    longest = max(a.time.max() for a in arms)
    step = _tick_step(longest)
    x_max = float(np.ceil(longest / step) * step)
    ticks = tuple(float(v) for v in np.arange(0, x_max + 1e-9, step))
    for arm in arms:
        at = np.sort(arm.time)
        arm.at_risk = tuple(int(len(at) - np.searchsorted(at, t, side="left")) for t in ticks)
        arm.censor_times = np.sort(arm.time[arm.event == 0])
    y_top = 100.0 if percent else 1.0
    return DrawnFigure(style, arms, (0.0, x_max), ticks, (0.0, y_top), percent, censor_marks)


def draw_curves(ax: Axes, fig: DrawnFigure, lw: float) -> None:
    scale = 100.0 if fig.percent else 1.0
    marker = "|" if fig.style in ("grey", "nejm") else "+"
    for arm in fig.arms:
        t = np.r_[arm.step_t, arm.time.max()]
        s = np.r_[arm.step_s, arm.step_s[-1]] * scale
        ax.step(t, s, where="post", color=arm.colour, lw=lw, linestyle=arm.dash, label=arm.label)
        if fig.censor_marks:
            level = arm.step_s[np.searchsorted(arm.step_t, arm.censor_times, side="right") - 1] * scale
            ax.plot(arm.censor_times, level, ls="none", marker=marker, ms=4, mew=lw, color=arm.colour)
    ax.set_xlim(*fig.x_limits)
    ax.set_ylim(*fig.y_limits)
    ax.set_xticks(fig.x_ticks)
    ax.set_xticklabels([f"{v:g}" for v in fig.x_ticks])
    if fig.percent:
        ax.set_yticks([0, 20, 40, 60, 80, 100])
    else:
        ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
        if fig.style != "grey":
            ax.set_yticklabels(["0", "0.2", "0.4", "0.6", "0.8", "1.0"])
    ax.set_xlabel("Months since randomisation")
    ax.set_ylabel("Overall survival (%)" if fig.percent else "Probability of survival")


def _rows_below(ax: Axes, fig: DrawnFigure, title: str, coloured: bool, first: float, gap: float) -> None:
    """The at-risk block under the axis: a title, then one row per arm, labels at the left."""
    transform = ax.get_xaxis_transform()
    ax.text(-0.09, first, title, transform=ax.transAxes, ha="right", va="center", fontsize=7, weight="bold")
    for i, arm in enumerate(fig.arms):
        y = first - gap * (i + 1)
        colour = arm.colour if coloured else "black"
        ax.text(-0.07, y, arm.label, transform=ax.transAxes, ha="right", va="center", fontsize=7, color=colour)
        for t, n in zip(fig.x_ticks, arm.at_risk):
            ax.text(t, y, str(n), transform=transform, ha="center", va="center", fontsize=7, color=colour)


def draw_panel(figure: Figure, box: tuple[float, float, float, float], fig: DrawnFigure, title: str = "") -> None:
    """One KM panel of ``fig`` in the figure area ``box`` (left, bottom, width, height; fractions)."""
    left, bottom, width, height = box
    style = fig.style
    if style == "survminer":
        table_h = 0.07 * len(fig.arms)
        ax = figure.add_axes((left, bottom + table_h + 0.12, width, height - table_h - 0.12))
        draw_curves(ax, fig, 1.0)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=len(fig.arms), frameon=False, fontsize=7)
        table = figure.add_axes((left, bottom, width, table_h), sharex=ax)
        table.set_axis_off()
        table.set_ylim(len(fig.arms) - 0.5, -0.5)
        table.text(0.0, 1.15, "Number at risk", transform=table.transAxes, fontsize=8)
        for i, arm in enumerate(fig.arms):
            table.text(
                -0.07,
                i,
                arm.label,
                transform=table.get_yaxis_transform(),
                ha="right",
                va="center",
                fontsize=7,
                color=arm.colour,
            )
            for t, n in zip(fig.x_ticks, arm.at_risk):
                table.text(t, i, str(n), ha="center", va="center", fontsize=7, color=arm.colour)
    else:
        rows = 0.045 * (len(fig.arms) + 1) + 0.1
        ax = figure.add_axes((left, bottom + rows, width, height - rows))
        lw = 0.6 if style == "nejm" else 1.2
        draw_curves(ax, fig, lw)
        ax.tick_params(direction="out" if style == "nejm" else "in", labelsize=7)
        if style == "nejm":
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
        ax.legend(loc="upper right", frameon=style == "lancet", fontsize=7)
        heading = "No. at Risk" if style == "nejm" else "Number at risk"
        _rows_below(ax, fig, heading, coloured=style == "lancet", first=-0.28, gap=0.075 * 0.6 / height)
    if title:
        ax.set_title(title, loc="left", fontsize=9, weight="bold")


@dataclass(frozen=True)
class PageSpec:
    """One page of the corpus: style, seed and options."""

    style: str
    seed: int
    percent: bool = False
    censor_marks: bool = True
    arms: int = 2
    crossing: bool = False
    long_tail: bool = False
    panels: int = 1
    fonttype: int = 3
    simplify: bool = False

    @property
    def name(self) -> str:
        flags = [
            "pct" if self.percent else "",
            "" if self.censor_marks else "nocens",
            "cross" if self.crossing else "",
            "tail" if self.long_tail else "",
            f"{self.panels}p" if self.panels > 1 else "",
            f"{self.arms}arms" if self.arms != 2 else "",
            f"t{self.fonttype}",
            "simpl" if self.simplify else "",
        ]
        return "_".join([self.style, str(self.seed), *[f for f in flags if f]])


def draw_page(spec: PageSpec, path: Path) -> CorpusPage:
    """Write ``spec`` as a one-page PDF at ``path``, from simulated arms."""
    panels = [
        make_arms(spec.seed * 10 + p, spec.style, spec.arms, spec.crossing, spec.long_tail) for p in range(spec.panels)
    ]
    return draw_arms(spec, panels, path)


def arms_from_data(style: str, data: list[tuple[str, np.ndarray, np.ndarray]]) -> list[DrawnArm]:
    """Arms of given patients ``(label, time, event)`` in the style's colours (e.g. a validation case)."""
    arms = []
    for i, (label, time, event) in enumerate(data):
        time, event = np.asarray(time, float), np.asarray(event, np.int8)
        step_t, step_s = km_steps(time, event)
        dash = DASHES.get(style, ("-", "-", "-"))[i % 3]
        arms.append(DrawnArm(label, COLOURS[style][i % 3], dash, time, event, step_t, step_s, time[event == 0], ()))
    return arms


def draw_arms(spec: PageSpec, panels: list[list[DrawnArm]], path: Path) -> CorpusPage:
    """One page at ``path`` with one KM panel per list of arms, in the options of ``spec``."""
    from matplotlib import rc_context

    figures = [figure_for(arms, spec.style, spec.percent, spec.censor_marks) for arms in panels]
    # Lines decide whether to simplify when they are made, so the whole drawing is inside the context.
    with rc_context({"pdf.fonttype": spec.fonttype, "path.simplify": spec.simplify}):
        page = Figure(figsize=(7.0 * len(figures), 5.0) if len(figures) > 1 else (6.5, 5.0))
        gap = 1.0 / len(figures)
        for p, fig in enumerate(figures):
            box = (p * gap + 0.16 * gap, 0.08, 0.78 * gap, 0.84)
            draw_panel(page, box, fig, title="AB"[p] if len(figures) > 1 else "")
        with PdfPages(path) as pdf:
            pdf.savefig(page)
    return CorpusPage(path, spec.name, figures)


def default_specs(seeds: int = 2) -> list[PageSpec]:
    """The corpus: every style, with and without censor marks, percent, crossing, tails and two panels."""
    specs = []
    for seed in range(1, seeds + 1):
        specs += [
            PageSpec("survminer", seed),
            PageSpec("nejm", seed, censor_marks=False),
            PageSpec("lancet", seed, percent=True),
            PageSpec("grey", seed),
            PageSpec("nejm", seed + 100, crossing=True, fonttype=42),
            PageSpec("survminer", seed + 200, long_tail=True, censor_marks=False, percent=True),
            PageSpec("lancet", seed + 300, panels=2),
            PageSpec("grey", seed + 400, arms=3, censor_marks=False, fonttype=42),
            PageSpec("nejm", seed + 500, percent=True, simplify=True),
        ]
    return specs


def write_corpus(folder: Path, specs: list[PageSpec] | None = None) -> list[CorpusPage]:
    """Every page of ``specs`` (default :func:`default_specs`) as ``folder/NAME.pdf``."""
    folder.mkdir(parents=True, exist_ok=True)
    return [draw_page(spec, folder / f"{spec.name}.pdf") for spec in (specs or default_specs())]
