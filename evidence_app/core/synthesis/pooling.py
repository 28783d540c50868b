"""Pooling a set of datasets two ways: from the published HRs, and straight from patient-level data.

Patient-level pooling uses only datasets whose curve data are patient-level or reconstructed from a
digitized curve; summary-based approximations are never pooled as if they were data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from evidence_app.core.datasets.schema import Dataset
from evidence_app.core.progress import CancelCheck, ProgressCallback, check_cancelled, report
from evidence_app.core.reconstruction.arm_data import KIND_APPROXIMATION, arm_curve_data
from evidence_app.core.results import EffectSize, HazardRatio, PooledEstimate
from evidence_app.core.stats.analysis import published_effect
from evidence_app.core.stats.effects import flip
from evidence_app.errors import EvidenceError


def mtor_orientation(dataset: Dataset) -> bool:
    """True when the published direction must be flipped so the mTOR-inhibitor arm is 'experimental'."""
    return dataset.control.has_mtor_inhibitor and not dataset.experimental.has_mtor_inhibitor


@dataclass(frozen=True)
class DatasetPooling:
    method: str
    hk: bool
    published: PooledEstimate | None
    published_effects: tuple[EffectSize, ...]
    ipd_two_stage: PooledEstimate | None
    ipd_one_stage: HazardRatio | None
    ipd_studies: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())


def oriented_effect(dataset: Dataset, orient_mtor: bool) -> EffectSize | None:
    effect = published_effect(dataset)
    if effect is not None and orient_mtor and mtor_orientation(dataset):
        effect = flip(effect)
    return effect


def pool_datasets(
    datasets: Sequence[Dataset],
    *,
    method: str = "REML",
    hk: bool = False,
    orient_mtor: bool = True,
    progress: ProgressCallback = None,
    cancelled: CancelCheck = None,
) -> DatasetPooling:
    """Pool published HRs, and (where every study has patient-level data) the patient rows."""
    from evidence_app.core.synthesis.meta import pool, pool_ipd_one_stage, pool_ipd_two_stage

    notes: list[str] = []
    effects = []
    for d in datasets:
        e = oriented_effect(d, orient_mtor)
        if e is None:
            notes.append(f"{d.id}: no published HR with a CI; left out of the published-HR pooling")
        else:
            effects.append(e)
    published = None
    if effects:
        try:
            published = pool(effects, method, hk)
        except EvidenceError as exc:
            notes.append(f"published-HR pooling not possible: {exc.message}")
    studies = []
    for i, d in enumerate(datasets):
        check_cancelled(cancelled)
        report(progress, 0.8 * i / max(1, len(datasets)), f"Patient data for {d.id}")
        data, _ = arm_curve_data(d)
        e_id, c_id = d.comparison.experimental_arm, d.comparison.control_arm
        if e_id not in data or c_id not in data or any(data[a].kind == KIND_APPROXIMATION for a in (e_id, c_id)):
            notes.append(f"{d.id}: no patient-level or digitized curve data; left out of the patient-level pooling")
            continue
        exp, ctl = data[e_id], data[c_id]
        if orient_mtor and mtor_orientation(d):
            exp, ctl = ctl, exp
        studies.append((d.id, exp.time, exp.event, ctl.time, ctl.event))
    two_stage = one_stage = None
    if studies:
        report(progress, 0.85, "Pooling patient-level data")
        try:
            two_stage = pool_ipd_two_stage(studies, method, hk, cancelled=cancelled)
        except EvidenceError as exc:
            notes.append(f"two-stage pooling not possible: {exc.message}")
        try:
            one_stage = pool_ipd_one_stage(studies, cancelled=cancelled)
        except EvidenceError as exc:
            notes.append(f"one-stage pooling not possible: {exc.message}")
    report(progress, 1.0, "Done")
    return DatasetPooling(
        method, hk, published, tuple(effects), two_stage, one_stage, tuple(s[0] for s in studies), tuple(notes)
    )
