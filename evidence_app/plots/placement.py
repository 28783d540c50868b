"""Placing legends and text boxes inside a plot where they hide no data.

Each box is tried at a list of anchor points and goes where it covers the fewest data points.
A box only moves between anchors — its size stays the same — so it is measured once (text
layout is the expensive part of drawing) and its candidate positions follow from how
matplotlib anchors a box to a point. The chosen position is measured again; should it ever
differ from the prediction (another matplotlib), every anchor is measured instead.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from evidence_app.plots.style import renderer

_LOC_CODES = {
    ("upper", "right"): 1,
    ("upper", "left"): 2,
    ("lower", "left"): 3,
    ("lower", "right"): 4,
    ("center", "left"): 6,
    ("center", "right"): 7,
    ("lower", "center"): 8,
    ("upper", "center"): 9,
    ("center", "center"): 10,
}
#: Where in the box the anchor point is, per location code (matplotlib's ``Bbox.coefs``).
_CODE_COEFS = {
    1: (1.0, 1.0),
    2: (0.0, 1.0),
    3: (0.0, 0.0),
    4: (1.0, 0.0),
    6: (0.0, 0.5),
    7: (1.0, 0.5),
    8: (0.5, 0.0),
    9: (0.5, 1.0),
    10: (0.5, 0.5),
}
#: Anchor points in axes fractions, most preferred first (corners, then edges, then inside).
ANCHORS = (
    (1.0, 1.0),
    (0.0, 0.0),
    (1.0, 0.0),
    (1.0, 0.5),
    (0.5, 1.0),
    (0.5, 0.0),
    (0.0, 0.5),
    (0.35, 0.0),
    (0.65, 0.0),
    (1.0, 0.75),
    (1.0, 0.25),
    (0.65, 1.0),
    (0.35, 1.0),
    (0.5, 0.5),
)
_SAME_PX = 0.01


def anchor_loc(x: float, y: float) -> int:
    vertical = "upper" if y >= 0.75 else "lower" if y <= 0.25 else "center"
    horizontal = "right" if x >= 0.75 else "left" if x <= 0.25 else "center"
    return _LOC_CODES[(vertical, horizontal)]


def set_anchor(artist, ax, x: float, y: float) -> None:
    code = anchor_loc(x, y)
    if hasattr(artist, "set_loc"):  # Legend (matplotlib >= 3.8)
        artist.set_loc(code)
    else:
        artist.loc = code
    artist.set_bbox_to_anchor((x, y), transform=ax.transAxes)


def candidate_boxes(artist, ax, r) -> list[Bbox]:
    """The box of ``artist`` at every anchor, from one measurement.

    matplotlib puts a box of size (w, h) anchored at point P with location code c at
    ``P + pad - coef(c) * (2 pad + size)`` per axis (``offsetbox._get_anchored_bbox``); the
    pads are read off the measurement at the first anchor (upper right: coef 1, 1).
    """
    set_anchor(artist, ax, *ANCHORS[0])
    first = artist.get_window_extent(r)
    points = ax.transAxes.transform(np.asarray(ANCHORS))
    w, h = first.width, first.height
    pad_x, pad_y = points[0, 0] - first.x1, points[0, 1] - first.y1
    boxes = []
    for (x, y), (px, py) in zip(ANCHORS, points):
        cx, cy = _CODE_COEFS[anchor_loc(x, y)]
        x0 = px + pad_x + cx * (-2 * pad_x - w)
        y0 = py + pad_y + cy * (-2 * pad_y - h)
        boxes.append(Bbox.from_bounds(x0, y0, w, h))
    return boxes


def _measured_boxes(artist, ax, r) -> list[Bbox]:
    boxes = []
    for x, y in ANCHORS:
        set_anchor(artist, ax, x, y)
        boxes.append(artist.get_window_extent(r))
    return boxes


def _best(boxes: list[Bbox], axes_box: Bbox, obstacles: np.ndarray, used: list[Bbox]) -> tuple[int, float]:
    best, best_score = 0, float("inf")
    for rank, unpadded in enumerate(boxes):
        box = unpadded.padded(2)
        score = rank * 1e-3
        if box.x0 < axes_box.x0 - 1 or box.x1 > axes_box.x1 + 1 or box.y0 < axes_box.y0 - 1 or box.y1 > axes_box.y1 + 1:
            score += 1e6
        if len(obstacles):
            inside = (
                (obstacles[:, 0] >= box.x0)
                & (obstacles[:, 0] <= box.x1)
                & (obstacles[:, 1] >= box.y0)
                & (obstacles[:, 1] <= box.y1)
            )
            score += float(np.count_nonzero(inside))
        score += 1e5 * sum(box.overlaps(other) for other in used)
        if score < best_score:
            best, best_score = rank, score
    return best, best_score


def place_artists(fig: Figure, ax, artists: list, obstacles: np.ndarray, taken: list | None = None) -> list[int]:
    """Move each legend / anchored box to the anchor hiding the fewest data points.

    ``obstacles`` are data points in display pixels (an (n, 2) array); ``taken`` holds
    display-space bounding boxes already used (e.g. median labels). Boxes are placed in
    order and then avoid each other. Returns the number of data points each one hides
    (0 = a clean spot; >= 1e5 = it collides with another box or leaves the axes).
    """
    r = renderer(fig)
    used = list(taken or [])
    axes_box = ax.get_window_extent(r)
    chosen = []
    for artist in artists:
        boxes = candidate_boxes(artist, ax, r)
        best, score = _best(boxes, axes_box, obstacles, used)
        set_anchor(artist, ax, *ANCHORS[best])
        placed = artist.get_window_extent(r)
        if np.abs(placed.get_points() - boxes[best].get_points()).max() > _SAME_PX:
            best, score = _best(_measured_boxes(artist, ax, r), axes_box, obstacles, used)
            set_anchor(artist, ax, *ANCHORS[best])
            placed = artist.get_window_extent(r)
        used.append(placed.padded(3))
        chosen.append(int(score))
    return chosen


def densify(x: np.ndarray, y: np.ndarray, step_px: float = 2.0) -> np.ndarray:
    """Points every ``step_px`` pixels along a polyline given in display coordinates.

    Each segment of length L gets ``max(1, int(L / step_px))`` points ending at its far end
    (the values ``np.linspace(0, 1, n + 1)[1:]`` gives, computed for all segments at once).
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    dx, dy = np.diff(x), np.diff(y)
    n = np.maximum(1, (np.hypot(dx, dy) / step_px).astype(int))
    segment = np.repeat(np.arange(n.size), n)
    step = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n) + 1.0
    t = step * (1.0 / n)[segment]
    t[np.cumsum(n) - 1] = 1.0  # linspace ends exactly at 1
    xs = x[:-1][segment] + dx[segment] * t
    ys = y[:-1][segment] + dy[segment] * t
    return np.vstack([np.column_stack([x[:1], y[:1]]), np.column_stack([xs, ys])])
