"""Survival statistics against lifelines' documented output and hand calculations.

Sources:
[LL-uni]  lifelines docs, "Estimating univariate models" (docs/Survival analysis with
          lifelines.rst, github.com/CamDavidsonPilon/lifelines): load_dd() KM median 4.0;
          democratic regimes median 3, non-democratic 6; logrank_test(dem vs non-dem)
          test_statistic 260.47.
[LL-reg]  lifelines docs, "Survival regression" (docs/Survival Regression.rst): CoxPHFitter on
          load_rossi(), printed to 2 decimals: fin coef -0.38, exp 0.68, se 0.19, exp CI
          0.47-1.00, z -1.98; prio 0.09, 1.10, 0.03, 1.04-1.16, z 3.19; partial
          log-likelihood -658.75. Stratified by race: partial log-likelihood -620.56,
          prio z 3.21.
[KM]      Kalbfleisch & Prentice (2002) log(-log) Greenwood band; Klein & Moeschberger
          (2003) eq. 4.5.2 RMST variance — both worked by hand below on a 6-patient set.
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from evidence_app.core.stats.survival import (
    arm_hazard_ratio,
    at_risk_table,
    compare_arms,
    fit_cox,
    fit_km,
    landmark_survival,
    rmst,
)
from evidence_app.errors import AnalysisError, InputError

# A tiny hand-made data set: times 1..5 with censorings at 2 and 4.
TIME = [1, 2, 2, 3, 4, 5]
EVENT = [1, 1, 0, 1, 0, 1]


@pytest.fixture(scope="module")
def dd():
    from lifelines.datasets import load_dd

    data = load_dd()
    dem = (data["democracy"] == "Democracy").to_numpy()
    return data["duration"].to_numpy(float), data["observed"].to_numpy(int), dem


@pytest.fixture(scope="module")
def rossi():
    from lifelines.datasets import load_rossi

    return load_rossi()


def test_importing_the_core_does_not_load_lifelines():
    code = (
        "import sys, evidence_app.core.stats.survival, evidence_app.core.synthesis.meta; "
        "print(any(m.startswith('lifelines') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_km_medians_match_lifelines_docs(dd):  # [LL-uni]
    time, event, dem = dd
    fit = fit_km(time, event, "all regimes")
    assert fit.median == 4.0 and fit.n == 1808 and fit.events == int(event.sum())
    assert fit_km(time[dem], event[dem]).median == 3.0
    assert fit_km(time[~dem], event[~dem]).median == 6.0
    assert fit.median_lower <= fit.median <= fit.median_upper


def test_median_ci_is_where_the_band_crosses_one_half(dd):
    time, event, dem = dd
    fit = fit_km(time[dem], event[dem])
    for bound, band in ((fit.median_lower, fit.ci_lower), (fit.median_upper, fit.ci_upper)):
        i = int(np.searchsorted(fit.timeline, bound))
        assert band[i] <= 0.5 < band[i - 1]


def test_km_band_is_the_log_minus_log_greenwood_interval():  # [KM] by hand at t = 2
    fit = fit_km(TIME, EVENT)
    i = list(fit.timeline).index(2.0)
    s = 5 / 6 * 4 / 5
    greenwood = 1 / (6 * 5) + 1 / (5 * 4)
    half = 1.959964 * math.sqrt(greenwood / math.log(s) ** 2)
    assert fit.survival[i] == pytest.approx(s)
    assert fit.ci_lower[i] == pytest.approx(s ** math.exp(half), rel=1e-5)
    assert fit.ci_upper[i] == pytest.approx(s ** math.exp(-half), rel=1e-5)
    assert "log(-log)" in fit.ci_method and list(fit.censor_times) == [2.0, 4.0]
    with pytest.raises(ValueError):
        fit.survival[0] = 0.3  # results are read-only


def test_median_not_reached_is_none():
    fit = fit_km([1, 2, 3, 4, 5, 6], [1, 0, 0, 0, 0, 0])
    assert fit.median is None and fit.median_upper is None


def test_rmst_and_its_variance_by_hand():  # [KM] Klein & Moeschberger eq. 4.5.2
    # S = 1 on [0,1), 5/6 on [1,2), 2/3 on [2,3), 4/9 on [3, 4.5]
    result = rmst(TIME, EVENT, 4.5)
    assert result.value == pytest.approx(1 + 5 / 6 + 2 / 3 + 4 / 9 * 1.5)
    a3, a2 = 4 / 9 * 1.5, 2 / 3 + 4 / 9 * 1.5
    a1 = 5 / 6 + a2
    variance = a1**2 / (6 * 5) + a2**2 / (5 * 4) + a3**2 / (3 * 2)
    assert variance == pytest.approx(23 / 72)
    assert result.se == pytest.approx(math.sqrt(variance))
    assert result.lower == pytest.approx(result.value - 1.959964 * result.se, rel=1e-6)


def test_rmst_without_censoring_is_the_mean_of_truncated_times():
    times = np.random.default_rng(7).exponential(5, 40)
    result = rmst(times, np.ones(40), 6.0)
    truncated = np.minimum(times, 6.0)
    assert result.value == pytest.approx(truncated.mean())
    # With no censoring the Greenwood-type variance is the plug-in variance / n.
    assert result.se**2 == pytest.approx(truncated.var() / 40)


def test_rmst_agrees_with_lifelines_area(dd):
    from lifelines import KaplanMeierFitter
    from lifelines.utils import restricted_mean_survival_time

    time, event, _ = dd
    expected = restricted_mean_survival_time(KaplanMeierFitter().fit(time, event), t=10)
    assert rmst(time, event, 10).value == pytest.approx(expected)


def test_rmst_refuses_horizons_beyond_follow_up():
    with pytest.raises(AnalysisError, match="beyond the last follow-up"):
        rmst(TIME, EVENT, 6)
    with pytest.raises(AnalysisError, match="> 0"):
        rmst(TIME, EVENT, 0)


def test_at_risk_table_counting_convention():
    rows = at_risk_table(TIME, EVENT, [0, 1, 2, 2.5, 4, 5])
    got = [(r.time, r.n_at_risk, r.events, r.censored) for r in rows]
    assert got == [
        (0, 6, 0, 0),  # everyone at risk at the start
        (1, 6, 1, 0),  # at risk just before t=1; the event at 1 already counted
        (2, 5, 2, 1),  # event and censoring at t=2 both counted at t=2
        (2.5, 3, 2, 1),  # between times: nothing new
        (4, 2, 3, 2),  # censoring time
        (5, 1, 4, 2),  # last event time
    ]


def test_landmarks_read_the_step_function():
    fit = fit_km(TIME, EVENT)
    at = landmark_survival(fit, [0.5, 2, 2.5, 5, 9])
    assert [r.survival for r in at[:3]] == pytest.approx([1, 2 / 3, 2 / 3])
    assert [r.n_at_risk for r in at] == [6, 5, 3, 1, 0]
    assert at[4].survival is None and at[4].lower is None  # beyond follow-up
    assert landmark_survival((TIME, EVENT), [2])[0].survival == pytest.approx(2 / 3)


def test_cox_matches_lifelines_rossi_docs(rossi):  # [LL-reg]
    names = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]
    model = fit_cox(rossi["week"], rossi["arrest"], {n: rossi[n] for n in names})
    fin, prio = model.terms["fin"], model.terms["prio"]
    assert [round(x, 2) for x in (fin.log_hr, fin.hr, fin.se, fin.lower, fin.upper)] == [-0.38, 0.68, 0.19, 0.47, 1.00]
    assert round(fin.log_hr / fin.se, 2) == -1.98
    assert [round(x, 2) for x in (prio.log_hr, prio.hr, prio.se, prio.lower, prio.upper)] == [
        0.09,
        1.10,
        0.03,
        1.04,
        1.16,
    ]
    assert round(prio.log_hr / prio.se, 2) == 3.19
    assert round(model.log_likelihood, 2) == -658.75 and model.events == 114


def test_stratified_cox_matches_lifelines_docs(rossi):  # [LL-reg]
    names = ["fin", "age", "wexp", "mar", "paro", "prio"]
    model = fit_cox(rossi["week"], rossi["arrest"], {n: rossi[n] for n in names}, strata=rossi["race"])
    prio = model.terms["prio"]
    assert round(model.log_likelihood, 2) == -620.56
    assert round(prio.log_hr / prio.se, 2) == 3.21


def test_compare_arms_logrank_and_rmst(dd):  # [LL-uni] log-rank 260.47
    time, event, dem = dd
    result = compare_arms(time[dem], event[dem], time[~dem], event[~dem], labels=("Democracy", "Non-democracy"))
    assert round(result.logrank_chi2, 2) == 260.47 and result.logrank_p < 1e-50
    hr = result.hazard_ratio
    assert (hr.experimental, hr.control) == ("Democracy", "Non-democracy") and hr.hr > 1
    assert hr.lower < hr.hr < hr.upper
    horizon = min(time[dem].max(), time[~dem].max())
    diff = result.rmst_difference
    assert diff.horizon == horizon
    assert diff.value == pytest.approx(result.rmst_experimental.value - result.rmst_control.value)
    assert diff.se == pytest.approx(math.hypot(result.rmst_experimental.se, result.rmst_control.se))
    assert result.ph_test_p > 0.05 and result.ph_flag is None


def test_non_proportional_hazards_are_flagged():
    from lifelines.datasets import load_waltons

    w = load_waltons()
    ix = (w["group"] == "miR-137").to_numpy()
    t, e = w["T"].to_numpy(float), w["E"].to_numpy(int)
    result = compare_arms(t[ix], e[ix], t[~ix], e[~ix], horizon=30)
    assert result.ph_test_p < 0.05 and result.proportional_hazards_doubtful
    assert "may not be proportional" in result.ph_flag
    assert result.rmst_difference.horizon == 30


def test_input_problems_are_reported():
    with pytest.raises(InputError, match="event must be 1"):
        fit_km([1, 2], [1, 2])
    with pytest.raises(InputError, match="time has 2 values"):
        fit_km([1, 2], [1])
    with pytest.raises(InputError, match=">= 0"):
        at_risk_table([-1, 2], [1, 0], [1])
    with pytest.raises(AnalysisError, match="control arm has no events"):
        arm_hazard_ratio([1, 2, 3], [1, 1, 0], [4, 5], [0, 0])


@pytest.mark.filterwarnings("ignore::lifelines.exceptions.ConvergenceWarning")  # the case provokes them on purpose
def test_complete_separation_is_a_clear_error_not_a_crash():
    """All control patients fail before any experimental patient: no finite HR exists."""
    from evidence_app.core.stats.survival import arm_hazard_ratio
    from evidence_app.errors import AnalysisError

    with pytest.raises(AnalysisError, match="cannot be estimated"):
        arm_hazard_ratio([10, 11, 12, 13, 14], [1, 1, 1, 1, 1], [1, 2, 3, 4, 5], [1, 1, 1, 1, 1])
