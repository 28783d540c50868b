"""Survival statistics for one or two arms — the only module that touches lifelines.

lifelines (and pandas behind it) is imported inside the functions that need it, because
importing it costs about a second; ``import evidence_app.core`` stays fast. Results are
returned as the frozen types of :mod:`evidence_app.core.results`.

lifelines is the reference implementation. The routine cases — Kaplan–Meier, the two-arm
Cox model, log-rank and PH test — run through :mod:`evidence_app.core.stats.survival_numpy`, which
repeats lifelines' arithmetic in numpy 30-50 times faster and hands anything unusual back
to lifelines; ``reference=True`` computes with lifelines itself (the tests compare the two).

Counting convention used throughout (numbers-at-risk tables, landmark estimates): a
subject is *at risk at t* when its time is >= t (at risk just before t); events and
censorings are counted *cumulatively up to and including t*.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np

from evidence_app.core.distributions import norm_ppf
from evidence_app.core.reconstruction.km import km_table
from evidence_app.core.results import (
    ArmComparison,
    AtRiskRow,
    CoxModel,
    HazardRatio,
    LandmarkEstimate,
    RMSTEstimate,
    SurvivalFit,
    frozen_array,
)
from evidence_app.core.stats.survival_numpy import KMCurve, km_curve, logrank, two_arm_cox
from evidence_app.errors import AnalysisError, InputError

ArrayLike = Sequence[float] | np.ndarray
Labels = Sequence[Hashable] | np.ndarray
COX_METHOD = "Cox proportional hazards, Efron ties, Wald CI (lifelines' CoxPHFitter algorithm)"
PH_FLAG = (
    "The hazards may not be proportional (Schoenfeld residual test {p}): "
    "the single hazard ratio averages an effect that changes over time, so read it "
    "together with the curves and the RMST difference."
)


def _clean(time: ArrayLike, event: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(time, dtype=float).ravel()
    e = np.asarray(event, dtype=float).ravel()
    if t.size == 0:
        raise InputError("there are no patients: time and event are empty")
    if t.size != e.size:
        raise InputError(f"time has {t.size} values but event has {e.size}")
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        raise InputError("times must be finite numbers >= 0")
    if not np.all(np.isin(e, (0.0, 1.0))):
        raise InputError("event must be 1 (event) or 0 (censored)")
    return t, e.astype(int)


def _z(ci_level: float) -> float:
    return norm_ppf((1 + ci_level) / 2)


def _format_p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def fit_km(
    time: ArrayLike, event: ArrayLike, label: str = "", ci_level: float = 0.95, *, reference: bool = False
) -> SurvivalFit:
    """Kaplan–Meier estimate with a log(-log) Greenwood band and the median with its CI.

    The median is the first time the curve is <= 0.5; its CI runs from where the lower
    band to where the upper band crosses 0.5 (band inversion, as lifelines'
    ``median_survival_times`` and R's ``survfit``); a bound that is never reached is None.
    ``reference=True`` fits with lifelines instead of its numpy twin (identical results).
    """
    t, e = _clean(time, event)
    curve = _km_lifelines(t, e, ci_level) if reference else km_curve(t, e, ci_level)
    at_risk = t.size - np.searchsorted(np.sort(t), curve.timeline, side="left")
    return SurvivalFit(
        label=label,
        timeline=frozen_array(curve.timeline),
        survival=frozen_array(curve.survival),
        ci_lower=frozen_array(curve.ci_lower),
        ci_upper=frozen_array(curve.ci_upper),
        at_risk=frozen_array(at_risk),
        censor_times=frozen_array(np.sort(t[e == 0])),
        n=int(t.size),
        events=int(e.sum()),
        median=_finite_or_none(curve.median),
        median_lower=_finite_or_none(curve.median_lower),
        median_upper=_finite_or_none(curve.median_upper),
        ci_level=ci_level,
    )


def _km_lifelines(t: np.ndarray, e: np.ndarray, ci_level: float) -> KMCurve:
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    kmf = KaplanMeierFitter(alpha=1 - ci_level).fit(t, e, label="KM")
    band = kmf.confidence_interval_survival_function_
    median_band = median_survival_times(band)
    return KMCurve(
        timeline=kmf.survival_function_.index.to_numpy(dtype=float),
        survival=kmf.survival_function_.iloc[:, 0].to_numpy(dtype=float),
        ci_lower=band.iloc[:, 0].to_numpy(dtype=float),
        ci_upper=band.iloc[:, 1].to_numpy(dtype=float),
        median=float(kmf.median_survival_time_),
        median_lower=float(median_band.iloc[0, 0]),
        median_upper=float(median_band.iloc[0, 1]),
    )


def landmark_survival(
    fit_or_data: SurvivalFit | tuple[ArrayLike, ArrayLike], times: Sequence[float], ci_level: float = 0.95
) -> list[LandmarkEstimate]:
    """Survival (with CI) at landmark times, read off the KM step function.

    ``fit_or_data`` is a :class:`SurvivalFit` or a ``(time, event)`` pair (then fitted at
    ``ci_level``). Beyond the last follow-up the curve is undefined and the estimate is
    None; ``n_at_risk`` follows the module's convention (time >= landmark).
    """
    fit = fit_or_data if isinstance(fit_or_data, SurvivalFit) else fit_km(*fit_or_data, ci_level=ci_level)
    rows = []
    for x in times:
        after = np.searchsorted(fit.timeline, x, side="left")
        n_at_risk = int(fit.at_risk[after]) if after < fit.timeline.size else 0
        if x < 0 or x > fit.last_followup:
            rows.append(LandmarkEstimate(float(x), None, None, None, n_at_risk, fit.ci_level))
            continue
        i = int(np.searchsorted(fit.timeline, x, side="right")) - 1
        rows.append(
            LandmarkEstimate(
                float(x),
                float(fit.survival[i]),
                float(fit.ci_lower[i]),
                float(fit.ci_upper[i]),
                n_at_risk,
                fit.ci_level,
            )
        )
    return rows


def rmst(time: ArrayLike, event: ArrayLike, horizon: float, ci_level: float = 0.95) -> RMSTEstimate:
    """Restricted mean survival time: the area under the KM curve from 0 to ``horizon``.

    The variance is the Greenwood-type estimator of Klein & Moeschberger (2003, eq. 4.5.2):
    ``Var = sum_{t_j <= tau} A_j^2 d_j / (n_j (n_j - d_j))`` with ``A_j`` the area under
    the KM curve between event time ``t_j`` and ``tau`` (also used by R's survRM2 and
    ``print.survfit(rmean=)``). The CI is ``RMST ± z * SE``.

    Raises
    ------
    AnalysisError
        If ``horizon`` is not positive or lies beyond the last follow-up time.
    """
    t, e = _clean(time, event)
    if not horizon > 0:
        raise AnalysisError(f"the RMST horizon must be > 0, got {horizon}")
    if horizon > t.max():
        raise AnalysisError(
            f"the RMST horizon {horizon:g} is beyond the last follow-up {t.max():g}; the curve is unknown there"
        )
    times, deaths, at_risk, surv = km_table(t, e)
    inside = times <= horizon
    times, deaths, at_risk, surv = times[inside], deaths[inside], at_risk[inside], surv[inside]
    edges = np.concatenate(([0.0], times, [horizon]))
    levels = np.concatenate(([1.0], surv))
    pieces = levels * np.diff(edges)
    value = float(pieces.sum())
    tail_areas = np.cumsum(pieces[::-1])[::-1][1:]  # A_j: area from t_j to horizon
    alive = at_risk - deaths
    terms = np.divide(tail_areas**2 * deaths, at_risk * alive, out=np.zeros_like(tail_areas), where=alive > 0)
    se = math.sqrt(float(terms.sum()))
    half = _z(ci_level) * se
    return RMSTEstimate(float(horizon), value, se, value - half, value + half, ci_level)


def at_risk_table(time: ArrayLike, event: ArrayLike, times: Sequence[float]) -> list[AtRiskRow]:
    """Numbers at risk just before each time (time >= t) with cumulative events/censored
    up to and including t."""
    t, e = _clean(time, event)
    return [
        AtRiskRow(float(x), int(np.sum(t >= x)), int(np.sum((t <= x) & (e == 1))), int(np.sum((t <= x) & (e == 0))))
        for x in times
    ]


def _cox_fitter(
    t: np.ndarray, e: np.ndarray, covariates: Mapping[str, ArrayLike], strata: Labels | None
) -> tuple[Any, Any]:
    import pandas as pd
    from lifelines import CoxPHFitter
    from lifelines.exceptions import ConvergenceError

    frame = pd.DataFrame({"__time": t, "__event": e})
    for name, values in covariates.items():
        column = np.asarray(values, dtype=float).ravel()
        if column.size != t.size:
            raise InputError(f"covariate {name} has {column.size} values, expected {t.size}")
        frame[name] = column
    if strata is not None:
        frame["__stratum"] = np.asarray(strata).astype(str)
    try:
        cph = CoxPHFitter().fit(frame, "__time", "__event", strata=["__stratum"] if strata is not None else None)
    except ConvergenceError as exc:
        raise AnalysisError(f"the Cox model could not be fitted: {exc}") from exc
    return cph, frame


def _hazard_ratio(beta: float, se: float, p: float, ci_level: float, experimental: str, control: str) -> HazardRatio:
    z = _z(ci_level)
    if not (math.isfinite(beta) and math.isfinite(se)) or abs(beta) + z * se > 700:
        # Complete (or near-complete) separation: the likelihood has no finite maximum.
        raise AnalysisError(
            f"the hazard ratio of {experimental} vs {control} cannot be estimated: one arm has (almost) "
            "no events before the other's, so the Cox model does not converge (log HR "
            f"{beta:.3g}, SE {se:.3g})"
        )
    return HazardRatio(
        hr=math.exp(beta),
        lower=math.exp(beta - z * se),
        upper=math.exp(beta + z * se),
        ci_level=ci_level,
        p=p,
        log_hr=beta,
        se=se,
        experimental=experimental,
        control=control,
        method=COX_METHOD,
    )


def _terms(cph: Any, ci_level: float) -> dict[str, HazardRatio]:
    return {
        str(name): _hazard_ratio(
            float(row["coef"]), float(row["se(coef)"]), float(row["p"]), ci_level, str(name), "one unit lower"
        )
        for name, row in cph.summary.iterrows()
    }


def fit_cox(
    time: ArrayLike,
    event: ArrayLike,
    covariates: Mapping[str, ArrayLike],
    strata: Labels | None = None,
    ci_level: float = 0.95,
) -> CoxModel:
    """Fit a Cox model; one :class:`HazardRatio` per covariate (one-unit increase).

    ``strata`` gives each subject a stratum label with its own baseline hazard.
    """
    t, e = _clean(time, event)
    if e.sum() == 0:
        raise AnalysisError("a Cox model needs at least one event; there are none")
    cph, _ = _cox_fitter(t, e, covariates, strata)
    return CoxModel(
        terms=_terms(cph, ci_level),
        log_likelihood=float(cph.log_likelihood_),
        n=int(t.size),
        events=int(e.sum()),
        stratified=strata is not None,
    )


def _two_arms(
    t_exp: ArrayLike, e_exp: ArrayLike, t_ctl: ArrayLike, e_ctl: ArrayLike, labels: tuple[str, str]
) -> tuple[np.ndarray, ...]:
    te, ee = _clean(t_exp, e_exp)
    tc, ec = _clean(t_ctl, e_ctl)
    for name, events in zip(labels, (ee, ec)):
        if events.sum() == 0:
            raise AnalysisError(f"cannot estimate a hazard ratio: the {name} arm has no events")
    return te, ee, tc, ec


def _arm_cox(
    te: np.ndarray, ee: np.ndarray, tc: np.ndarray, ec: np.ndarray, labels: tuple[str, str], ci_level: float
) -> tuple[HazardRatio, Any, Any]:
    cph, frame = _cox_fitter(np.r_[te, tc], np.r_[ee, ec], {"arm": np.r_[np.ones(te.size), np.zeros(tc.size)]}, None)
    term = _terms(cph, ci_level)["arm"]
    hr = _hazard_ratio(term.log_hr, term.se, term.p, ci_level, labels[0], labels[1])
    return hr, cph, frame


def _arm_tests(
    te: np.ndarray,
    ee: np.ndarray,
    tc: np.ndarray,
    ec: np.ndarray,
    labels: tuple[str, str],
    ci_level: float,
    reference: bool,
) -> tuple[HazardRatio, float, float, float]:
    """Cox HR, log-rank chi-square and p, and the PH test's p: numpy, or lifelines when asked
    (``reference``) or when the numpy twin hands the Cox fit back."""
    fast = None if reference else two_arm_cox(te, ee, tc, ec)
    if fast is not None:
        hr = _hazard_ratio(fast.coef, fast.se, fast.p, ci_level, labels[0], labels[1])
        return hr, *logrank(te, ee, tc, ec), fast.ph_p
    from lifelines.statistics import logrank_test, proportional_hazard_test

    hr, cph, frame = _arm_cox(te, ee, tc, ec, labels, ci_level)
    test = logrank_test(te, tc, ee, ec)
    ph_p = float(np.ravel(proportional_hazard_test(cph, frame, time_transform="rank").p_value)[0])
    return hr, float(test.test_statistic), float(test.p_value), ph_p


def arm_hazard_ratio(
    time_exp: ArrayLike,
    event_exp: ArrayLike,
    time_ctl: ArrayLike,
    event_ctl: ArrayLike,
    labels: tuple[str, str] = ("experimental", "control"),
    ci_level: float = 0.95,
    *,
    reference: bool = False,
) -> HazardRatio:
    """Cox hazard ratio of the first arm vs the second, with a Wald CI and p-value."""
    te, ee, tc, ec = _two_arms(time_exp, event_exp, time_ctl, event_ctl, labels)
    fast = None if reference else two_arm_cox(te, ee, tc, ec)
    if fast is not None:
        return _hazard_ratio(fast.coef, fast.se, fast.p, ci_level, labels[0], labels[1])
    return _arm_cox(te, ee, tc, ec, labels, ci_level)[0]


def compare_arms(
    time_exp: ArrayLike,
    event_exp: ArrayLike,
    time_ctl: ArrayLike,
    event_ctl: ArrayLike,
    horizon: float | None = None,
    labels: tuple[str, str] = ("experimental", "control"),
    ci_level: float = 0.95,
    *,
    reference: bool = False,
) -> ArmComparison:
    """Hazard ratio, log-rank test, RMST difference and a proportional-hazards check.

    The RMST horizon defaults to the smaller of the two arms' last follow-up times. The
    PH check is lifelines' ``proportional_hazard_test`` (Schoenfeld residuals against
    rank-transformed time, Grambsch & Therneau 1994); p < 0.05 sets ``ph_flag``.
    ``reference=True`` computes everything with lifelines (see the module docstring).
    """
    te, ee, tc, ec = _two_arms(time_exp, event_exp, time_ctl, event_ctl, labels)
    hr, logrank_chi2, logrank_p, ph_p = _arm_tests(te, ee, tc, ec, labels, ci_level, reference)
    tau = float(min(te.max(), tc.max())) if horizon is None else float(horizon)
    r_exp, r_ctl = rmst(te, ee, tau, ci_level), rmst(tc, ec, tau, ci_level)
    diff = r_exp.value - r_ctl.value
    se = math.hypot(r_exp.se, r_ctl.se)
    half = _z(ci_level) * se
    return ArmComparison(
        hazard_ratio=hr,
        logrank_chi2=logrank_chi2,
        logrank_p=logrank_p,
        rmst_experimental=r_exp,
        rmst_control=r_ctl,
        rmst_difference=RMSTEstimate(tau, diff, se, diff - half, diff + half, ci_level),
        ph_test_p=ph_p,
        ph_flag=PH_FLAG.format(p=_format_p(ph_p)) if ph_p < 0.05 else None,
    )
