"""Everything computed for one dataset: per-arm survival, the arm comparison, published vs computed.

``analyze_dataset`` is the pure function behind ``evidence-app analyze``, the GUI's Numbers tab,
the figures and the workbook.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from evidence_app.core.datasets.published import published_hr_text, published_median_text
from evidence_app.core.datasets.schema import Arm, Dataset
from evidence_app.core.formatting import fmt_hr, fmt_median, fmt_num, months_to_unit
from evidence_app.core.progress import CancelCheck, ProgressCallback, check_cancelled, report
from evidence_app.core.reconstruction.arm_data import (
    KIND_APPROXIMATION,
    ArmCurveData,
    arm_curve_data,
)
from evidence_app.core.results import (
    ArmComparison,
    AtRiskRow,
    EffectSize,
    LandmarkEstimate,
    RMSTEstimate,
    SurvivalFit,
)
from evidence_app.core.stats.derived import WITHHELD, approximation_notes, counts_are_data
from evidence_app.errors import EvidenceError

DEFAULT_LANDMARK_MONTHS = (6.0, 12.0, 24.0)


@dataclass(frozen=True, eq=False)
class ArmResult:
    arm: Arm
    data: ArmCurveData | None
    fit: SurvivalFit | None
    landmarks: tuple[LandmarkEstimate, ...] = ()
    rmst: RMSTEstimate | None = None
    at_risk: tuple[AtRiskRow, ...] = ()

    @property
    def counts_are_data(self) -> bool:
        """At-risk numbers, events and p-values from this arm's curve may be shown (see ``core.stats.derived``)."""
        return counts_are_data(self.data)


@dataclass(frozen=True)
class Agreement:
    """One published number next to the number computed from the curve data."""

    quantity: str
    published: float | None
    published_text: str
    computed: float | None
    computed_text: str
    difference: float | None
    note: str = ""


@dataclass(frozen=True, eq=False)
class DatasetAnalysis:
    dataset: Dataset
    arms: tuple[ArmResult, ...]
    comparison: ArmComparison | None
    published_effect: EffectSize | None
    agreement: tuple[Agreement, ...]
    landmark_times: tuple[float, ...]
    horizon: float | None
    notes: tuple[str, ...] = field(default=())

    @property
    def curve_kinds(self) -> set[str]:
        return {a.data.kind for a in self.arms if a.data is not None}

    @property
    def is_approximation(self) -> bool:
        return KIND_APPROXIMATION in self.curve_kinds

    @property
    def counts_are_data(self) -> bool:
        """At-risk numbers, events and p-values computed here are data (no arm is an approximation)."""
        return bool(self.curve_kinds) and not self.is_approximation

    @property
    def curve_label(self) -> str:
        kinds = sorted(self.curve_kinds)
        return " / ".join(kinds) if kinds else "no curve data"

    def arm_result(self, arm_id: str) -> ArmResult:
        for a in self.arms:
            if a.arm.id == arm_id:
                return a
        raise KeyError(arm_id)


def published_effect(dataset: Dataset) -> EffectSize | None:
    """The published HR as an effect size (log HR, SE), or None if no HR with a CI is reported."""
    from evidence_app.core.stats.effects import effect_from_ci

    hr = dataset.comparison.hazard_ratio
    if hr is None or hr.lower is None or hr.upper is None or hr.ci_level is None:
        return None
    effect = effect_from_ci(hr.value, hr.lower, hr.upper, hr.ci_level, study=dataset.id)
    notes = [effect.note] if effect.note else []
    if hr.ci_level_assumed:
        notes.append("CI level not stated in the source; 95% assumed")
    return replace(
        effect,
        experimental=dataset.experimental.label,
        control=dataset.control.label,
        note="; ".join(notes),
        derived=True,
    )


def default_landmarks(time_unit: str) -> tuple[float, ...]:
    return tuple(round(months_to_unit(m, time_unit), 6) for m in DEFAULT_LANDMARK_MONTHS)


def _arm_result(arm: Arm, data: ArmCurveData | None, landmarks: tuple[float, ...], horizon: float | None) -> ArmResult:
    from evidence_app.core.stats.survival import at_risk_table, fit_km, landmark_survival, rmst

    if data is None or len(data.time) == 0:
        return ArmResult(arm, data, None)
    fit = fit_km(data.time, data.event, label=arm.label)
    marks = tuple(landmark_survival(fit, list(landmarks)))
    rm = None
    if horizon is not None and horizon <= float(data.time.max()):
        rm = rmst(data.time, data.event, horizon)
    table_times = sorted({0.0, *landmarks})
    return ArmResult(arm, data, fit, marks, rm, tuple(at_risk_table(data.time, data.event, table_times)))


