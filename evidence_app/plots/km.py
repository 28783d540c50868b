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
from dataclasses import dataclass, field

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.offsetbox import AnchoredText
from matplotlib.text import Text

from evidence_app.core.analysis import ArmResult, DatasetAnalysis
from evidence_app.core.forest_data import comparison_text
from evidence_app.core.formatting import fmt_hr, fmt_p
from evidence_app.core.survival import at_risk_table
from evidence_app.core.curves import KIND_APPROXIMATION, KIND_PATIENT, KIND_RECONSTRUCTED
from evidence_app.plots.placement import densify, place_artists
from evidence_app.plots.style import (
    GRID, INK, MUTED, FontSizes, arm_style, figure_style, fonts_for, line_height, mm, renderer,
    text_width, width_mm, wrap_to_width,
)

APPROXIMATION_LABEL = "approximation from published summary"
AT_RISK_HEADER = "Number at risk (just before t)"
ENDPOINT_NAMES = {
    "OS": "Overall survival", "PFS": "Progression-free survival", "DFS": "Disease-free survival",
    "EFS": "Event-free survival", "RFS": "Recurrence-free survival", "TTP": "Time to progression",
}



@dataclass(frozen=True)
class KMOptions:
    """What the Kaplan–Meier figure shows. ``width``: ``"single"``, ``"double"`` or mm."""

    ci_bands: bool = True
    censor_marks: bool = True
    median_lines: bool = True
    risk_table: bool = True
    show_digitized: bool = True
    show_published_medians: bool = True
    show_hr_box: bool = True
    width: str | float = "single"
    title: str | None = None


@dataclass(eq=False)
class KMArtists:
    """Handles to what was drawn, keyed by arm id (for tests, the GUI and export)."""

    ax: Axes
    risk_ax: Axes | None = None
    curves: dict[str, Line2D] = field(default_factory=dict)
    bands: dict[str, object] = field(default_factory=dict)
    censor_marks: dict[str, Line2D] = field(default_factory=dict)
    median_lines: list[Line2D] = field(default_factory=list)
    median_texts: list[Text] = field(default_factory=list)
    digitized: dict[str, Line2D] = field(default_factory=dict)
    published: dict[str, Line2D] = field(default_factory=dict)
    risk_times: tuple[float, ...] = ()
    risk_cells: dict[str, list[Text]] = field(default_factory=dict)
    risk_labels: dict[str, Text] = field(default_factory=dict)
    risk_header: Text | None = None
    legend: Legend | None = None
    hr_box: AnchoredText | None = None
    title: list[Text] = field(default_factory=list)
    notes: list[Text] = field(default_factory=list)
    keys_outside: bool = False


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


def _draw(fig: Figure, analysis: DatasetAnalysis, arms: list[tuple[int, ArmResult]], options: KMOptions,
          outside: dict[str, tuple[float, float]]
          ) -> tuple[KMArtists, set[str], Callable[[], dict[str, tuple[float, float]]]]:
    """Draw with the boxes named in ``outside`` above the plot; return the boxes that hide data inside
    it, and how to measure every box's size in inches (only needed to move boxes, so only then paid)."""
    d = analysis.dataset
    fs = fonts_for(options.width)
    width = mm(width_mm(options.width))
    approx = analysis.is_approximation
    table = options.risk_table and not approx
    labels = {r.arm.id: "\n".join(wrap_to_width(fig, r.arm.label.replace("->", "→"), fs.base, 0.27 * width))
              for _, r in arms}
    title, subtitle = titles(analysis, options.title)
    layout = Layout.compute(
        fig, width=width, fonts=fs, title=title, subtitle=subtitle,
        notes=figure_notes(analysis, options.ci_bands, options.risk_table),
        risk_labels=list(labels.values()) if table else [], ylabel=endpoint_name(d.endpoint.name),
        x_max=max(r.fit.last_followup for _, r in arms),  # type: ignore[union-attr]
        time_unit=d.time_unit, keys=outside,
    )
    ax = fig.add_axes(layout.plot_rect)
    art = KMArtists(ax=ax, keys_outside=bool(outside))
    for i, result in arms:
        _draw_arm(ax, art, i, result, options)
    _format_axes(ax, layout, d.time_unit, fs.base)
    if options.median_lines:
        _draw_medians(fig, ax, art, arms, fs.small)
    if table:
        art.risk_ax = fig.add_axes(layout.risk_rect, sharex=ax)
        _risk_table(fig, art, arms, labels, layout, fs.base, fs.small)
    art.title = layout.draw_titles(fig, fs)
    if layout.note_lines:
        art.notes = [fig.text(layout.pad, layout.notes_top, "\n".join(layout.note_lines), fontsize=fs.small,
                              color=MUTED, va="top", ha="left", linespacing=1.25)]
    art.legend = _legend(fig, ax, art, arms, approx, options, fs.small, 0.6 * layout.plot_width)
    # Above the plot, under a subtitle naming the comparison, the box needs no heading of its own.
    above = "box" in outside
    heading = not (above and options.title is None)
    art.hr_box = (_hr_box(ax, analysis, fs.small, layout.plot_width * (1.0 if above else 0.6), heading)
                  if options.show_hr_box else None)
    boxes = {"legend": art.legend, "box": art.hr_box}
    layout.place_keys(fig, *(boxes[k] if k in outside else None for k in ("legend", "box")))
    inside = {k: b for k, b in boxes.items() if b is not None and k not in outside}
    hidden = {k for k, score in zip(inside, _place_inside(fig, ax, art, list(inside.values()))) if score > 0}

    def measure() -> dict[str, tuple[float, float]]:
        sizes = {"legend": _size(fig, art.legend)}
        if art.hr_box is not None:  # measured as it would be drawn above the plot (full width)
            wide = art.hr_box if above else _hr_box(ax, analysis, fs.small, layout.plot_width,
                                                    options.title is not None)
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


