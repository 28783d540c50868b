"""Coarse digitizations and the constraints besides the curve: event totals, medians, censor marks."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import isotonic_regression
from scipy.special import ndtri

from evidence_app.core.distributions import chi2_sf_1df, norm_ppf_many, two_sided_p, z_for_level
from evidence_app.core.reconstruction.cleaning import clean_arrays, isotonic_increasing
from evidence_app.core.reconstruction.interval_fit import fill_missed_drops
from evidence_app.core.reconstruction.km import km_at, km_steps
from evidence_app.core.reconstruction.reconstruct import reconstruct_ipd


def weibull_arm(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = 12 * rng.weibull(1.2, n)
    c = rng.uniform(6, 40, n)
    return np.round(np.minimum(t, c), 3), (t <= c).astype(int)


def table_of(time: np.ndarray, every: float = 6.0) -> np.ndarray:
    times = np.arange(0, time.max(), every)
    return np.column_stack([times, len(time) - np.searchsorted(np.sort(time), times, side="left")])


def coarse(time: np.ndarray, event: np.ndarray, seed: int, keep: float = 0.4, noise: float = 0.008) -> np.ndarray:
    """Both ends of a random 40% of the drops, with click noise of 0.8% of each axis (as the benchmark)."""
    rng = np.random.default_rng(seed)
    et, es = km_steps(time, event)
    before = np.r_[1.0, es[:-1]]
    chosen = np.flatnonzero(rng.uniform(size=len(et)) < keep)
    pts = [(0.0, 1.0)] + [p for i in chosen for p in ((et[i], before[i]), (et[i], es[i]))]
    pts.append((float(time.max()), float(es[-1])))
    arr = np.array(pts)
    arr[1:] += rng.normal(0, [noise * time.max(), noise], (len(arr) - 1, 2))
    return arr


def test_isotonic_fit_equals_scipy() -> None:
    rng = np.random.default_rng(3)
    for size in (1, 2, 17, 250):
        y = np.cumsum(rng.normal(-0.1, 1.0, size))
        assert np.allclose(isotonic_increasing(y), isotonic_regression(y).x, atol=1e-12)


def test_the_core_distribution_functions_equal_scipy() -> None:
    from scipy.stats import chi2

    q = np.r_[1e-12, 1e-4, 0.02, 0.02425, 0.3, 0.5, 0.77, 0.999, 1 - 1e-9]
    assert np.allclose(norm_ppf_many(q), ndtri(q), rtol=1e-12, atol=0)
    assert z_for_level(0.95) == pytest.approx(1.959963984540054, rel=1e-14)
    for x in (0.0, 0.3, 3.84, 20.0):
        assert chi2_sf_1df(x) == pytest.approx(chi2.sf(x, 1), rel=1e-12)
        assert two_sided_p(x) == pytest.approx(chi2.sf(x * x, 1), rel=1e-10)


def test_missed_drops_are_spread_along_the_segment() -> None:
    # A clicked drop at 1, then a shallow run from (1, 0.9) to (9, 0.7): the 0.2 fell somewhere in between.
    t = np.array([0.0, 1.0, 1.0, 9.0, 9.0, 10.0])
    s = np.array([1.0, 1.0, 0.9, 0.7, 0.6, 0.6])
    new_t, new_s = fill_missed_drops(t, s)
    mid = np.searchsorted(new_t, 5.0)
    assert len(new_t) > len(t)
    assert new_s[mid] == pytest.approx(0.8, abs=0.01)  # halfway down the line, not all at 9
    assert (np.diff(new_s) <= 0).all() and (np.diff(new_t) >= 0).all()
    flat_t, flat_s = fill_missed_drops(np.array([0.0, 5.0, 5.0, 10.0]), np.array([1.0, 1.0, 0.5, 0.5]))
    assert len(flat_t) == 4  # a clicked staircase is kept


def test_coarse_curve_is_closer_with_missed_drops_spread() -> None:
    time, event = weibull_arm(300, 1)
    grid = np.linspace(0, 30, 400)
    errors = []
    for seed in range(5):
        rec = reconstruct_ipd(coarse(time, event, seed), table_of(time))
        errors.append(np.abs(km_at(rec.time, rec.event, grid) - km_at(time, event, grid)).max())
    assert np.median(errors) < 0.06


def test_reported_events_are_met_on_a_coarse_curve_and_the_bend_is_reported() -> None:
    time, event = weibull_arm(250, 2)
    curve = coarse(time, event, 7)
    plain = reconstruct_ipd(curve, table_of(time))
    target = int(event.sum())
    with_events = reconstruct_ipd(curve, table_of(time), total_events=target)
    assert abs(with_events.n_events - target) <= abs(plain.n_events - target)
    assert abs(with_events.n_events - target) <= 1
    # A total the last interval cannot absorb: the coarse curve's level is bent, and the result says so.
    shifted = reconstruct_ipd(curve, table_of(time), total_events=plain.n_events - 30)
    assert abs(shifted.n_events - (plain.n_events - 30)) <= 1
    assert any("bent to S(t)^" in w for w in shifted.warnings)


def test_careful_curve_is_not_bent_to_the_event_total() -> None:
    time, event = weibull_arm(250, 4)
    curve = coarse(time, event, 1, keep=1.0, noise=0.002)
    rec = reconstruct_ipd(curve, table_of(time), total_events=int(event.sum()) + 15)
    assert not any("bent to S(t)^" in w for w in rec.warnings)
    assert any("reported total" in w for w in rec.warnings)


def test_published_median_bends_the_curve_within_click_noise() -> None:
    time, event = weibull_arm(400, 5)
    curve = coarse(time, event, 3)
    true_median = float(km_steps(time, event)[0][np.flatnonzero(km_steps(time, event)[1] <= 0.5)[0]])
    rec = reconstruct_ipd(curve, table_of(time), median=true_median)
    et, es = km_steps(rec.time, rec.event)
    rec_median = float(et[np.flatnonzero(es <= 0.5)[0]])
    assert abs(rec_median - true_median) < 0.01  # the drop through 0.5 sits at the published median
    far = reconstruct_ipd(curve, table_of(time), median=true_median * 3)
    assert any("published median" in w and "kept" in w for w in far.warnings)


def test_censor_marks_place_censorings_and_disagreement_is_reported() -> None:
    time, event = weibull_arm(200, 6)
    curve = coarse(time, event, 2, keep=1.0, noise=0.002)
    marks = np.sort(time[event == 0])
    rec = reconstruct_ipd(curve, table_of(time), censor_times=marks)
    censored = rec.time[rec.event == 0]
    # Most censorings sit exactly on a mark.
    assert np.isin(censored, marks).mean() > 0.8
    crowded = reconstruct_ipd(curve, table_of(time), censor_times=np.r_[marks, np.full(100, 1.0)])
    assert any("censor marks" in w and "disagree" in w for w in crowded.warnings)


def test_clean_arrays_reports_what_it_changed() -> None:
    clean = clean_arrays(np.array([0.0, 2.0, 1.0, 3.0, np.nan]), np.array([1.0, 0.8, 0.9, 0.7, 0.5]))
    assert (np.diff(clean.time) >= 0).all() and (np.diff(clean.survival) <= 0).all()
    assert any("Re-ordered" in w for w in clean.warnings)
    assert any("without a finite" in w for w in clean.warnings)


def test_digitization_replicates_spread_more_for_a_coarse_curve() -> None:
    from evidence_app.core.reconstruction.uncertainty import combined_interval, digitization_replicates

    time, event = weibull_arm(300, 8)
    table = table_of(time)
    spreads = []
    for curve in (coarse(time, event, 1, keep=1.0, noise=0.002), coarse(time, event, 1)):
        reps = digitization_replicates(curve, table, replicates=12, seed=3)
        assert len(reps) == 12 and all(len(t) == 300 for t, _ in reps)
        landmarks = np.array([km_at(t, e, np.array([3.0, 6.0, 10.0, 15.0])) for t, e in reps])
        spreads.append(float(np.std(landmarks, axis=0, ddof=1).mean()))
    assert spreads[1] > spreads[0] > 0
    lo, hi, sd = combined_interval(1.0, 0.3, [0.9, 1.1, 1.0, 1.05])
    assert sd > 0 and hi - lo > 2 * 1.959963984540054 * 0.3
    assert combined_interval(1.0, 0.3, [])[2] == 0.0
