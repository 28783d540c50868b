"""Patient-level data for each arm of a dataset, whatever kind of curve data it holds.

* patient-level data are used as they are;
* a digitized curve is reconstructed (:func:`reconstruct_ipd`);
* a summary-only dataset gets a *summary-based approximation* (:func:`approximate_from_summary`)
  when the arm's N and at least one survival point (median or landmark) are published.
  Such data are always flagged: they must never be mistaken for a digitized curve.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from evidence_app.core.datasets.schema import Arm, Dataset, DigitizedArm, DigitizedCurve, PatientLevelCurve
from evidence_app.core.progress import CancelCheck, ProgressCallback, check_cancelled, report
from evidence_app.errors import EvidenceError

if TYPE_CHECKING:  # pandas is imported where a frame is made: patient-level data needs none
    import pandas as pd

KIND_PATIENT = "patient-level"
KIND_RECONSTRUCTED = "reconstructed from digitized curve"
KIND_APPROXIMATION = "approximation from published summary"
APPROXIMATION_FLAG = "summary-based"


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

    @property
    def is_approximation(self) -> bool:
        return self.approximation is not None

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame({"time": self.time, "event": self.event.astype(int)})


def _reported_n(arm: Arm) -> int | None:
    return arm.n.value if arm.n is not None else None


def _reported_events(arm: Arm) -> int | None:
    return arm.events.value if arm.events is not None else None


def _approximate(dataset: Dataset, arm: Arm) -> ArmCurveData | str:
    """Summary-based pseudo data, or the reason none can be built."""
    from evidence_app.core.reconstruction.summary_curve import approximate_from_summary

    n = _reported_n(arm)
    median = arm.median.value if arm.median is not None and arm.median.value is not None else None
    landmarks = {lm.time: lm.survival for lm in arm.landmarks}
    if n is None:
        return f"{arm.label}: no curve (N not reported)"
    if median is None and not landmarks:
        return f"{arm.label}: no curve (neither a median nor landmark survival is reported)"
    try:
        result = approximate_from_summary(
            n,
            median=median,
            landmarks=landmarks or None,
            events=_reported_events(arm),
            time_unit=dataset.time_unit,
        )
    except EvidenceError as exc:
        return f"{arm.label}: no curve ({exc.message})"
    return ArmCurveData(
        arm.id,
        arm.label,
        np.asarray(result.time, float),
        np.asarray(result.event, int),
        KIND_APPROXIMATION,
        approximation=APPROXIMATION_FLAG,
        warnings=tuple(result.warnings),
        reconstruction=result,
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
    result = reconstruct_ipd(curve, at_risk, n=_reported_n(arm), total_events=total)
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
            built = _approximate(dataset, arm)
            if isinstance(built, str):
                notes.append(built)
            else:
                data[arm.id] = built
    report(progress, 1.0, "Curve data ready")
    return data, notes

