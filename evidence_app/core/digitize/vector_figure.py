"""Kaplan–Meier figures read from the vector objects of a PDF page, with no clicks.

For each plot frame on the page (:mod:`~evidence_app.core.digitize.vector_axes`), the axes are
calibrated from their tick labels, the step curves and censor marks are found
(:mod:`~evidence_app.core.digitize.vector_curves`), the numbers at risk and the legend are read and
the arms matched (:mod:`~evidence_app.core.digitize.vector_table`). The result is one
:class:`VectorFigure` per plot, in page order (top to bottom, left to right), with notes saying
what could not be read. A page with no plot, a raster-only (scanned) page or a plot without step
curves gives no figure and a note that says so; a broken file raises
:class:`~evidence_app.errors.InputError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from evidence_app.core.digitize.vector_axes import (
    AxisCalibration,
    Frame,
    Segment,
    axis_segments,
    calibrate_x,
    calibrate_y,
    find_frames,
    merge_frames,
    panel_frames,
)
from evidence_app.core.digitize.vector_curves import RawCurve, attach_marks, find_curves, mark_candidates
from evidence_app.core.digitize.vector_paths import PageContent, Word, read_page_content
from evidence_app.core.digitize.vector_table import (
    AtRiskTable,
    LegendEntry,
    coloured_labels,
    match_arms,
    read_at_risk,
    read_legend,
)
from evidence_app.core.progress import CancelCheck, ProgressCallback, check_cancelled, report

#: Share of the page covered by images above which a page without vector plots counts as scanned.
RASTER_SHARE = 0.3
NO_VECTOR = "The page has no vector curves (it looks like a scanned image); use the pixel digitizer instead."


@dataclass(frozen=True, eq=False)
class VectorCurve:
    """One arm: its step function in axis units (survival 0–1), censor times and matching."""

    label: str
    colour: str
    dash: tuple[float, ...]
    time: np.ndarray
    survival: np.ndarray
    censor_times: np.ndarray
    at_risk_row: int | None
    matched_by: str


@dataclass(frozen=True, eq=False)
class VectorFigure:
    """A KM plot read from a page: frame (points), calibrations, curves, at-risk table, legend, notes."""

    page: int
    index: int
    frame: Frame
    x_axis: AxisCalibration
    y_axis: AxisCalibration
    curves: tuple[VectorCurve, ...]
    at_risk: AtRiskTable | None
    legend: tuple[LegendEntry, ...]
    notes: tuple[str, ...]
    x_title: str = ""
    page_size: tuple[float, float] = (0.0, 0.0)  # width, height in points: to place the figure on the rendered page

    @property
    def time_unit(self) -> str | None:
        """days, weeks, months or years when the x axis title names one."""
        title = self.x_title.lower()
        found = [unit for unit in ("day", "week", "month", "year") if unit in title]
        return found[0] + "s" if len(found) == 1 else None

    def at_risk_of(self, curve: VectorCurve) -> tuple[tuple[float, ...], tuple[int, ...]] | None:
        """``(times, counts)`` of the curve's at-risk row, if it has one."""
        if self.at_risk is None or curve.at_risk_row is None:
            return None
        return self.at_risk.times, self.at_risk.rows[curve.at_risk_row].counts


@dataclass(frozen=True)
class VectorPage:
    """The figures found on one page and notes about the page."""

    page: int
    figures: tuple[VectorFigure, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)


def read_vector_figures(
    path: str | Path, page: int | None = None, *, progress: ProgressCallback = None, cancelled: CancelCheck = None
) -> list[VectorPage]:
    """The KM figures of page ``page`` (1-based) of a PDF, or of every page when None.

    Raises
    ------
    InputError
        For a missing, damaged or password-protected file, or a page that does not exist.
    """
    report(progress, 0.0, "Reading the page's drawing")
    contents = read_page_content(path, page)
    pages = []
    for k, content in enumerate(contents):
        check_cancelled(cancelled)
        report(progress, 0.5 + 0.5 * k / len(contents), f"Looking for Kaplan–Meier figures on page {content.number}")
        pages.append(read_page(content))
    report(progress, 1.0, "Done")
    return pages


