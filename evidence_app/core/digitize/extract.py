"""Extract Kaplan-Meier curves, by colour, from a figure: the digitizer's entry point.

:func:`digitize_figure` runs the whole pipeline on a loaded figure: find the plot frame
(:mod:`~evidence_app.core.digitize.calibrate`), calibrate it from the axis ranges, find or
take the curve colours (:mod:`~evidence_app.core.digitize.colors`), classify each pixel as ink
of one curve (anti-aliasing aware; other curves' ink may hide a curve), trace each curve as a
monotone step function with sub-pixel geometry (:mod:`~evidence_app.core.digitize.trace`),
and start every curve at (0, 1). :func:`~evidence_app.core.digitize.workflow.write_curves`
saves the result as CSV files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from evidence_app.core.digitize.calibrate import (
    Calibration,
    PlotFrame,
    calibration_from_frame,
    detect_plot_frame,
    interior,
)
from evidence_app.core.digitize.colors import (
    detect_curve_colors,
    estimate_background,
    format_color,
    ink_layers,
    parse_color,
    remove_grid_lines,
)
from evidence_app.core.digitize.image import FigureImage, downsample
from evidence_app.core.digitize.trace import compact_steps, line_width, step_geometry, step_vertices, trace_path
from evidence_app.core.progress import CancelCheck, ProgressCallback, check_cancelled, report
from evidence_app.errors import InputError

__all__ = [
    "ALGORITHM_VERSION",
    "DEFAULT_TOLERANCE",
    "DigitizeResult",
    "ExtractedCurve",
    "detect_curve_colors",
    "digitize_figure",
    "extract_curve",
]

#: Changes whenever the extraction could give different numbers for the same image.
ALGORITHM_VERSION = "km-digitize 1.0"
#: Default tolerance: RGB distance of a pixel from the background-to-colour blend line.
DEFAULT_TOLERANCE = 60.0
#: Larger images are reduced by an integer factor to at most about this many pixels a side.
MAX_WORKING_SIZE = 2500


@dataclass(frozen=True, eq=False)
class ExtractedCurve:
    """One digitised step curve in data units.

    Attributes
    ----------
    color
        The curve colour as ``#rrggbb``.
    time, survival
        Step-function vertices: the start, both ends of every drop, and the end; time is
        non-decreasing and survival non-increasing.
    line_width_px
        Estimated line thickness in pixels.
    visible_fraction
        Share of the traced columns where the curve's own colour was seen (the rest was
        hidden under another curve, a dash gap or a legend, and inferred).
    warnings
        Things a user should check.
    """

    color: str
    time: np.ndarray
    survival: np.ndarray
    line_width_px: float
    visible_fraction: float
    warnings: tuple[str, ...] = field(default=())

    def to_frame(self) -> pd.DataFrame:
        """The vertices as a ``time, survival`` table (the input of ``reconstruct_ipd``)."""
        return pd.DataFrame({"time": self.time, "survival": self.survival})

    def survival_at(self, times: np.ndarray | float) -> np.ndarray:
        """Evaluate the right-continuous step function at ``times``."""
        idx = np.searchsorted(self.time, np.asarray(times, dtype=float), side="right") - 1
        return self.survival[np.clip(idx, 0, None)]


def extract_curve(
    image: np.ndarray,
    calibration: Calibration,
    color: str,
    tolerance: float = DEFAULT_TOLERANCE,
    *,
    frame: PlotFrame | None = None,
    other_colors: Sequence[str] = (),
    full_survival: float = 1.0,
) -> ExtractedCurve:
    """Trace the curve drawn in ``color``.

    Parameters
    ----------
    image
        ``(h, w, 3)`` RGB pixels.
    calibration
        Pixel to data map.
    color
        Curve colour, ``#rrggbb``.
    tolerance
        Largest RGB distance of a pixel from the background-to-colour blend line.
    frame
        The plot frame; detected if not given. Only pixels inside it are used.
    other_colors
        Colours of the other curves: they compete for pixels and may hide this curve.
    full_survival
        Survival at the start (1, or 100 for a percent axis); see :func:`digitize`.

    Returns
    -------
    ExtractedCurve

    Raises
    ------
    InputError
        If the colour is not found inside the frame.
    """
    frame = PlotFrame(*frame) if frame is not None else detect_plot_frame(image)
    layers = _Layers.build(image, frame, [color, *other_colors], tolerance)
    return _extract(layers, 0, calibration, frame, full_survival)


@dataclass(frozen=True, eq=False)
class _Layers:
    """Ink of every palette colour inside the frame."""

    palette: list[np.ndarray]
    ink: np.ndarray
    alpha: np.ndarray
    origin: tuple[int, int]

    @classmethod
    def build(cls, image: np.ndarray, frame: PlotFrame, colors: Sequence[str], tolerance: float) -> _Layers:
        region, origin = interior(image, frame)
        palette = [parse_color(c) for c in colors]
        background = estimate_background(region)
        ink, alpha = ink_layers(remove_grid_lines(region, background), palette, background, tolerance)
        return cls(palette, ink, alpha, origin)


def _extract(layers: _Layers, k: int, cal: Calibration, frame: PlotFrame, full: float) -> ExtractedCurve:
    name = format_color(layers.palette[k])
    own = layers.ink[k]
    # any(axis=0) of the (colours, rows, cols) stack is a 2-D mask; asarray says so to the type checker.
    others = np.asarray(np.delete(layers.ink, k, axis=0).any(axis=0)) if len(layers.palette) > 1 else np.zeros_like(own)
    if own.sum() < max(10, 0.05 * own.shape[1]):
        raise InputError(f"No curve in colour {name} was found inside the plot frame.", location="colors")
    row0, col0 = layers.origin
    rows = trace_path(own, others, _start_pixel(own.shape, cal, full, row0, col0))
    cols = np.flatnonzero(rows >= 0)
    if cols.size < 2:
        raise InputError(f"The curve in colour {name} is too short to trace.", location="colors")
    rows = rows[cols[0] : cols[-1] + 1]
    width = line_width(own, cols[0], rows)
    soft = np.where(own | ~others, layers.alpha[k], 0.0)
    (first, last), levels, drops = step_geometry(own, others, soft, cols[0], rows, width)
    path_cols = np.arange(first, last + 1)
    near = [own[np.clip(rows + d, 0, own.shape[0] - 1), path_cols] for d in (-1, 0, 1)]
    visible = float(np.mean(np.logical_or.reduce(near)))

    y = cal.y_to_data(np.asarray(levels) + row0)
    if levels[-1] >= own.shape[0] - 1.5:
        # The curve ends in a drop onto the x axis (the last patient's event): it hides
        # under the axis line, at the axis' lowest value.
        y[-1] = float(cal.y_to_data(frame.bottom))
    x_start, x_end = cal.x_to_data(np.array([first, last]) + col0)
    time, surv = step_vertices(float(x_start), float(x_end), cal.x_to_data(np.asarray(drops) + col0), y)
    time, surv, note = _start_at_full(time, surv, cal, frame, row0 + levels[0], full, row0)
    notes = [note] if note else []
    if visible < 0.6:
        notes.append(
            f"Only {visible:.0%} of curve {name} is visible in its colour; the rest was "
            "inferred under other curves or gaps. Check it against the figure."
        )
    return ExtractedCurve(name, time, surv, width, visible, tuple(notes))


def _start_pixel(shape: tuple[int, ...], cal: Calibration, full: float, row0: int, col0: int) -> tuple[int, int] | None:
    """Pixel (in the frame interior) of time 0 at survival ``full``, if the axes show it;
    a point hidden just under the frame line is moved onto the first interior pixel."""
    row = float(cal.y_to_px(full)) - row0
    col = float(cal.x_to_px(0.0)) - col0
    if not (-4 <= row < shape[0] and -4 <= col < shape[1]):
        return None
    return int(np.clip(round(row), 0, shape[0] - 1)), int(np.clip(round(col), 0, shape[1] - 1))


def _start_at_full(
    time: np.ndarray,
    surv: np.ndarray,
    cal: Calibration,
    frame: PlotFrame,
    first_row: float,
    full: float,
    first_visible_row: int,
) -> tuple[np.ndarray, np.ndarray, str | None]:
    """Start the curve at survival ``full`` at time 0, as every Kaplan-Meier curve does.

    A first level within 1.5 pixels of ``full`` (or of the first row below the frame line, when
    ``full`` is at the frame's top) is snapped to it; a first level a little lower
    (its start hidden under the top frame line or another curve) gets a hidden first step
    at ``full`` prepended; a curve starting far lower is left alone, with a warning.
    """
    full_row = float(cal.y_to_px(full))
    gap = first_row - full_row
    note = None
    if gap <= max(1.5, first_visible_row - full_row + 1.0):
        surv[surv == surv[0]] = full
    elif gap <= 0.1 * (frame.bottom - frame.top):
        time, surv = np.r_[time[0], time[0], time], np.r_[full, full, surv]
    else:
        note = f"The curve starts at survival {surv[0]:.3g}, not {full:g}; is part of it hidden?"
    if surv[0] == full and cal.x_to_data(frame.left) <= 2 * abs(cal.x_per_px) and time[0] >= 0:
        time[0] = 0.0
    time, surv = compact_steps(time, surv)
    return time, surv, note


@dataclass(frozen=True, eq=False)
class DigitizeResult:
    """Everything :func:`digitize` found, with what is needed to reproduce it.

    Attributes
    ----------
    curves
        One :class:`ExtractedCurve` per colour, survival as a proportion (0-1).
    calibration, frame
        The pixel-to-data map and the plot frame used, in pixels of the image file.
    settings
        The inputs (axis ranges, colours, tolerance, whether colours were detected).
    image_sha256
        SHA-256 of the image file.
    warnings
        Things to check, for the whole figure and per curve.
    algorithm_version
        :data:`ALGORITHM_VERSION`.
    """

    curves: tuple[ExtractedCurve, ...]
    calibration: Calibration
    frame: PlotFrame
    settings: dict[str, Any]
    image_sha256: str
    warnings: tuple[str, ...]
    algorithm_version: str = ALGORITHM_VERSION


def digitize_figure(
    figure: FigureImage,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    colors: Sequence[str] | None = None,
    *,
    frame: tuple[float, float, float, float] | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    progress: ProgressCallback = None,
    cancelled: CancelCheck = None,
) -> DigitizeResult:
    """Digitise the Kaplan–Meier curves of a loaded figure (:func:`~evidence_app.core.digitize.load.load_figure`).

    Parameters
    ----------
    figure
        The figure's pixels (an image, or a rendered PDF page).
    x_range
        Time at the left and right edges of the plot frame (the x-axis limits).
    y_range
        Survival at the bottom and top edges of the frame. A top above 1.5 is read as a
        percent axis: survival is returned as a proportion (with a warning saying so).
    colors
        Curve colours ``#rrggbb``; detected with :func:`detect_curve_colors` if None.
    frame
        ``(left, top, right, bottom)`` pixels of the axes box; detected if None.
    tolerance
        Colour tolerance, see :func:`extract_curve`.
    progress, cancelled
        The usual progress and cancellation callbacks.

    Returns
    -------
    DigitizeResult

    Raises
    ------
    InputError
        For bad ranges or colours, no frame or no curves found.
    """
    x0, x1 = _check_range(x_range, "x-range")
    y0, y1 = _check_range(y_range, "y-range")
    if not tolerance > 0:
        raise InputError(f"The colour tolerance must be positive, not {tolerance}.", location="tolerance")
    check_cancelled(cancelled)
    report(progress, 0.1, "Finding the plot frame")
    notes: list[str] = []
    # Beyond ~2500 pixels a KM figure holds no more information, only more work and memory.
    factor = max(1, int(np.ceil(max(figure.width, figure.height) / MAX_WORKING_SIZE)))
    pixels = downsample(figure.pixels, factor)
    if factor > 1:
        notes.append(f"The {figure.width} x {figure.height} image was reduced {factor}-fold for digitising.")
    if frame is not None:
        box = PlotFrame(*((float(v) + 0.5) / factor - 0.5 for v in frame))
    else:
        box = detect_plot_frame(pixels)
    calibration = calibration_from_frame(box, (x0, x1), (y0, y1))
    percent = max(abs(y0), abs(y1)) > 1.5
    if percent:
        notes.append(f"The y axis runs to {max(y0, y1):g}: read as percent; survival is given as a proportion.")
    check_cancelled(cancelled)
    report(progress, 0.2, "Finding the curve colours")
    palette = [format_color(parse_color(c)) for c in colors] if colors else detect_curve_colors(pixels, box)
    if not palette:
        raise InputError(
            "No curve colours were found inside the plot frame; give them with --colors.", file=figure.source
        )
    if len(set(palette)) != len(palette):
        raise InputError(f"The colours {', '.join(palette)} repeat a colour.", location="colors")
    layers = _Layers.build(pixels, box, palette, tolerance)
    curves = []
    for k, color in enumerate(palette):
        check_cancelled(cancelled)
        report(progress, 0.3 + 0.7 * k / len(palette), f"Tracing curve {color}")
        curve = _extract(layers, k, calibration, box, 100.0 if percent else 1.0)
        if percent:
            curve = replace(curve, survival=curve.survival / 100.0)
        curves.append(curve)
        notes.extend(curve.warnings)
    report(progress, 1.0, "Done")
    settings = {
        "x_range": [x0, x1],
        "y_range": [y0, y1],
        "colors": palette,
        "colors_detected": not colors,
        "frame_detected": frame is None,
        "tolerance": tolerance,
        "percent_axis": percent,
        "downsampled": factor,
    }
    # Report the frame and calibration in the coordinates of the image as given.
    original = PlotFrame(*((v + 0.5) * factor - 0.5 for v in box))
    return DigitizeResult(
        tuple(curves),
        calibration_from_frame(original, (x0, x1), (y0, y1)),
        original,
        settings,
        figure.sha256,
        tuple(notes),
    )


def _check_range(values: Sequence[float], name: str) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in values)
    except (TypeError, ValueError) as exc:
        raise InputError(f"The {name} must be two numbers, like 0,24.", location=name) from exc
    if not (np.isfinite(low) and np.isfinite(high)) or high <= low:
        raise InputError(
            f"The {name} must be two finite numbers, low then high (got {low:g}, {high:g}).", location=name
        )
    return low, high