def _draw_arm(ax: Axes, art: KMArtists, index: int, result: ArmResult, options: KMOptions) -> None:
    fit, data, arm = result.fit, result.data, result.arm
    assert fit is not None and data is not None
    style = arm_style(index)
    approx = data.is_approximation
    line, = ax.step(fit.timeline, fit.survival, where="post", color=style.color, lw=1.3, zorder=3,
                    label=f"{arm.label} ({APPROXIMATION_LABEL})" if approx else arm.label)
    if approx:
        line.set_dashes(style.approximation_dashes)
    art.curves[arm.id] = line
    if options.ci_bands:
        art.bands[arm.id] = ax.fill_between(fit.timeline, fit.ci_lower, fit.ci_upper, step="post",
                                            color=style.color, alpha=0.13, lw=0, zorder=1)
    if options.censor_marks and not approx and len(fit.censor_times):
        idx = np.searchsorted(fit.timeline, fit.censor_times, side="right") - 1
        art.censor_marks[arm.id], = ax.plot(fit.censor_times, fit.survival[idx], ls="none", ms=3.2, mew=0.7,
                                            marker=style.censor_marker, color=style.color, zorder=4)
    if options.show_digitized and data.digitized_points is not None and len(data.digitized_points):
        pts = np.asarray(data.digitized_points)
        art.digitized[arm.id], = ax.plot(pts[:, 0], pts[:, 1], ls="none", marker="o", ms=1.8, mfc="none",
                                         mew=0.5, color=style.color, alpha=0.8, zorder=2)
    points = [(lm.time, lm.survival) for lm in arm.landmarks]
    if arm.median is not None and arm.median.value is not None:
        points.append((arm.median.value, 0.5))
    if options.show_published_medians and points:
        xs, ys = zip(*sorted(points))
        art.published[arm.id], = ax.plot(xs, ys, ls="none", marker="D", ms=3.6, mfc="white", mew=0.9,
                                         color=style.color, zorder=5)


def _format_axes(ax: Axes, layout: Layout, unit: str, size: float) -> None:
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


def _draw_medians(fig: Figure, ax: Axes, art: KMArtists, arms: list[tuple[int, ArmResult]], size: float) -> None:
    """Dotted drop lines at each median with its value printed just above the time axis."""
    medians = sorted((r.fit.median, i) for i, r in arms if r.fit is not None and r.fit.median is not None)
    if not medians:
        return
    kw = {"lw": 0.7, "dashes": (1.0, 1.6), "zorder": 2}
    art.median_lines.append(ax.plot([0, medians[-1][0]], [0.5, 0.5], color=MUTED, **kw)[0])
    r = renderer(fig)
    drop_x = [ax.transData.transform((m, 0))[0] for m, _ in medians]
    placed: list = []
    for median, i in medians:
        art.median_lines.append(ax.plot([median, median], [0, 0.5], color=arm_style(i).color, **kw)[0])
        label = ax.annotate(f"{median:.1f}", xy=(median, 0), xytext=(1.5, 1.5), textcoords="offset points",
                            ha="left", va="bottom", fontsize=size, color=INK, zorder=5)
        own = ax.transData.transform((median, 0))[0]

        def clashes() -> bool:
            box = label.get_window_extent(r)
            crosses = any(box.x0 - 1 <= x <= box.x1 + 1 for x in drop_x if abs(x - own) > 0.5)
            return crosses or any(box.overlaps(other) for other in placed)

        if clashes():  # try the left of the drop line before lifting the label
            label.set_position((-1.5, 1.5))
            label.set_ha("right")
            if clashes():
                label.set_position((1.5, 1.5))
                label.set_ha("left")
        for lift in range(1, 8):
            if not clashes():
                break
            label.set_position((label.get_position()[0], 1.5 + lift * size * 1.3))
        placed.append(label.get_window_extent(r).padded(1))
        art.median_texts.append(label)


