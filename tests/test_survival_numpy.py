"""The numpy twins of Kaplan–Meier, log-rank and the two-arm Cox model against lifelines.

lifelines stays the reference: ``reference=True`` computes with it, and every result of the
fast path must agree with it to ~1e-10 — on random data with and without ties, on the
lifelines example data and on every bundled dataset — and fall back to it where it would warn.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from evidence_app.core.stats.survival import arm_hazard_ratio, compare_arms, fit_km
from evidence_app.core.stats.survival_numpy import two_arm_cox
from evidence_app.errors import AnalysisError

TOL = 1e-10


def _arm(draw, max_n: int = 120) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(1, max_n))
    # few distinct values give many ties, some tied between an event and a censoring
    grid = draw(st.sampled_from([0.5, 1.0, 3.0, None]))
    times = draw(st.lists(st.floats(0.0, 60.0, allow_nan=False), min_size=n, max_size=n))
    events = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    t = np.asarray(times)
    if grid is not None:
        t = np.round(t / grid) * grid
    return t, np.asarray(events)


@st.composite
def two_arms(draw):
    te, ee = _arm(draw)
    tc, ec = _arm(draw)
    return te, ee, tc, ec


def _assert_fits_equal(fast, ref):
    for name in ("timeline", "survival", "ci_lower", "ci_upper", "at_risk", "censor_times"):
        np.testing.assert_allclose(getattr(fast, name), getattr(ref, name), rtol=0, atol=TOL, err_msg=name)
    assert (fast.median, fast.median_lower, fast.median_upper) == (ref.median, ref.median_lower, ref.median_upper)
    assert (fast.n, fast.events) == (ref.n, ref.events)


def _assert_comparisons_equal(fast, ref):
    for name in ("hr", "lower", "upper", "p", "log_hr", "se"):
        assert getattr(fast.hazard_ratio, name) == pytest.approx(getattr(ref.hazard_ratio, name), rel=TOL, abs=TOL), (
            name
        )
    assert fast.logrank_chi2 == pytest.approx(ref.logrank_chi2, rel=TOL, abs=TOL)
    assert fast.logrank_p == pytest.approx(ref.logrank_p, rel=TOL, abs=TOL)
    assert fast.ph_test_p == pytest.approx(ref.ph_test_p, rel=TOL, abs=TOL)
    assert fast.ph_flag == ref.ph_flag
    assert fast.rmst_difference == ref.rmst_difference


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(two_arms())
def test_kaplan_meier_is_lifelines_to_rounding(data):
    te, ee, _, _ = data
    for ci_level in (0.95, 0.9):
        _assert_fits_equal(fit_km(te, ee, ci_level=ci_level), fit_km(te, ee, ci_level=ci_level, reference=True))


def _outcome(**kwargs):
    """compare_arms' result, or the error it raised (degenerate draws fail in lifelines too)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # lifelines' convergence warnings on odd draws
            return compare_arms(*kwargs.pop("data"), **kwargs)
    except (AnalysisError, OverflowError) as exc:
        return type(exc), str(exc)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(two_arms())
def test_two_arm_cox_logrank_and_ph_test_are_lifelines_to_rounding(data):
    te, ee, tc, ec = data
    assume(ee.sum() > 0 and ec.sum() > 0)
    ref, fast = _outcome(data=data, reference=True), _outcome(data=data)
    if isinstance(ref, tuple) or isinstance(fast, tuple):
        assert fast == ref
    else:
        _assert_comparisons_equal(fast, ref)


def test_lifelines_example_data_agree(rossi_arms):
    te, ee, tc, ec = rossi_arms
    assert two_arm_cox(te, ee, tc, ec) is not None  # the fast path is what is compared here
    _assert_comparisons_equal(compare_arms(te, ee, tc, ec), compare_arms(te, ee, tc, ec, reference=True))
    fast, ref = arm_hazard_ratio(te, ee, tc, ec), arm_hazard_ratio(te, ee, tc, ec, reference=True)
    for name in ("hr", "lower", "upper", "p", "log_hr", "se"):
        assert getattr(fast, name) == pytest.approx(getattr(ref, name), rel=TOL, abs=TOL)


def test_awkward_fits_are_left_to_lifelines():
    # Complete separation (every early death in one arm): lifelines warns; the numpy twin
    # hands the fit back rather than guess what lifelines would report.
    separated = (np.array([1.0, 2, 3, 4]), np.array([1, 1, 1, 1]), np.array([5.0, 6, 7, 8]), np.array([1, 0, 0, 0]))
    assert two_arm_cox(*separated) is None
    # A fit lifelines cannot converge on fails with lifelines' own message either way.
    lopsided = (
        np.r_[1.0, np.full(12000, 10.0)],
        np.r_[1, np.zeros(12000, int)],
        np.array([2.0, 3.0]),
        np.array([1, 1]),
    )
    messages = []
    for reference in (True, False):
        with warnings.catch_warnings(), pytest.raises(AnalysisError, match="could not be fitted") as error:
            warnings.simplefilter("ignore")
            compare_arms(*lopsided, reference=reference)
        messages.append(str(error.value))
    assert messages[0] == messages[1]


def test_every_bundled_dataset_agrees(library):
    from evidence_app.core.reconstruction.arm_data import arm_curve_data

    compared = 0
    for dataset in library.datasets:
        data, _ = arm_curve_data(dataset)
        exp, ctl = dataset.comparison.experimental_arm, dataset.comparison.control_arm
        for arm in data.values():
            _assert_fits_equal(fit_km(arm.time, arm.event), fit_km(arm.time, arm.event, reference=True))
        if exp in data and ctl in data:
            e, c = data[exp], data[ctl]
            _assert_comparisons_equal(
                compare_arms(e.time, e.event, c.time, c.event),
                compare_arms(e.time, e.event, c.time, c.event, reference=True),
            )
            compared += 1
    assert compared >= 25


@pytest.fixture(scope="module")
def rossi_arms():
    from lifelines.datasets import load_rossi

    rossi = load_rossi()
    fin = (rossi["fin"] == 1).to_numpy()
    t, e = rossi["week"].to_numpy(float), rossi["arrest"].to_numpy(int)
    return t[fin], e[fin], t[~fin], e[~fin]
