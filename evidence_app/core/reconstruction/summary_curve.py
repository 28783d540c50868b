"""Approximate patient-level data for trials that publish only summaries (median, landmark survival).

The survival curve passes through every published point — ``(0, 1)``, ``(median, 0.5)`` and each
landmark ``(t, S(t))`` — and is piecewise exponential between them, with the last segment's hazard
continued beyond the last point. ``n`` pseudo-patients get event times at the mid-quantiles of that
curve (``T_j = S^-1(1 - (j - 0.5) / n)``), so their Kaplan–Meier curve follows it closely.

Censoring follows a simple model of staggered entry: each patient's potential follow-up is uniform
on ``[a, b]`` (paired with the event times by a fixed permutation, so results are reproducible):

* ``follow_up`` (the reported median follow-up ``f``) alone: ``a = f / 2``, ``b = 3 f / 2``;
* ``events`` alone: ``a = 0`` (entry staggered from the start of accrual) and ``b`` is solved so exactly
  ``events`` patients have the event. Starting censoring at 0 rather than later matters for interim
  analyses, where fewer than half the patients have had an event although the median is reached;
* both: centred on ``f``, the spread is chosen so the event count matches as closely as possible;
* neither: ``f`` is taken as the last published time point, with a warning.

A total of events published only for the arms together is split between them by
:func:`split_total_events` (one censoring pattern shared by the arms of a trial), then each arm's
share is met exactly as above.

The result is flagged ``approximation="summary-based"``: it reproduces the published summaries
(N, events, the median exactly, landmarks), not the trial's actual censoring or the shape of its
curve between published points.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evidence_app.core.reconstruction.reconstruct import ReconstructedArm, build_arm
from evidence_app.errors import AnalysisError, InputError

ALGORITHM_VERSION = "1.0"
PAIRING_SEED = 20120201


@dataclass(frozen=True, eq=False)
class PiecewiseExponential:
    """A survival curve with constant hazard between knots and beyond the last knot."""

    knots: np.ndarray
    survival: np.ndarray
    hazards: np.ndarray

    def survival_at(self, t: np.ndarray | float) -> np.ndarray:
        """S(t) for times ``t >= 0``."""
        t = np.asarray(t, dtype=float)
        i = np.clip(np.searchsorted(self.knots, t, side="right") - 1, 0, len(self.knots) - 1)
        return self.survival[i] * np.exp(-self.hazards[i] * (t - self.knots[i]))

    def time_at(self, s: np.ndarray | float) -> np.ndarray:
        """Smallest t with S(t) = s (``inf`` when the curve never gets that low)."""
        target = -np.log(np.clip(np.asarray(s, dtype=float), 1e-300, 1.0))
        cum = -np.log(self.survival)
        i = np.clip(np.searchsorted(cum, target, side="left") - 1, 0, len(self.knots) - 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = self.knots[i] + (target - cum[i]) / self.hazards[i]
        return np.where(target <= 0, 0.0, np.where(np.isfinite(t), t, np.inf))


def fit_summary_curve(
    median: float | None = None, landmarks: Mapping[float, float] | None = None
) -> PiecewiseExponential:
    """Piecewise-exponential curve through ``(0, 1)``, ``(median, 0.5)`` and every landmark.

    Raises
    ------
    AnalysisError
        When there is neither a median nor a landmark.
    InputError
        When a value is impossible or the published points contradict each other.
    """
    points: dict[float, float] = {}
    if median is not None:
        _check_time(median, "median")
        points[float(median)] = 0.5
    for time, surv in (landmarks or {}).items():
        _check_time(time, f"landmarks[{time}]")
        if not 0.0 < float(surv) <= 1.0:
            raise InputError(f"expected survival above 0 and at most 1, found {surv}", location=f"landmarks[{time}]")
        if float(time) in points and not np.isclose(points[float(time)], float(surv)):
            raise InputError(f"two survival values given for time {time}", location=f"landmarks[{time}]")
        points[float(time)] = float(surv)
    if not points:
        raise AnalysisError("Nothing to build a curve from: give the median or at least one landmark survival.")
    knots = np.r_[0.0, sorted(points)]
    survival = np.r_[1.0, [points[t] for t in knots[1:]]]
    rises = np.flatnonzero(np.diff(survival) > 0)
    if len(rises):
        k = rises[0]
        raise InputError(
            f"survival cannot rise from {survival[k]:g} at time {knots[k]:g} "
            f"to {survival[k + 1]:g} at time {knots[k + 1]:g}",
            location=f"landmarks[{knots[k + 1]:g}]",
        )
    hazards = np.log(survival[:-1] / survival[1:]) / np.diff(knots)
    return PiecewiseExponential(knots, survival, np.r_[hazards, hazards[-1]])


def summary_survival_curve(
    median: float | None = None,
    landmarks: Mapping[float, float] | None = None,
    t_max: float | None = None,
    n_points: int = 200,
) -> tuple[np.ndarray, np.ndarray]:
    """Times and survival of the piecewise-exponential curve, for plotting (to 1.5× the last point by default)."""
    curve = fit_summary_curve(median, landmarks)
    end = float(t_max) if t_max is not None else 1.5 * float(curve.knots[-1])
    times = np.union1d(np.linspace(0.0, end, n_points), curve.knots[curve.knots <= end])
    return times, curve.survival_at(times)


def approximate_from_summary(
    n: int | None,
    median: float | None = None,
    landmarks: Mapping[float, float] | None = None,
    events: int | None = None,
    follow_up: float | None = None,
    time_unit: str = "months",
) -> ReconstructedArm:
    """Pseudo patient-level data of size ``n`` honouring the published summaries.

    Parameters
    ----------
    n
        Number of patients in the arm.
    median
        Published median time to event (survival 0.5).
    landmarks
        ``{time: survival}`` published survival proportions (e.g. ``{12: 0.62, 24: 0.41}``).
    events
        Reported number of events; matched exactly where the curve allows it.
    follow_up
        Reported median follow-up, in ``time_unit``.
    time_unit
        Unit of every time given (and of the output).

    Returns
    -------
    ReconstructedArm
        With ``approximation="summary-based"``.
    """
    if n is None:
        raise AnalysisError("The number of patients n is needed to build pseudo patient data.")
    if int(n) != n or n < 1:
        raise InputError(f"expected a number of patients of 1 or more, found {n}", location="n")
    n = int(n)
    if events is not None and not 0 <= events <= n:
        raise InputError(f"expected a number of events between 0 and {n}, found {events}", location="events")
    if follow_up is not None:
        _check_time(follow_up, "follow_up")
    curve = fit_summary_curve(median, landmarks)
    warnings: list[str] = []
    if events is None:
        if follow_up is None:
            follow_up = float(curve.knots[-1])
            warnings.append(
                f"No event count or follow-up reported: assumed a median follow-up of {follow_up:g} {time_unit} "
                "(the last published time point); the number of events is a guess."
            )
        window = (follow_up / 2, 1.5 * follow_up)
    elif follow_up is None:
        window = _solve_scale(curve, n, events)
    else:
        window = _solve_spread(curve, n, events, follow_up)
    observed, event = pseudo_patients(curve, n, *window)
    if events is not None and int(event.sum()) != events:
        warnings.append(
            f"The curve allows {int(event.sum())} events rather than the reported {events} "
            "with the follow-up given; check the inputs."
        )
    grid = np.linspace(0.0, float(observed.max()), 100)
    frame = pd.DataFrame({"time": grid, "survival": curve.survival_at(grid)})
    method = f"summary-based piecewise exponential (times in {time_unit})"
    return build_arm(observed, event, frame, None, events, warnings, method, ALGORITHM_VERSION, "summary-based")


def pseudo_patients(curve: PiecewiseExponential, n: int, a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    """Exits of ``n`` patients whose KM follows ``curve`` under follow-up uniform on ``[a, b]``.

    Deterministic: each event falls where the curve crosses the middle of the KM step it makes
    (the step reaching 0.5 at the curve's median exactly), and each censoring where the expected
    number censored (risk set × censoring hazard) reaches the next half-integer, so the KM stays
    within half a step of the curve.
    """
    knots, cum, hazards = curve.knots.tolist(), (-np.log(curve.survival)).tolist(), curve.hazards.tolist()

    def time_at(level: float) -> float:  # scalar inverse of the curve, kept in plain Python for speed
        target = -math.log(level) if level > 0 else math.inf
        i = max(bisect.bisect_left(cum, target) - 1, 0)
        return knots[i] + (target - cum[i]) / hazards[i] if hazards[i] > 0 else math.inf

    def cum_censor(t: float) -> float:  # cumulative censoring hazard of follow-up uniform on [a, b]
        return 0.0 if t <= a else math.inf if t >= b else -math.log((b - t) / (b - a))

    times = np.empty(n)
    event = np.zeros(n, dtype=np.int8)
    t, level, owed = 0.0, 1.0, 0.5
    median = time_at(0.5)
    for k in range(n):
        r = n - k
        # The event whose step takes the KM to 0.5 or below is placed at the curve's median, so the
        # pseudo data's KM median is the published one (not just within half a step of it).
        t_event = median if level > 0.5 >= level * (1.0 - 1.0 / r) else time_at(level * (1.0 - 0.5 / r))
        target = cum_censor(t) + owed / r
        t_cens = b if math.isinf(target) else b - (b - a) * math.exp(-target)
        if t_event <= t_cens:
            owed -= r * (cum_censor(t_event) - cum_censor(t))
            times[k], event[k], t = t_event, 1, max(t, t_event)
            level *= 1.0 - 1.0 / r
        else:
            times[k], t, owed = t_cens, t_cens, 1.0
    return times, event


def split_total_events(
    curves: Sequence[PiecewiseExponential], ns: Sequence[int], total: int
) -> tuple[list[int], str | None]:
    """Events per arm adding up to ``total`` (reported for the arms together), and a warning or None.

    The arms of one trial share its accrual and follow-up, so one censoring pattern is assumed for
    all of them: potential follow-up uniform on ``[0, b]`` with ``b`` solved so the arms' events
    add up to ``total``. Each arm's share is then reproduced exactly by
    :func:`approximate_from_summary` (its own ``b`` moves by at most a step).
    """
    if not 0 <= total <= sum(ns):
        return [], f"the reported total of {total} events is impossible for {sum(ns)} patients"

    def counts(b: float) -> list[int]:
        return [int(pseudo_patients(c, n, 0.0, b)[1].sum()) for c, n in zip(curves, ns)]

    lo, hi = 0.0, 1.0
    while sum(counts(hi)) < total and hi < 1e9:
        lo, hi = hi, hi * 2
    for _ in range(60):
        mid = (lo + hi) / 2
        if sum(counts(mid)) < total:
            lo = mid
        else:
            hi = mid
    low, high = counts(lo), counts(hi)
    shares = list(low)
    for i in range(len(shares)):  # arms whose count steps up between lo and hi take the missing events
        take = min(high[i] - low[i], total - sum(shares))
        shares[i] += take
    if sum(shares) != total:
        return shares, f"the curves allow {sum(shares)} events in all rather than the reported {total}"
    return shares, None


def _solve_scale(curve: PiecewiseExponential, n: int, events: int) -> tuple[float, float]:
    """Follow-up uniform on [0, b] with b chosen so that ``events`` patients have the event."""
    finite = curve.time_at(np.array([1.0 / (2 * n)]))
    lo, hi = 0.0, 3.0 * float(finite[0] if np.isfinite(finite[0]) else 3 * curve.knots[-1]) + 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        count = int(pseudo_patients(curve, n, 0.0, mid)[1].sum())
        if count == events:
            return 0.0, mid
        lo, hi = (mid, hi) if count < events else (lo, mid)
    return 0.0, hi


def _solve_spread(curve: PiecewiseExponential, n: int, events: int, follow_up: float) -> tuple[float, float]:
    """Follow-up uniform on [f - w, f + w]: the w in [0, f] whose event count is closest to ``events``."""
    widths = np.linspace(0.0, follow_up, 41)
    counts = np.array([pseudo_patients(curve, n, follow_up - w, follow_up + w)[1].sum() for w in widths])
    # Among equally good widths prefer the default shape (w = f / 2).
    best = np.lexsort((np.abs(widths - follow_up / 2), np.abs(counts - events)))[0]
    return follow_up - widths[best], follow_up + widths[best]


def _check_time(value: float, location: str) -> None:
    if value is None or not np.isfinite(float(value)) or float(value) <= 0:
        raise InputError(f"expected a time above 0, found {value}", location=location)
