"""Cleaning a digitized curve and its at-risk table into what the reconstruction uses (numpy only).

:func:`clean_arrays` turns a messy but readable digitization into a monotone staircase: points are
ordered along the curve (click order or swapped ends of a drop are undone), survival in percent is
detected, values are clipped to [0, 1], click noise is removed by isotonic regression in both
coordinates (a least-squares fit, unlike a running minimum which biases the curve downwards), a
start at (0, 1) is ensured and a flat tail is levelled so no events are invented where the curve
only carries censoring noise. Every change is reported as a plain-language warning.
:func:`~evidence_app.core.reconstruction.curve_input.clean_curve` is the same step on data frames.
No pandas or scipy: the reconstruct command starts fast.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evidence_app.core.limits import MAX_PATIENTS
from evidence_app.errors import AnalysisError, InputError

#: An at-risk table as arrays: times (float) and numbers at risk (int).
AtRisk = tuple[np.ndarray, np.ndarray]

#: Total survival change below which a run of points at the end of a curve counts as a flat tail.
FLAT_TAIL_TOLERANCE = 0.006


@dataclass(frozen=True)
class CleanCurve:
    """A cleaned curve: ``time`` and ``survival`` arrays, the cleaned at-risk table, what was changed,
    and the estimated standard deviation of one click's time (:func:`click_time_noise`, 0 when unknown)."""

    time: np.ndarray
    survival: np.ndarray
    table: AtRisk | None
    warnings: list[str]
    time_noise: float


def clean_arrays(t: np.ndarray, s: np.ndarray, at_risk: tuple[np.ndarray, np.ndarray] | None = None) -> CleanCurve:
    """Clean digitized points ``(t, s)`` (non-finite pairs are dropped with a warning) and an at-risk table.

    Raises
    ------
    InputError
        When no point has a finite time and survival.
    """
    warnings: list[str] = []
    t, s = np.asarray(t, dtype=float), np.asarray(s, dtype=float)
    ok = np.isfinite(t) & np.isfinite(s)
    if not ok.all():
        warnings.append(f"Ignored {int((~ok).sum())} curve point(s) without a finite time and survival.")
    if not ok.any():
        raise InputError("the curve has no usable points; expected rows of time,survival")
    t, s = _clip_and_scale(t[ok], s[ok], warnings)
    t, s, noise = _order_and_fit(t, s, warnings)
    s = _level_flat_runs(t, s, warnings)
    keep = np.r_[True, (np.diff(t) != 0) | (np.diff(s) != 0)]
    table = None
    if at_risk is not None:
        table = _clean_at_risk(np.asarray(at_risk[0], float), np.asarray(at_risk[1], float), float(t[-1]), warnings)
    return CleanCurve(t[keep], s[keep], table, warnings, noise)


def isotonic_increasing(y: np.ndarray) -> np.ndarray:
    """Least-squares non-decreasing fit of ``y`` (pool adjacent violators, equal weights).

    Two neighbouring blocks whose means decrease belong to one block of the solution, so every run of
    decreasing neighbours is pooled at once (in numpy) until none is left.
    """
    sums: np.ndarray = np.asarray(y, dtype=float).copy()
    sizes: np.ndarray = np.ones(len(sums))
    while len(sums) > 1:
        means = sums / sizes
        down = means[:-1] > means[1:]
        if not down.any():
            break
        block = np.r_[0, np.cumsum(~down)]  # neighbours joined by a decrease share a block
        sums = np.bincount(block, weights=sums)
        sizes = np.bincount(block, weights=sizes)
    return np.repeat(sums / sizes, sizes.astype(np.int64))


def _clip_and_scale(t: np.ndarray, s: np.ndarray, warnings: list[str]) -> tuple[np.ndarray, np.ndarray]:
    if s.max() > 1.5:
        warnings.append(f"Survival looked like percent (largest value {s.max():g}); divided by 100.")
        s = s / 100.0
    if (t < 0).any():
        warnings.append(f"Set {int((t < 0).sum())} negative time(s) to 0 (smallest was {t.min():g}).")
        t = np.maximum(t, 0.0)
    outside = (s < 0) | (s > 1)
    if outside.any():
        warnings.append(f"Clipped {int(outside.sum())} survival value(s) outside 0–1 to that range.")
        s = np.clip(s, 0.0, 1.0)
    duplicated = np.ones(len(t), dtype=bool)
    duplicated[np.unique(np.column_stack([t, s]), axis=0, return_index=True)[1]] = False
    if duplicated.any():
        warnings.append(f"Removed {int(duplicated.sum())} duplicate point(s).")
        t, s = t[~duplicated], s[~duplicated]
    if t.min() > 0 or s[t == t.min()].max() < 1:
        warnings.append(
            f"The curve did not start at (0, 1) (first point {t.min():g}, {s[np.argmin(t)]:.3g}); added it."
        )
        t, s = np.r_[0.0, t], np.r_[1.0, s]
    return t, s


