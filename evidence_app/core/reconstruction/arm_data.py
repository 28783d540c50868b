"""Patient-level data for each arm of a dataset, whatever kind of curve data it holds.

* patient-level data are used as they are;
* a digitized curve is reconstructed (:func:`reconstruct_ipd`);
* a summary-only dataset gets a *summary-based approximation* (:func:`approximate_from_summary`)
  when the arm's N and at least one survival point (median or landmark) are published.
  Such data are always flagged: they must never be mistaken for a digitized curve.

An approximation reproduces every published total it is given: N, the arm's events, and a
total of events published only for the comparison (split between the arms under one shared
censoring pattern, :func:`split_total_events`), its median exactly. Where no event count is
published the count is assumed, and :attr:`ArmCurveData.events_source` says so
(:data:`EVENTS_ASSUMED`), with a warning every view shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from evidence_app.core.datasets.schema import Arm, Dataset, DigitizedArm, DigitizedCurve, PatientLevelCurve
from evidence_app.core.progress import CancelCheck, ProgressCallback, check_cancelled, report
from evidence_app.core.reconstruction.kinds import KIND_APPROXIMATION, KIND_PATIENT, KIND_RECONSTRUCTED
from evidence_app.errors import EvidenceError

if TYPE_CHECKING:  # pandas is imported where a frame is made: patient-level data needs none
    import pandas as pd

APPROXIMATION_FLAG = "summary-based"
EVENTS_PUBLISHED = "published for the arm"
EVENTS_SPLIT = "published total of the comparison, split between the arms"
EVENTS_ASSUMED = "assumed (no event count published)"
EVENTS_ASSUMED_WARNING = "Event count assumed"


@dataclass(frozen=True, eq=False)
class ArmCurveData:
    """Patient-level rows for one arm and how they were obtained."""

    arm_id: str
    label: str
    time: np.ndarray
    event: np.ndarray
    kind: str
    approximation: str | None = None
    warnings: tuple[str, ...] = ()
    reconstruction: object | None = None  # ReconstructedArm when reconstructed or approximated
    digitized_points: np.ndarray | None = None  # (k, 2) time, survival
    published_at_risk: tuple[tuple[float, int], ...] = ()
    events_source: str | None = None
    """For an approximation: where its event count comes from (``EVENTS_*``)."""

    @property
    def is_approximation(self) -> bool:
        return self.approximation is not None

    @property
    def events_assumed(self) -> bool:
        return self.events_source == EVENTS_ASSUMED

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame({"time": self.time, "event": self.event.astype(int)})


def _reported_n(arm: Arm) -> int | None:
    return arm.n.value if arm.n is not None else None


def _reported_events(arm: Arm) -> int | None:
    return arm.events.value if arm.events is not None else None


def _summary(arm: Arm) -> tuple[float | None, dict[float, float]]:
    median = arm.median.value if arm.median is not None and arm.median.value is not None else None
    return median, {lm.time: lm.survival for lm in arm.landmarks}


def _split_comparison_total(dataset: Dataset, arms: list[Arm]) -> tuple[dict[str, int], list[str]]:
    """Events for compared arms without their own count, from a total published for the comparison."""
    total = dataset.comparison.total_events
    ids = {dataset.comparison.experimental_arm, dataset.comparison.control_arm}
    compared = [a for a in arms if a.id in ids]
    if total is None or len(compared) != 2:
        return {}, []
    known = [a for a in compared if a.events is not None]
    unknown = [a for a in compared if a.events is None]
    if not unknown:
        return {}, []
    rest = total.value - sum(_reported_events(a) or 0 for a in known)
    if len(unknown) == 1:
        return ({unknown[0].id: rest}, []) if 0 <= rest <= (_reported_n(unknown[0]) or -1) else ({}, [])
    from evidence_app.core.reconstruction.summary_curve import fit_summary_curve, split_total_events

    try:
        curves = [fit_summary_curve(*_summary(a)) for a in unknown]
    except EvidenceError:
        return {}, []
    ns = [_reported_n(a) for a in unknown]
    if any(n is None for n in ns):
        return {}, []
    shares, problem = split_total_events(curves, [int(n or 0) for n in ns], rest)
    if problem:
        return {}, [f"The published total of {total.value} events could not be reproduced: {problem}."]
    return {a.id: e for a, e in zip(unknown, shares)}, []


def _approximate(dataset: Dataset, arm: Arm, split: dict[str, int]) -> ArmCurveData | str:
    """Summary-based pseudo data, or the reason none can be built."""
    from evidence_app.core.reconstruction.summary_curve import approximate_from_summary

    n = _reported_n(arm)
    median, landmarks = _summary(arm)
    if n is None:
        return f"{arm.label}: no curve (N not reported)"
    if median is None and not landmarks:
        return f"{arm.label}: no curve (neither a median nor landmark survival is reported)"
    events = _reported_events(arm)
    source = EVENTS_PUBLISHED if events is not None else EVENTS_SPLIT if arm.id in split else EVENTS_ASSUMED
    if events is None:
        events = split.get(arm.id)
    try:
        result = approximate_from_summary(
            n, median=median, landmarks=landmarks or None, events=events, time_unit=dataset.time_unit
        )
    except EvidenceError as exc:
        return f"{arm.label}: no curve ({exc.message})"
    warnings = list(result.warnings)
    if source == EVENTS_SPLIT:
        total = dataset.comparison.total_events
        warnings.append(
            f"{arm.label}: {events} events, this arm's share of the {total.value if total else '?'} events published "
            "for the comparison (one censoring pattern assumed for both arms); the split is derived."
        )
    elif source == EVENTS_ASSUMED:
        warnings = [w for w in warnings if not w.startswith("No event count")]
        warnings.insert(
            0,
            f"{EVENTS_ASSUMED_WARNING} for {arm.label}: no event count is published, so the approximation's "
            f"{int(np.sum(result.event))} events rest on an assumed follow-up; its events, numbers at risk and "
            "p-values are not data.",
        )
    return ArmCurveData(
        arm.id,
        arm.label,
        np.asarray(result.time, float),
        np.asarray(result.event, int),
        KIND_APPROXIMATION,
        approximation=APPROXIMATION_FLAG,
        warnings=tuple(warnings),
        reconstruction=result,
        events_source=source,
    )


def _reconstruct(arm: Arm, digitized: DigitizedArm) -> ArmCurveData:
    import pandas as pd

    from evidence_app.core.reconstruction.reconstruct import reconstruct_ipd

    points = np.asarray(digitized.points, float)
    curve = pd.DataFrame(points, columns=["time", "survival"])
    at_risk = (
        pd.DataFrame(np.asarray(digitized.at_risk, float), columns=["time", "n_at_risk"]) if digitized.at_risk else None
    )
    total = digitized.total_events if digitized.total_events is not None else _reported_events(arm)
    median, _ = _summary(arm)  # the published median, in the dataset's (and so the curve's) time unit
    result = reconstruct_ipd(curve, at_risk, n=_reported_n(arm), total_events=total, median=median)
    return ArmCurveData(
        arm.id,
        arm.label,
        np.asarray(result.time, float),
        np.asarray(result.event, int),
        KIND_RECONSTRUCTED,
        warnings=tuple(result.warnings),
        reconstruction=result,
        digitized_points=points,
        published_at_risk=tuple((float(t), int(n)) for t, n in digitized.at_risk),
    )


def arm_curve_data(
    dataset: Dataset, *, progress: ProgressCallback = None, cancelled: CancelCheck = None
) -> tuple[dict[str, ArmCurveData], list[str]]:
    """Patient-level data per arm id, and notes on arms that have none.

    Returns
    -------
    data, notes
        ``data`` maps arm id to :class:`ArmCurveData` for every arm that has (or can be given)
        patient-level rows; ``notes`` explains each arm that could not.
    """
    data: dict[str, ArmCurveData] = {}
    notes: list[str] = []
    curve = dataset.curve
    summary_only = [
        a for a in dataset.arms if not (isinstance(curve, (PatientLevelCurve, DigitizedCurve)) and a.id in curve.arms)
    ]
    split, split_notes = _split_comparison_total(dataset, summary_only)
    notes += split_notes
    for i, arm in enumerate(dataset.arms):
        check_cancelled(cancelled)
        report(progress, i / max(1, len(dataset.arms)), f"Curve data for {arm.label}")
        if isinstance(curve, PatientLevelCurve) and arm.id in curve.arms:
            rows = curve.arms[arm.id]
            data[arm.id] = ArmCurveData(
                arm.id, arm.label, np.asarray(rows.time, float), np.asarray(rows.event, int), KIND_PATIENT
            )
        elif isinstance(curve, DigitizedCurve) and arm.id in curve.arms:
            try:
                data[arm.id] = _reconstruct(arm, curve.arms[arm.id])
            except EvidenceError as exc:
                notes.append(f"{arm.label}: reconstruction failed ({exc.message})")
        else:
            built = _approximate(dataset, arm, split)
            if isinstance(built, str):
                notes.append(built)
            else:
                data[arm.id] = built
    report(progress, 1.0, "Curve data ready")
    return data, notes
