"""Reconstruction of patient-level data from a digitized Kaplan–Meier curve.

The method extends Guyot et al. (BMC Med Res Methodol 2012;12:9):

* the curve is cleaned first (:func:`~evidence_app.core.reconstruction.curve_input.clean_curve`: path order,
  isotonic fit, levelled horizontal stretches); a clicked vertical drop is dated by the mean of
  its two ends;
* that date is uncertain by the click noise, which is estimated from the disagreement of the two
  ends of the visible drops; the events of a drop of several events are placed at normal
  quantiles around its date with that standard error (the posterior mean of the step, not one
  guess of its time), kept inside their at-risk interval; exact input is not spread;
* within each interval of the at-risk table the censoring count is solved by bisection so the
  number at risk at the interval's end is met *exactly* (a hard constraint), while events at each
  drop track the curve's absolute level (rounding never accumulates);
* censorings sit at mid-quantiles of a density proportional to S(t), as staggered entry produces,
  not uniformly in time; where one event is a visible step (few at risk) the step heights reveal
  the number at risk, and the timing of censorings within the interval is chosen to fit them;
* after the last printed time the censoring survival G(t) = n(t) / (N S(t)) is extrapolated to
  the curve's end; a final drop to 0 takes whoever is left as events;
* without a table, potential follow-up is assumed uniform over the last two thirds of the curve,
  and the censoring count is solved to match a reported event total when there is one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evidence_app.core.progress import CancelCheck, ProgressCallback, check_cancelled, report
from evidence_app.core.reconstruction.curve_input import (
    AT_RISK_COLUMNS,
    CURVE_COLUMNS,
    anchor_at_risk,
    clean_curve,
    drop_times,
)
from evidence_app.errors import InputError

ALGORITHM_VERSION = "1.0"
METHOD = "interval-constrained reconstruction (Guyot 2012, extended)"
#: Without an at-risk table, potential follow-up is assumed uniform from this fraction of the curve to its end.
DEFAULT_FOLLOW_UP_START = 1.0 / 3.0
#: Survival drop of one event above which steps are fitted to find when censoring happened.
STEP_VISIBLE = 0.01
#: Censoring-timing shapes tried where steps are visible (quantile q placed at q**shape).
SHAPES = (1.0, 0.5, 0.25, 0.1, 2.0, 4.0)
#: Distance from the curve that counts as a perfect fit of a step (about twice the click noise).
MISFIT_FLOOR = 0.006
#: Spread of the events of one clicked drop, in standard errors of the drop's time (see ``drop_time_sd``).
TIME_SPREAD = 1.0


@dataclass(frozen=True)
class ReconstructionDiagnostics:
    """How well a reconstruction reproduces what was published.

    Attributes
    ----------
    max_gap, mean_gap
        Largest and mean vertical distance, reconstructed KM vs cleaned digitized curve, at its points.
    at_risk
        ``(time, published, reconstructed)`` for every printed time of the at-risk table.
    events, reported_events
        Events in the reconstruction, and the reported total when known.
    """

    max_gap: float
    mean_gap: float
    at_risk: tuple[tuple[float, int, int], ...]
    events: int
    reported_events: int | None


@dataclass(frozen=True, eq=False)
class ReconstructedArm:
    """Reconstructed patient-level data of one arm: one row per patient."""

    time: np.ndarray
    event: np.ndarray
    warnings: tuple[str, ...]
    diagnostics: ReconstructionDiagnostics
    method: str
    algorithm_version: str
    approximation: str | None = None

    @property
    def n_patients(self) -> int:
        return int(len(self.time))

    @property
    def n_events(self) -> int:
        return int(self.event.sum())

    def to_frame(self) -> pd.DataFrame:
        """Columns ``time`` and ``event`` (1 = event, 0 = censored), sorted by time."""
        return pd.DataFrame({"time": self.time, "event": self.event.astype(int)})


def as_frame(data: pd.DataFrame | np.ndarray, columns: tuple[str, str]) -> pd.DataFrame:
    """Accept a frame with the named columns or a ``(k, 2)`` array."""
    if isinstance(data, pd.DataFrame):
        return data
    array = np.asarray(data, dtype=float)
    if array.ndim != 2 or array.shape[1] != 2:
        raise InputError(f"expected two columns ({','.join(columns)}), got an array of shape {array.shape}")
    return pd.DataFrame(array, columns=list(columns))


def km_curve(time: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan–Meier estimate: distinct event times and survival just after each."""
    order = np.argsort(time, kind="stable")
    time, event = np.asarray(time, float)[order], np.asarray(event)[order]
    uniq, first = np.unique(time, return_index=True)
    deaths = np.add.reduceat(event.astype(float), first) if len(time) else np.empty(0)
    at_risk = len(time) - first
    keep = deaths > 0
    return uniq[keep], np.cumprod(1.0 - deaths[keep] / at_risk[keep])


