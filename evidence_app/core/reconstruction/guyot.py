"""Plain Guyot et al. (2012) reconstruction, kept as the baseline for the benchmarks.

Guyot P, Ades AE, Ouwens MJNM, Welton NJ. Enhanced secondary analysis of survival data:
reconstructing the data from published Kaplan–Meier survival curves. BMC Med Res Methodol
2012;12:9. Implemented from the paper's description:

* interval ``i`` runs from the first digitized point at or after the i-th printed time to the last
  point before the next; the first guess of censorings is
  ``round(n_i * S(next) / S(start) - n_{i+1})``;
* censoring times are spread uniformly over the interval, events at each point are
  ``round(n_hat * (1 - S_k / KM_last))`` and the censoring count is corrected by the difference
  between the reconstructed and published number at risk until they agree;
* in the last interval censoring continues at the average rate of the earlier intervals, or is
  solved to match a reported event total;
* censored patients are output at the midpoint between the two digitized points they fall between.

Input is prepared as a user of the published method typically does: sorted by time, survival
clipped to [0, 1] and made non-increasing by a running minimum, (0, 1) added when missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evidence_app.core.reconstruction.reconstruct import ReconstructedArm, as_frame, build_arm
from evidence_app.errors import AnalysisError

ALGORITHM_VERSION = "guyot-2012"
MAX_ITERATIONS = 1000


def guyot_ipd(
    curve: pd.DataFrame | np.ndarray,
    at_risk: pd.DataFrame | np.ndarray | None = None,
    n: int | None = None,
    total_events: int | None = None,
) -> ReconstructedArm:
    """Reconstruct one arm with the plain Guyot (2012) algorithm.

    Parameters
    ----------
    curve
        Digitized curve, columns ``time,survival``.
    at_risk
        Numbers at risk, columns ``time,n_at_risk``.
    n
        Number of patients (needed without an at-risk row at time 0).
    total_events
        Reported total number of events, if known.

    Returns
    -------
    ReconstructedArm
    """
    frame = as_frame(curve, ("time", "survival")).sort_values("time", kind="stable")
    t_s = np.maximum(frame["time"].to_numpy(float), 0.0)
    surv = np.minimum.accumulate(np.clip(frame["survival"].to_numpy(float), 0.0, 1.0))
    if t_s[0] > 0 or surv[0] < 1:
        t_s, surv = np.r_[0.0, t_s], np.r_[1.0, surv]
    table = None if at_risk is None else as_frame(at_risk, ("time", "n_at_risk"))
    t_risk, n_risk = _table(table, n, t_s[-1])
    # Printed times whose interval holds no digitized point are merged into the previous interval.
    lower = np.searchsorted(t_s, t_risk, side="left")
    keep = np.r_[True, np.diff(lower) > 0] & (lower < len(t_s))
    t_risk, n_risk, lower = t_risk[keep], n_risk[keep].copy(), lower[keep]
    upper = np.r_[lower[1:] - 1, len(t_s) - 1]
    d, cen = _run(t_s, surv, n_risk, lower, upper, total_events)
    times = [np.repeat(t_s, d)]
    mids = np.r_[(t_s[:-1] + t_s[1:]) / 2, t_s[-1]]
    times.append(np.repeat(mids, cen))
    n_left = max(int(n_risk[0]) - int(d.sum()) - int(cen.sum()), 0)
    times.append(np.full(n_left, t_s[-1]))
    event = np.r_[np.ones(int(d.sum())), np.zeros(int(cen.sum()) + n_left)]
    curve_frame = pd.DataFrame({"time": t_s, "survival": surv})
    return build_arm(
        np.concatenate(times), event, curve_frame, table, total_events, [], "Guyot et al. 2012", ALGORITHM_VERSION
    )


def _table(table: pd.DataFrame | None, n: int | None, t_end: float) -> tuple[np.ndarray, np.ndarray]:
    if table is None:
        if n is None:
            raise AnalysisError("The number of patients is needed: give N or a numbers-at-risk table.")
        return np.array([0.0]), np.array([int(n)])
    t_risk, n_risk = table["time"].to_numpy(float), table["n_at_risk"].to_numpy(int)
    inside = t_risk <= t_end
    t_risk, n_risk = t_risk[inside], n_risk[inside]
    if len(t_risk) == 0 or t_risk[0] > 0:
        if n is None:
            raise AnalysisError("The number of patients is needed: the at-risk table has no row at time 0.")
        t_risk, n_risk = np.r_[0.0, t_risk], np.r_[int(n), n_risk]
    return t_risk, n_risk


def _censor_counts(t_s: np.ndarray, lo: int, hi: int, t_from: float, t_to: float, n_cens: int) -> np.ndarray:
    """Censorings spread uniformly over (t_from, t_to), counted per digitized segment lo..hi."""
    cen = np.zeros(hi - lo + 1, dtype=np.int64)
    if n_cens > 0:
        cen_t = t_from + np.arange(1, n_cens + 1) * (t_to - t_from) / (n_cens + 1)
        seg = np.searchsorted(t_s[lo : hi + 1], cen_t, side="right") - 1
        np.add.at(cen, np.clip(seg, 0, hi - lo), 1)
    return cen


def _run(
    t_s: np.ndarray,
    surv: np.ndarray,
    n_risk: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    total_events: int | None,
) -> tuple[np.ndarray, np.ndarray]:
    nk, nint = len(t_s), len(lower)
    d = np.zeros(nk, dtype=np.int64)
    cen = np.zeros(nk, dtype=np.int64)
    n_hat = np.zeros(nk + 1, dtype=np.int64)
    km = np.ones(nk)
    n_censor = np.zeros(nint, dtype=np.int64)
    state = {"last": 0}

    def sweep(i: int, nc: int, t_to: float) -> None:
        lo, hi = lower[i], upper[i]
        cen[lo : hi + 1] = _censor_counts(t_s, lo, hi, t_s[lo], t_to, nc)
        n_hat[lo] = n_risk[i]
        last = state["start"]
        for k in range(lo, hi + 1):
            if (i == 0 and k == lo) or n_hat[k] <= 0:
                d[k], km[k] = 0, (1.0 if i == 0 and k == lo else km[last])
            else:
                d[k] = round(n_hat[k] * (1 - surv[k] / km[last])) if km[last] > 0 else 0
                km[k] = km[last] * (1 - d[k] / n_hat[k])
            n_hat[k + 1] = n_hat[k] - d[k] - cen[k]
            if d[k] != 0:
                last = k
        state["last"] = last

    for i in range(nint - 1):
        state["start"] = state["last"]
        nxt = lower[i + 1]
        n_censor[i] = round(n_risk[i] * surv[nxt] / surv[lower[i]] - n_risk[i + 1]) if surv[lower[i]] > 0 else 0
        for _ in range(MAX_ITERATIONS):
            n_censor[i] = max(n_censor[i], 0)
            sweep(i, int(n_censor[i]), t_s[nxt])
            n_censor[i] += n_hat[nxt] - n_risk[i + 1]
            if n_hat[nxt] == n_risk[i + 1] or (n_hat[nxt] < n_risk[i + 1] and n_censor[i] <= 0):
                break
        n_censor[i] = max(n_censor[i], 0)
        n_risk[i + 1] = min(n_risk[i + 1], n_hat[nxt])

    i = nint - 1
    state["start"] = state["last"]
    lo, hi = lower[i], upper[i]
    nc = 0
    if nint > 1 and t_s[upper[i - 1]] > t_s[lower[0]]:
        rate = n_censor[: nint - 1].sum() / (t_s[upper[i - 1]] - t_s[lower[0]])
        nc = min(int(round(rate * (t_s[hi] - t_s[lo]))), int(n_risk[i]))
    sweep(i, nc, t_s[hi])
    if total_events is not None:
        before = int(d[:lo].sum())
        if before >= total_events:
            d[lo : hi + 1] = 0
            cen[lo : hi + 1] = 0
        else:
            for _ in range(MAX_ITERATIONS):
                excess = int(d[lo : hi + 1].sum()) - (total_events - before)
                if excess == 0 or (excess < 0 and nc <= 0):
                    break
                nc = min(max(nc + excess, 0), int(n_risk[i]))
                state["last"] = state["start"]
                sweep(i, nc, t_s[hi])
    return d, cen
