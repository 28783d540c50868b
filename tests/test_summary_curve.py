"""Summary-based approximation: curves through published points and pseudo-patients that follow them."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lifelines import KaplanMeierFitter

from evidence_app.core.reconstruction.reconstruct import km_at
from evidence_app.core.reconstruction.summary_curve import (
    approximate_from_summary,
    fit_summary_curve,
    summary_survival_curve,
)
from evidence_app.errors import AnalysisError, InputError


def test_curve_passes_through_every_published_point() -> None:
    curve = fit_summary_curve(median=10.0, landmarks={6: 0.7, 24: 0.25})
    assert curve.survival_at(np.array([0.0, 6.0, 10.0, 24.0])) == pytest.approx([1.0, 0.7, 0.5, 0.25])
    # constant hazard beyond the last point: equal ratios over equal steps
    s30, s36, s42 = curve.survival_at(np.array([30.0, 36.0, 42.0]))
    assert s36 / s30 == pytest.approx(s42 / s36)
    assert curve.time_at(0.5) == pytest.approx(10.0)


def test_median_only_is_exponential() -> None:
    curve = fit_summary_curve(median=12.0)
    assert curve.survival_at(24.0) == pytest.approx(0.25)


def test_plot_curve_is_monotone_and_covers_the_points() -> None:
    times, surv = summary_survival_curve(median=8.0, landmarks={12: 0.35}, t_max=30)
    assert times[0] == 0 and times[-1] == 30 and 12.0 in times
    assert (np.diff(surv) <= 0).all()


def test_pseudo_patients_match_median_and_reported_events() -> None:
    arm = approximate_from_summary(300, median=14.0, landmarks={24: 0.3}, events=180)
    assert arm.n_patients == 300 and arm.n_events == 180
    assert arm.approximation == "summary-based"
    km = KaplanMeierFitter().fit(arm.time, arm.event)
    assert km.median_survival_time_ == pytest.approx(14.0, rel=0.03)
    assert km_at(arm.time, arm.event, np.array([24.0]))[0] == pytest.approx(0.3, abs=0.03)
    assert arm.diagnostics.reported_events == 180 and not arm.warnings


def test_follow_up_sets_the_censoring_window() -> None:
    arm = approximate_from_summary(200, median=12.0, follow_up=18.0)
    censored = arm.time[arm.event == 0]
    assert censored.min() >= 9.0 - 1e-9 and censored.max() <= 27.0 + 1e-9  # uniform on [f/2, 3f/2]


def test_events_and_follow_up_together() -> None:
    arm = approximate_from_summary(200, median=12.0, events=110, follow_up=15.0)
    assert abs(arm.n_events - 110) <= 2


def test_without_events_or_follow_up_a_default_is_used_and_announced() -> None:
    arm = approximate_from_summary(100, median=6.0)
    assert arm.n_patients == 100
    assert any("assumed a median follow-up" in w for w in arm.warnings)


def test_impossible_event_count_is_reported() -> None:
    arm = approximate_from_summary(100, landmarks={12: 0.9}, events=80, follow_up=12.0)
    assert arm.n_events < 80 and any("rather than the reported 80" in w for w in arm.warnings)


def test_nothing_to_build_from_or_no_n_is_an_analysis_error() -> None:
    with pytest.raises(AnalysisError, match="median or at least one landmark"):
        approximate_from_summary(100)
    with pytest.raises(AnalysisError, match="number of patients"):
        approximate_from_summary(None, median=10.0)


@pytest.mark.parametrize(
    "kwargs, where",
    [
        ({"median": 10.0, "landmarks": {5: 0.4}}, "landmarks[10]"),  # survival rises to the median
        ({"landmarks": {5: 1.2}}, "landmarks[5]"),
        ({"median": -3.0}, "median"),
        ({"median": 10.0, "events": 101}, "events"),
    ],
)
def test_impossible_inputs_are_input_errors_with_a_location(kwargs: dict, where: str) -> None:
    with pytest.raises(InputError) as info:
        approximate_from_summary(100, **kwargs)
    assert info.value.location == where


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 400),
    median=st.one_of(st.none(), st.floats(0.5, 60)),
    landmarks=st.dictionaries(st.floats(0.5, 80), st.floats(0.01, 1.0), max_size=3),
    events=st.one_of(st.none(), st.integers(0, 400)),
    follow_up=st.one_of(st.none(), st.floats(0.5, 100)),
)
def test_any_summary_gives_valid_pseudo_patients_or_a_clear_error(n, median, landmarks, events, follow_up) -> None:
    try:
        arm = approximate_from_summary(n, median=median, landmarks=landmarks, events=events, follow_up=follow_up)
    except (InputError, AnalysisError) as exc:
        assert str(exc)
        return
    assert arm.n_patients == n and arm.n_events <= n
    assert np.isfinite(arm.time).all() and (arm.time >= 0).all()
