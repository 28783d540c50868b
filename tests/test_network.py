"""Network meta-analysis checked against netmeta 3.3-1 on two simulated networks, against pairwise
meta-analysis for a single comparison, and against the Bucher indirect comparison for a star network."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from evidence_app.core.results import EffectSize
from evidence_app.core.synthesis.meta import pool
from evidence_app.core.synthesis.network import bucher, run_network
from evidence_app.core.synthesis.network_input import Contrast, prepare_network, read_contrast_csv
from evidence_app.core.synthesis.network_model import basic_form, fit_graph, gls
from evidence_app.core.synthesis.network_tau import restricted_loglik, tau2_reml

DATA = Path(__file__).parent / "data"
#: netmeta 3.3-1 results for the two networks (the file's "source" says what each entry holds).
EXPECTED = json.loads((DATA / "nma_expected.json").read_text(encoding="utf-8"))
NETWORKS = ["synthetic_1", "synthetic_3"]


def close(actual: float | None, expected: float | None) -> bool:
    """Within 1e-4 relative, or 1e-6 absolute near zero (the acceptance rule); None stands for R's NA."""
    if expected is None:
        return actual is None or actual == 0 or math.isnan(actual)
    assert actual is not None
    return abs(actual - expected) <= max(1e-4 * abs(expected), 1e-6)


def load(name: str):
    return prepare_network(read_contrast_csv(DATA / f"nma_{name}.csv"))


@pytest.fixture(scope="module", params=NETWORKS)
def dl(request):
    return request.param, run_network(load(request.param), "A", tau_method="DL")


def test_heterogeneity_and_q_decomposition(dl):
    name, res = dl
    ref = EXPECTED[name]["heterogeneity"]
    d = res.decomposition
    i2, lower, upper = res.i2()
    pairs = {
        "tau2": res.tau2,
        "I2": i2,
        "I2_lower": lower,
        "I2_upper": upper,
        "Q_total": d.q_total,
        "Q_heterogeneity": d.q_within,
        "Q_inconsistency": d.q_between,
    }
    for key, value in pairs.items():
        assert close(value, ref[key]), (key, value, ref[key])
    assert (d.df_total, d.df_within, d.df_between) == (
        ref["df_Q_total"],
        ref["df_Q_heterogeneity"],
        ref["df_Q_inconsistency"],
    )
    from evidence_app.core.synthesis.network_inconsistency import chi2_p

    assert close(chi2_p(d.q_between, d.df_between), ref["pval_Q_inconsistency"])
    q_random, tau_within = EXPECTED[name]["q_inc_random"]
    assert close(d.q_between_random, q_random)
    assert close(math.sqrt(d.tau2_within), tau_within)
    per_design = {frozenset(x.treatments): x.q for x in d.designs if x.df > 0}
    assert per_design.keys() == {frozenset(k.split(":")) for k in EXPECTED[name]["q_design"]}
    for label, q in EXPECTED[name]["q_design"].items():
        assert close(per_design[frozenset(label.split(":"))], q)


def test_estimates_vs_reference_both_models(dl):
    name, res = dl
    for treatment, (est_c, se_c, est_r, se_r) in EXPECTED[name]["vs_A"].items():
        common = res.compare(treatment, "A", "common")
        random = res.compare(treatment, "A", "random")
        assert close(common.log_hr, est_c) and close(common.se, se_c), treatment
        assert close(random.log_hr, est_r) and close(random.se, se_r), treatment
        # the league table is antisymmetric
        back = res.compare("A", treatment, "random")
        assert back.log_hr == pytest.approx(-random.log_hr) and back.se == pytest.approx(random.se)


def test_pscores(dl):
    name, res = dl
    for model in ("common", "random"):
        scores = res.pscores(model)
        for treatment, value in EXPECTED[name][f"pscores_{model}"].items():
            assert close(scores[treatment], value), (model, treatment)
        assert sum(scores.values()) == pytest.approx(len(scores) / 2)


def test_netsplit_back_calculation(dl):
    name, res = dl
    for model in ("common", "random"):
        expected = EXPECTED[name][f"netsplit_{model}"]
        got = {f"{res.treatments[s.treat1]}:{res.treatments[s.treat2]}": s for s in res.splits[model]}
        assert list(got) == list(expected)
        for label, (k, prop, direct, indirect, se_ind, p_diff) in expected.items():
            s = got[label]
            assert s.k_direct == k
            for value, ref in ((s.prop_direct, prop), (s.direct[0], direct), (s.indirect[0], indirect)):
                assert close(value, ref), (model, label)
            assert close(s.indirect[1], se_ind) and close(s.difference[3], p_diff), (model, label)