def _risk_table(fig: Figure, art: KMArtists, arms: list[tuple[int, ArmResult]], labels: dict[str, str],
                layout: Layout, size: float, small: float) -> None:
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
            rax.text(row.time, centre, str(row.n_at_risk), ha="center", va="center", fontsize=size,
                     color=INK, clip_on=False) for row in rows]
        sample_end = -layout.risk_label_gap * to_axes
        sample_start = sample_end - mm(4.0) * to_axes
        style = arm_style(i)
        rax.add_line(Line2D([sample_start, sample_end], [centre, centre], transform=trans, color=style.color,
                            lw=1.3, clip_on=False))
        art.risk_labels[result.arm.id] = rax.text(
            sample_start - mm(1.2) * to_axes, centre, labels[result.arm.id], transform=trans, ha="right",
            va="center", fontsize=size, color=INK, linespacing=1.1, clip_on=False)
    art.risk_header = fig.text(layout.pad, layout.risk_header_top, AT_RISK_HEADER, fontsize=small,
                               fontweight="bold", color=INK, va="top", ha="left")


def _legend(fig: Figure, ax: Axes, art: KMArtists, arms: list[tuple[int, ArmResult]], approx: bool,
            options: KMOptions, size: float, max_width: float) -> Legend:
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
    legend = ax.legend(handles, texts, loc="upper right", fontsize=size, frameon=False, handlelength=2.4,
                       handletextpad=0.5, borderaxespad=0.3, labelspacing=0.3, borderpad=0.2)
    legend.set_zorder(6)
    return legend


def _hr_box(ax: Axes, analysis: DatasetAnalysis, size: float, max_width: float,
            heading: bool = True) -> AnchoredText | None:
    """Published and computed HR. For an approximation the computed HR only shows how closely the
    approximation follows the publication, so it comes second and without a p-value."""
    d = analysis.dataset
    pub, p_pub = d.comparison.hazard_ratio, d.comparison.p_value
    published = computed = None
    if pub is not None:
        published = f"Published HR {_nb(fmt_hr(pub.value, pub.lower, pub.upper, pub.ci_level))}"
        published += f", {p_phrase(p_pub.value)}" if p_pub is not None else ""
    if analysis.comparison is not None:
        hr, c = analysis.comparison.hazard_ratio, analysis.comparison
        if analysis.is_approximation:
            computed = f"Approximation: HR {_nb(fmt_hr(hr.hr, hr.lower, hr.upper, hr.ci_level))}"
        else:
            computed = (f"Cox HR {_nb(fmt_hr(hr.hr, hr.lower, hr.upper, hr.ci_level))}, "
                        f"log-rank {p_phrase(fmt_p(c.logrank_p))}")
    body = [x for x in ([published, computed] if analysis.is_approximation else [computed, published]) if x]
    if not body:
        return None
    fig = ax.figure
    lines = [comparison_text(d.experimental.label, d.control.label).replace("->", "→")] if heading else []
    lines += [ln for text in body for ln in wrap_to_width(fig, text, size, max_width)]
    box = AnchoredText("\n".join(lines), loc="lower left", frameon=True, borderpad=0.3, pad=0.25,
                       prop={"fontsize": size, "color": INK, "linespacing": 1.3})
    box.patch.set(facecolor="white", edgecolor="none", alpha=0.9)
    box.set_zorder(6)
    ax.add_artist(box)
    return box


def _nb(text: str) -> str:
    """Keep a number and its interval on one line when wrapping."""
    return text.replace(" ", "\u00a0")


def _place_inside(fig: Figure, ax: Axes, art: KMArtists, boxes: list) -> list[int]:
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


# --- text and layout -------------------------------------------------------------------------

def endpoint_name(endpoint: str) -> str:
    return ENDPOINT_NAMES.get(endpoint.upper(), endpoint)


def p_phrase(p: str) -> str:
    """``p = 0.008`` or ``p < 0.001`` from a p-value as printed (a trailing remark is dropped)."""
    p = p.split(" (")[0].strip()
    if p[:1] in "<>≤≥":
        return f"p\u00a0{p[0]}\u00a0{p[1:].strip()}"
    return f"p\u00a0=\u00a0{p}"


