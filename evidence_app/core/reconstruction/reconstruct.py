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
  and the censoring count is solved to match a reported event total when there is one;
* a coarse digitization clicks only some drops: the decline of a shallow segment between two clicked
  drops is spread along it (the expected curve of drops at unknown places), see
  :func:`~evidence_app.core.reconstruction.interval_fit.fill_missed_drops`;
* further constraints when known (:mod:`~evidence_app.core.reconstruction.constraints`): a reported
  event total (matched in the last interval; a coarse curve's level is bent to meet it), censor-mark
  times (censorings placed at the marks), a published median (the curve bent through it when that
  is within click noise). Where the constraints disagree the result's warnings say so.

The path imports no pandas or scipy when given arrays (a data frame is accepted and converted).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from evidence_app.core.progress import CancelCheck, ProgressCallback, check_cancelled, report
from evidence_app.core.reconstruction.cleaning import anchor_at_risk, clean_arrays, drop_times
from evidence_app.core.reconstruction.constraints import (
    bend_to_events,
    check_censor_marks,
    coarse_noise,
    through_median,
)
from evidence_app.core.reconstruction.interval_fit import IntervalState, StepCurve, drop_time_sd, fill_missed_drops
from evidence_app.core.reconstruction.km import km_at, km_steps
from evidence_app.core.reconstruction.result import (
    ReconstructedArm,
    ReconstructionDiagnostics,
    as_arrays,
    as_frame,
    build_arm,
)
from evidence_app.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ALGORITHM_VERSION",
    "METHOD",
    "ReconstructedArm",
    "ReconstructionDiagnostics",
    "as_frame",
    "build_arm",
    "km_at",
    "km_steps",
    "reconstruct_ipd",
]

ALGORITHM_VERSION = "1.1"
METHOD = "interval-constrained reconstruction (Guyot 2012, extended)"
#: Without an at-risk table, potential follow-up is assumed uniform from this fraction of the curve to its end.
DEFAULT_FOLLOW_UP_START = 1.0 / 3.0


