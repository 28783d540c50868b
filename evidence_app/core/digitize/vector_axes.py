"""Plot frames and axis calibration of a vector PDF page, from its lines and tick labels.

A frame is a corner where a long vertical line (the y axis) meets a long horizontal one (the x
axis), also when the two stop a little short of each other as R's base graphics draws them. Each
axis is calibrated from its tick labels, read as numbers with positions: the x labels are a row
of numbers under the frame, the y labels a column at its left. A label is placed at its tick
mark when a short tick line is drawn next to it (exact), else at the centre of its box, and a
straight line is fitted through (position, value). A y axis labelled 0–100, or with ``%`` signs,
is a percent axis and is read as survival 0–1.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from evidence_app.core.digitize.vector_paths import PageContent, Word

#: Shortest axis line, in points.
MIN_AXIS = 40.0
#: Longest tick mark, in points.
MAX_TICK = 12.0
_NUMBER = re.compile(r"^[(\[]?([-−–]?\d+(?:[.,·]\d+)?)(%?)[)\]]?$")
Segment = tuple[float, float, float]  # fixed coordinate, low end, high end
_Number = tuple[Word, float, bool]  # a word, its value, whether it has a % sign


@dataclass(frozen=True)
class Frame:
    """A plot frame in page points: left, bottom, right, top."""

    x0: float
    y0: float
    x1: float
    y1: float

    def contains(self, x: float, y: float, margin: float = 0.0) -> bool:
        return self.x0 - margin <= x <= self.x1 + margin and self.y0 - margin <= y <= self.y1 + margin

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass(frozen=True)
class AxisCalibration:
    """``value = offset + scale * position`` along one axis, and the ticks it was fitted on.

    ``ticks`` are ``(position, value)`` pairs; ``on_marks`` says whether the positions are tick
    lines (exact) or label centres; ``residual`` is the largest misfit as a fraction of the range;
    ``percent`` marks a y axis read in percent (values are already divided by 100);
    ``label_edge`` is the labels' outer edge (lowest bottom for x, leftmost left for y).
    """

    offset: float
    scale: float
    ticks: tuple[tuple[float, float], ...]
    labels: tuple[str, ...]
    on_marks: bool
    residual: float
    percent: bool = False
    label_edge: float = 0.0

    def value(self, position: float | np.ndarray) -> float | np.ndarray:
        return self.offset + self.scale * position

    def position(self, value: float) -> float:
        return (value - self.offset) / self.scale

    @property
    def values(self) -> tuple[float, ...]:
        return tuple(v for _, v in self.ticks)


def parse_number(text: str) -> tuple[float, bool] | None:
    """``"0.2"``, ``"100%"``, ``"−5"``, ``"0,2"`` to ``(value, has_percent_sign)``; None for other text."""
    match = _NUMBER.match(text.strip())
    if not match:
        return None
    number = match.group(1).replace("−", "-").replace("–", "-").replace(",", ".").replace("·", ".")
    try:
        return float(number), bool(match.group(2))
    except ValueError:
        return None


def axis_segments(content: PageContent) -> tuple[list[Segment], list[Segment]]:
    """Horizontal ``(y, x_lo, x_hi)`` and vertical ``(x, y_lo, y_hi)`` straight pieces of simple paths
    (lines, rectangles, tick marks), including those inside forms."""
    horizontal: list[Segment] = []
    vertical: list[Segment] = []
    for item in content.paths:
        if not item.stroked or item.curved or any(len(sub) > 5 for sub in item.subpaths):
            continue
        for sub in item.subpaths:
            for (xa, ya), (xb, yb) in zip(sub[:-1], sub[1:]):
                if abs(ya - yb) < 0.05 and abs(xa - xb) > 0.5:
                    horizontal.append((0.5 * (ya + yb), min(xa, xb), max(xa, xb)))
                elif abs(xa - xb) < 0.05 and abs(ya - yb) > 0.5:
                    vertical.append((0.5 * (xa + xb), min(ya, yb), max(ya, yb)))
    return horizontal, vertical


def find_frames(horizontal: list[Segment], vertical: list[Segment]) -> list[Frame]:
    """Frames from corners of a long vertical and a long horizontal line, outermost first, no duplicates."""
    frames: list[Frame] = []
    long_h = [h for h in horizontal if h[2] - h[1] >= MIN_AXIS]
    long_v = [v for v in vertical if v[2] - v[1] >= MIN_AXIS]
    for x, v_lo, v_hi in long_v:
        v_len = v_hi - v_lo
        for y, h_lo, h_hi in long_h:
            h_len = h_hi - h_lo
            if not (h_lo - 0.1 * h_len <= x <= h_lo + 0.02 * h_len + 1.0):
                continue
            if not (v_lo - 0.1 * v_len <= y <= v_lo + 0.02 * v_len + 1.0):
                continue
            frame = Frame(float(x), float(y), float(h_hi), float(v_hi))
            if frame.width >= MIN_AXIS and frame.height >= MIN_AXIS and not _duplicate(frame, frames):
                frames.append(frame)
    return frames


def panel_frames(content: PageContent) -> list[Frame]:
    """Filled axis-aligned rectangles big enough to be a plot panel (a plot drawn without axis
    lines, such as ggplot's grey panel), the page's own background excepted."""
    frames: list[Frame] = []
    for item in content.paths:
        if not item.filled or len(item.subpaths) != 1 or not 4 <= len(item.subpaths[0]) <= 5:
            continue
        points = item.subpaths[0]
        xs, ys = np.unique(np.round(points[:, 0], 2)), np.unique(np.round(points[:, 1], 2))
        if len(xs) != 2 or len(ys) != 2:
            continue
        frame = Frame(float(xs[0]), float(ys[0]), float(xs[1]), float(ys[1]))
        whole_page = frame.width >= 0.95 * content.width and frame.height >= 0.95 * content.height
        if frame.width >= MIN_AXIS and frame.height >= MIN_AXIS and not whole_page and not _duplicate(frame, frames):
            frames.append(frame)
    return frames


def merge_frames(frames: list[Frame], more: list[Frame]) -> list[Frame]:
    """``frames`` then those of ``more`` that are not already there."""
    out = list(frames)
    for frame in more:
        if not _duplicate(frame, out):
            out.append(frame)
    return out


def _duplicate(frame: Frame, frames: list[Frame]) -> bool:
    return any(
        abs(f.x0 - frame.x0) < 2 and abs(f.y0 - frame.y0) < 2 and abs(f.x1 - frame.x1) < 2 and abs(f.y1 - frame.y1) < 2
        for f in frames
    )


def _numbers(words: list[Word]) -> list[_Number]:
    out = []
    for word in words:
        parsed = parse_number(word.text)
        if parsed is not None:
            out.append((word, parsed[0], parsed[1]))
    return out


def calibrate_x(frame: Frame, words: list[Word], vertical: list[Segment]) -> AxisCalibration | None:
    """The x axis from the row of numbers nearest under the frame."""
    near = [
        n
        for n in _numbers(words)
        if frame.x0 - 15 <= n[0].cx <= frame.x1 + 15 and frame.y0 - 40 <= n[0].cy < frame.y0 and n[0].y1 <= frame.y0 + 2
    ]
    rows = _group(near, key=lambda n: n[0].cy, tolerance=2.0)
    rows = [r for r in rows if len(r) >= 2]
    if not rows:
        return None
    row = sorted(max(rows, key=lambda r: float(np.mean([n[0].cy for n in r]))), key=lambda n: n[0].cx)
    positions = [n[0].cx for n in row]
    # Ticks stand on the axis (in or out), or hang from an axis line set off below the plot (R).
    marks = [x for x, lo, hi in vertical if hi - lo <= MAX_TICK and frame.y0 - MAX_TICK <= hi and lo <= frame.y0 + 1.0]
    edge = min(n[0].y0 for n in row)
    return _fit(positions, [n[1] for n in row], [n[0].text for n in row], marks, percent=False, edge=edge)


def calibrate_y(frame: Frame, words: list[Word], horizontal: list[Segment]) -> AxisCalibration | None:
    """The y axis from the column of numbers right-aligned nearest left of the frame."""
    near = [
        n
        for n in _numbers(words)
        if frame.y0 - 10 <= n[0].cy <= frame.y1 + 10 and frame.x0 - 60 <= n[0].x1 <= frame.x0 + 1
    ]
    columns = [c for c in _group(near, key=lambda n: n[0].x1, tolerance=2.5) if len(c) >= 2]
    if not columns:
        return None

    def nearest(c: list[_Number]) -> tuple[bool, float]:
        return len(c) >= 3, float(np.mean([n[0].x1 for n in c]))

    scores = [nearest(c) for c in columns]
    column = sorted(columns[scores.index(max(scores))], key=lambda n: n[0].cy)
    values = [n[1] for n in column]
    percent = any(n[2] for n in column) or max(values) > 1.5
    if percent:
        values = [v / 100.0 for v in values]
    marks = [
        y for y, lo, hi in horizontal if hi - lo <= MAX_TICK and frame.x0 - MAX_TICK <= hi and lo <= frame.x0 + 1.0
    ]
    edge = min(n[0].x0 for n in column)
    return _fit([n[0].cy for n in column], values, [n[0].text for n in column], marks, percent=percent, edge=edge)


def _group(items: list[_Number], key: Callable[[_Number], float], tolerance: float) -> list[list[_Number]]:
    """Items whose ``key`` lies within ``tolerance`` of the group's first, in order of the key."""
    groups: list[list[_Number]] = []
    for item in sorted(items, key=key):
        if groups and key(item) - key(groups[-1][0]) <= tolerance:
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def _fit(
    positions: list[float], values: list[float], labels: list[str], marks: list[float], percent: bool, edge: float
) -> AxisCalibration | None:
    """Least-squares line through (position, value); positions snapped to tick marks where all snap."""
    if len(set(values)) < 2 or np.any(np.diff(values) <= 0):
        return None
    pos = np.asarray(positions, float)
    spacing = float(np.min(np.diff(pos))) if len(pos) > 1 else 1.0
    on_marks = False
    if marks:
        mark_arr = np.asarray(sorted(set(round(m, 3) for m in marks)))
        nearest = mark_arr[np.abs(mark_arr[None, :] - pos[:, None]).argmin(axis=1)]
        if np.all(np.abs(nearest - pos) <= min(0.3 * spacing, 6.0)) and len(set(nearest)) == len(nearest):
            pos, on_marks = nearest, True
    val = np.asarray(values, float)
    scale, offset = np.polyfit(pos, val, 1)
    if not scale > 0:
        return None
    span = float(val.max() - val.min())
    residual = float(np.max(np.abs(offset + scale * pos - val)) / span)
    return AxisCalibration(
        float(offset),
        float(scale),
        tuple((float(p), float(v)) for p, v in zip(pos, val)),
        tuple(labels),
        on_marks,
        residual,
        percent,
        float(edge),
    )