def km_at(time: np.ndarray, event: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Right-continuous KM evaluated at ``x``."""
    t, s = km_curve(time, event)
    return np.r_[1.0, s][np.searchsorted(t, x, side="right")]


def build_arm(
    time: np.ndarray,
    event: np.ndarray,
    curve: pd.DataFrame,
    table: pd.DataFrame | None,
    reported_events: int | None,
    warnings: list[str],
    method: str,
    version: str,
    approximation: str | None = None,
) -> ReconstructedArm:
    """Sort patients, compute diagnostics against the curve and table, and freeze the result."""
    order = np.lexsort((np.asarray(event) == 0, time))
    time, event = np.asarray(time, float)[order], np.asarray(event, np.int8)[order]
    # Distance from each digitized point to the KM's step, whose vertical part at t spans S(t) to S(t-).
    ct, cs = curve["time"].to_numpy(), curve["survival"].to_numpy()
    et, es = km_curve(time, event)
    after, before = np.r_[1.0, es][np.searchsorted(et, ct, "right")], np.r_[1.0, es][np.searchsorted(et, ct, "left")]
    gap = np.maximum(np.maximum(after - cs, cs - before), 0.0)
    rows: tuple[tuple[float, int, int], ...] = ()
    if table is not None:
        tt, nn = table["time"].to_numpy(float), table["n_at_risk"].to_numpy(int)
        rebuilt = len(time) - np.searchsorted(time, tt, side="left")
        rows = tuple((float(a), int(b), int(c)) for a, b, c in zip(tt, nn, rebuilt))
    diag = ReconstructionDiagnostics(
        float(gap.max(initial=0.0)), float(gap.mean()) if len(gap) else 0.0, rows, int(event.sum()), reported_events
    )
    time.setflags(write=False)
    event.setflags(write=False)
    return ReconstructedArm(time, event, tuple(warnings), diag, method, version, approximation)


def reconstruct_ipd(
    curve: pd.DataFrame | np.ndarray,
    at_risk: pd.DataFrame | np.ndarray | None = None,
    n: int | None = None,
    total_events: int | None = None,
    *,
    progress: ProgressCallback = None,
    cancelled: CancelCheck = None,
) -> ReconstructedArm:
    """Reconstruct patient-level (time, event) data for one arm from its digitized KM curve.

    Parameters
    ----------
    curve
        Digitized curve, columns ``time,survival`` (or a ``(k, 2)`` array), cleaned by :func:`clean_curve`.
    at_risk
        Numbers at risk, columns ``time,n_at_risk``: the most valuable information there is.
    n, total_events
        Number of patients (needed without an at-risk row at time 0) and reported events, if known.
    progress, cancelled
        The usual progress and cancellation callbacks.

    Returns
    -------
    ReconstructedArm
        Times in the curve's unit within ``[0, last curve time]``, with warnings and diagnostics.

    Raises
    ------
    AnalysisError
        When neither ``n`` nor an at-risk table gives the number of patients.
    """
    report(progress, 0.0, "Cleaning the digitized curve")
    table = None if at_risk is None else as_frame(at_risk, AT_RISK_COLUMNS)
    cleaned, table, warnings = clean_curve(as_frame(curve, CURVE_COLUMNS), table)
    t, s = cleaned["time"].to_numpy(), cleaned["survival"].to_numpy()
    tau, n_risk = anchor_at_risk(table, n, t, s, warnings)
    total = int(n_risk[0])
    if total_events is not None and not 0 <= total_events <= total:
        raise InputError(
            f"expected a total of events between 0 and {total}, found {total_events}", location="total_events"
        )
    drop = np.flatnonzero(np.diff(s) < 0) + 1
    te = drop_times(t, s)
    curve_fn = _StepCurve(t, s)
    state = _State(total, drop_time_sd(t, s, float(cleaned.attrs.get("time_noise", 0.0))))
    for i in range(len(tau) - 1):
        check_cancelled(cancelled)
        report(progress, 0.1 + 0.8 * i / len(tau), f"Interval {tau[i]:g}–{tau[i + 1]:g}")
        sel = drop[(te[drop] >= tau[i]) & (te[drop] < tau[i + 1])]
        window = (tau[i], min(tau[i + 1], t[-1]))
        state.interval(int(n_risk[i]), int(n_risk[i]) - int(n_risk[i + 1]), te[sel], s[sel], window, curve_fn, warnings)
    sel = drop[te[drop] >= tau[-1]]
    _last_interval(state, tau, n_risk, t, s, te[sel], s[sel], curve_fn, total_events, warnings)
    made = state.n_events() + state.end_event * state.at_end
    if total_events is not None and made != total_events:
        warnings.append(
            f"Reconstructed {made} events; the reported total is {total_events} "
            "(the curve's drops do not allow an exact match)."
        )
    report(progress, 1.0, "Done")
    kind = ("at-risk table" if table is not None else "N") + (" and total events" if total_events is not None else "")
    return build_arm(
        state.times(t[-1]),
        state.events(),
        cleaned,
        table,
        total_events,
        warnings,
        f"{METHOD}; {kind}",
        ALGORITHM_VERSION,
    )


def _last_interval(
    state: _State,
    tau: np.ndarray,
    n_risk: np.ndarray,
    t: np.ndarray,
    s: np.ndarray,
    drop_t: np.ndarray,
    drop_s: np.ndarray,
    curve_fn: _StepCurve,
    total_events: int | None,
    warnings: list[str],
) -> None:
    """After the last printed time everyone leaves by the end of the curve."""
    n_last, t_end = int(n_risk[-1]), float(t[-1])
    to_zero = s[-1] <= 0 and len(drop_t) > 0
    s_end = float(s[-1])
    if to_zero:
        # A final drop to 0 kills whoever is left, so its size says nothing about how many: the
        # number still at risk comes from the censoring pattern instead, and they die there.
        state.end_time, state.end_event = float(drop_t[-1]), True
        drop_t, drop_s = drop_t[:-1], drop_s[:-1]
        s_end = float(drop_s[-1]) if len(drop_s) else state.level
    keep_end = 1 if n_last > 0 and s_end > 0 else 0
    start = tau[-1]
    if len(tau) == 1:
        start = DEFAULT_FOLLOW_UP_START * t_end
        if total_events is None:
            warnings.append(
                "No at-risk table or event total: assumed follow-up uniform over the last two thirds "
                "of the curve; the number of events is uncertain."
            )
    if total_events is not None:
        target = total_events - state.n_events() - (keep_end if to_zero else 0)
        state.match_events(n_last, target, drop_t, drop_s, (start, t_end), keep_end, curve_fn)
        return
    if len(tau) > 1:
        remaining = _remaining_at_end(tau, n_risk, curve_fn, t_end, s_end, state.n_total)
        keep_end = max(keep_end, min(remaining, n_last))
    state.interval(n_last, n_last - keep_end, drop_t, drop_s, (start, t_end), curve_fn, warnings)


def _remaining_at_end(
    tau: np.ndarray, n_risk: np.ndarray, curve_fn: _StepCurve, t_end: float, s_end: float, total: int
) -> int:
    """Patients still followed at the curve's end, extrapolating the censoring survival G linearly."""
    level = np.maximum(curve_fn.before(tau[-2:]), 1e-9)
    g = n_risk[-2:] / (total * level)
    slope = (g[1] - g[0]) / max(tau[-1] - tau[-2], 1e-12)
    g_end = float(np.clip(g[1] + slope * (t_end - tau[-1]), 0.0, g[1]))
    return int(round(n_risk[-1] * s_end / level[1] * g_end / max(g[1], 1e-12)))


class _StepCurve:
    """The cleaned curve as a right-continuous step function with a censoring-placement density."""

    def __init__(self, t: np.ndarray, s: np.ndarray) -> None:
        self.t, self.s = t, s
        self.cum = np.r_[0.0, np.cumsum(np.maximum(s[:-1], 1e-3) * np.diff(t))]

    def at(self, x: np.ndarray) -> np.ndarray:
        return self.s[np.searchsorted(self.t, x, side="right") - 1]

    def before(self, x: np.ndarray) -> np.ndarray:
        return self.s[np.maximum(np.searchsorted(self.t, x, side="left") - 1, 0)]

    def censor_times(self, count: int, lo: float, hi: float, shape: float = 1.0) -> np.ndarray:
        """``count`` times at mid-quantiles q of a density proportional to S on (lo, hi), q moved to q**shape."""
        if count <= 0:
            return np.empty(0)
        q = ((np.arange(count) + 0.5) / count) ** shape
        c_lo, c_hi = np.interp([lo, hi], self.t, self.cum)
        if c_hi <= c_lo:
            return lo + (hi - lo) * q
        return np.interp(c_lo + (c_hi - c_lo) * q, self.cum, self.t)


def _boundary(predicate: Callable[[int], bool], lo: int, hi: int) -> tuple[int, int]:
    """Bisect for neighbours ``lo < hi`` with ``predicate(lo)`` true and ``predicate(hi)`` false."""
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if predicate(mid) else (lo, mid)
    return lo, hi


class _State:
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

    def n_events(self) -> int:
        return sum(int(d.sum()) for d in self.event_d)

    def track(
        self, n_start: int, cens: np.ndarray, drop_t: np.ndarray, drop_s: list[float]
    ) -> tuple[np.ndarray, float]:
        """Events per drop tracking the curve's absolute level, and the misfit beyond ``MISFIT_FLOOR``.

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
        return np.array(d, dtype=np.int64), misfit

    def interval(
        self,
        n_start: int,
        exits: int,
        drop_t: np.ndarray,
        drop_s: np.ndarray,
        window: tuple[float, float],
        curve_fn: _StepCurve,
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
        best: tuple[float, int, np.ndarray, float] | None = None
        levels = drop_s.tolist()
        for shape in SHAPES if informative else (1.0,):

            def solve(c: int, shape: float = shape) -> tuple[int, np.ndarray, float]:
                d, misfit = self.track(n_start, curve_fn.censor_times(c, lo_t, hi_t, shape), drop_t, levels)
                return int(d.sum()) + c - exits, d, misfit

            gap, d, misfit = solve(0)
            c = 0
            if gap < 0:
                lo, hi = _boundary(lambda m: solve(m)[0] < 0, 0, exits)
                (g_lo, d_lo, m_lo), (g_hi, d_hi, m_hi) = solve(lo), solve(hi)
                c, d, misfit = (lo, d_lo, m_lo) if abs(g_lo) < abs(g_hi) else (hi, d_hi, m_hi)
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
        curve_fn: _StepCurve,
    ) -> None:
        """Last interval with a reported event total: solve the censoring count so ``target`` events happen."""

        def events(c: int) -> np.ndarray:
            return self.track(n_start, curve_fn.censor_times(c, *window), drop_t, drop_s.tolist())[0]

        d, c = events(0), 0
        if d.sum() > target:
            lo, hi = _boundary(lambda m: events(m).sum() > target, 0, max(n_start - keep_end, 1))
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
        events = [_spread_events(t, d, self._sd(t), w) for t, d, w in zip(self.event_t, self.event_d, self.windows)]
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


def _spread_events(drop_t: np.ndarray, d: np.ndarray, sd: np.ndarray, window: tuple[float, float]) -> np.ndarray:
    """Event times: the ``d[j]`` events of drop ``j`` at mid-quantiles of N(``drop_t[j]``, ``sd[j]``²),
    kept in ``window``.

    A drop's time is known only to within its standard error, so its events are placed where the
    true drop may be (the posterior mean of the step, rather than one guess of its time). The
    at-risk table counts whoever is still followed at a printed time, so events stay before the
    interval's end (and not before its start) to keep its numbers exact.
    """
    times = np.repeat(drop_t, d)
    if not (d >= 2).any() or not (sd > 0).any():
        return times
    first = np.repeat(np.cumsum(d) - d, d)
    size = np.repeat(d, d).astype(float)
    z = _normal_quantile((np.arange(len(times)) - first + 0.5) / size)
    moved = times + np.repeat(sd, d) * z
    lo, hi = window
    return np.clip(moved, lo, max(np.nextafter(hi, -np.inf), lo))


def _normal_quantile(q: np.ndarray) -> np.ndarray:
    from scipy.special import ndtri

    return ndtri(q)


def _scale_counts(d: np.ndarray, total: int) -> np.ndarray:
    """Integer counts proportional to ``d`` summing to ``total`` (cumulative rounding keeps the shape)."""
    cum = np.round(np.cumsum(d) * (total / max(int(d.sum()), 1))).astype(np.int64)
    return np.diff(np.r_[0, cum])