@pytest.mark.parametrize("name", NETWORKS)
def test_reml_with_full_within_study_covariance(name):
    res = run_network(load(name), "A", tau_method="REML")
    assert close(res.tau2, EXPECTED[name]["reml_full"])
    if res.tau2 > 0:  # an interior maximum of the restricted likelihood
        for step in (1e-4, -1e-4):
            assert restricted_loglik(res.layout, res.tau2) > restricted_loglik(res.layout, res.tau2 + step)


@pytest.mark.parametrize("name", NETWORKS)
def test_random_model_with_netmeta_reml_tau2_preset(name):
    res = run_network(load(name), "A", tau2_preset=EXPECTED[name]["reml_netmeta"])
    for treatment, (est, se) in EXPECTED[name]["vs_A_random_reml_netmeta"].items():
        c = res.compare(treatment, "A", "random")
        assert close(c.log_hr, est) and close(c.se, se), treatment


@pytest.mark.parametrize("name", NETWORKS)
def test_reduced_weights_equal_block_diagonal_gls(name):
    data = load(name)
    res = run_network(data, "A")
    form = basic_form(res.layout)
    for tau2 in (0.0, 0.05):
        graph = fit_graph(res.layout, tau2)
        fit = gls(form, 0, tau2)
        assert graph.q == pytest.approx(fit.q, rel=1e-10, abs=1e-12)
        for k, j in enumerate(fit.keep):
            est, se = graph.contrast(int(j), 0)
            assert est == pytest.approx(fit.beta[k], abs=1e-10)
            assert se == pytest.approx(math.sqrt(fit.cov[k, k]), rel=1e-10)


def _one_comparison():
    rows = [("S1", -0.3, 0.12), ("S2", -0.1, 0.2), ("S3", -0.6, 0.15), ("S4", 0.05, 0.25), ("S5", -0.45, 0.1)]
    contrasts = [Contrast(s, "new", "old", y, se) for s, y, se in rows]
    effects = [EffectSize(s, y, se, math.exp(y), 0.0, 0.0) for s, y, se in rows]
    return prepare_network(contrasts), effects


@pytest.mark.parametrize("method", ["DL", "REML"])
def test_one_comparison_is_pairwise_meta_analysis(method):
    data, effects = _one_comparison()
    res = run_network(data, "old", tau_method=method)
    fixed = pool(effects, "fixed")
    random = pool(effects, method)
    common = res.compare("new", "old", "common")
    rand = res.compare("new", "old", "random")
    assert abs(common.log_hr - fixed.log_estimate) <= 1e-8 and abs(common.se - fixed.se) <= 1e-8
    assert abs(res.tau2 - random.tau2) <= 1e-8
    assert abs(rand.log_hr - random.log_estimate) <= 1e-8 and abs(rand.se - random.se) <= 1e-8
    assert abs(res.common.q - fixed.q) <= 1e-8
    assert abs(common.lower - fixed.log_lower) <= 1e-8 and abs(rand.upper - random.log_upper) <= 1e-8
    assert res.tau2 > 0  # the example is heterogeneous, so the random model is really exercised


def test_star_network_gives_bucher():
    contrasts = [
        Contrast("T1", "niv", "eve", math.log(0.73), 0.10),
        Contrast("T2", "cabo", "eve", math.log(0.66), 0.12),
        Contrast("T3", "eve", "pbo", math.log(0.87), 0.14),
    ]
    res = run_network(prepare_network(contrasts), "eve")
    for a, c, direct_a, direct_c in (
        ("niv", "cabo", contrasts[0], contrasts[1]),
        ("niv", "pbo", contrasts[0], None),
    ):
        got = res.compare(a, c, "common")
        if direct_c is None:  # niv vs pbo = (niv vs eve) − (pbo vs eve)
            expected = bucher((direct_a.log_hr, direct_a.se), (-contrasts[2].log_hr, contrasts[2].se))
        else:
            expected = bucher((direct_a.log_hr, direct_a.se), (direct_c.log_hr, direct_c.se))
        assert got.log_hr == pytest.approx(expected[0], abs=1e-12)
        assert got.se == pytest.approx(expected[1], abs=1e-12)
    assert res.layout.df == 0 and res.tau2 == 0 and not res.splits["common"]


def test_star_with_several_trials_per_spoke_is_bucher_of_pooled_spokes():
    spokes = {"a": [(-0.2, 0.1), (-0.4, 0.2)], "c": [(0.1, 0.15), (0.3, 0.1), (0.0, 0.3)]}
    contrasts = [Contrast(f"{t}{k}", t, "b", y, se) for t, rows in spokes.items() for k, (y, se) in enumerate(rows)]
    res = run_network(prepare_network(contrasts), "b")
    pooled = {}
    for t, rows in spokes.items():
        w = np.array([1 / se**2 for _, se in rows])
        pooled[t] = (float(np.sum(w * [y for y, _ in rows]) / w.sum()), float(1 / math.sqrt(w.sum())))
    expected = bucher(pooled["a"], pooled["c"])
    got = res.compare("a", "c", "common")
    assert got.log_hr == pytest.approx(expected[0], abs=1e-12) and got.se == pytest.approx(expected[1], abs=1e-12)


