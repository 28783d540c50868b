"""Inverse-variance pooling of log hazard ratios (numpy/scipy only).

Conventions follow metafor's ``rma.uni`` (Viechtbauer 2010, J Stat Softw 36(3)) so that
numbers can be checked against it:

* Fixed effect: weights ``1/v_i``. Random effects: weights ``1/(v_i + tau^2)`` with tau^2 by
  DerSimonian–Laird (1986), REML (Fisher scoring, Viechtbauer 2005) or Paule–Mandel
  (1982; the root of the generalised Q statistic, DerSimonian & Kacker 2007).
* Cochran's Q always uses the fixed-effect weights. I^2 and H^2: from Q for the fixed
  model (``I^2 = (Q - df)/Q``, ``H^2 = Q/df``); from tau^2 for random-effects models
  (``I^2 = tau^2/(tau^2 + s^2)``, ``H^2 = (tau^2 + s^2)/s^2`` with the "typical" within-study
  variance ``s^2 = (k-1) sum(w) / (sum(w)^2 - sum(w^2))``, Higgins & Thompson 2002).
* CIs for tau^2, I^2 and H^2: Q-profile method (Viechtbauer 2007), as metafor's ``confint``.
* Hartung–Knapp–Sidik–Jonkman (metafor ``test="knha"``): SE scaled by
  ``sqrt(sum w (y - mu)^2 / (k - 1))`` and t distribution with k-1 df. As metafor's
  default, the ad-hoc truncation of that factor at 1 is *not* applied.
* Prediction interval (metafor ``predict``): ``mu ± crit * sqrt(SE^2 + tau^2)`` with crit
  from the normal distribution, or t with k-1 df when HK is used. (Higgins, Thompson &
  Spiegelhalter 2009 propose t with k-2 df; we follow metafor.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import optimize, stats

from evidence_app.core.limits import MAX_ABS_LOG_EFFECT, SE_MAX, SE_MIN
from evidence_app.core.progress import CancelCheck, ProgressCallback, check_cancelled, report
from evidence_app.core.results import EffectSize, HazardRatio, PooledEstimate, SubgroupPooling
from evidence_app.core.stats.effects import effect_from_log
from evidence_app.core.synthesis.methods import normalise_method
from evidence_app.errors import AnalysisError

_Values = Sequence[float] | np.ndarray
IPDStudy = tuple[str, _Values, _Values, _Values, _Values]
"""``(label, time_exp, event_exp, time_ctl, event_ctl)`` for one trial."""


def _q_gen(y: np.ndarray, v: np.ndarray, tau2: float) -> float:
    """Generalised Q statistic with weights 1/(v + tau2)."""
    w = 1 / (v + tau2)
    mu = np.sum(w * y) / np.sum(w)
    return float(np.sum(w * (y - mu) ** 2))


def _tau2_dl(y: np.ndarray, v: np.ndarray) -> float:
    w = 1 / v
    q = _q_gen(y, v, 0.0)
    return max(0.0, float((q - (len(y) - 1)) / (w.sum() - np.sum(w**2) / w.sum())))


def _tau2_reml(y: np.ndarray, v: np.ndarray, tol: float = 1e-12, max_iter: int = 1000) -> float:
    """Fisher scoring on the restricted likelihood, with step halving at the 0 boundary."""
    tau2 = _tau2_dl(y, v)
    for _ in range(max_iter):
        w = 1 / (v + tau2)
        sw = w.sum()
        resid = y - np.sum(w * y) / sw
        trace_p = sw - np.sum(w**2) / sw
        trace_pp = np.sum(w**2) - 2 * np.sum(w**3) / sw + np.sum(w**2) ** 2 / sw**2
        step = (np.sum(w**2 * resid**2) - trace_p) / trace_pp
        new = tau2 + step
        while new < 0 and abs(step) > tol:
            step /= 2
            new = tau2 + step
        new = max(new, 0.0)
        if abs(new - tau2) < tol:
            return float(new)
        tau2 = new
    raise AnalysisError("the REML estimate of tau² did not converge; try DL or PM")


def _root_q_gen(y: np.ndarray, v: np.ndarray, target: float) -> float:
    """Smallest tau2 >= 0 with Q_gen(tau2) = target (0 if Q_gen(0) <= target)."""
    if _q_gen(y, v, 0.0) <= target:
        return 0.0
    upper = max(1.0, float(np.var(y)) * 10)
    while _q_gen(y, v, upper) > target:
        upper *= 10
    return float(optimize.brentq(lambda t: _q_gen(y, v, t) - target, 0.0, upper, xtol=1e-14))


def _tau2(y: np.ndarray, v: np.ndarray, method: str) -> float:
    if method == "fixed":
        return 0.0
    if method == "DL":
        return _tau2_dl(y, v)
    if method == "REML":
        return _tau2_reml(y, v)
    return _root_q_gen(y, v, len(y) - 1)


def _heterogeneity(y: np.ndarray, v: np.ndarray, tau2: float, fixed: bool) -> dict[str, Any]:
    k = len(y)
    w = 1 / v
    q = _q_gen(y, v, 0.0)
    out: dict[str, Any] = {
        "q": q,
        "q_df": k - 1,
        "q_p": None,
        "i2": None,
        "h2": None,
        "tau2_lower": None,
        "tau2_upper": None,
        "i2_lower": None,
        "i2_upper": None,
    }
    if k < 2:
        return out
    out["q_p"] = float(stats.chi2.sf(q, k - 1))
    s2 = (k - 1) * w.sum() / (w.sum() ** 2 - np.sum(w**2))
    if fixed:
        out["i2"] = max(0.0, 100 * (q - (k - 1)) / q) if q > 0 else 0.0
        out["h2"] = q / (k - 1)
    else:
        out["i2"] = 100 * tau2 / (tau2 + s2)
        out["h2"] = (tau2 + s2) / s2
    return out


def _q_profile(y: np.ndarray, v: np.ndarray, ci_level: float) -> tuple[float, float, float]:
    """Q-profile CI for tau^2 (Viechtbauer 2007); also returns the typical variance s^2."""
    k = len(y)
    alpha = 1 - ci_level
    lower = _root_q_gen(y, v, float(stats.chi2.ppf(1 - alpha / 2, k - 1)))
    upper = _root_q_gen(y, v, float(stats.chi2.ppf(alpha / 2, k - 1)))
    w = 1 / v
    s2 = (k - 1) * w.sum() / (w.sum() ** 2 - np.sum(w**2))
    return lower, upper, float(s2)


def _pool_arrays(
    effects: Sequence[EffectSize], method: str, hk: bool, ci_level: float, note: str = ""
) -> PooledEstimate:
    y = np.array([e.log_hr for e in effects], dtype=float)
    v = np.array([e.se for e in effects], dtype=float) ** 2
    k = len(y)
    fixed = method == "fixed"
    tau2 = _tau2(y, v, method) if k > 1 else 0.0
    w = 1 / (v + tau2)
    mu = float(np.sum(w * y) / w.sum())
    se = math.sqrt(1 / w.sum())
    df: int | None = None
    if hk and k > 1:
        se *= math.sqrt(float(np.sum(w * (y - mu) ** 2)) / (k - 1))
        df = k - 1
        crit = float(stats.t.ppf((1 + ci_level) / 2, df))
    else:
        crit = float(stats.norm.ppf((1 + ci_level) / 2))
    statistic = mu / se if se > 0 else math.inf
    p = float(2 * (stats.t.sf(abs(statistic), df) if df else stats.norm.sf(abs(statistic))))
    het = _heterogeneity(y, v, tau2, fixed)
    if k > 1:
        lo, hi, s2 = _q_profile(y, v, ci_level)
        het.update(tau2_lower=lo, tau2_upper=hi, i2_lower=100 * lo / (lo + s2), i2_upper=100 * hi / (hi + s2))
    half_pi = crit * math.sqrt(se**2 + tau2)
    return PooledEstimate(
        method=method,
        model="fixed" if fixed else "random",
        hk=hk and k > 1,
        k=k,
        estimate=math.exp(mu),
        lower=math.exp(mu - crit * se),
        upper=math.exp(mu + crit * se),
        log_estimate=mu,
        log_lower=mu - crit * se,
        log_upper=mu + crit * se,
        se=se,
        statistic=statistic,
        p=p,
        df=df,
        ci_level=ci_level,
        tau2=tau2,
        tau=math.sqrt(tau2),
        pi_lower=math.exp(mu - half_pi),
        pi_upper=math.exp(mu + half_pi),
        weights=tuple(float(x) for x in 100 * w / w.sum()),
        studies=tuple(effects),
        note=note,
        **het,
    )


def pool(
    effects: Sequence[EffectSize], method: str = "REML", hk: bool = False, ci_level: float = 0.95
) -> PooledEstimate:
    """Pool study log hazard ratios.

    Parameters
    ----------
    effects
        One :class:`EffectSize` per study.
    method
        ``"fixed"`` (inverse variance), or a tau^2 estimator for random effects:
        ``"DL"``, ``"REML"`` or ``"PM"``.
    hk
        Apply the Hartung–Knapp(–Sidik–Jonkman) adjustment (t with k-1 df, no truncation).
    ci_level
        Level of the confidence and prediction intervals.

    Raises
    ------
    AnalysisError
        With no studies, or a random-effects model with only one study.
    """
    canonical = normalise_method(method)
    if not effects:
        raise AnalysisError("there are no studies to pool")
    for effect in effects:  # the shared limits: no weight, exponential or scipy root search can overflow
        if not (abs(effect.log_hr) <= MAX_ABS_LOG_EFFECT and SE_MIN <= effect.se <= SE_MAX):
            raise AnalysisError(
                f"study '{effect.study}': log HR {effect.log_hr:g} with SE {effect.se:g} is outside what can be "
                f"pooled (|log HR| up to {MAX_ABS_LOG_EFFECT:g}, SE {SE_MIN:g} to {SE_MAX:g})"
            )
    if canonical != "fixed" and len(effects) < 2:
        raise AnalysisError(
            f"a random-effects model ({canonical}) needs at least 2 studies to estimate "
            "between-study variance; use the fixed-effect method for a single study"
        )
    return _pool_arrays(effects, canonical, hk, ci_level)


def pool_subgroups(
    effects: Sequence[EffectSize], method: str = "REML", hk: bool = False, ci_level: float = 0.95
) -> SubgroupPooling:
    """Pool within each subgroup (separate tau^2 per group) and test for differences.

    The test for subgroup differences is Cochran's Q across the subgroup estimates with
    weights ``1/SE_g^2`` and G-1 degrees of freedom (as RevMan and metafor's
    "separate models" approach). Studies without a subgroup form the group "(none)". A
    subgroup with a single study is reported as that study (no pooling, noted).
    """
    canonical = normalise_method(method)
    overall = pool(effects, canonical, hk, ci_level)
    names: dict[str, list[EffectSize]] = {}
    for effect in effects:
        names.setdefault(effect.subgroup or "(none)", []).append(effect)
    groups: dict[str, PooledEstimate] = {}
    for name, members in names.items():
        if len(members) == 1 and canonical != "fixed":
            groups[name] = _pool_arrays(
                members, "fixed", False, ci_level, note="single study: shown as reported, not pooled"
            )
        else:
            groups[name] = _pool_arrays(members, canonical, hk, ci_level)
    estimates = np.array([g.log_estimate for g in groups.values()])
    variances = np.array([g.se for g in groups.values()]) ** 2
    q_between = _q_gen(estimates, variances, 0.0) if len(groups) > 1 else 0.0
    df = len(groups) - 1
    p_between = float(stats.chi2.sf(q_between, df)) if df > 0 else None
    return SubgroupPooling(groups=groups, overall=overall, q_between=q_between, df_between=df, p_between=p_between)


def pool_ipd_two_stage(
    studies: Sequence[IPDStudy],
    method: str = "REML",
    hk: bool = False,
    *,
    progress: ProgressCallback = None,
    cancelled: CancelCheck = None,
) -> PooledEstimate:
    """Two-stage IPD meta-analysis: a Cox model per study, then :func:`pool`.

    ``studies`` holds ``(label, time_exp, event_exp, time_ctl, event_ctl)`` per trial.
    """
    from evidence_app.core.stats.survival import arm_hazard_ratio

    effects = []
    for index, (label, t_exp, e_exp, t_ctl, e_ctl) in enumerate(studies):
        check_cancelled(cancelled)
        report(progress, index / max(len(studies), 1), f"Cox model for {label}")
        hr = arm_hazard_ratio(t_exp, e_exp, t_ctl, e_ctl)
        effects.append(effect_from_log(hr.log_hr, hr.se, study=label))
    report(progress, 1.0, "Pooling")
    return pool(effects, method, hk)


def pool_ipd_one_stage(
    studies: Sequence[IPDStudy],
    *,
    ci_level: float = 0.95,
    progress: ProgressCallback = None,
    cancelled: CancelCheck = None,
) -> HazardRatio:
    """One-stage IPD meta-analysis: Cox model with a treatment term, stratified by trial.

    Each trial keeps its own baseline hazard; the treatment effect is common to all
    trials (a fixed-effect analysis on patient-level data).
    """
    from evidence_app.core.stats.survival import fit_cox

    if not studies:
        raise AnalysisError("there are no studies to pool")
    check_cancelled(cancelled)
    report(progress, 0.0, "Stacking patient data")
    times: list[float] = []
    events: list[int] = []
    treatment: list[float] = []
    trial: list[str] = []
    for label, t_exp, e_exp, t_ctl, e_ctl in studies:
        for arm, (t, e) in ((1.0, (t_exp, e_exp)), (0.0, (t_ctl, e_ctl))):
            times.extend(float(x) for x in t)
            events.extend(int(x) for x in e)
            treatment.extend([arm] * len(t))
            trial.extend([label] * len(t))
    report(progress, 0.3, "Fitting the stratified Cox model")
    model = fit_cox(times, events, {"treatment": treatment}, strata=trial, ci_level=ci_level)
    check_cancelled(cancelled)
    report(progress, 1.0, "Done")
    term = model.terms["treatment"]
    return HazardRatio(
        hr=term.hr,
        lower=term.lower,
        upper=term.upper,
        ci_level=term.ci_level,
        p=term.p,
        log_hr=term.log_hr,
        se=term.se,
        experimental="experimental",
        control="control",
        method=f"one-stage Cox model stratified by trial ({len(studies)} trials)",
    )


def pooled_to_dict(pooled: PooledEstimate) -> dict[str, Any]:
    """A JSON-ready summary (NaN/inf become None) for the CLI's ``--json`` output."""

    def clean(x: float | None) -> float | None:
        return None if x is None or not math.isfinite(x) else float(x)

    return {
        "method": pooled.method,
        "model": pooled.model,
        "hk": pooled.hk,
        "k": pooled.k,
        "ci_level": pooled.ci_level,
        "estimate": clean(pooled.estimate),
        "lower": clean(pooled.lower),
        "upper": clean(pooled.upper),
        "p": clean(pooled.p),
        "tau2": clean(pooled.tau2),
        "i2": clean(pooled.i2),
        "q": clean(pooled.q),
        "q_df": pooled.q_df,
        "q_p": clean(pooled.q_p),
        "pi_lower": clean(pooled.pi_lower),
        "pi_upper": clean(pooled.pi_upper),
        "weights": [{"study": e.study, "weight_percent": clean(w)} for e, w in zip(pooled.studies, pooled.weights)],
    }
