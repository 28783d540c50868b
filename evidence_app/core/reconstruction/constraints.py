"""What the reconstruction knows besides the curve and the at-risk table, and where it disagrees.

* A reported event total: matched in the last interval by the censoring count (``reconstruct``);
  when a coarse digitization's drops still give another total, the curve's level is bent to meet
  it (:func:`bend_to_events`: ``S(t) ** λ``, one factor on the cumulative hazard, which keeps the
  shape and moves the level most where it is least certain, in the middle of the curve).
* A published median: the curve is bent through it when that takes no more than click noise
  (:func:`through_median`); otherwise the disagreement is reported and the curve kept.
* Censor-mark times: censorings are placed at the marks (``StepCurve.censor_times``); marks the
  at-risk table has no room for are reported (:func:`check_censor_marks`).

Every bend and every disagreement is a plain-language warning in the result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import numpy as np

#: Relative click noise (time SD over the curve's span) from which a digitization counts as coarse: its
#: level is then too uncertain to be kept when it disagrees with a reported event total.
COARSE_NOISE = 0.005
#: Largest change of the curve accepted to pass through a published median (about three click SDs).
MEDIAN_BEND = 0.03
#: Range of the power ``λ`` searched to meet an event total.
POWER_RANGE = (0.25, 4.0)
BISECTIONS = 16

State = TypeVar("State")


def coarse_noise(time_noise: float, t: np.ndarray) -> bool:
    """True when the estimated click noise says the curve was digitized coarsely, or cannot say (fewer
    than three clicked drops to estimate it from)."""
    return time_noise == 0.0 or time_noise >= COARSE_NOISE * max(float(t[-1]), 1e-12)


def bend_to_events(
    fit: Callable[[np.ndarray], tuple[State, list[str]]],
    s: np.ndarray,
    made: int,
    target: int,
    warnings: list[str],
) -> tuple[State, list[str], int]:
    """Refit with the curve ``s ** λ``, λ bisected so the reconstruction has ``target`` events.

    ``fit(level)`` returns the fitted state (with ``n_events()``, ``end_event`` and ``at_end``) and its
    warnings. Returns the state closest to the target, its warnings and its number of events.
    """
    # The smallest bend that reaches the target: the boundary between too few and enough events, in
    # x = log λ, by interpolation between the bracket's ends (kept off them so the bracket shrinks).
    sign = 1.0 if made < target else -1.0
    near_x, near_e = 0.0, float(made)
    far_x = sign * float(np.log(POWER_RANGE[1]))
    far_e: float | None = None
    guess = _first_guess(s, made, target)
    best: tuple[int, float, State, list[str], int] | None = None
    safe = np.clip(s, 1e-9, 1.0)
    for _ in range(BISECTIONS):
        width = far_x - near_x
        if far_e is None:
            frac = guess / width if guess is not None and guess * sign > 0 else 0.5
        else:
            frac = (target - sign * 0.5 - near_e) / (far_e - near_e) if far_e != near_e else 0.5
        x = near_x + float(np.clip(frac, 0.1, 0.9)) * width
        state, fit_warnings = fit(np.where(s > 0, safe ** float(np.exp(x)), 0.0))
        events = state.n_events() + state.end_event * state.at_end  # type: ignore[attr-defined]
        if best is None or (abs(events - target), abs(x)) < (best[0], abs(np.log(best[1]))):
            best = (abs(events - target), float(np.exp(x)), state, fit_warnings, events)
        if (events >= target) == (sign > 0):
            far_x, far_e = x, float(events)
        else:
            near_x, near_e = x, float(events)
        if abs(far_x - near_x) < 0.01 or (events == target and far_e is not None and abs(far_e - near_e) <= 1):
            break
    assert best is not None
    _, power, state, fit_warnings, events = best
    warnings.append(
        f"The digitized curve gives {made} events but {target} are reported; the curve looks coarsely "
        f"digitized, so its level was bent to S(t)^{power:.3f} to give {events} events."
    )
    return state, fit_warnings, events


def _first_guess(s: np.ndarray, made: int, target: int) -> float | None:
    """log λ from ``events ≈ M (1 - S_end^λ)``, M fitted so λ = 1 gives ``made``."""
    positive = s[s > 0]
    s_end = float(positive.min()) if len(positive) else 1.0
    if not 0.0 < s_end < 1.0 or made <= 0:
        return None
    remaining = 1.0 - target * (1.0 - s_end) / made
    if not 0.0 < remaining < 1.0:
        return None
    return float(np.log(np.log(remaining) / np.log(s_end)))


def km_median_of(t: np.ndarray, s: np.ndarray) -> float | None:
    """First time the step curve ``(t, s)`` is at or below 0.5, None when it never is."""
    hit = np.flatnonzero(s <= 0.5)
    return float(t[hit[0]]) if len(hit) else None


def through_median(
    t: np.ndarray, s: np.ndarray, median: float, warnings: list[str], at_risk: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """The curve bent to cross 0.5 at the published ``median`` when that changes it by at most
    ``MEDIAN_BEND``; otherwise unchanged, with a warning naming the disagreement.

    ``at_risk`` (at most the number at risk at the median, e.g. the last printed count before it) sets
    the levels around the median: one event's step above 0.5 before it and below 0.5 at it, so whole
    events cross 0.5 there."""
    current = km_median_of(t, s)
    if not np.isfinite(median) or median <= 0:
        warnings.append(f"Ignored the published median {median:g}: expected a positive time.")
        return t, s
    if median > t[-1]:
        if current is not None:
            warnings.append(
                f"The published median {median:g} is after the curve's end ({t[-1]:g}) but the curve "
                f"reaches 0.5 at {current:g}; the curve was kept."
            )
        return t, s
    if current is not None and abs(current - median) <= 1e-9 * max(median, 1.0):
        return t, s
    before = t < median
    step = 0.5 / at_risk if at_risk > 0 else 1e-6
    above = np.where(before, np.maximum(s, 0.5 + step), np.minimum(s, 0.5))
    # The drop through 0.5 happens at the median: a point on each side of it.
    k = int(np.searchsorted(t, median, "left"))
    left_level = float(above[k - 1]) if k > 0 else 1.0
    new_t = np.r_[t[:k], median, median, t[k:]]
    below = 0.5 - (step if at_risk > 0 else 0.0)
    new_s = np.r_[above[:k], left_level, min(below, float(above[k]) if k < len(t) else below), above[k:]]
    new_s[k + 2 :] = np.minimum(new_s[k + 2 :], new_s[k + 1])
    change = float(np.abs(above - s).max())
    shown = "never reaches 0.5" if current is None else f"reaches 0.5 at {current:g}"
    if change > MEDIAN_BEND:
        warnings.append(
            f"The published median is {median:g} but the digitized curve {shown}; passing through it would "
            f"move the curve by {change:.3f} (more than click noise), so the curve was kept — check the "
            "digitization or the median."
        )
        return t, s
    warnings.append(
        f"The published median is {median:g} but the digitized curve {shown}; the curve was bent by at "
        f"most {change:.3f} to pass through it."
    )
    return new_t, new_s


def check_censor_marks(marks: np.ndarray, censored: np.ndarray, tau: np.ndarray, warnings: list[str]) -> None:
    """Report intervals of the at-risk table holding more censor marks than censored patients."""
    edges = np.r_[tau, np.inf]
    n_marks = np.histogram(marks, edges)[0]
    n_cens = np.histogram(censored, edges)[0]
    for lo, hi, m, c in zip(edges[:-1], edges[1:], n_marks, n_cens):
        if m > c:
            span = f"after {lo:g}" if not np.isfinite(hi) else f"between {lo:g} and {hi:g}"
            warnings.append(
                f"{m} censor marks {span}, but the at-risk table and the curve leave room for only {c} "
                "censored patients there; the marks and the table disagree."
            )
