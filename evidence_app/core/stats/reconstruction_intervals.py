"""Reconstruction intervals: the usual confidence interval widened by the uncertainty of digitizing.

For a dataset whose arms are reconstructed from digitized curves, each arm is re-reconstructed from
perturbed digitizations (:func:`~evidence_app.core.reconstruction.uncertainty.digitization_replicates`).
The spread of the hazard ratio (log scale), of each arm's median and of its landmark survival over
the replicates is the digitization SD; the *reconstruction interval* is estimate ± z·√(SE² + SD²),
with SE the sampling standard error behind the usual CI (for a median or landmark, the half-width
of its CI over z). It reflects both: the sampling of patients and the digitizing of the figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from evidence_app.core.reconstruction.arm_data import ArmCurveData
from evidence_app.core.reconstruction.kinds import KIND_RECONSTRUCTED
from evidence_app.core.reconstruction.km import km_steps
from evidence_app.core.reconstruction.uncertainty import LABEL, REPLICATES, combined_interval, digitization_replicates
from evidence_app.core.stats.analysis import ArmResult, DatasetAnalysis

Z95 = 1.959963984540054


@dataclass(frozen=True)
class IntervalEstimate:
    """One estimate with its usual (sampling) CI and its reconstruction interval (sampling + digitization)."""

    quantity: str
    estimate: float
    sampling_lower: float | None
    sampling_upper: float | None
    lower: float
    upper: float
    digitization_sd: float
    scale: str = "natural"


@dataclass(frozen=True)
class ReconstructionUncertainty:
    """Reconstruction intervals of a dataset: the HR and, per arm id, its median and landmark survival."""

    label: str
    replicates: int
    hazard_ratio: IntervalEstimate | None
    arms: dict[str, list[IntervalEstimate]] = field(default_factory=dict)


def reconstruction_uncertainty(
    analysis: DatasetAnalysis, replicates: int = REPLICATES, seed: int = 0
) -> ReconstructionUncertainty | None:
    """Intervals for a dataset with at least one reconstructed arm; None otherwise."""
    reps: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for k, result in enumerate(analysis.arms):
        data = result.data
        if data is None or data.kind != KIND_RECONSTRUCTED or data.digitized_points is None:
            continue
        rec = data.reconstruction
        total = getattr(getattr(rec, "diagnostics", None), "reported_events", None)
        table = np.asarray(data.published_at_risk, float) if data.published_at_risk else None
        n = result.arm.n.value if result.arm.n is not None else None
        reps[result.arm.id] = digitization_replicates(
            data.digitized_points, table, n=n, total_events=total, replicates=replicates, seed=seed + k
        )
    if not reps:
        return None
    arms = {r.arm.id: _arm_intervals(r, reps[r.arm.id]) for r in analysis.arms if r.arm.id in reps}
    return ReconstructionUncertainty(LABEL, replicates, _hr_interval(analysis, reps), arms)


def _hr_interval(
    analysis: DatasetAnalysis, reps: dict[str, list[tuple[np.ndarray, np.ndarray]]]
) -> IntervalEstimate | None:
    from evidence_app.core.stats.survival_numpy import two_arm_cox

    comparison = analysis.comparison
    if comparison is None:
        return None
    hr = comparison.hazard_ratio
    exp_id = analysis.dataset.comparison.experimental_arm
    ctl_id = analysis.dataset.comparison.control_arm
    data = {r.arm.id: r.data for r in analysis.arms}
    count = max(len(v) for v in reps.values())
    logs = []
    for i in range(count):
        e = reps[exp_id][i] if exp_id in reps else _fixed(data[exp_id])
        c = reps[ctl_id][i] if ctl_id in reps else _fixed(data[ctl_id])
        fit = two_arm_cox(e[0], e[1], c[0], c[1])
        if fit is not None:
            logs.append(fit.coef)
    lo, hi, sd = combined_interval(hr.log_hr, hr.se, logs)
    return IntervalEstimate(
        "hazard ratio", hr.hr, hr.lower, hr.upper, math.exp(lo), math.exp(hi), sd, scale="log (SD of log HR)"
    )


def _fixed(data: ArmCurveData | None) -> tuple[np.ndarray, np.ndarray]:
    if data is None:
        return np.empty(0), np.empty(0)
    return np.asarray(data.time), np.asarray(data.event)


def _arm_intervals(result: ArmResult, reps: list[tuple[np.ndarray, np.ndarray]]) -> list[IntervalEstimate]:
    out = []
    fit = result.fit
    if fit is not None and fit.median is not None:
        medians = [_median(t, e) for t, e in reps]
        se = _se(fit.median_lower, fit.median_upper)
        lo, hi, sd = combined_interval(fit.median, se, medians)
        out.append(IntervalEstimate("median", fit.median, fit.median_lower, fit.median_upper, max(lo, 0.0), hi, sd))
    for lm in result.landmarks:
        if lm.survival is None:
            continue
        values = [_survival_at(t, e, lm.time) for t, e in reps]
        lo, hi, sd = combined_interval(lm.survival, _se(lm.lower, lm.upper), values)
        out.append(
            IntervalEstimate(
                f"survival at {lm.time:g}", lm.survival, lm.lower, lm.upper, max(lo, 0.0), min(hi, 1.0), sd
            )
        )
    return out


def _se(lower: float | None, upper: float | None) -> float:
    if lower is None or upper is None:
        return 0.0
    return (upper - lower) / (2 * Z95)


def _median(time: np.ndarray, event: np.ndarray) -> float:
    t, s = km_steps(time, event)
    hit = np.flatnonzero(s <= 0.5)
    return float(t[hit[0]]) if len(hit) else math.nan


def _survival_at(time: np.ndarray, event: np.ndarray, x: float) -> float:
    if x > float(np.max(time)):
        return math.nan
    t, s = km_steps(time, event)
    return float(np.r_[1.0, s][np.searchsorted(t, x, side="right")])


def uncertainty_to_dict(u: ReconstructionUncertainty) -> dict[str, object]:
    """JSON-ready form: the label says what the interval combines."""

    def one(x: IntervalEstimate) -> dict[str, object]:
        return {
            "quantity": x.quantity,
            "estimate": x.estimate,
            "usual_ci": [x.sampling_lower, x.sampling_upper],
            "reconstruction_interval": [x.lower, x.upper],
            "digitization_sd": x.digitization_sd,
            "sd_scale": x.scale,
        }

    return {
        "label": u.label,
        "replicates": u.replicates,
        "note": "re-reconstructed from perturbed digitizations (click noise estimated from the curve, "
        "some clicks left out); interval = estimate ± 1.96·√(SE² + digitization SD²)",
        "hazard_ratio": one(u.hazard_ratio) if u.hazard_ratio else None,
        "arms": {arm: [one(x) for x in rows] for arm, rows in u.arms.items()},
    }
