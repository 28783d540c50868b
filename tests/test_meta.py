"""Pooling checked against published metafor / textbook reference values.

Sources of every reference number (all "to 4 significant figures" unless the source
itself prints fewer digits, in which case we match what it prints):

[M-metan]  metafor, tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r
           (github.com/wviechtb/metafor): rma() on dat.bcg, measure="RR", checked there
           against Stata's metan. EE/FE: -0.4303 (-0.5097, -0.3509), z -10.6247,
           Q 152.2330, exp: 0.6503 (0.6007, 0.7040). DL: -0.7141 (-1.0644, -0.3638),
           z -3.9952, tau2 0.3088, I2 92.1173, exp: 0.4896 (0.3449, 0.6950).
[M-conf]   metafor, tests/testthat/test_misc_confint.r: confint(rma(method="DL")) on dat.bcg
           (Q-profile): tau2 0.3088 (0.1197, 1.1115); I2 92.1173 (81.9177, 97.6781).
[M-cumul]  metafor, tests/testthat/test_misc_cumul.r: last step of cumul() = the REML
           estimate on all 13 studies, -0.714532.
[M-infl]   metafor, tests/testthat/test_misc_influence.r: REML tau2 0.313243325980895,
           QE 152.233008082373, weight of study 1 = 5.05948307931551 %; leave1out()
           without study 1: estimate -0.707083788, se 0.189961025, CI (-1.079400555,
           -0.334767021), Q 151.582572747, tau2 0.336156745, I2 93.2259349, H2 14.7621847.
[M-mv]     metafor, tests/testthat/test_misc_rma_mv.r: the equivalent rma.mv REML fit gives
           sigma2 0.3132; with test="t" (t with 12 df on the usual SE) p = 0.0018.
[perf]     easystats/performance test suite, test "model_performance.rma": I2 of metafor's
           rma(yi, vi, data=<dat.bcg, RR>, method="REML") = 0.9222139 (a fraction).
[M-uni]    metafor, tests/testthat/test_misc_rma_uni.r
           (commit 191d2cb2232543df06887643c4483996cc9b614f): method="DLIT" and "SJIT" on
           dat.bcg give tau2 0.3181. Both iterations have the Paule-Mandel root of the
           generalised Q statistic as fixed point (DerSimonian & Kacker 2007, Contemp Clin
           Trials 28). No printed metafor / meta / Stata output of method="PM" on dat.bcg
           (log RR) was found (see test_paule_mandel_bcg_* below); PM itself is checked
           against [SM-K].
[M-readme] metafor README.md (github.com/wviechtb/metafor, commit
           0014f62b7481cf6c29a19898babb1f5993a9dbc7), "Example": dat.bcg with
           escalc(measure="RR", ...) and res <- rma(yi, vi, data=dat, test="knha") (REML +
           Hartung-Knapp) prints: tau^2 0.3132, tau 0.5597, I^2 92.22%, H^2 12.86,
           Q(df = 12) 152.2330; estimate -0.7145, se 0.1808, tval -3.9522, df 12,
           pval 0.0019, ci.lb -1.1084, ci.ub -0.3206; and predict(res, transf=exp,
           digits=2): pred 0.49, ci 0.33-0.73, pi 0.14-1.76.
[SM-K]     statsmodels, statsmodels/stats/tests/results/results_meta.py (github.com/
           statsmodels/statsmodels, commit 276bc48f75ae72fd84e7d03aee898d615f8dfdd3):
           R metafor output ported to Python for the Kacker (2004, Metrologia 41:132)
           interlaboratory data (9 labs; not dat.bcg), e.g. rma(y, v, method="PM",
           control=list(tol=1e-9)) -> exk1_metafor, rma(..., method="DL", test="knha")
           -> exk1_dl_hksj, method="FE" (+ test="knha") -> exk1_fe(_hksj). Used there by
           statsmodels/stats/tests/test_meta.py
           (commit 0d34d1f6d990c69d8540c5f9aa703644a31804cc), which also cites
           Kacker (2004) Table 1 (p. 135): PM tau = 0.8399.
[DK2007]   DerSimonian & Kacker (2007) Tables 3-4, CLASP log odds ratios, as reproduced in
           metafor tests/testthat/test_analysis_example_dersimonian2007.r:
           PM tau 0.3681, mu -0.3811, se 0.2060; DL 0.2323, -0.3240, 0.1540;
           REML 0.1843, -0.2980, 0.1343.
[R2009]    Raudenbush (2009), Handbook of Research Synthesis and Meta-Analysis 2nd ed.,
           ch. 16, Table 16.3 (p. 309) and p. 301-302, dat.raudenbush1985, as reproduced in
           metafor tests/testthat/test_analysis_example_raudenbush2009.r (3 decimals):
           conventional and Knapp-Hartung (test="knha") results for FE, REML and DL, and
           metafor's REML prediction interval (-0.204, 0.371). Data (yi 2 dp, vi 4 dp) as
           printed on metafor-project.org/doku.php/tips:multiple_factors_interactions.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from evidence_app.core.stats.effects import effect_from_log
from evidence_app.core.synthesis.meta import (
    pool,
    pool_ipd_one_stage,
    pool_ipd_two_stage,
    pool_subgroups,
    pooled_to_dict,
)
from evidence_app.errors import AnalysisError, Cancelled

# dat.bcg (Colditz et al. 1994): tpos, tneg, cpos, cneg, alloc
BCG = [
    (4, 119, 11, 128, "random"),
    (6, 300, 29, 274, "random"),
    (3, 228, 11, 209, "random"),
    (62, 13536, 248, 12619, "random"),
    (33, 5036, 47, 5761, "alternate"),
    (180, 1361, 372, 1079, "alternate"),
    (8, 2537, 10, 619, "random"),
    (505, 87886, 499, 87892, "random"),
    (29, 7470, 45, 7232, "random"),
    (17, 1699, 65, 1600, "systematic"),
    (186, 50448, 141, 27197, "systematic"),
    (5, 2493, 3, 2338, "systematic"),
    (27, 16886, 29, 17825, "systematic"),
]
RAUDENBUSH_YI = [
    0.03,
    0.12,
    -0.14,
    1.18,
    0.26,
    -0.06,
    -0.02,
    -0.32,
    0.27,
    0.80,
    0.54,
    0.18,
    -0.02,
    0.23,
    -0.18,
    -0.06,
    0.30,
    0.07,
    -0.07,
]
RAUDENBUSH_VI = [
    0.0156,
    0.0216,
    0.0279,
    0.1391,
    0.1362,
    0.0106,
    0.0106,
    0.0484,
    0.0269,
    0.0630,
    0.0912,
    0.0497,
    0.0835,
    0.0841,
    0.0253,
    0.0279,
    0.0193,
    0.0088,
    0.0303,
]


def sig(actual: float, expected: float, digits: int = 4) -> bool:
    """True when ``actual`` agrees with ``expected`` to ``digits`` significant figures."""
    scale = 10 ** (math.floor(math.log10(abs(expected))) - digits + 1)
    return abs(actual - expected) <= 0.5 * scale + 1e-12


def bcg_effects() -> list:
    """Log risk ratios and variances as escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg)."""
    effects = []
    for number, (a, b, c, d, alloc) in enumerate(BCG, start=1):
        yi = math.log(a / (a + b)) - math.log(c / (c + d))
        vi = 1 / a - 1 / (a + b) + 1 / c - 1 / (c + d)
        effects.append(effect_from_log(yi, math.sqrt(vi), study=f"trial {number}", subgroup=alloc))
    return effects


def test_escalc_log_risk_ratios_match_metafor_listing():
    # metafor-project.org/doku.php/tips:testing_factors_lincoms prints yi/vi for trial 1 and 8.
    effects = bcg_effects()
    assert round(effects[0].log_hr, 4) == -0.8893 and round(effects[0].se ** 2, 4) == 0.3256
    assert round(effects[7].log_hr, 4) == 0.0120 and round(effects[7].se ** 2, 4) == 0.0040


def test_fixed_effect_matches_metafor_and_metan():  # [M-metan]
    fe = pool(bcg_effects(), "fixed")
    for actual, expected in [
        (fe.log_estimate, -0.4303),
        (fe.log_lower, -0.5097),
        (fe.log_upper, -0.3509),
        (fe.statistic, -10.6247),
        (fe.q, 152.2330),
        (fe.estimate, 0.6503),
        (fe.lower, 0.6007),
        (fe.upper, 0.7040),
    ]:
        assert sig(actual, expected), (actual, expected)
    assert fe.model == "fixed" and fe.tau2 == 0 and fe.q_df == 12


def test_dersimonian_laird_matches_metafor_and_confint():  # [M-metan], [M-conf]
    dl = pool(bcg_effects(), "DL")
    for actual, expected in [
        (dl.log_estimate, -0.7141),
        (dl.log_lower, -1.0644),
        (dl.log_upper, -0.3638),
        (dl.statistic, -3.9952),
        (dl.tau2, 0.3088),
        (dl.i2, 92.1173),
        (dl.estimate, 0.4896),
        (dl.lower, 0.3449),
        (dl.upper, 0.6950),
        (dl.tau2_lower, 0.1197),
        (dl.tau2_upper, 1.1115),
        (dl.i2_lower, 81.9177),
        (dl.i2_upper, 97.6781),
    ]:
        assert sig(actual, expected), (actual, expected)


def test_reml_matches_metafor():  # [M-cumul], [M-infl], [M-mv], [perf]
    reml = pool(bcg_effects(), "REML")
    assert sig(reml.log_estimate, -0.714532, 6)
    assert sig(reml.tau2, 0.313243325980895, 6)  # metafor stops Fisher scoring at 1e-5
    assert sig(reml.q, 152.233008082373, 8)
    assert sig(reml.weights[0], 5.05948307931551, 7)
    assert sig(reml.i2 / 100, 0.9222139, 6)
    assert sig(2 * stats.t.sf(abs(reml.statistic), 12), 0.0018, 2)
    assert sum(reml.weights) == pytest.approx(100)


def test_reml_leave_one_out_matches_metafor():  # [M-infl]
    loo = pool(bcg_effects()[1:], "REML")
    for actual, expected in [
        (loo.log_estimate, -0.707083788031436),
        (loo.se, 0.189961024702717),
        (loo.log_lower, -1.07940055491509),
        (loo.log_upper, -0.334767021147788),
        (loo.q, 151.582572747109),
        (loo.tau2, 0.336156745300306),
        (loo.i2, 93.2259349111223),
        (loo.h2, 14.762184698253),
    ]:
        assert sig(actual, expected, 6), (actual, expected)


def test_paule_mandel_bcg_equals_iterated_dl_fixed_point():  # [M-uni]
    assert sig(pool(bcg_effects(), "PM").tau2, 0.3181)


def test_paule_mandel_bcg_solves_generalised_q_and_needs_no_hk_rescaling():
    # No published PM estimate/SE/CI for dat.bcg was found, so check what defines them:
    # PM tau^2 solves Q_gen(tau^2) = k - 1, hence the Hartung-Knapp factor
    # sum w (y - mu)^2 / (k - 1) is exactly 1 and PM + HK only swaps z for t(12).
    effects = bcg_effects()
    pm, pm_hk = pool(effects, "PM"), pool(effects, "PM", hk=True)
    y = np.array([e.log_hr for e in effects])
    w = 1 / (np.array([e.se for e in effects]) ** 2 + pm.tau2)
    assert float(np.sum(w * (y - pm.log_estimate) ** 2)) == pytest.approx(12, rel=1e-9)
    assert pm.log_estimate == pytest.approx(float(np.sum(w * y) / w.sum()), rel=1e-12)
    assert pm.se == pytest.approx(math.sqrt(1 / w.sum()), rel=1e-12)
    assert pm_hk.se == pytest.approx(pm.se, rel=1e-9) and pm_hk.df == 12
    crit = stats.t.ppf(0.975, 12)
    assert pm_hk.log_upper - pm_hk.log_estimate == pytest.approx(crit * pm.se, rel=1e-9)


def test_reml_hartung_knapp_matches_metafor_readme():  # [M-readme]
    hk = pool(bcg_effects(), "REML", hk=True)
    for actual, expected in [
        (hk.tau2, 0.3132),
        (hk.tau, 0.5597),
        (hk.i2, 92.22),
        (hk.h2, 12.86),
        (hk.q, 152.2330),
        (hk.log_estimate, -0.7145),
        (hk.se, 0.1808),
        (hk.statistic, -3.9522),
        (hk.log_lower, -1.1084),
        (hk.log_upper, -0.3206),
    ]:
        assert sig(actual, expected), (actual, expected)
    assert hk.df == 12 and hk.q_df == 12
    assert sig(hk.p, 0.0019, 2)  # printed as 0.0019
    # predict(res, transf=exp, digits=2); the prediction interval uses t(12) under knha
    assert tuple(round(x, 2) for x in (hk.estimate, hk.lower, hk.upper, hk.pi_lower, hk.pi_upper)) == (
        0.49,
        0.33,
        0.73,
        0.14,
        1.76,
    )


KACKER_Y = [61.00, 61.40, 62.21, 62.30, 62.34, 62.60, 62.70, 62.84, 65.90]
KACKER_V = [0.2025, 1.2100, 0.0900, 0.2025, 0.3844, 0.5625, 0.0676, 0.0225, 1.8225]


@pytest.mark.parametrize(
    "method, hk, expected",
    [
        # tau2, b, se, ci.lb, ci.ub, pval, I2, H2 as printed by metafor, ported in [SM-K]
        (
            "PM",
            False,
            (
                0.705395309224248,
                62.4076199113286,
                0.338030602684471,
                61.7450921043947,
                63.0701477182625,
                None,
                83.7218626490482,
                6.14320900751909,
            ),
        ),  # exk1_metafor
        (
            "DL",
            False,
            (
                0.288049246973751,
                62.3901386044504,
                0.245749668040304,
                61.9084781058787,
                62.8717991030221,
                None,
                67.744403741711,
                3.10023721772938,
            ),
        ),  # exk1_dl
        (
            "DL",
            True,
            (
                0.288049246973751,
                62.3901386044504,
                0.29477605699879,
                61.710383798052,
                63.0698934108488,
                2.77938607433693e-16,
                67.744403741711,
                3.10023721772938,
            ),
        ),  # exk1_dl_hksj
        (
            "fixed",
            False,
            (
                0.0,
                62.5833970939982,
                0.107845705498231,
                62.3720233953344,
                62.7947707926621,
                None,
                67.744403741711,
                3.10023721772938,
            ),
        ),  # exk1_fe
        (
            "fixed",
            True,
            (
                0.0,
                62.5833970939982,
                0.189889223522271,
                62.1455117593252,
                63.0212824286713,
                8.04326466920145e-18,
                67.744403741711,
                3.10023721772938,
            ),
        ),  # exk1_fe_hksj
    ],
)
def test_kacker_pm_dl_and_knha_match_metafor_via_statsmodels(method, hk, expected):
    effects = [effect_from_log(y, math.sqrt(v)) for y, v in zip(KACKER_Y, KACKER_V)]
    res = pool(effects, method, hk=hk)
    tau2, b, se, lb, ub, pval, i2, h2 = expected
    for actual, want in [
        (res.log_estimate, b),
        (res.se, se),
        (res.log_lower, lb),
        (res.log_upper, ub),
        (res.i2, i2),
        (res.h2, h2),
        (res.q, 24.801897741835),
        (res.q_p, 0.00167935146372742),
    ]:
        assert sig(actual, want, 8), (actual, want)  # [SM-K] QE, QEp shared by all fits
    assert res.tau2 == pytest.approx(tau2, abs=1e-9)  # metafor PM ran with tol=1e-9
    if pval is not None:
        assert sig(res.p, pval, 6) and res.df == 8
    if method == "PM":  # Kacker (2004) Table 1, as cited in [SM-K]'s test_tau_kacker
        assert round(res.tau, 4) == 0.8399


def test_clasp_pm_dl_reml_match_dersimonian_kacker():  # [DK2007]
    n1, n2 = [156, 303, 565, 1570, 103, 4659], [74, 303, 477, 1565, 105, 4650]
    ai, ci = [5, 5, 12, 69, 9, 313], [8, 17, 9, 94, 11, 352]
    effects = [
        effect_from_log(math.log(a * (m - c) / ((n - a) * c)), math.sqrt(1 / a + 1 / (n - a) + 1 / c + 1 / (m - c)))
        for a, c, n, m in zip(ai, ci, n1, n2)
    ]
    for method, (tau, mu, se) in {
        "PM": (0.3681, -0.3811, 0.2060),
        "DL": (0.2323, -0.3240, 0.1540),
        "REML": (0.1843, -0.2980, 0.1343),
    }.items():
        res = pool(effects, method)
        assert (round(res.tau, 4), round(res.log_estimate, 4), round(res.se, 4)) == (tau, mu, se)


@pytest.mark.parametrize(
    "method, hk, expected",
    [
        # tau2, mu, se, z/t, ci.lb, ci.ub   [R2009] Table 16.3
        ("fixed", False, (0.0, 0.060, 0.036, 1.655, -0.011, 0.132)),
        ("REML", False, (0.019, 0.084, 0.052, 1.621, -0.018, 0.185)),
        ("DL", False, (0.026, 0.089, 0.056, 1.601, -0.020, 0.199)),
        ("fixed", True, (0.0, 0.060, 0.051, 1.173, -0.048, 0.168)),
        ("REML", True, (0.019, 0.084, 0.062, 1.359, -0.046, 0.213)),
        ("DL", True, (0.026, 0.089, 0.064, 1.405, -0.044, 0.223)),
    ],
)
def test_raudenbush_conventional_and_hartung_knapp(method, hk, expected):
    effects = [effect_from_log(y, math.sqrt(v)) for y, v in zip(RAUDENBUSH_YI, RAUDENBUSH_VI)]
    res = pool(effects, method, hk=hk)
    actual = (res.tau2, res.log_estimate, res.se, res.statistic, res.log_lower, res.log_upper)
    assert tuple(round(x, 3) + 0.0 for x in actual) == expected
    assert res.df == (18 if hk else None)


def test_prediction_interval_follows_metafor():  # [R2009] metafor predict(): cr.lb, cr.ub
    effects = [effect_from_log(y, math.sqrt(v)) for y, v in zip(RAUDENBUSH_YI, RAUDENBUSH_VI)]
    res = pool(effects, "REML")
    assert (round(math.log(res.pi_lower), 3), round(math.log(res.pi_upper), 3)) == (-0.204, 0.371)
    fe = pool(effects, "fixed")  # no heterogeneity in the model: PI equals the CI
    assert fe.pi_lower == pytest.approx(fe.lower) and fe.pi_upper == pytest.approx(fe.upper)


def test_hk_widens_with_t_quantile_and_keeps_the_estimate():
    plain, hk = pool(bcg_effects(), "REML"), pool(bcg_effects(), "REML", hk=True)
    assert hk.log_estimate == plain.log_estimate and hk.df == 12 and hk.hk
    assert hk.upper - hk.lower > plain.upper - plain.lower


def test_no_studies_and_single_study_random_effects_are_refused():
    with pytest.raises(AnalysisError, match="no studies"):
        pool([], "DL")
    with pytest.raises(AnalysisError, match="at least 2 studies"):
        pool(bcg_effects()[:1], "REML")
    single = pool(bcg_effects()[:1], "fixed")
    assert single.estimate == pytest.approx(math.exp(bcg_effects()[0].log_hr))
    assert single.q_p is None and single.i2 is None and single.weights == (100.0,)
    with pytest.raises(AnalysisError, match="unknown pooling method"):
        pool(bcg_effects(), "bayes")


def test_subgroups_partition_q_for_fixed_effect():
    res = pool_subgroups(bcg_effects(), "fixed")
    within = sum(group.q for group in res.groups.values())
    # Cochran's Q decomposes exactly into within- and between-subgroup parts.
    assert res.q_between + within == pytest.approx(res.overall.q)
    assert set(res.groups) == {"random", "alternate", "systematic"} and res.df_between == 2


def test_subgroups_pool_each_group_separately_and_keep_single_studies():
    effects = bcg_effects()
    res = pool_subgroups(effects, "REML")
    systematic = [e for e in effects if e.subgroup == "systematic"]
    assert res.groups["systematic"].log_estimate == pytest.approx(pool(systematic, "REML").log_estimate)
    lone = pool_subgroups(effects[:3] + [effects[4]], "DL")
    assert lone.groups["alternate"].k == 1 and "single study" in lone.groups["alternate"].note


def test_pooled_to_dict_is_json_ready():
    import json

    data = pooled_to_dict(pool(bcg_effects(), "DL"))
    assert {"estimate", "lower", "upper", "tau2", "i2", "q", "q_p", "pi_lower", "pi_upper", "weights"} <= set(data)
    assert data["weights"][0]["study"] == "trial 1"
    json.dumps(pooled_to_dict(pool(bcg_effects()[:1], "fixed")), allow_nan=False)


@pytest.fixture(scope="module")
def rossi_trial():
    from lifelines.datasets import load_rossi

    r = load_rossi()
    fin = r["fin"].to_numpy() == 1
    t, e = r["week"].to_numpy(float), r["arrest"].to_numpy(int)
    return t[fin], e[fin], t[~fin], e[~fin]


def test_two_stage_ipd_of_duplicated_trial_halves_variance(rossi_trial):
    from evidence_app.core.stats.survival import arm_hazard_ratio

    single = arm_hazard_ratio(*rossi_trial)
    res = pool_ipd_two_stage([("A", *rossi_trial), ("B", *rossi_trial)], "REML")
    assert res.log_estimate == pytest.approx(single.log_hr) and res.tau2 == 0
    assert res.se == pytest.approx(single.se / math.sqrt(2))


def test_one_stage_ipd_is_stratified_by_trial(rossi_trial):
    from evidence_app.core.stats.survival import arm_hazard_ratio

    single = arm_hazard_ratio(*rossi_trial)
    one = pool_ipd_one_stage([("A", *rossi_trial)])
    assert one.log_hr == pytest.approx(single.log_hr, rel=1e-6)
    doubled = pool_ipd_one_stage([("A", *rossi_trial), ("B", *rossi_trial)])
    # Two identical strata double the partial likelihood: same estimate, SE / sqrt(2).
    assert doubled.log_hr == pytest.approx(single.log_hr, rel=1e-6)
    assert doubled.se == pytest.approx(single.se / math.sqrt(2), rel=1e-4)
    shifted = pool_ipd_one_stage(
        [("A", *rossi_trial), ("B", rossi_trial[0] * 3, rossi_trial[1], rossi_trial[2] * 3, rossi_trial[3])]
    )
    assert shifted.log_hr == pytest.approx(single.log_hr, rel=1e-6)  # time scale per stratum


def test_ipd_pooling_reports_progress_and_honours_cancel(rossi_trial):
    seen: list[float] = []
    pool_ipd_two_stage([("A", *rossi_trial), ("B", *rossi_trial)], "fixed", progress=lambda f, _m: seen.append(f))
    assert seen[0] == 0 and seen[-1] == 1
    with pytest.raises(Cancelled):
        pool_ipd_one_stage([("A", *rossi_trial)], cancelled=lambda: True)
    assert np.all(np.diff(seen) >= 0)


def test_every_pooling_method_has_one_label_everywhere():
    from evidence_app.core.synthesis.methods import METHODS, get_method, method_label, normalise_method

    assert [m.key for m in METHODS] == ["REML", "DL", "PM", "fixed"]
    for m in METHODS:
        assert normalise_method(m.key.lower()) == m.key and get_method(f" {m.key.upper()} ") is m
        assert method_label(m.key) == m.label
    assert method_label("reml", hk=True) == "Random effects, REML, Hartung–Knapp adjustment"
    assert method_label("fe", hk=True) == "Fixed effect (inverse variance)"  # HK applies to random effects only
    assert method_label("DL", in_sentence=True) == "random effects, DerSimonian–Laird"
    with pytest.raises(AnalysisError, match="unknown pooling method 'bayes'"):
        normalise_method("bayes")