def _order_and_fit(t: np.ndarray, s: np.ndarray, warnings: list[str]) -> tuple[np.ndarray, np.ndarray, float]:
    """Order points along the staircase, make both coordinates monotone, estimate the time click noise."""
    span = max(float(t.max()), 1e-12)
    # Along a KM staircase both t/span and 1 - S grow, so their sum orders points along the path.
    position = t / span + (1.0 - s)
    order = np.lexsort((-s, t, position))
    moved = int((order != np.arange(len(order))).sum())
    if moved:
        warnings.append(f"Re-ordered {moved} point(s) along the curve (click order or swapped ends of a drop).")
    t, s = t[order], s[order]
    fit_s = -isotonic_increasing(-s)
    fit_t = isotonic_increasing(t)
    rises = np.diff(s) > 0
    if rises.any():
        worst = float(np.diff(s).max())
        note = " — check the digitization" if worst > 0.05 else ""
        warnings.append(
            f"Smoothed {int(rises.sum())} small increase(s) in survival (largest {worst:.3g}{note}) "
            "by isotonic regression to a non-increasing curve."
        )
    if (np.diff(t) < 0).any():
        warnings.append(f"Pooled {int((np.diff(t) < 0).sum())} backward step(s) in time (click noise at drops).")
    fit_s[0] = 1.0 if t[0] == 0 else fit_s[0]
    return fit_t, fit_s, click_time_noise(t, fit_t, fit_s)


#: Survival drops from which a steep segment of the fitted staircase counts as a clicked drop whose two
#: ends measure one time: smaller drops are too often confused with horizontal stretches (which biases
#: the estimate low); the lower one is used only when fewer than three drops reach the first.
NOISE_DROPS = (0.006, 0.003)


def click_time_noise(t: np.ndarray, fit_t: np.ndarray, fit_s: np.ndarray) -> float:
    """Standard deviation of one click's time, from the two clicked ends of each visible drop.

    ``t`` are the raw times in path order and ``fit_t``, ``fit_s`` their monotone fit. Both ends of a
    vertical drop have the same true time, so their difference is pure click noise (variance twice a
    click's); the median of the squared differences (divided by 0.455, the median of a chi-square
    with one degree of freedom) is robust to the odd pair that is not really one drop. Returns 0 with
    fewer than three such drops.
    """
    if len(t) < 3:
        return 0.0
    span = max(float(fit_t[-1]), 1e-12)
    fall = fit_s[:-1] - fit_s[1:]
    steep = fall * span >= np.diff(fit_t)
    for threshold in NOISE_DROPS:
        pair = steep & (fall >= threshold)
        if pair.sum() >= 3:
            return float(np.sqrt(np.median(np.diff(t)[pair] ** 2) / 0.455 / 2.0))
    return 0.0


def _level_flat_runs(t: np.ndarray, s: np.ndarray, warnings: list[str]) -> np.ndarray:
    """Give each horizontal stretch of the staircase one level: the mean of its points.

    Both ends of a horizontal stretch (bottom of one drop, top of the next) measure the same
    survival, so their mean halves the click noise; in a flat tail it also stops noise from
    inventing events. A stretch is a run of segments flatter than 45° (time scaled to the curve's
    span) whose survival varies by at most ``FLAT_TAIL_TOLERANCE``, so real slopes are kept.
    """
    span = max(float(t[-1]), 1e-12)
    flat = ((s[:-1] - s[1:]) * 3 < np.diff(t) / span) & (np.diff(t) / span > 0.01)
    out = s.copy()
    start, levelled = 0, 0
    for k in range(1, len(s) + 1):
        if k < len(s) and flat[k - 1] and s[start] - s[k] <= FLAT_TAIL_TOLERANCE:
            continue
        if k - start > 1 and s[start] > s[k - 1]:
            out[start:k] = 1.0 if start == 0 else s[start:k].mean()
            levelled += 1
        start = k
    if levelled:
        warnings.append(
            f"Levelled {levelled} horizontal stretch(es) whose survival varied by at most {FLAT_TAIL_TOLERANCE:g} "
            "(click noise) to their mean, so no events are invented where the curve is flat."
        )
    return out