def read_page(content: PageContent) -> VectorPage:
    """The figures of one page's content (see :func:`read_vector_figures`)."""
    horizontal, vertical = axis_segments(content)
    corners = find_frames(horizontal, vertical)
    frames = merge_frames(corners, panel_frames(content))
    candidates = [(frame, find_curves(content, frame, tuple(frames))) for frame in frames]
    candidates = [(f, c) for f, c in candidates if c]
    rising = not candidates  # no survival curve: perhaps cumulative incidence curves (1 - S)
    if rising:
        candidates = [(frame, find_curves(content, frame, tuple(frames), rising=True)) for frame in frames]
        candidates = [(f, c) for f, c in candidates if c]
    # Axis lines set off from the plot region (R) make a frame a little larger than the panel: one plot.
    candidates = [(f, c) for f, c in candidates if not any(_same_plot(g, f) for g, _ in candidates if g is not f)]
    # A filled background around other plots (a figure's page placed on an article page) is not a
    # plot; a plot with axes inside another (an inset) is a figure of its own, with its own curves.
    candidates = [
        (f, c) for f, c in candidates if f in corners or not any(_nested(g, f) for g, _ in candidates if g is not f)
    ]
    insets = [f for f, _ in candidates if any(_nested(f, g) for g, _ in candidates if g is not f)]
    candidates = [
        (f, [c for c in cs if not any(_nested_curve(c, g) for g in insets if g is not f)]) for f, cs in candidates
    ]
    candidates = [(f, c) for f, c in candidates if c]
    if not candidates:
        return VectorPage(content.number, (), (_why_nothing(content, frames),))
    candidates.sort(key=lambda fc: (-round(fc[0].y1 / 20.0), fc[0].x0))
    owners = _assign_words(content.words, [f for f, _ in candidates], insets)
    figures, notes = [], []
    for index, (frame, curves) in enumerate(candidates, 1):
        words = [w for w, owner in zip(content.words, owners) if owner == index - 1]
        try:
            figure = _figure(content, frame, curves, words, (horizontal, vertical), index, rising)
        except (ValueError, IndexError, ZeroDivisionError, FloatingPointError, np.linalg.LinAlgError) as exc:
            # A drawing this reader does not understand: say so for this plot, read the others.
            figure = f"it could not be read ({type(exc).__name__}: {exc}); calibrate and extract it by hand."
        if isinstance(figure, str):
            notes.append(f"Plot {index}: {figure}")
        else:
            figures.append(figure)
    return VectorPage(content.number, tuple(figures), tuple(notes))


def _why_nothing(content: PageContent, frames: list[Frame]) -> str:
    if content.image_area >= RASTER_SHARE and not frames:
        return NO_VECTOR
    if frames:
        image = ", or its curves are an embedded image (use the pixel digitizer)" if content.image_area > 0.02 else ""
        return (
            "The page has a plot, but no Kaplan–Meier curves in it (no step-shaped lines): "
            f"it may be a bar chart, a line chart or another kind of figure{image}."
        )
    if not content.paths and not content.words:
        return "The page is empty: it has no drawing and no text."
    return "The page has no plot (no pair of axis lines meeting at a corner)."


def _nested(inner: Frame, outer: Frame) -> bool:
    return (
        outer.x0 - 1 <= inner.x0 and inner.x1 <= outer.x1 + 1 and outer.y0 - 1 <= inner.y0 and inner.y1 <= outer.y1 + 1
    )


def _same_plot(inner: Frame, outer: Frame) -> bool:
    """``inner`` inside ``outer`` with margins under 8% of its size: the panel within set-off axis lines."""
    if inner == outer or not _nested(inner, outer):
        return False
    margins = (inner.x0 - outer.x0, outer.x1 - inner.x1, inner.y0 - outer.y0, outer.y1 - inner.y1)
    return max(margins[:2]) <= 0.08 * outer.width and max(margins[2:]) <= 0.08 * outer.height


def _nested_curve(curve: RawCurve, frame: Frame) -> bool:
    x, y = curve.points[:, 0], curve.points[:, 1]
    return bool(np.mean((x >= frame.x0 - 1) & (x <= frame.x1 + 1) & (y >= frame.y0 - 1) & (y <= frame.y1 + 1)) > 0.8)


def _assign_words(words: tuple[Word, ...], frames: list[Frame], insets: list[Frame]) -> list[int]:
    """Each word to the frame it is nearest to (text left of an axis belongs to that axis; text
    just outside an inset belongs to the inset, not to the plot around it); -1: none."""
    owners = []
    for word in words:
        best, best_d = -1, np.inf
        for i, f in enumerate(frames):
            dx_left = max(f.x0 - word.x1, 0.0)
            dx_right = max(word.x0 - f.x1, 0.0)
            dy = max(f.y0 - word.cy, 0.0, word.cy - f.y1)
            if dx_left > 0.8 * f.width or dx_right > 0.4 * f.width or dy > 0.9 * f.height:
                continue
            d = dx_left + 2.0 * dx_right + 0.5 * dy
            if f in insets and d < 30.0:
                d -= 30.0
            if d < best_d:
                best, best_d = i, d
        owners.append(best)
    return owners