def titles(analysis: DatasetAnalysis, override: str | None) -> tuple[str, str]:
    """Bold title (trial and endpoint) and subtitle (the comparison, interim analyses flagged)."""
    if override is not None:
        return override, ""
    d = analysis.dataset
    interim = " — interim analysis" if d.analysis.kind == "interim" else ""
    comparison = comparison_text(d.experimental.label, d.control.label).replace("->", "→")
    return f"{d.trial.acronym}: {endpoint_name(d.endpoint.name).lower()}", comparison + interim


def figure_notes(analysis: DatasetAnalysis, ci_bands: bool, risk_table: bool) -> list[str]:
    """What a reader must know to read the figure, printed under it."""
    d = analysis.dataset
    kinds = analysis.curve_kinds
    notes = []
    if KIND_APPROXIMATION in kinds:
        notes.append(f"Dashed curves: {APPROXIMATION_LABEL} (N, median, landmark survival; piecewise "
                     "exponential), not trial data and not a digitized curve. No censor marks: the censoring "
                     "is assumed.")
        if risk_table:
            notes.append("Numbers at risk: not reported in the sources (an approximation cannot estimate them).")
    if KIND_PATIENT in kinds:
        kmdata = any(s.kind == "dataset" and "kmdata" in s.citation.lower() for s in d.sources)
        origin = getattr(d.curve, "origin", "patient-level data")
        notes.append("Curves: patient-level data reconstructed from the published Kaplan–Meier figure by the "
                     "kmdata curators (MIT licence), not the trial's own data." if kmdata else f"Curves: {origin}.")
    if KIND_RECONSTRUCTED in kinds:
        notes.append("Curves: patient-level data reconstructed from the digitized published figure and numbers "
                     "at risk (Guyot et al. 2012).")
    if ci_bands:
        notes.append("Shaded: pointwise 95% CI (log–log).")
    if d.analysis.kind == "interim" and d.analysis.label:
        notes.append(f"Interim analysis: {d.analysis.label}.")
    c = analysis.comparison
    if c is not None and c.ph_flag and not analysis.is_approximation:
        notes.append(f"Hazards may not be proportional (Schoenfeld test {p_phrase(fmt_p(c.ph_test_p))}); "
                     "read the HR together with the curves.")
    return notes


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
    def compute(cls, fig: Figure, *, width: float, fonts: FontSizes, title: str, subtitle: str,
                notes: list[str], risk_labels: list[str], ylabel: str, x_max: float, time_unit: str,
                keys: dict[str, tuple[float, float]]) -> "Layout":
        lh, pad = line_height, mm(2.0)
        inner = width - 2 * pad
        title_lines = wrap_to_width(fig, title, fonts.title, inner, "bold") if title else []
        subtitle_lines = wrap_to_width(fig, subtitle, fonts.base, inner) if subtitle else []
        note_lines = [ln for note in notes for ln in wrap_to_width(fig, note, fonts.small, inner)]
        digit_w = text_width(fig, "0000", fonts.base)
        tick_space = 5 / 72
        plot_h = mm(40) if width < mm(130) else mm(80)
        ylabel_lines = wrap_to_width(fig, ylabel, fonts.base, plot_h)
        left = pad + len(ylabel_lines) * lh(fonts.base, 1.1) + 4 / 72 + text_width(fig, "0.0", fonts.base) \
            + tick_space
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
            width=width, height=height, pad=pad / width,
            plot_rect=(left / width, y_plot / height, plot_w / width, plot_h / height),
            risk_rect=(left / width, (risk_top - sum(rows)) / height, plot_w / width,
                       max(sum(rows), 1e-3) / height),
            ticks=ticks, title_lines=title_lines, subtitle_lines=subtitle_lines, ylabel_lines=ylabel_lines,
            note_lines=note_lines, notes_top=(notes_h - mm(2.5) + pad) / height,
            risk_header_top=(risk_top + header_h) / height, risk_row_centres=centres,
            risk_height=max(sum(rows), 1e-3), risk_label_gap=label_gap,
            key_top=1 - key_top / height, key_side_by_side=side_by_side,
        )

    def draw_titles(self, fig: Figure, fonts: FontSizes) -> list[Text]:
        y = 1 - self.pad * self.width / self.height
        out = []
        if self.title_lines:
            out.append(fig.text(self.pad, y, "\n".join(self.title_lines), fontsize=fonts.title,
                                fontweight="bold", va="top", ha="left", linespacing=1.2))
            y -= len(self.title_lines) * line_height(fonts.title, 1.2) / self.height
        if self.subtitle_lines:
            out.append(fig.text(self.pad, y, "\n".join(self.subtitle_lines), fontsize=fonts.base,
                                va="top", ha="left", linespacing=1.2))
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
            box.set_bbox_to_anchor((right if box.loc == 1 else left, y), transform=fig.transFigure)