def _clean_at_risk(t: np.ndarray, n: np.ndarray, t_end: float, warnings: list[str]) -> AtRisk | None:
    ok = np.isfinite(t) & np.isfinite(n) & (n >= 0) & (t >= 0)
    if not ok.all():
        warnings.append(f"Ignored {int((~ok).sum())} at-risk row(s) without a valid time and count.")
    t, n = t[ok], np.round(n[ok])
    order = np.argsort(t, kind="stable")
    if (order != np.arange(len(t))).any():
        warnings.append("Sorted the at-risk table by time.")
    t, n = t[order], n[order]
    first = np.r_[True, np.diff(t) > 0]
    if not first.all():
        warnings.append(f"Ignored {int((~first).sum())} at-risk row(s) repeating an earlier time.")
        t, n = t[first], n[first]
    kept: list[int] = []
    for i in range(len(t)):
        if kept and n[i] > n[kept[-1]]:
            warnings.append(
                f"Ignored the at-risk row at time {t[i]:g}: {int(n[i])} is more than {int(n[kept[-1]])} "
                f"at time {t[kept[-1]]:g} (numbers at risk cannot increase)."
            )
            continue
        kept.append(i)
    t, n = t[kept], n[kept]
    zeros = np.flatnonzero(n == 0)
    if len(zeros) and zeros[0] < len(n) - 1:
        warnings.append(f"Ignored {len(n) - zeros[0] - 1} at-risk row(s) of zero after time {t[zeros[0]]:g}.")
        t, n = t[: zeros[0] + 1], n[: zeros[0] + 1]
    beyond = (t > t_end) & (n > 0)
    if beyond.any():
        warnings.append(
            f"Ignored {int(beyond.sum())} at-risk row(s) after the curve ends at {t_end:g} "
            "(the curve carries no information about events there)."
        )
        t, n = t[~beyond], n[~beyond]
    if len(t) == 0:
        warnings.append("The at-risk table had no usable rows; reconstructing without it.")
        return None
    return t, n.astype(int)


def drop_times(t: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Time of the drop ending at each point.

    A steep segment is a clicked vertical drop: both ends estimate its time, so use their mean.
    A shallow one is a horizontal run whose small decrease belongs to the drop at its far end.
    """
    te = t.copy()
    steep = np.r_[False, (s[:-1] - s[1:]) * max(float(t[-1]), 1e-12) >= np.diff(t)]
    te[steep] = (t[np.flatnonzero(steep) - 1] + t[steep]) / 2
    return te


def anchor_at_risk(
    table: AtRisk | None, n: int | None, t: np.ndarray, s: np.ndarray, warnings: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Interval starts and numbers at risk of a cleaned table, always beginning with (0, N).

    Raises
    ------
    AnalysisError
        When neither ``n`` nor a row at time 0 gives the number of patients.
    """
    if n is not None and (int(n) != n or n < 1):
        raise InputError(f"expected a number of patients of 1 or more, found {n}", location="n")
    if n is not None and n > MAX_PATIENTS:
        raise InputError(f"expected at most {MAX_PATIENTS:,} patients in an arm, found {n:,}", location="n")
    if table is None:
        if n is None:
            raise AnalysisError("The number of patients is needed: give N or a numbers-at-risk table.")
        return np.array([0.0]), np.array([int(n)])
    tau, n_risk = table[0].astype(float), table[1].astype(int)
    if tau[0] <= 0:
        if n is not None and int(n) != n_risk[0]:
            warnings.append(f"N = {n} differs from {n_risk[0]} at risk at time 0; used the at-risk table.")
        return np.r_[0.0, tau[1:]], n_risk
    if n is None:
        level = float(s[max(int(np.searchsorted(t, tau[0], side="left")) - 1, 0)])
        n = max(int(round(n_risk[0] / max(level, 1e-9))), int(n_risk[0]))
        warnings.append(
            f"No N and no at-risk row at time 0: estimated N = {n} assuming no censoring before {tau[0]:g}."
        )
    elif n < n_risk[0]:
        warnings.append(f"N = {n} is below {n_risk[0]} at risk at time {tau[0]:g}; used {n_risk[0]}.")
        n = int(n_risk[0])
    return np.r_[0.0, tau], np.r_[int(n), n_risk]