def _agreement(
    dataset: Dataset, arms: dict[str, ArmResult], comparison: ArmComparison | None, approximation: bool
) -> tuple[Agreement, ...]:
    rows: list[Agreement] = []
    note = "approximation: agreement is by construction" if approximation else ""
    hr = dataset.comparison.hazard_ratio
    if comparison is not None:
        c = comparison.hazard_ratio
        pub = hr.value if hr else None
        diff = math.log(c.hr) - math.log(pub) if pub else None
        rows.append(
            Agreement(
                "HR (Cox)",
                pub,
                fmt_hr(pub, hr.lower, hr.upper, hr.ci_level) if hr else "not reported",
                c.hr,
                fmt_hr(c.hr, c.lower, c.upper, c.ci_level),
                diff,
                "difference on the log scale"
                + (
                    "; computed from summary-based approximations, not a reconstruction of the trial's data"
                    if approximation
                    else ""
                ),
            )
        )
    for arm in dataset.arms:
        res = arms.get(arm.id)
        fit = res.fit if res else None
        pub_med = arm.median.value if arm.median else None
        pub_text = (
            fmt_median(
                arm.median.value,
                *(arm.median.ci or (None, None)),
                not_reached=arm.median.not_reached,
                level=arm.median.ci_level,
            )
            if arm.median
            else "not reported"
        )
        if fit is not None:
            comp_text = fmt_median(fit.median, fit.median_lower, fit.median_upper, not_reached=fit.median is None)
            diff = fit.median - pub_med if (fit.median is not None and pub_med is not None) else None
            rows.append(Agreement(f"Median, {arm.label}", pub_med, pub_text, fit.median, comp_text, diff, note))
            pub_ev = arm.events.value if arm.events else None
            rows.append(
                Agreement(
                    f"Events, {arm.label}",
                    pub_ev,
                    "not reported" if pub_ev is None else str(pub_ev),
                    None if approximation else float(fit.events),
                    WITHHELD if approximation else str(fit.events),
                    None if pub_ev is None or approximation else fit.events - pub_ev,
                    "events of an approximation are not data" if approximation else note,
                )
            )
    return tuple(rows)


def analyze_dataset(
    dataset: Dataset,
    *,
    landmarks: tuple[float, ...] | None = None,
    horizon: float | None = None,
    progress: ProgressCallback = None,
    cancelled: CancelCheck = None,
) -> DatasetAnalysis:
    """Per-arm Kaplan–Meier, landmarks, RMST, at-risk table; Cox HR, log-rank, RMST difference, PH test.

    Parameters
    ----------
    landmarks
        Landmark times in the dataset's time unit (default 6, 12 and 24 months, converted).
    horizon
        RMST horizon in the dataset's time unit (default: the shorter arm's last follow-up).
    """
    from evidence_app.core.stats.survival import compare_arms

    marks = tuple(landmarks) if landmarks is not None else default_landmarks(dataset.time_unit)
    data, notes = arm_curve_data(dataset, cancelled=cancelled, progress=lambda f, m: report(progress, 0.5 * f, m))
    exp_id, ctl_id = dataset.comparison.experimental_arm, dataset.comparison.control_arm
    tau = horizon
    if exp_id in data and ctl_id in data:
        shortest = float(min(data[exp_id].time.max(), data[ctl_id].time.max()))
        if tau is not None and tau > shortest:
            notes.append(
                f"RMST horizon {tau:g} is beyond the shorter arm's follow-up ({shortest:.3g} "
                f"{dataset.time_unit}); {shortest:.3g} used instead"
            )
            tau = shortest
        elif tau is None:
            tau = shortest
    results: dict[str, ArmResult] = {}
    for i, arm in enumerate(dataset.arms):
        check_cancelled(cancelled)
        report(progress, 0.5 + 0.3 * i / len(dataset.arms), f"Kaplan–Meier for {arm.label}")
        results[arm.id] = _arm_result(arm, data.get(arm.id), marks, tau)
    comparison = None
    if exp_id in data and ctl_id in data:
        report(progress, 0.85, "Comparing arms")
        e, c = data[exp_id], data[ctl_id]
        try:
            comparison = compare_arms(e.time, e.event, c.time, c.event, horizon=tau, labels=(e.label, c.label))
        except EvidenceError as exc:
            notes.append(f"comparison not computed: {exc.message}")
    approximation = any(d.is_approximation for d in data.values())
    if approximation:
        notes.insert(
            0,
            "Curves are approximations from published summaries (median/landmarks, piecewise "
            "exponential); computed numbers are not evidence beyond the published summaries.",
        )
        notes[1:1] = approximation_notes(dataset, data, comparison)
    report(progress, 1.0, "Done")
    return DatasetAnalysis(
        dataset=dataset,
        arms=tuple(results[a.id] for a in dataset.arms),
        comparison=comparison,
        published_effect=published_effect(dataset),
        agreement=_agreement(dataset, results, comparison, approximation),
        landmark_times=marks,
        horizon=tau,
        notes=tuple(notes),
    )


def published_summary_lines(dataset: Dataset) -> list[str]:
    """The published results as short lines (used by the CLI and the figures)."""
    lines = []
    for arm in dataset.arms:
        n = str(arm.n.value) if arm.n else "not reported"
        ev = str(arm.events.value) if arm.events else "not reported"
        med = published_median_text(arm.median)
        lines.append(f"{arm.label}: N {n}; events {ev}; median {med} {dataset.time_unit}")
        for lm in arm.landmarks:
            lines.append(f"  survival at {lm.time:g} {dataset.time_unit}: {fmt_num(lm.survival * 100, 0)}%")
    hr = dataset.comparison.hazard_ratio
    lines.append(
        f"HR {dataset.experimental.label} vs {dataset.control.label}: "
        + published_hr_text(hr)
        + (" (CI level assumed)" if hr and hr.ci_level_assumed else "")
    )
    p = dataset.comparison.p_value
    lines.append(f"p-value: {p.value if p else 'not reported'}")
    return lines
