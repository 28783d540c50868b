"""Pixel <-> data calibration of a plot, and detection of the plot frame (the axes box).

Pixel coordinates follow the array convention: ``column`` grows to the right, ``row`` grows
downwards, and integer values are pixel centres.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from evidence_app.core.digitize.colors import estimate_background
from evidence_app.core.limits import MAX_TIME, SURVIVAL_AXIS_MAX, SURVIVAL_AXIS_MIN
from evidence_app.errors import InputError

#: Pixels darker than this (0-255 luminance) may belong to an axis line.
DARK_LUMINANCE = 110
#: A line counts as an axis candidate if at least this fraction of the longest such line.
LONG_LINE_FRACTION = 0.6


class PlotFrame(NamedTuple):
    """The axes box in pixels: centres of the y-axis (left) and x-axis (bottom) lines, and
    the top and right ends of the plotting area."""

    left: float
    top: float
    right: float
    bottom: float


@dataclass(frozen=True)
class Calibration:
    """Linear map between pixels and data units, from two reference points per axis.

    Attributes
    ----------
    x_px, x_val
        Two pixel columns and the data x values they show.
    y_px, y_val
        Two pixel rows and the data y values they show.
    """

    x_px: tuple[float, float]
    x_val: tuple[float, float]
    y_px: tuple[float, float]
    y_val: tuple[float, float]

    def __post_init__(self) -> None:
        for name, px, val in (("x", self.x_px, self.x_val), ("y", self.y_px, self.y_val)):
            if not all(np.isfinite(v) for v in (*px, *val)):
                raise InputError(f"The {name}-axis calibration points must be finite numbers.")
            if abs(px[1] - px[0]) < 1e-9:
                raise InputError(f"The two {name}-axis reference points are at the same pixel.")
            if val[1] == val[0]:
                raise InputError(f"The two {name}-axis reference values must differ (both {val[0]}).")
        for name, val, low, high, what in (
            ("x", self.x_val, -MAX_TIME, MAX_TIME, "times"),
            ("y", self.y_val, SURVIVAL_AXIS_MIN, SURVIVAL_AXIS_MAX, "survival, 0–1 or 0–100 %"),
        ):
            if not all(low <= v <= high for v in val):
                raise InputError(
                    f"The {name}-axis values {val[0]:g} and {val[1]:g} are outside {low:g} to {high:g} ({what})."
                )

    @classmethod
    def from_ticks(
        cls,
        x_ticks: tuple[tuple[float, float], tuple[float, float]],
        y_ticks: tuple[tuple[float, float], tuple[float, float]],
    ) -> Calibration:
        """Build from two known ticks per axis, each ``(pixel, value)``.

        Parameters
        ----------
        x_ticks
            ``((col1, x1), (col2, x2))``.
        y_ticks
            ``((row1, y1), (row2, y2))``.
        """
        (xp1, xv1), (xp2, xv2) = x_ticks
        (yp1, yv1), (yp2, yv2) = y_ticks
        return cls(
            (float(xp1), float(xp2)),
            (float(xv1), float(xv2)),
            (float(yp1), float(yp2)),
            (float(yv1), float(yv2)),
        )

    @property
    def x_per_px(self) -> float:
        """Data x units per pixel column (signed)."""
        return (self.x_val[1] - self.x_val[0]) / (self.x_px[1] - self.x_px[0])

    @property
    def y_per_px(self) -> float:
        """Data y units per pixel row (signed; negative for a normal upward y axis)."""
        return (self.y_val[1] - self.y_val[0]) / (self.y_px[1] - self.y_px[0])

    def x_to_data(self, col: np.ndarray | float) -> np.ndarray:
        """Pixel column(s) to data x."""
        return self.x_val[0] + (np.asarray(col, dtype=float) - self.x_px[0]) * self.x_per_px

    def y_to_data(self, row: np.ndarray | float) -> np.ndarray:
        """Pixel row(s) to data y."""
        return self.y_val[0] + (np.asarray(row, dtype=float) - self.y_px[0]) * self.y_per_px

    def x_to_px(self, x: np.ndarray | float) -> np.ndarray:
        """Data x to pixel column(s)."""
        return self.x_px[0] + (np.asarray(x, dtype=float) - self.x_val[0]) / self.x_per_px

    def y_to_px(self, y: np.ndarray | float) -> np.ndarray:
        """Data y to pixel row(s)."""
        return self.y_px[0] + (np.asarray(y, dtype=float) - self.y_val[0]) / self.y_per_px


def calibration_from_frame(
    frame: PlotFrame | tuple[float, float, float, float],
    x_range: tuple[float, float],
    y_range: tuple[float, float],
) -> Calibration:
    """Calibrate assuming the frame spans exactly the axis limits.

    Parameters
    ----------
    frame
        ``(left, top, right, bottom)`` in pixels, e.g. from :func:`detect_plot_frame`.
    x_range
        Data x at the left and right frame edges (the x-axis limits, not the outer ticks,
        unless the axis starts and ends at a tick as most published KM plots do).
    y_range
        Data y at the bottom and top frame edges.
    """
    left, top, right, bottom = (float(v) for v in frame)
    if not (right > left and bottom > top):
        raise InputError(f"The plot frame {tuple(frame)} is empty or inverted.")
    return Calibration(
        (left, right), (float(x_range[0]), float(x_range[1])), (bottom, top), (float(y_range[0]), float(y_range[1]))
    )


def detect_plot_frame(image: np.ndarray) -> PlotFrame:
    """Find the axes box from its long dark lines.

    The y axis is the leftmost long dark vertical line and the x axis the lowest long dark
    horizontal line level with the y axis; "long" means at least
    :data:`LONG_LINE_FRACTION` of the longest line of that direction. The top is the top end
    of the y-axis line (or a top spine, if drawn) and the right the right end of the x-axis
    line (or a right spine). Thick lines are located at their centre.

    Parameters
    ----------
    image
        ``(h, w, 3)`` RGB ``uint8`` pixels.

    Returns
    -------
    PlotFrame
        ``(left, top, right, bottom)`` in pixel coordinates.

    Raises
    ------
    InputError
        If no plausible pair of axis lines is found (e.g. a plot without axis lines, such as
        a grey ggplot2 panel); the caller can then give the frame or calibration by hand.
    """
    grey = image[..., :3].astype(np.int16).mean(axis=2)
    dark = grey < DARK_LUMINANCE
    height, width = dark.shape
    v_len, v_start, v_end = _longest_runs(dark.T)
    h_len, h_start, h_end = _longest_runs(dark)
    if v_len.max(initial=0) < 0.2 * height or h_len.max(initial=0) < 0.2 * width:
        raise InputError(
            "Could not find the plot axes (no long dark axis lines); give the frame or the axis calibration by hand."
        )

    v_bands = _bands(v_len >= LONG_LINE_FRACTION * v_len.max())
    y_axis = v_bands[0]
    y_cols = np.arange(y_axis[0], y_axis[1] + 1)
    left = float(y_cols.mean())
    top = float(v_start[y_cols].min())
    bottom_end = float(v_end[y_cols].max())
    slack = 0.06 * (bottom_end - top) + 3

    h_long = (h_len >= LONG_LINE_FRACTION * h_len.max()) & (h_end > left + 0.3 * (width - left))
    rows = np.arange(height)
    h_long &= (rows >= top - slack) & (rows <= bottom_end + slack)
    h_bands = _bands(h_long)
    if not h_bands:
        raise InputError(
            "Found a y axis but no x axis line level with it; give the frame or the axis calibration by hand."
        )
    x_axis = h_bands[-1]
    x_rows = np.arange(x_axis[0], x_axis[1] + 1)
    bottom = float(x_rows.mean())
    right = float(h_end[x_rows].max())

    # A boxed frame also has a top and a right spine: prefer their centres to line ends.
    top_candidates = [b for b in h_bands[:-1] if abs(b[0] - top) <= 3]
    if top_candidates:
        top = float(np.mean(top_candidates[0]))
    right_candidates = [b for b in v_bands[1:] if abs(b[1] - right) <= 3]
    if right_candidates:
        right = float(np.mean(right_candidates[-1]))
    if right - left < 10 or bottom - top < 10:
        raise InputError(
            "The detected plot frame is implausibly small; give the frame or the axis calibration by hand."
        )
    return PlotFrame(left, top, right, bottom)


def interior(image: np.ndarray, frame: Sequence[float], margin: int = 0) -> tuple[np.ndarray, tuple[int, int]]:
    """The pixels strictly inside ``frame``, without the frame lines themselves.

    ``margin`` pixels beyond each line centre are dropped, and more while the next pixel
    line inwards is still almost all ink (a thick or blurred axis line).

    Returns the view and the ``(row, col)`` of its top-left pixel in ``image``.
    """
    left, top, right, bottom = frame
    r0, r1 = max(int(np.floor(top)) + margin + 1, 0), min(int(np.ceil(bottom)) - margin, image.shape[0])
    c0, c1 = max(int(np.floor(left)) + margin + 1, 0), min(int(np.ceil(right)) - margin, image.shape[1])
    if r1 - r0 < 3 or c1 - c0 < 3:
        raise InputError(f"The plot frame {tuple(frame)} leaves no room for a curve.")
    background = estimate_background(image[r0:r1, c0:c1])
    ink = np.abs(image[..., :3].astype(np.int16) - background.astype(np.int16)).max(axis=2) > 40
    for _ in range(6):  # peel off the rest of thick or blurred axis lines
        if r1 - r0 < 4 or c1 - c0 < 4:
            break
        r0 += int(ink[r0, c0:c1].mean() > 0.85)
        r1 -= int(ink[r1 - 1, c0:c1].mean() > 0.85)
        c0 += int(ink[r0:r1, c0].mean() > 0.85)
        c1 -= int(ink[r0:r1, c1 - 1].mean() > 0.85)
    return image[r0:r1, c0:c1, :3], (r0, c0)


def _longest_runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row of ``mask``: length, first and last index of its longest run of True.

    Gaps of a single pixel are bridged (JPEG noise, a grid line crossing an axis).
    """
    rows, cols = mask.shape
    bridged = mask.copy()
    if cols > 2:
        bridged[:, 1:-1] |= mask[:, :-2] & mask[:, 2:]
    padded = np.zeros((rows, cols + 2), dtype=np.int8)
    padded[:, 1:-1] = bridged
    edges = np.diff(padded, axis=1)
    start_r, start_c = np.nonzero(edges == 1)
    _, end_c = np.nonzero(edges == -1)  # row-major order pairs starts with ends
    lengths = end_c - start_c
    best_len = np.zeros(rows, dtype=np.int64)
    best_start = np.zeros(rows, dtype=np.int64)
    if lengths.size:
        order = np.lexsort((lengths, start_r))  # per row, longest run last
        last = np.r_[start_r[order][1:] != start_r[order][:-1], True]
        keep = order[last]
        best_len[start_r[keep]] = lengths[keep]
        best_start[start_r[keep]] = start_c[keep]
    return best_len, best_start, best_start + np.maximum(best_len - 1, 0)


def _bands(flags: np.ndarray) -> list[tuple[int, int]]:
    """Runs of consecutive True indices as ``(first, last)`` pairs, in order."""
    idx = np.flatnonzero(flags)
    if idx.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(idx) > 1)
    firsts = np.r_[idx[0], idx[breaks + 1]]
    lasts = np.r_[idx[breaks], idx[-1]]
    return list(zip(firsts.tolist(), lasts.tolist()))
