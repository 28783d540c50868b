"""Reconstruction of patient-level data from digitized KM curves: known answers and properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.datasets import load_rossi, load_waltons

from evidence_app.core.reconstruction.guyot import guyot_ipd
from evidence_app.core.reconstruction.reconstruct import ReconstructedArm, km_at, km_steps, reconstruct_ipd
from evidence_app.errors import AnalysisError, Cancelled, InputError


def digitize(time: np.ndarray, event: np.ndarray) -> pd.DataFrame:
    """An exact digitization: (0, 1), both ends of every drop, and the end of the curve."""
    t, s = km_steps(time, event)
    before = np.r_[1.0, s[:-1]]
    pts = [(0.0, 1.0)] + [p for i in range(len(t)) for p in ((t[i], before[i]), (t[i], s[i]))]
    pts.append((float(np.max(time)), float(s[-1]) if len(s) else 1.0))
    return pd.DataFrame(pts, columns=["time", "survival"])


def at_risk(time: np.ndarray, times: np.ndarray) -> pd.DataFrame:
    n = len(time) - np.searchsorted(np.sort(time), times, side="left")
    return pd.DataFrame({"time": times, "n_at_risk": n})


def log_hr(frame: pd.DataFrame) -> float:
    return float(CoxPHFitter().fit(frame, "time", "event").params_["x"])


def median(time: np.ndarray, event: np.ndarray) -> float:
    return float(KaplanMeierFitter().fit(time, event).median_survival_time_)


def rebuild_two_groups(frame: pd.DataFrame, every: float) -> tuple[pd.DataFrame, dict[int, ReconstructedArm]]:
    arms = {}
    for x, part in frame.groupby("x"):
        time, event = part["time"].to_numpy(float), part["event"].to_numpy(int)
        arms[int(x)] = reconstruct_ipd(digitize(time, event), at_risk(time, np.arange(0, time.max(), every)))
    rebuilt = pd.concat([a.to_frame().assign(x=x) for x, a in arms.items()], ignore_index=True)
    return rebuilt, arms


def test_waltons_median_and_hazard_ratio_recovered() -> None:
    # lifelines' Waltons data: 129 control vs 34 miR-137 flies, days, heavily tied.
    raw = load_waltons()
    frame = pd.DataFrame({"time": raw["T"], "event": raw["E"], "x": (raw["group"] == "miR-137").astype(int)})
    rebuilt, arms = rebuild_two_groups(frame, every=10.0)
    assert abs(log_hr(rebuilt) - log_hr(frame)) < 0.05  # truth 2.05
    for x, part in frame.groupby("x"):
        rec = arms[int(x)]
        assert abs(median(rec.time, rec.event) - median(part["time"], part["event"])) <= 1.0  # days
        assert rec.n_patients == len(part)
        assert abs(rec.n_events - int(part["event"].sum())) <= 0.05 * part["event"].sum()
        assert all(published == rebuilt_n for _, published, rebuilt_n in rec.diagnostics.at_risk)


def test_rossi_hazard_ratio_with_heavy_administrative_censoring() -> None:
    # Rossi recidivism: 432 people, weekly times, most censored at week 52; financial aid arm.
    raw = load_rossi()
    frame = pd.DataFrame({"time": raw["week"], "event": raw["arrest"], "x": raw["fin"]})
    rebuilt, arms = rebuild_two_groups(frame, every=4.0)
    assert abs(log_hr(rebuilt) - log_hr(frame)) < 0.03  # truth -0.37
    for x, part in frame.groupby("x"):
        assert abs(arms[int(x)].n_events - int(part["event"].sum())) <= 2
        assert arms[int(x)].diagnostics.max_gap < 0.01


def test_exact_input_reproduces_the_curve_and_table() -> None:
    rng = np.random.default_rng(3)
    t, c = rng.exponential(12, 300), rng.uniform(6, 36, 300)
    time, event = np.round(np.minimum(t, c), 2), (t <= c).astype(int)
    table = at_risk(time, np.arange(0, 36, 6.0))
    rec = reconstruct_ipd(digitize(time, event), table)
    grid = np.linspace(0, time.max() * 0.98, 400)
    assert np.abs(km_at(rec.time, rec.event, grid) - km_at(time, event, grid)).max() < 0.02
    assert [r[2] for r in rec.diagnostics.at_risk] == table["n_at_risk"].tolist()
    assert rec.approximation is None and rec.algorithm_version
    assert list(rec.to_frame().columns) == ["time", "event"]


def test_total_events_is_matched_without_a_table() -> None:
    rng = np.random.default_rng(4)
    t, c = rng.exponential(10, 200), rng.uniform(5, 30, 200)
    time, event = np.minimum(t, c), (t <= c).astype(int)
    rec = reconstruct_ipd(digitize(time, event), n=200, total_events=int(event.sum()))
    assert rec.n_patients == 200
    assert abs(rec.n_events - int(event.sum())) <= 1
    assert "total events" in rec.method


def test_only_n_warns_that_events_are_uncertain() -> None:
    curve = pd.DataFrame({"time": [0, 5, 5, 10, 10, 20], "survival": [1, 1, 0.8, 0.8, 0.6, 0.6]})
    rec = reconstruct_ipd(curve, n=50)
    assert rec.n_patients == 50 and 0 < rec.n_events <= 50
    assert any("uncertain" in w for w in rec.warnings)


def test_final_drop_to_zero_is_an_event() -> None:
    curve = pd.DataFrame({"time": [0, 2, 2, 4, 4], "survival": [1, 1, 0.5, 0.5, 0.0]})
    rec = reconstruct_ipd(curve, n=10)
    assert rec.event[rec.time == rec.time.max()].all()
    assert km_at(rec.time, rec.event, np.array([4.0]))[0] == 0.0


def test_missing_n_is_an_analysis_error_and_bad_totals_an_input_error() -> None:
    curve = pd.DataFrame({"time": [0, 1, 1, 2], "survival": [1, 1, 0.5, 0.5]})
    with pytest.raises(AnalysisError, match="number of patients"):
        reconstruct_ipd(curve)
    with pytest.raises(InputError, match="total of events"):
        reconstruct_ipd(curve, n=10, total_events=11)


def test_progress_is_reported_and_cancel_stops() -> None:
    curve = pd.DataFrame({"time": [0, 1, 1, 3, 3, 6], "survival": [1, 1, 0.7, 0.7, 0.4, 0.4]})
    table = pd.DataFrame({"time": [0, 2, 4], "n_at_risk": [40, 25, 12]})
    seen: list[float] = []
    reconstruct_ipd(curve, table, progress=lambda f, m: seen.append(f))
    assert seen[0] == 0.0 and seen[-1] == 1.0 and all(0 <= f <= 1 for f in seen)
    with pytest.raises(Cancelled):
        reconstruct_ipd(curve, table, cancelled=lambda: True)


def test_guyot_baseline_returns_the_same_result_type() -> None:
    raw = load_waltons()
    part = raw[raw["group"] == "control"]
    time, event = part["T"].to_numpy(float), part["E"].to_numpy(int)
    base = guyot_ipd(digitize(time, event), at_risk(time, np.arange(0, 70, 10.0)))
    assert isinstance(base, ReconstructedArm) and base.n_patients == len(part)
    assert abs(base.n_events - int(event.sum())) <= 5


@st.composite
def messy_arm(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame | None, int | None, int | None]:
    """A digitized arm with click noise, click order, percent scale, duplicates or junk."""
    n = draw(st.integers(5, 300))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    t, c = rng.exponential(draw(st.floats(1, 30)), n), rng.uniform(0.5, 40, n)
    time, event = np.minimum(t, c), (t <= c).astype(int)
    curve = digitize(time, event)
    noise = draw(st.sampled_from([0.0, 0.003, 0.01, 0.05]))
    curve = curve + rng.normal(0, noise, curve.shape) * [time.max(), 1.0]
    if draw(st.booleans()):
        curve = curve.sample(frac=1.0, random_state=seed % 1000)
    if draw(st.booleans()):
        curve["survival"] *= 100
    if draw(st.booleans()):
        curve = pd.concat([curve, curve.head(3)])
    table = at_risk(time, np.arange(0, time.max() * 1.3, max(time.max() / 6, 0.1))) if draw(st.booleans()) else None
    n_given = n if table is None or draw(st.booleans()) else None
    events = int(event.sum()) if draw(st.booleans()) else None
    return curve, table, n_given, events


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messy_arm())
def test_messy_inputs_give_valid_patients_or_a_clear_error(arm) -> None:
    curve, table, n, events = arm
    try:
        rec = reconstruct_ipd(curve, table, n=n, total_events=events)
    except (InputError, AnalysisError) as exc:
        assert str(exc)
        return
    expected_n = int(table["n_at_risk"].iloc[0]) if table is not None else n
    assert rec.n_patients == expected_n
    assert set(np.unique(rec.event)) <= {0, 1} and rec.n_events <= rec.n_patients
    assert (rec.time >= 0).all() and rec.time.max() <= max(curve["time"].max(), 0) + 1e-9
    assert rec.diagnostics.max_gap <= 1.0


def test_events_of_one_drop_spread_over_its_time_uncertainty_within_the_interval() -> None:
    # Noisy clicks: the d events of a drop are placed around its estimated time (not tied), but
    # never across a printed time, so the at-risk table is still met exactly.
    rng = np.random.default_rng(5)
    time = np.round(rng.exponential(12, 300), 1)
    time = np.where(time > 30, 30.0, time)
    event = (time < 30).astype(int)
    curve = digitize(time, event)
    curve.loc[1:, "time"] += rng.normal(0, 0.1, len(curve) - 1)
    rec = reconstruct_ipd(curve, at_risk(time, np.arange(0, 30, 5.0)))
    assert all(published == rebuilt for _, published, rebuilt in rec.diagnostics.at_risk)
    event_times = rec.time[rec.event == 1]
    assert len(np.unique(event_times)) > 0.9 * len(event_times)
    exact = reconstruct_ipd(digitize(time, event), at_risk(time, np.arange(0, 30, 5.0)))
    assert np.array_equal(np.unique(exact.time[exact.event == 1]), np.unique(time[event == 1]))
