"""Fitting events and censorings to a cleaned curve, interval by interval of the at-risk table.

The machinery of :func:`~evidence_app.core.reconstruction.reconstruct.reconstruct_ipd` (see its module
docstring for the method): the curve as a step function, the state accumulated over intervals, the
spread of a drop's events over its time uncertainty, and the spreading of missed drops.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np

from evidence_app.core.distributions import norm_ppf_many
from evidence_app.core.reconstruction.cleaning import drop_times

#: Survival drop of one event above which steps are fitted to find when censoring happened.
STEP_VISIBLE = 0.01
#: Censoring-timing shapes tried where steps are visible (quantile q placed at q**shape).
SHAPES = (1.0, 0.5, 0.25, 0.1, 2.0, 4.0)
#: Distance from the curve that counts as a perfect fit of a step (about twice the click noise).
MISFIT_FLOOR = 0.006
#: Spread of the events of one clicked drop, in standard errors of the drop's time (see ``drop_time_sd``).
#: Tried 1.5 (2026-12-04): KM sup-distance 0.0245 -> 0.0235 (careful kmdata) and 0.0371 -> 0.0357
#: (coarse), |Δ log HR| p90 0.0182 -> 0.0162, but |Δ median| on the careful set 0.053 / 0.220 ->
#: 0.056 / 0.240 and simulated 1% noise sup 0.0249 -> 0.0260: kept at 1.
TIME_SPREAD = 1.0


class StepCurve:
    """The cleaned curve as a right-continuous step function with a censoring-placement density.

    Censorings sit at mid-quantiles of a density proportional to S(t) within an interval, or, where
    the digitizer found censor marks in it, at the quantiles of the marks' times.
    """

    def __init__(self, t: np.ndarray, s: np.ndarray, marks: np.ndarray | None = None) -> None:
        self.t, self.s = t, s
        self.cum = np.r_[0.0, np.cumsum(np.maximum(s[:-1], 1e-3) * np.diff(t))]
        self.marks = np.empty(0) if marks is None else marks
        self._ends: dict[tuple[float, float], tuple[float, float]] = {}

    def at(self, x: np.ndarray) -> np.ndarray:
        return self.s[np.searchsorted(self.t, x, side="right") - 1]

    def before(self, x: np.ndarray) -> np.ndarray:
        return self.s[np.maximum(np.searchsorted(self.t, x, side="left") - 1, 0)]

    def has_marks(self, lo: float, hi: float) -> bool:
        return bool(np.searchsorted(self.marks, hi, "left") > np.searchsorted(self.marks, lo, "left"))

    def censor_times(self, count: int, lo: float, hi: float, shape: float = 1.0) -> np.ndarray:
        """``count`` times at mid-quantiles q of a density proportional to S on (lo, hi), q moved to q**shape."""
        if count <= 0:
            return np.empty(0)
        q = (np.arange(count) + 0.5) / count
        if shape != 1.0:
            q **= shape
        if len(self.marks):
            inside = self.marks[np.searchsorted(self.marks, lo, "left") : np.searchsorted(self.marks, hi, "left")]
            if len(inside):
                return inside[np.minimum((q * len(inside)).astype(np.int64), len(inside) - 1)]
        if (lo, hi) not in self._ends:
            both = np.interp([lo, hi], self.t, self.cum).tolist()
            self._ends[(lo, hi)] = (both[0], both[1])
        c_lo, c_hi = self._ends[(lo, hi)]
        if c_hi <= c_lo:
            return lo + (hi - lo) * q
        return np.interp(c_lo + (c_hi - c_lo) * q, self.cum, self.t)


def _bracket(gap: Callable[[int], int], most: int, start: int = 0) -> tuple[int, int]:
    """Censoring counts ``lo < hi`` with ``gap(lo) < 0 <= gap(hi)`` (or ``hi = most``), found by stepping
    ``c -> c - gap(c)`` from ``start`` (``gap(0) < 0``): each step adds the exits still missing (or takes
    away the surplus), so it needs a few solves, not a bisection over the whole interval."""
    if 0 < start <= most and (surplus := gap(start)) >= 0:
        hi, lo = start, max(start - max(surplus, 1), 0)
        while lo > 0 and (surplus := gap(lo)) >= 0:
            hi, lo = lo, max(lo - max(surplus, 1), 0)
        return lo, hi
    lo, hi = 0, min(start, most)
    while hi < most:
        missing = gap(hi)
        if missing >= 0:
            return lo, hi
        lo, hi = hi, min(hi - missing, most)
    return lo, most


def boundary(predicate: Callable[[int], bool], lo: int, hi: int) -> tuple[int, int]:
    """Bisect for neighbours ``lo < hi`` with ``predicate(lo)`` true and ``predicate(hi)`` false."""
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if predicate(mid) else (lo, mid)
    return lo, hi


class IntervalState:
    """Patients accumulated interval by interval, and the KM level reached so far."""

    def __init__(self, n_total: int, time_sd: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        self.n_total, self.level = n_total, 1.0
        self.time_sd = (np.empty(0), np.empty(0)) if time_sd is None else time_sd
        self.windows: list[tuple[float, float]] = []
        self.event_t: list[np.ndarray] = []
        self.event_d: list[np.ndarray] = []
        self.censor_t: list[np.ndarray] = []
        self.at_end = 0
        self.end_time: float | None = None
        self.end_event = False
        #: Times no spread crosses (a published median: events stay on their side of it).
        self.barriers = np.empty(0)

    def n_events(self) -> int:
        return sum(int(d.sum()) for d in self.event_d)

    def track(
        self, n_start: int, cens: np.ndarray, drop_t: np.ndarray, drop_s: list[float]
    ) -> tuple[np.ndarray, float, int]:
        """Events per drop tracking the curve's absolute level, the misfit beyond ``MISFIT_FLOOR`` and
        the number of events.

        Plain Python floats in the loop: it runs many times per interval.
        """
        before = np.searchsorted(cens, drop_t, side="left").tolist()
        d = [0] * len(drop_s)
        level, gone, misfit, floor = self.level, 0, 0.0, MISFIT_FLOOR**2
        for j, target in enumerate(drop_s):
            r = n_start - gone - before[j]
            if r > 0 and level > 0:
                dj = min(max(math.floor(r * (1.0 - target / level) + 0.5), 0), r)
                if dj:
                    level *= 1.0 - dj / r
                    gone += dj
                    d[j] = dj
            miss = (level - target) ** 2
            if miss > floor:
                misfit += miss - floor
        return np.array(d, dtype=np.int64), misfit, gone

    def interval(
        self,
        n_start: int,
        exits: int,
        drop_t: np.ndarray,
        drop_s: np.ndarray,
        window: tuple[float, float],
        curve_fn: StepCurve,
        warnings: list[str],
    ) -> None:
        """Solve the censoring count so that events + censorings equal ``exits`` exactly.

        Where few patients remain, one event is a visible step whose height reveals the number at
        risk; there the timing of censorings within the interval is also chosen to fit the steps.
        """
        lo_t, hi_t = window
        if n_start <= 0:
            if len(drop_t):
                warnings.append(f"The curve drops after {lo_t:g} although nobody is left at risk; ignored.")
            return
        informative = self.level / max(n_start - exits, 1) > STEP_VISIBLE and len(drop_t) > 0
        informative = informative and not curve_fn.has_marks(lo_t, hi_t)
        best: tuple[float, int, np.ndarray, float] | None = None
        levels = drop_s.tolist()
        previous = 0  # the count found for the previous shape: the next is usually near it
        for shape in SHAPES if informative else (1.0,):
            memo: dict[int, tuple[int, np.ndarray, float]] = {}

            def solve(
                c: int, shape: float = shape, memo: dict[int, tuple[int, np.ndarray, float]] = memo
            ) -> tuple[int, np.ndarray, float]:
                if c not in memo:
                    d, misfit, made = self.track(n_start, curve_fn.censor_times(c, lo_t, hi_t, shape), drop_t, levels)
                    memo[c] = (made + c - exits, d, misfit)
                return memo[c]

            gap, d, misfit = solve(0)
            c = 0
            if gap < 0:
                lo, hi = _bracket(lambda m: solve(m)[0], exits, previous)
                lo, hi = boundary(lambda m: solve(m)[0] < 0, lo, hi)
                (g_lo, d_lo, m_lo), (g_hi, d_hi, m_hi) = solve(lo), solve(hi)
                c, d, misfit = (lo, d_lo, m_lo) if abs(g_lo) < abs(g_hi) else (hi, d_hi, m_hi)
            previous = c
            # Prefer the neutral shape unless another fits the steps clearly better.
            penalty = misfit * (1.0 if shape == 1.0 else 1.25) + (0.0 if shape == 1.0 else 1e-6)
            if best is None or penalty < best[0]:
                best = (penalty, c, d, shape)
            if best[0] == 0.0:
                break  # the steps already fit within click noise
        assert best is not None
        _, _, d, shape = best
        if (events := int(d.sum())) > exits:
            warnings.append(
                f"After {lo_t:g} the curve's drops need {events} events but only {exits} patients "
                "leave according to the at-risk table; scaled the events down."
            )
            d = _scale_counts(d, exits)
        n_cens = exits - int(d.sum())
        self._commit(n_start, d, n_cens, drop_t, curve_fn.censor_times(n_cens, lo_t, hi_t, shape), window)

    def match_events(
        self,
        n_start: int,
        target: int,
        drop_t: np.ndarray,
        drop_s: np.ndarray,
        window: tuple[float, float],
        keep_end: int,
        curve_fn: StepCurve,
    ) -> None:
        """Last interval with a reported event total: solve the censoring count so ``target`` events happen."""

        def events(c: int) -> np.ndarray:
            return self.track(n_start, curve_fn.censor_times(c, *window), drop_t, drop_s.tolist())[0]

        d, c = events(0), 0
        if d.sum() > target:
            lo, hi = boundary(lambda m: events(m).sum() > target, 0, max(n_start - keep_end, 1))
            d_lo, d_hi = events(lo), events(hi)
            c, d = (lo, d_lo) if abs(d_lo.sum() - target) < abs(d_hi.sum() - target) else (hi, d_hi)
        c = max(min(c, n_start - int(d.sum()) - keep_end), 0)
        self._commit(n_start, d, c, drop_t, curve_fn.censor_times(c, *window), window)

    def _commit(
        self,
        n_start: int,
        d: np.ndarray,
        n_cens: int,
        drop_t: np.ndarray,
        cens: np.ndarray,
        window: tuple[float, float],
    ) -> None:
        before = np.searchsorted(cens, drop_t, side="left")
        at_risk = n_start - np.r_[0, np.cumsum(d)[:-1]] - before
        if (at_risk < d).any():
            # Rare: the extra censorings would empty the risk set before a drop; put them after it.
            cens = np.full(n_cens, drop_t[-1] if len(drop_t) else 0.0)
            at_risk = n_start - np.r_[0, np.cumsum(d)[:-1]]
        ratio = np.where(at_risk > 0, 1.0 - d / np.maximum(at_risk, 1), 1.0)
        self.level *= float(np.prod(ratio))
        self.windows.append(window)
        self.event_t.append(drop_t)
        self.event_d.append(d)
        self.censor_t.append(cens)
        self.at_end = n_start - int(d.sum()) - n_cens

    def _sd(self, drop_t: np.ndarray) -> np.ndarray:
        """Standard error of the time of each drop in ``drop_t`` (0 when unknown)."""
        te, sd = self.time_sd
        if not len(te) or not len(drop_t):
            return np.zeros(len(drop_t))
        k = np.clip(np.searchsorted(te, drop_t), 0, len(te) - 1)
        return np.where(te[k] == drop_t, sd[k], 0.0)

    def times(self, t_end: float) -> np.ndarray:
        events = [
            spread_events(t, d, self._sd(t), w, self.barriers)
            for t, d, w in zip(self.event_t, self.event_d, self.windows)
        ]
        end = [np.full(self.at_end, t_end if self.end_time is None else self.end_time)]
        return np.concatenate(
            events + (end if self.end_event else []) + self.censor_t + ([] if self.end_event else end)
        )

    def events(self) -> np.ndarray:
        n_events = self.n_events() + (self.at_end if self.end_event else 0)
        n_cens = sum(len(c) for c in self.censor_t) + (0 if self.end_event else self.at_end)
        return np.r_[np.ones(n_events, dtype=np.int8), np.zeros(n_cens, dtype=np.int8)]


def drop_time_sd(t: np.ndarray, s: np.ndarray, click_sd: float) -> tuple[np.ndarray, np.ndarray]:
    """Standard error of each drop's time (see :func:`drop_times`), as ``(drop times, sd)`` sorted by time.

    A clicked vertical drop is dated by the mean of its two ends (``click_sd / √2``); the far end of a
    shallow run by one click (``click_sd``).
    """
    te = drop_times(t, s)
    steep = np.r_[False, (s[:-1] - s[1:]) * max(float(t[-1]), 1e-12) >= np.diff(t)]
    return te, np.where(steep, click_sd / math.sqrt(2.0), click_sd) * TIME_SPREAD


def spread_events(
    drop_t: np.ndarray,
    d: np.ndarray,
    sd: np.ndarray,
    window: tuple[float, float],
    barriers: np.ndarray | None = None,
) -> np.ndarray:
    """Event times: the ``d[j]`` events of drop ``j`` at mid-quantiles of N(``drop_t[j]``, ``sd[j]``²),
    kept in ``window`` and on their drop's side of every time in ``barriers`` (sorted).

    A drop's time is known only to within its standard error, so its events are placed where the
    true drop may be (the posterior mean of the step, rather than one guess of its time). The
    at-risk table counts whoever is still followed at a printed time, so events stay before the
    interval's end (and not before its start) to keep its numbers exact.
    """
    times = np.repeat(drop_t, d)
    if not (d >= 2).any() or not (sd > 0).any():
        return times
    z = np.concatenate([_mid_quantiles(k) for k in d.tolist()])
    moved = times + np.repeat(sd, d) * z
    lo, hi = window
    low = np.full(len(drop_t), lo)
    high = np.full(len(drop_t), max(np.nextafter(hi, -np.inf), lo))
    if barriers is not None and len(barriers):
        k = np.searchsorted(barriers, drop_t, side="right")
        low = np.maximum(low, np.r_[-np.inf, barriers][k])
        high = np.minimum(high, np.nextafter(np.r_[barriers, np.inf][k], -np.inf))
    return np.clip(moved, np.repeat(low, d), np.repeat(high, d))


@functools.lru_cache(maxsize=512)
def _mid_quantiles(count: int) -> np.ndarray:
    """Normal quantiles at ``(i + 0.5) / count`` for ``i < count`` (one drop's events; 0 for one event)."""
    return norm_ppf_many((np.arange(count) + 0.5) / count) if count > 1 else np.zeros(count)


def _scale_counts(d: np.ndarray, total: int) -> np.ndarray:
    """Integer counts proportional to ``d`` summing to ``total`` (cumulative rounding keeps the shape)."""
    cum = np.round(np.cumsum(d) * (total / max(int(d.sum()), 1))).astype(np.int64)
    return np.diff(np.r_[0, cum])


#: Resolution at which a shallow decline is spread, as a fraction of the curve's time span (two pixels of 800).
FILL_STEP = 2.0 / 800.0


#: A segment longer in time than this many SDs of the two clicks' time difference is no clicked drop.
DROP_WIDTH_SDS = 6.0


def fill_missed_drops(
    t: np.ndarray, s: np.ndarray, n_max: int | None = None, time_noise: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Spread the decline of each segment of a cleaned curve that is not a clicked drop along it.

    Between the bottom of one clicked drop and the top of the next the curve is flat unless drops
    were skipped (a coarse digitization clicks only some of them); their heights add up to the
    segment's decline and, with no knowledge of where they were, their expected curve is the straight
    line between the two points. Where every drop was clicked the decline is click noise and small.
    A clicked drop is a segment steeper than 45° (time scaled to the curve's span) whose two ends
    differ in time by click noise only (within ``DROP_WIDTH_SDS`` SDs of it, ``time_noise`` being one
    click's SD, and at most two pixels of 800): a steep stretch of the curve where drops were skipped
    is filled too. Clicked drops are kept as they are.
    With ``n_max`` patients a segment holds at most ``n_max · decline / level`` events, so it needs
    no more than about twice that many pieces.
    """
    span = max(float(t[-1]), 1e-12)
    fall, width = s[:-1] - s[1:], np.diff(t)
    sloped = fall * span < width
    if time_noise > 0:
        sloped |= width > max(DROP_WIDTH_SDS * math.sqrt(2.0) * time_noise, span * FILL_STEP)
    shallow = sloped & (fall > 0)
    if not shallow.any():
        return t, s
    most = np.ceil(width / (span * FILL_STEP))
    if n_max is not None:
        most = np.minimum(most, np.ceil(2 * n_max * fall / np.maximum(s[:-1], 1e-9)) + 2)
    pieces = np.where(shallow, np.clip(most, 1, 200), 1).astype(np.int64)
    starts = np.repeat(np.arange(len(width)), pieces)
    frac = (np.arange(len(starts)) - np.repeat(np.cumsum(pieces) - pieces, pieces) + 1) / np.repeat(pieces, pieces)
    return np.r_[t[0], t[starts] + frac * width[starts]], np.r_[s[0], s[starts] - frac * fall[starts]]