def test_prediction_interval_is_wider_than_the_confidence_interval():
    res = run_network(load("synthetic_3"), "A")
    c = res.compare("D", "A", "random")
    lower, upper = res.prediction("D", "A")
    assert lower < c.lower < c.upper < upper
    assert tau2_reml(res.layout) >= 0


def _four_arm_network():
    rng = np.random.default_rng(3)
    designs = ["ABCD", "ABCD", "ACE", "ACE", "BF", "EF", "DF", "AB", "CE"]
    contrasts = []
    for s, arms in enumerate(designs):
        v = {a: rng.uniform(0.01, 0.05) for a in arms}
        d = {a: rng.normal(0, 0.3) for a in arms}
        for i, a in enumerate(arms):
            contrasts += [Contrast(f"S{s}", a, b, d[a] - d[b], math.sqrt(v[a] + v[b])) for b in arms[i + 1 :]]
    return prepare_network(contrasts)


def test_four_arm_studies_dl_trace_equals_the_gls_expectation():
    """E[Q] = df + τ² tr(P₀ S) in the block-diagonal GLS model; the graph's tr(W(I − H)S) must be the same."""
    from evidence_app.core.synthesis.network_model import moment_trace

    res = run_network(_four_arm_network(), "A")
    form = basic_form(res.layout)
    x, precision = form.x[:, 1:], np.linalg.inv(form.within)
    p0 = precision - precision @ x @ np.linalg.inv(x.T @ precision @ x) @ x.T @ precision
    assert moment_trace(res.layout, res.common) == pytest.approx(float(np.trace(p0 @ form.pattern)), rel=1e-10)
    assert res.tau2 > 0 and res.common.q == pytest.approx(gls(form, 0).q, rel=1e-12)
    for tau2 in (res.tau2, 0.2):
        graph, fit = fit_graph(res.layout, tau2), gls(form, 0, tau2)
        for k, j in enumerate(fit.keep):
            assert graph.contrast(int(j), 0)[0] == pytest.approx(fit.beta[k], abs=1e-12)
    designs = {x.label: x.df for x in res.decomposition.designs}
    assert designs["A:B:C:D"] == 3 and designs["A:C:E"] == 2  # two studies of each multi-arm design
    reml = run_network(_four_arm_network(), "A", tau_method="REML").tau2
    for step in (1e-4, -1e-4):
        assert restricted_loglik(res.layout, reml) > restricted_loglik(res.layout, reml + step)


def test_headline_numbers_written_out():
    """The main netmeta 3.3-1 values, written here as well as in the JSON file the other tests read."""
    s3 = run_network(load("synthetic_3"), "A")
    d = s3.decomposition
    for got, expected in (
        (s3.tau2, 0.0358420041903607),
        (d.q_total, 20.4763770913471),
        (d.q_within, 4.37366821844603),
        (d.q_between, 16.1027088729011),
        (d.q_between_random, 6.57645266528454),
        (s3.i2()[0], 0.413958829412702),
        (s3.i2()[2], 0.695011175006574),
        (s3.compare("F", "A", "common").log_hr, 1.3491168040595),
        (s3.compare("F", "A", "common").se, 0.241703793756943),
        (s3.compare("F", "A", "random").log_hr, 1.31107534119114),
        (s3.compare("F", "A", "random").se, 0.308975442181514),
        (s3.pscores("random")["G"], 0.969756236661014),
    ):
        assert close(got, expected)
    split = next(x for x in s3.splits["random"] if s3.treatments[x.treat1] == "D" and s3.treatments[x.treat2] == "A")
    assert close(split.prop_direct, 0.701751004653734) and close(split.indirect[0], -0.303589498851035)
    assert close(split.difference[3], 0.369836596388583)
    assert close(run_network(load("synthetic_3"), "A", tau_method="REML").tau2, 0.0377628645568205)
    s1 = run_network(load("synthetic_1"), "A")
    assert close(s1.common.q, 5.63492552790024) and s1.tau2 == 0 and close(s1.i2()[2], 0.602290253681268)
    assert close(s1.compare("B", "A").log_hr, 0.26228699950686) and close(s1.compare("B", "A").se, 0.178048375045685)
    assert close(s1.pscores("common")["J"], 0.998713660014572)