def reconstruct_ipd(
    curve: pd.DataFrame | np.ndarray,
    at_risk: pd.DataFrame | np.ndarray | None = None,
    n: int | None = None,
    total_events: int | None = None,
    *,
    censor_times: Sequence[float] | np.ndarray | None = None,
    median: float | None = None,
    progress: ProgressCallback = None,
    cancelled: CancelCheck = None,
) -> ReconstructedArm:
    """Reconstruct patient-level (time, event) data for one arm from its digitized KM curve.

    Parameters
    ----------
    curve
        Digitized curve, columns ``time,survival`` (or a ``(k, 2)`` array), cleaned by :func:`clean_arrays`.
    at_risk
        Numbers at risk, columns ``time,n_at_risk`` (or a ``(k, 2)`` array): the most valuable information.
    n, total_events
        Number of patients (needed without an at-risk row at time 0) and reported events, if known.
    censor_times
        Times of the censor marks the digitizer found on the curve, if any: censorings are placed there.
    median
        The published median survival of the arm, in the curve's unit, if known.
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
    ct, cs = as_arrays(curve, ("time", "survival"))
    table_in = None if at_risk is None else as_arrays(at_risk, ("time", "n_at_risk"))
    clean = clean_arrays(ct, cs, table_in)
    warnings = list(clean.warnings)
    t, s = clean.time, clean.survival
    tau, n_risk = anchor_at_risk(clean.table, n, t, s, warnings)
    if median is not None:
        at_median = int(n_risk[max(int(np.searchsorted(tau, median, "right")) - 1, 0)])
        t, s = through_median(t, s, float(median), warnings, at_median)
    total = int(n_risk[0])
    t, s = fill_missed_drops(t, s, time_noise=clean.time_noise)
    if total_events is not None and not 0 <= total_events <= total:
        raise InputError(
            f"expected a total of events between 0 and {total}, found {total_events}", location="total_events"
        )
    marks = None if censor_times is None else np.sort(np.asarray(censor_times, dtype=float).ravel())
    exact = None if median is None else float(median)  # the drop through 0.5 is at the median, not spread
    fit_args = (t, tau, n_risk, clean.time_noise, total_events, marks, exact, progress, cancelled)
    state, fit_warnings = _fit(s, *fit_args)
    made = state.n_events() + state.end_event * state.at_end
    if total_events is not None and made != total_events and coarse_noise(clean.time_noise, t):
        state, fit_warnings, made = bend_to_events(
            lambda level: _fit(level, *fit_args), s, made, total_events, warnings
        )
    warnings += fit_warnings
    if total_events is not None and made != total_events:
        warnings.append(
            f"Reconstructed {made} events; the reported total is {total_events} "
            "(the curve's drops do not allow an exact match)."
        )
    times, events = state.times(t[-1]), state.events()
    if marks is not None:
        check_censor_marks(marks, times[events == 0], tau, warnings)
    report(progress, 1.0, "Done")
    kind = ("at-risk table" if clean.table is not None else "N") + (
        " and total events" if total_events is not None else ""
    )
    kind += " and censor marks" if marks is not None else ""
    kind += " and median" if median is not None else ""
    return build_arm(
        times,
        events,
        (clean.time, clean.survival),
        clean.table,
        total_events,
        warnings,
        f"{METHOD}; {kind}",
        ALGORITHM_VERSION,
    )


def _fit(
    s: np.ndarray,
    t: np.ndarray,
    tau: np.ndarray,
    n_risk: np.ndarray,
    time_noise: float,
    total_events: int | None,
    marks: np.ndarray | None,
    exact: float | None,
    progress: ProgressCallback,
    cancelled: CancelCheck,
) -> tuple[IntervalState, list[str]]:
    """Events and censorings interval by interval for the curve ``(t, s)``; the state and its warnings."""
    warnings: list[str] = []
    drop = np.flatnonzero(np.diff(s) < 0) + 1
    te = drop_times(t, s)
    curve_fn = StepCurve(t, s, marks)
    te_sd, sd = drop_time_sd(t, s, time_noise)
    if exact is not None:
        sd = np.where(te_sd == exact, 0.0, sd)
    state = IntervalState(int(n_risk[0]), (te_sd, sd))
    if exact is not None:
        state.barriers = np.array([exact])
    for i in range(len(tau) - 1):
        check_cancelled(cancelled)
        report(progress, 0.1 + 0.8 * i / len(tau), f"Interval {tau[i]:g}–{tau[i + 1]:g}")
        sel = drop[(te[drop] >= tau[i]) & (te[drop] < tau[i + 1])]
        window = (tau[i], min(tau[i + 1], t[-1]))
        state.interval(int(n_risk[i]), int(n_risk[i]) - int(n_risk[i + 1]), te[sel], s[sel], window, curve_fn, warnings)
    sel = drop[te[drop] >= tau[-1]]
    _last_interval(state, tau, n_risk, t, s, te[sel], s[sel], curve_fn, total_events, warnings)
    return state, warnings


def _last_interval(
    state: IntervalState,
    tau: np.ndarray,
    n_risk: np.ndarray,
    t: np.ndarray,
    s: np.ndarray,
    drop_t: np.ndarray,
    drop_s: np.ndarray,
    curve_fn: StepCurve,
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
    tau: np.ndarray, n_risk: np.ndarray, curve_fn: StepCurve, t_end: float, s_end: float, total: int
) -> int:
    """Patients still followed at the curve's end, extrapolating the censoring survival G linearly."""
    level = np.maximum(curve_fn.before(tau[-2:]), 1e-9)
    g = n_risk[-2:] / (total * level)
    slope = (g[1] - g[0]) / max(tau[-1] - tau[-2], 1e-12)
    g_end = float(np.clip(g[1] + slope * (t_end - tau[-1]), 0.0, g[1]))
    return int(round(n_risk[-1] * s_end / level[1] * g_end / max(g[1], 1e-12)))
