"""Kaplan–Meier curves of a vector plot: monotone staircase paths, grouped by stroke colour and dash
pattern, and the censor marks drawn on them.

A survival curve is drawn as a polyline of horizontal and vertical pieces whose x never decreases
and whose y never increases. Paths of one style (colour, dash array, width) that continue one
another are joined into one curve; a style whose pieces overlap in time holds several curves.
Censor marks are small stroked shapes (a short vertical tick, a ``+``) or ``+``/``|`` glyphs
whose centre lies on a curve; each is given to the curve of its colour nearest to it, and its
time is read at its centre.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from evidence_app.core.digitize.vector_axes import Frame
from evidence_app.core.digitize.vector_paths import PageContent, PathItem

#: Largest side of a censor mark, in points.
MAX_MARK = 12.0
#: Slack for "horizontal", "vertical" and "monotone", in points.
STEP_SLACK = 0.05


@dataclass
class RawCurve:
    """One staircase in page points, with its style and the centres of its censor marks."""

    colour: str
    dash: tuple[float, ...]
    width: float
    points: np.ndarray
    marks: list[tuple[float, float]] = field(default_factory=list)
    sloped: bool = False


def is_staircase(points: np.ndarray) -> tuple[bool, bool]:
    """``(monotone, sloped)``: x non-decreasing and y non-increasing along the points, with at least
    one drop; ``sloped`` when some piece is neither horizontal nor vertical."""
    if len(points) < 3:
        return False, False
    dx, dy = np.diff(points[:, 0]), np.diff(points[:, 1])
    monotone = bool(np.all(dx >= -STEP_SLACK) and np.all(dy <= STEP_SLACK) and np.any(dy < -STEP_SLACK))
    sloped = bool(np.any((np.abs(dx) > STEP_SLACK) & (np.abs(dy) > STEP_SLACK)))
    return monotone, sloped


def find_curves(
    content: PageContent, frame: Frame, others: tuple[Frame, ...] = (), rising: bool = False
) -> list[RawCurve]:
    """Staircases inside ``frame``, joined by style, ordered by their level at mid-time (top first).

    Pieces of a style that continue one another are joined first, so a curve drawn as one path,
    as several, or as one path per step is the same curve. A piece drawn right to left is turned
    round; pieces on the edges of this frame or of ``others`` (an inset's axes) and lines across the
    whole frame (grid lines) are not curves. ``rising`` looks for rising staircases instead (a
    cumulative incidence, 1 - S), pure steps only, so a rising line chart is not taken for one.
    """
    flip = np.array([1.0, -1.0 if rising else 1.0])  # a rising staircase is a falling one upside down
    frame_m, others_m = _flipped(frame, rising), tuple(_flipped(f, rising) for f in others)
    pieces: dict[tuple[str, tuple[float, ...], float], list[np.ndarray]] = {}
    for item in content.paths:
        if not item.stroked or item.curved or _is_marker(item):
            continue
        for sub in item.subpaths:
            piece = _monotone_piece(sub * flip, frame_m, others_m)
            if piece is not None:
                pieces.setdefault((item.colour, item.dash, round(item.width, 2)), []).append(piece)
    curves = []
    for (colour, dash, width), subs in pieces.items():
        for chain in _chains(subs):
            monotone, sloped = is_staircase(chain)
            if monotone and np.ptp(chain[:, 0]) >= 0.05 * frame.width and not (rising and sloped):
                curves.append(RawCurve(colour, dash, width, chain * flip, sloped=sloped))
    mid = frame.x0 + 0.5 * frame.width
    return sorted(curves, key=lambda c: -_level(c.points, mid))


def _flipped(frame: Frame, rising: bool) -> Frame:
    return Frame(frame.x0, -frame.y1, frame.x1, -frame.y0) if rising else frame


def _monotone_piece(sub: np.ndarray, frame: Frame, others: tuple[Frame, ...] = ()) -> np.ndarray | None:
    """``sub`` running forward in time (turned round if drawn backwards) and cut to the frame's
    time span (as the page clips it) when it can be part of a survival curve in the frame."""
    if len(sub) < 2:
        return None
    dx, dy = np.diff(sub[:, 0]), np.diff(sub[:, 1])
    if np.all(dx <= STEP_SLACK) and np.all(dy >= -STEP_SLACK) and (np.any(dx < -STEP_SLACK) or np.any(dy > STEP_SLACK)):
        sub, dx, dy = sub[::-1], -dx[::-1], -dy[::-1]
    if not (np.all(dx >= -STEP_SLACK) and np.all(dy <= STEP_SLACK)):
        return None
    clipped = _clip_to_span(sub, frame.x0 - 1.0, frame.x1 + 1.0)
    if clipped is None or not _inside(clipped, frame):
        return None
    x, y = clipped[:, 0], clipped[:, 1]
    if any(_on_edge(x, y, f) for f in (frame, *others)) or (np.ptp(x) >= 0.95 * frame.width and np.ptp(y) < 0.3):
        return None  # an edge of this plot or of another (an inset's axes), or a grid line
    return clipped


def _on_edge(x: np.ndarray, y: np.ndarray, frame: Frame) -> bool:
    """All points on one or two adjacent edges of ``frame`` (its axis lines, drawn as one path)."""
    near = [
        np.abs(y - frame.y0) < 0.3,
        np.abs(y - frame.y1) < 0.3,
        np.abs(x - frame.x0) < 0.3,
        np.abs(x - frame.x1) < 0.3,
    ]
    inside = (x >= frame.x0 - 0.3) & (x <= frame.x1 + 0.3) & (y >= frame.y0 - 0.3) & (y <= frame.y1 + 0.3)
    return bool(np.all(inside & np.logical_or.reduce(near)))


def _clip_to_span(sub: np.ndarray, lo: float, hi: float) -> np.ndarray | None:
    """The part of a forward staircase between x ``lo`` and ``hi``, its horizontal pieces cut at the ends."""
    x = sub[:, 0]
    if x[0] >= lo and x[-1] <= hi:
        return sub
    inside = np.flatnonzero((x >= lo) & (x <= hi))
    if len(inside) == 0:
        return None
    first, last = int(inside[0]), int(inside[-1])
    parts = [sub[first : last + 1]]
    if first > 0 and abs(sub[first - 1, 1] - sub[first, 1]) <= STEP_SLACK:
        parts.insert(0, np.array([[lo, sub[first, 1]]]))
    if last + 1 < len(sub) and abs(sub[last + 1, 1] - sub[last, 1]) <= STEP_SLACK:
        parts.append(np.array([[hi, sub[last, 1]]]))
    out = np.vstack(parts)
    return out if len(out) >= 2 else None


def _is_marker(item: PathItem) -> bool:
    """A small shape of several strokes (a ``+`` or ``x`` censor mark), never a piece of a curve."""
    if len(item.subpaths) < 2:
        return False
    x0, y0, x1, y1 = item.bbox
    return x1 - x0 <= MAX_MARK and y1 - y0 <= MAX_MARK


def _inside(points: np.ndarray, frame: Frame) -> bool:
    """Most of the points inside the frame (a curve may be drawn past a clipped edge)."""
    x, y = points[:, 0], points[:, 1]
    inside = (x >= frame.x0 - 1) & (x <= frame.x1 + 1) & (y >= frame.y0 - 1) & (y <= frame.y1 + 1)
    return bool(inside.mean() >= 0.8)


def _chains(subs: list[np.ndarray]) -> list[np.ndarray]:
    """Join pieces that continue one another (the next starts within 0.3 points of where one ends)."""
    chains: list[list[np.ndarray]] = []
    ends: dict[tuple[int, int], int] = {}
    for sub in sorted(subs, key=lambda s: (s[0, 0], -s[0, 1])):
        gx, gy = int(round(sub[0, 0] / 0.3)), int(round(sub[0, 1] / 0.3))
        found = next((ends.pop(k) for k in _around(gx, gy) if k in ends), None)
        if found is None:
            chains.append([sub])
            found = len(chains) - 1
        else:
            chains[found].append(sub[1:])
        ends[(int(round(sub[-1, 0] / 0.3)), int(round(sub[-1, 1] / 0.3)))] = found
    return [np.vstack(parts) for parts in chains]


def _around(gx: int, gy: int) -> list[tuple[int, int]]:
    return [(gx + i, gy + j) for i in (0, -1, 1) for j in (0, -1, 1)]


def _level(points: np.ndarray, x: float) -> float:
    """The staircase's y at ``x`` (its last point before ``x``; its end level past its end)."""
    i = int(np.searchsorted(points[:, 0], x, side="right")) - 1
    return float(points[max(i, 0), 1])


def distances_to_curve(points: np.ndarray, xs: np.ndarray, ys: np.ndarray, chunk: int = 256) -> np.ndarray:
    """Shortest distance from each ``(xs[i], ys[i])`` to the polyline ``points`` (in chunks of marks)."""
    a, b = points[:-1], points[1:]
    ab = b - a
    length2 = np.maximum((ab**2).sum(axis=1), 1e-12)
    out = np.empty(len(xs))
    for lo in range(0, len(xs), chunk):
        x, y = xs[lo : lo + chunk, None], ys[lo : lo + chunk, None]
        t = np.clip(((x - a[:, 0]) * ab[:, 0] + (y - a[:, 1]) * ab[:, 1]) / length2, 0.0, 1.0)
        dx, dy = a[:, 0] + t * ab[:, 0] - x, a[:, 1] + t * ab[:, 1] - y
        out[lo : lo + chunk] = np.sqrt((dx**2 + dy**2).min(axis=1))
    return out


def mark_candidates(content: PageContent, frame: Frame) -> list[tuple[float, float, str, float]]:
    """Centres of small stroked shapes and ``+``/``|`` glyphs inside the frame: ``(x, y, colour, size)``.

    Tick marks drawn inward from the frame's edges are not marks.
    """
    out = []
    for item in content.paths:
        if not item.stroked or any(len(sub) > 5 for sub in item.subpaths):
            continue
        x0, y0, x1, y1 = item.bbox
        size = max(x1 - x0, y1 - y0)
        if not 1.0 <= size <= MAX_MARK:
            continue
        cx, cy = 0.5 * (x0 + x1), 0.5 * (y0 + y1)
        if not frame.contains(cx, cy) or _is_tick(item.subpaths, frame):
            continue
        out.append((cx, cy, item.colour, size))
    for word in content.words:
        if word.text in ("+", "|", "I", "l") and frame.contains(word.cx, word.cy) and word.height <= MAX_MARK:
            out.append((word.cx, word.cy, word.colour, word.height))
    return out


def _is_tick(subpaths: tuple[np.ndarray, ...], frame: Frame) -> bool:
    """One straight piece standing on an edge of the frame: an inward tick mark, not a censor mark."""
    if len(subpaths) != 1:
        return False
    (xa, ya), (xb, yb) = subpaths[0][0], subpaths[0][-1]
    if abs(xa - xb) < 0.05:
        return min(abs(ya - frame.y0), abs(yb - frame.y0), abs(ya - frame.y1), abs(yb - frame.y1)) < 0.5
    if abs(ya - yb) < 0.05:
        return min(abs(xa - frame.x0), abs(xb - frame.x0), abs(xa - frame.x1), abs(xb - frame.x1)) < 0.5
    return False


def attach_marks(curves: list[RawCurve], marks: list[tuple[float, float, str, float]]) -> int:
    """Give each mark lying on a curve to the nearest curve of its colour (or the nearest curve);
    returns how many marks were attached."""
    if not marks or not curves:
        return 0
    xs, ys = np.array([m[0] for m in marks]), np.array([m[1] for m in marks])
    reach = np.maximum(0.6, 0.15 * np.array([m[3] for m in marks]))
    distance = np.array([distances_to_curve(c.points, xs, ys) for c in curves])  # curves x marks
    other_colour = np.array([[c.colour != m[2] for m in marks] for c in curves])
    # Nearest curve of the mark's colour first, then the nearest of any colour; too far is no curve.
    key = np.where(distance <= reach, distance + 1e6 * other_colour, np.inf)
    best = key.argmin(axis=0)
    attached = 0
    for k, (x, y) in enumerate(zip(xs, ys)):
        if np.isfinite(key[best[k], k]):
            curves[best[k]].marks.append((float(x), float(y)))
            attached += 1
    for curve in curves:
        curve.marks.sort()
    return attached
