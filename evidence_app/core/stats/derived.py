"""Which numbers computed from curve data are data, and what an approximation could not reproduce.

One decision every view reads (``analyze``, the workbook, figures, the GUI):

* numbers at risk, event counts and p-values computed from curve data are *data* only when the
  curves are patient-level or reconstructed from a digitized curve (:func:`counts_are_data`).
  From a summary-based approximation they would be invented — its censoring is assumed — so
  views print :data:`WITHHELD` instead;
* a median is printed as published when one is published, and as computed (labelled so) only
  when none is (:func:`median_labels`);
* :func:`approximation_notes` lists what an approximation assumed (an event count) or could not
  reproduce (a published total of events, the published HR).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from evidence_app.core.datasets.published import published_hr_text, published_median_text
from evidence_app.core.datasets.schema import Arm, Dataset
from evidence_app.core.formatting import fmt_median

if TYPE_CHECKING:  # types only: the views that read these rules paint before numpy is loaded
    from evidence_app.core.reconstruction.arm_data import ArmCurveData
    from evidence_app.core.results import ArmComparison, SurvivalFit

WITHHELD = "— (approximation)"
"""Printed where a number at risk, an event count or a p-value would come from an approximation."""
MedianSource = Literal["published", "computed"]
PUBLISHED: MedianSource = "published"
COMPUTED: MedianSource = "computed"


def counts_are_data(data: ArmCurveData | None) -> bool:
    """True when at-risk numbers, events and p-values computed from ``data`` may be shown as data."""
    return data is not None and not data.is_approximation


@dataclass(frozen=True)
class MedianLabel:
    """A median as a figure prints it: its value, its text and where it comes from."""

    value: float
    text: str
    """With its CI when one is published: ``5.6 (5.5–6.0; 80% CI)``."""
    short: str
    """The value alone, at its published precision: ``5.6``."""
    source: MedianSource


def median_label(arm: Arm, fit: SurvivalFit | None) -> MedianLabel | None:
    """The published median (with its CI, at its published precision) when there is one; else the
    median computed from the curve data, labelled computed; None when neither exists."""
    if arm.median is not None and arm.median.value is not None:
        alone = published_median_text(arm.median.model_copy(update={"ci": None}))
        return MedianLabel(float(arm.median.value), published_median_text(arm.median), alone, PUBLISHED)
    if arm.median is not None and arm.median.not_reached:
        return None  # published as not reached: a computed value would contradict it
    if fit is not None and fit.median is not None:
        text = fmt_median(fit.median, None, None)
        return MedianLabel(float(fit.median), text, text, COMPUTED)
    return None


def _unused_counts(dataset: Dataset, data: Mapping[str, ArmCurveData]) -> list[str]:
    """Event counts the dataset reports only as other values (e.g. deaths over all three arms of a trial):
    the approximation cannot split them between its two arms, so it says it did not use them."""
    if not any(d.events_assumed for d in data.values()):
        return []
    counts = [o for o in dataset.flags.other_reported if any(w in o.label.lower() for w in ("death", "event"))]
    return [
        f"Not reproduced: {o.label}: {o.text} (reported for other arms as well, so it cannot be split between "
        "these two; their event counts are assumed)."
        for o in counts
    ]


def _events_note(dataset: Dataset, data: Mapping[str, ArmCurveData]) -> list[str]:
    total = dataset.comparison.total_events
    ids = (dataset.comparison.experimental_arm, dataset.comparison.control_arm)
    if total is None or not all(i in data and data[i].is_approximation for i in ids):
        return []
    made = sum(int(data[i].event.sum()) for i in ids)
    if made == total.value:
        return []
    return [f"The approximation has {made} events where {total.value} are published for the comparison."]


def _hr_note(dataset: Dataset, comparison: ArmComparison | None) -> list[str]:
    hr = dataset.comparison.hazard_ratio
    if comparison is None or hr is None or hr.lower is None or hr.upper is None:
        return []
    c = comparison.hazard_ratio
    if hr.lower <= c.hr <= hr.upper:
        return []
    return [
        f"The approximation does not reproduce the published HR {published_hr_text(hr)}: its Cox HR is "
        f"{c.hr:.2f} (the medians alone fix the curves' shape, not the HR); use the published HR."
    ]


def approximation_notes(
    dataset: Dataset, data: Mapping[str, ArmCurveData], comparison: ArmComparison | None
) -> list[str]:
    """What the approximated arms assumed, and every published total they could not reproduce."""
    approximated = [d for d in data.values() if d.is_approximation]
    if not approximated:
        return []
    notes = [w for d in approximated for w in d.warnings]
    notes += _events_note(dataset, data) + _unused_counts(dataset, data)
    notes += _hr_note(dataset, comparison)
    return notes
