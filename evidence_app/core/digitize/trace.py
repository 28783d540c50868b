"""Trace one curve's pixels as a monotone step function, with sub-pixel geometry.

**Monotone path.** A dynamic programme chooses one row per column, never moving up
(survival never increases), maximising the curve's ink on the path. Columns without ink
cost a little (so the path does not run on into a legend or text), other curves' ink almost
pays for itself (a curve hidden under another continues along it), and a drop costs a
constant plus a lot per row not backed by a vertical run of ink (so censor ticks, text and
legend samples are not turned into drops; a tick above the line cannot be followed at all).
Gaps of dashed lines are crossed at the held level.

**Sub-pixel geometry.** Along the path, each column gives three estimates of the row of the
line's centre: the line's top edge read *t/2* columns to the right plus *t/2*, its bottom
edge read *t/2* columns to the left minus *t/2* (for a stroke of thickness *t* around a
descending step path these are exact, also inside a staircase of steps narrower than the
line), and the ink centroid. Their median discards a censor mark or a marker touching one
edge. Where the curve is hidden, the same is read from the curve on top of it. A weighted
isotonic (never upward) fit of these per-column rows gives the levels; a change of more
than a third of a pixel between columns is a drop, which yields both ends of every drop.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage

_GAP_COST = 0.25  # per column of the path without the curve's ink
_HIDDEN_REWARD = 0.2  # per column running over another curve (< _GAP_COST)
_DROP_COST = 0.5  # per drop
_UNBACKED_ROW_COST = 1.0  # per row of a drop without a vertical run of ink behind it


def trace_path(own: np.ndarray, others: np.ndarray, start: tuple[int, int] | None = None) -> np.ndarray:
    """Best monotone (never upward) path through a curve's ink.

    Parameters
    ----------
    own
        ``(h, w)`` bool: pixels of this curve's colour.
    others
        ``(h, w)`` bool: pixels of the other curves, which may hide this one.
    start
        ``(row, col)`` where the path must begin (a KM curve's (0, 1)); without it the path
        may begin anywhere. A forced start lets a curve whose beginning is hidden under
        another follow that one instead of appearing from nowhere.

    Returns
    -------
    numpy.ndarray
        The path's row in each column, -1 where the path is off (before or after the curve).
    """
    height, width = own.shape
    reward = own.astype(np.float32) + _HIDDEN_REWARD * (others & ~own) - _GAP_COST
    near = ndimage.maximum_filter1d((own | others).astype(np.uint8), 3, axis=1).astype(np.float32)
    backing = np.maximum(ndimage.maximum_filter1d(own.astype(np.uint8), 3, axis=1), 0.8 * near)
    unbacked = np.cumsum(1.0 - backing, axis=0, dtype=np.float64)
    back = np.full((width, height), -1, np.int32)
    idx = np.arange(height)
    score = np.full(height, -np.inf)
    best, best_at = -np.inf, (0, 0)
    first = start[1] if start is not None else 0
    for c in range(first, width):
        cand, src = score.copy(), idx.copy()
        if c > 0:
            a = score + _UNBACKED_ROW_COST * unbacked[:, c]
            run_max = np.maximum.accumulate(a)
            run_arg = np.maximum.accumulate(np.where(a >= run_max, idx, 0))
            drop = np.full(height, -np.inf)
            drop[1:] = run_max[:-1] - _UNBACKED_ROW_COST * unbacked[1:, c] - _DROP_COST
            take = drop > cand
            cand[take], src[1:][take[1:]] = drop[take], run_arg[:-1][take[1:]]
        if start is None:
            restart = cand < 0.0
            cand[restart], src[restart] = 0.0, -1
        elif c == first:
            cand[:], src[:] = -np.inf, -1
            cand[start[0]] = 0.0
        score = cand + reward[:, c]
        back[c] = src
        r = int(np.argmax(score))
        if score[r] > best:
            best, best_at = float(score[r]), (c, r)
    path = np.full(width, -1, np.int64)
    c, r = best_at
    while c >= 0 and r >= 0:
        path[c] = r
        r, c = int(back[c, r]), c - 1
    return path


def line_width(own: np.ndarray, first_col: int, rows: np.ndarray) -> float:
    """Median count of own ink within 6 rows of the path: the line's thickness in whole
    pixels (markers may inflate it; it only sizes search windows)."""
    counts = []
    for offset, r in enumerate(rows[:: max(1, rows.size // 200)] if rows.size else []):
        c = first_col + offset * max(1, rows.size // 200)
        counts.append(own[max(0, r - 6) : r + 7, c].sum())
    positive = [v for v in counts if v > 0]
    return float(np.clip(np.median(positive), 1, 15)) if positive else 2.0


def step_geometry(
    own: np.ndarray, others: np.ndarray, soft: np.ndarray, first_col: int, rows: np.ndarray, width: float
) -> tuple[tuple[int, int], list[float], list[float]]:
    """Sub-pixel geometry of a traced path.

    Parameters
    ----------
    own, others
        Ink masks as for :func:`trace_path`.
    soft
        ``(h, w)`` anti-aliasing coverage of this curve's colour.
    first_col, rows
        Where the path starts and its row per column from there on.
    width
        Line thickness in pixels (whole pixels of ink).

    Returns
    -------
    tuple
        ``(first, last)`` column of the path, the level (row) of each flat step, and the
        column of each drop between consecutive steps.
    """
    cols = np.arange(first_col, first_col + rows.size)
    top, bottom = _run_edges(own, soft, cols, rows, width)
    thick = bottom - top
    single = np.isfinite(thick) & (thick <= width + 1.5)
    t = float(np.median(thick[single])) if single.sum() >= 3 else width
    centre = _centroids(soft, cols, rows, int(math.ceil(width)) + 1)
    seen = np.isfinite(top)
    # Where the curve is hidden, the curve on top of it is the best guess of where it runs.
    under = own | others
    top_u, bottom_u = _run_edges(under, under.astype(np.float32), cols, rows, width)
    top, bottom = np.where(seen, top, top_u), np.where(seen, bottom, bottom_u)
    centre = np.where(seen, centre, _centroids(under.astype(np.float32), cols, rows, int(math.ceil(width)) + 1))
    estimates = np.vstack([_shifted(top, t / 2) + t / 2, _shifted(bottom, -t / 2) - t / 2, centre])
    known = np.isfinite(estimates).any(axis=0)
    est = np.where(known, _nanmedian3(estimates), rows.astype(float))
    fitted = _isotonic(est, np.where(seen, 1.0, np.where(known, 0.3, 0.05)))
    levels, drops = _steps(fitted, first_col)
    end_col = int(cols[-1])
    final = _final_drop(own, end_col, levels[-1], width)
    if final is not None:
        drops.append(final[0])
        levels.append(final[1])
    return (first_col, end_col), levels, drops


def _run_edges(
    own: np.ndarray, soft: np.ndarray, cols: np.ndarray, rows: np.ndarray, width: float
) -> tuple[np.ndarray, np.ndarray]:
    """Sub-pixel top and bottom edge of the vertical run of ink at (or next to) the path in
    each column; NaN where the path is not on the curve's ink (hidden, or a dash gap)."""
    top = np.full(cols.size, np.nan)
    bottom = np.full(cols.size, np.nan)
    reach = int(math.ceil(width / 2)) + 1
    for i, (c, r) in enumerate(zip(cols, rows)):
        column = own[:, c]
        lo, hi = max(0, r - reach), min(column.size, r + reach + 1)
        hits = np.flatnonzero(column[lo:hi])
        if hits.size == 0:
            continue
        r = lo + hits[np.argmin(np.abs(hits + lo - r))]
        gaps_above = np.flatnonzero(~column[:r])
        gaps_below = np.flatnonzero(~column[r:])
        first = gaps_above[-1] + 1 if gaps_above.size else 0
        last = r + gaps_below[0] - 1 if gaps_below.size else column.size - 1
        above = soft[first - 1, c] if first > 0 else 0.0
        below = soft[last + 1, c] if last + 1 < column.size else 0.0
        # A run cut by the frame's edge (a curve under the frame line) has no edge there.
        top[i] = first - 0.5 - min(above, 0.5) if first > 0 else np.nan
        bottom[i] = last + 0.5 + min(below, 0.5) if last < column.size - 1 else np.nan
    return top, bottom


def _shifted(values: np.ndarray, shift: float) -> np.ndarray:
    """``values`` read ``shift`` columns to the right (linear between columns, NaN-aware)."""
    pos = np.arange(values.size) + shift
    lo = np.floor(pos).astype(int)
    frac = pos - lo
    out = np.full(values.size, np.nan)
    ok = (lo >= 0) & (lo + 1 < values.size)
    a, b = values[np.clip(lo, 0, values.size - 1)], values[np.clip(lo + 1, 0, values.size - 1)]
    out[ok] = (a * (1 - frac) + b * frac)[ok]
    exact = (frac < 1e-9) & (lo >= 0) & (lo < values.size)
    out[exact] = values[lo[exact]]
    return out


def _centroids(soft: np.ndarray, cols: np.ndarray, rows: np.ndarray, half: int) -> np.ndarray:
    """Coverage centroid within ``half`` rows of the path, per column (NaN without ink, or
    where the line is cut by the frame's edge)."""
    offsets = np.arange(-half, half + 1)
    rr = np.clip(rows[None, :] + offsets[:, None], 0, soft.shape[0] - 1)
    w = soft[rr, cols[None, :]]
    total = w.sum(axis=0)
    cut = (soft[0, cols] > 0.2) & (rows < half) | (soft[-1, cols] > 0.2) & (rows >= soft.shape[0] - half)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((total > 0.3) & ~cut, (w * rr).sum(axis=0) / total, np.nan)


def _nanmedian3(values: np.ndarray) -> np.ndarray:
    """Column-wise median of up to three estimates, ignoring NaN (mean of two if one is NaN)."""
    ordered = np.sort(values, axis=0)  # NaN sort last
    count = np.isfinite(values).sum(axis=0)
    return np.where(count == 3, ordered[1], np.where(count == 2, (ordered[0] + ordered[1]) / 2, ordered[0]))


def _isotonic(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted least-squares non-decreasing fit (pool adjacent violators)."""
    means: list[float] = []
    weights: list[float] = []
    sizes: list[int] = []
    for value, weight in zip(y.tolist(), w.tolist()):
        means.append(value)
        weights.append(weight)
        sizes.append(1)
        while len(means) > 1 and means[-2] > means[-1]:
            total = weights[-2] + weights[-1]
            merged = (means[-2] * weights[-2] + means[-1] * weights[-1]) / total
            means[-2:], weights[-2:], sizes[-2:] = [merged], [total], [sizes[-2] + sizes[-1]]
    return np.repeat(means, sizes)


def _steps(fitted: np.ndarray, first_col: int, merge: float = 0.35) -> tuple[list[float], list[float]]:
    """Levels and drop columns of a monotone per-column sequence; rises below ``merge``
    pixels are noise and are pooled into one level."""
    levels, sizes, drops = [float(fitted[0])], [1], []
    for i in range(1, fitted.size):
        value = float(fitted[i])
        if value - levels[-1] < merge:
            levels[-1] = (levels[-1] * sizes[-1] + value) / (sizes[-1] + 1)
            sizes[-1] += 1
        else:
            levels.append(value)
            sizes.append(1)
            drops.append(first_col + i - 0.5)
    return levels, drops


def _final_drop(own: np.ndarray, end_col: int, level: float, width: float) -> tuple[float, float] | None:
    """A drop at the very end of the curve (last patient's event, or a drop into the frame
    line) is a vertical run going only downwards from the last level; a censor tick there
    would reach above the level as well."""
    reach = int(math.ceil(width)) + 1
    cols = np.arange(max(0, end_col - reach), end_col + 1)
    row = int(round(level))
    below = own[row:, cols]
    depth = np.argmin(np.vstack([below, np.zeros((1, cols.size), bool)]), axis=0)  # run length down
    above = own[: row + 1, cols][::-1]
    height = np.argmin(np.vstack([above, np.zeros((1, cols.size), bool)]), axis=0)
    edge = (width + 1) / 2
    best = int(np.argmax(depth))
    if depth[best] - 1 > width + 1 and height[best] - 1 <= edge + 1:
        runs = cols[depth >= depth[best] - 1]
        return float(runs.mean()), float(row + depth[best] - 1 - (width - 1) / 2)
    return None


def step_vertices(x_start: float, x_end: float, x_drops: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Step vertices: start, both ends of each drop, end; monotone, without repeated points."""
    x_drops = np.clip(np.maximum.accumulate(x_drops) if x_drops.size else x_drops, x_start, x_end)
    time = np.concatenate([[x_start], np.repeat(x_drops, 2), [x_end]])
    surv = np.minimum.accumulate(np.concatenate([[y[0]], np.column_stack([y[:-1], y[1:]]).ravel(), [y[-1]]]))
    return compact_steps(time, surv)


def compact_steps(time: np.ndarray, surv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop repeated vertices and the middle of three on one horizontal or vertical line."""
    keep = np.ones(time.size, bool)
    keep[1:] = (np.diff(time) != 0) | (np.diff(surv) != 0)
    time, surv = time[keep], surv[keep]
    if time.size > 2:
        flat = (surv[:-2] == surv[1:-1]) & (surv[1:-1] == surv[2:])
        upright = (time[:-2] == time[1:-1]) & (time[1:-1] == time[2:])
        keep = np.r_[True, ~(flat | upright), True]
        time, surv = time[keep], surv[keep]
    return time, surv