def _figure(
    content: PageContent,
    frame: Frame,
    raw_curves: list[RawCurve],
    words: list[Word],
    segments: tuple[list[Segment], list[Segment]],
    index: int,
    rising: bool = False,
) -> VectorFigure | str:
    horizontal, vertical = segments
    x_axis = calibrate_x(frame, words, vertical)
    y_axis = calibrate_y(frame, words, horizontal)
    if x_axis is None or y_axis is None:
        which = "x" if x_axis is None else "y"
        return f"the {which} axis has no readable tick labels (fewer than two numbers along it); calibrate by hand."
    notes = []
    for name, axis in (("x", x_axis), ("y", y_axis)):
        if axis.residual > 0.002:
            notes.append(f"The {name} tick labels are not evenly spaced (misfit {axis.residual:.2%} of the range).")
        if not axis.on_marks:
            notes.append(f"The {name} axis is calibrated on label centres (no tick marks found): less exact.")
    if any(c.sloped for c in raw_curves):
        notes.append("Some curves have sloped pieces (not a pure step function); they are read as drawn.")
    attach_marks(raw_curves, mark_candidates(content, frame))
    table = read_at_risk(words, frame, x_axis, x_axis.label_edge - 0.5)
    if table is None:  # SAS prints the table inside the plot, above the x axis
        table = read_at_risk(words, frame, x_axis, frame.y0 + 0.3 * frame.height, above=frame.y0)
    samples = _line_samples(content)
    legend = read_legend(_only(content, words), frame, samples, set())
    if len(legend) < len(raw_curves):  # arm names in the curves' colours, with no line sample
        unique = {c.colour for c in raw_curves if [d.colour for d in raw_curves].count(c.colour) == 1}
        rows_y = [r.y for r in table.rows] if table is not None else []
        named = {e.colour for e in legend}
        legend += [e for e in coloured_labels(words, frame, unique, rows_y) if e.colour not in named]
    if rising:
        notes.append("The curves rise (cumulative incidence): read as survival = 1 - the plotted value.")
    sign, base = (-1.0, 1.0) if rising else (1.0, 0.0)
    steps = [
        (np.asarray(x_axis.value(c.points[:, 0])), base + sign * np.asarray(y_axis.value(c.points[:, 1])))
        for c in raw_curves
    ]
    labels, rows, how = match_arms(raw_curves, legend, table, steps)
    curves = []
    for curve, label, row, matched in zip(raw_curves, labels, rows, how):
        time = _round(np.asarray(x_axis.value(curve.points[:, 0]), float), x_axis)
        survival = base + sign * _round(np.asarray(y_axis.value(curve.points[:, 1]), float), y_axis)
        if survival.max() > 1.002 or survival.min() < -0.002:
            notes.append(
                f"Curve {curve.colour} reaches past 0-1 ({survival.min():.3g} to {survival.max():.3g}); clipped."
            )
        survival = np.clip(survival, 0.0, 1.0)  # rounding of the page's coordinates: within 1e-6
        repeated = np.r_[False, (np.diff(time) == 0) & (np.diff(survival) == 0)]  # a point drawn twice
        time, survival = time[~repeated], survival[~repeated]
        marks = _round(np.asarray([x_axis.value(x) for x, _ in curve.marks], float), x_axis)
        curves.append(VectorCurve(label, curve.colour, curve.dash, time, survival, marks, row, matched))
    if table is None:
        notes.append("No numbers-at-risk table found under the plot.")
    elif len(table.rows) != len(curves):
        notes.append(f"{len(curves)} curves but {len(table.rows)} at-risk rows.")
    if any(c.matched_by == "order" for c in curves):
        notes.append("Some arms were matched to at-risk rows by order only (no label or colour agreed); check them.")
    top_row = max((r.y for r in table.rows), default=-np.inf) if table is not None else -np.inf
    title = [w for w in words if top_row < w.cy < x_axis.label_edge and frame.x0 <= w.cx <= frame.x1]
    first_line = [w for w in title if w.cy >= max(t.cy for t in title) - 0.5 * w.height] if title else []
    x_title = " ".join(w.text for w in sorted(first_line, key=lambda w: w.x0))
    return VectorFigure(
        content.number,
        index,
        frame,
        x_axis,
        y_axis,
        tuple(curves),
        table,
        tuple(legend),
        tuple(notes),
        x_title,
        (content.width, content.height),
    )


def _round(values: np.ndarray, axis: AxisCalibration) -> np.ndarray:
    """Values rounded to the decimal just finer than 1e-5 of the axis range: the page's own coordinates
    carry about 1e-6, so nothing is lost, and a patient censored at the 42-month tick reads 42, not 41.99996."""
    span = max(axis.values) - min(axis.values)
    decimals = int(-np.floor(np.log10(span * 1e-5)))
    return np.round(values, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0


def _line_samples(content: PageContent) -> list[tuple[Segment, str, tuple[float, ...]]]:
    """Single horizontal strokes (candidate legend samples) with their style."""
    out = []
    for item in content.paths:
        if item.stroked and not item.in_form and len(item.subpaths) == 1 and 2 <= len(item.subpaths[0]) <= 6:
            x, y = item.subpaths[0][:, 0], item.subpaths[0][:, 1]
            if float(np.ptp(y)) < 0.05:
                out.append(((float(y.mean()), float(x.min()), float(x.max())), item.colour, item.dash))
    return out


def _only(content: PageContent, words: list[Word]) -> PageContent:
    return PageContent(content.number, content.width, content.height, content.paths, tuple(words), content.image_area)
