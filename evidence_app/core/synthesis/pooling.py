"""Pooling a set of datasets two ways: from the published HRs, and straight from patient-level data.

Which datasets are pooled follows the one rule set in :mod:`evidence_app.core.synthesis.rules`
(the forest plot, the workbook and the GUI use it too), so the published-HR estimate here is the
forest plot's overall estimate. Patient-level pooling uses only datasets whose curve data are
patient-level or reconstructed from a digitized curve; summary-based approximations are never
pooled as if they were data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from evidence_app.core.datasets.schema import Dataset
from evidence_app.core.progress import CancelCheck, ProgressCallback, check_cancelled, report
from evidence_app.core.reconstruction.arm_data import arm_curve_data
from evidence_app.core.reconstruction.kinds import KIND_APPROXIMATION
from evidence_app.core.results import EffectSize, HazardRatio, PooledEstimate
from evidence_app.core.stats.analysis import published_effect
from evidence_app.core.stats.effects import flip
from evidence_app.core.synthesis.rules import MultiArm, PoolingPlan, mtor_side, plan_pooling, pool_plan
from evidence_app.errors import AnalysisError, EvidenceError


def mtor_orientation(dataset: Dataset) -> bool:
    """True when the published direction must be flipped so the mTOR-inhibitor arm is 'experimental'."""
    return mtor_side(dataset) == "control"


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
    warnings: tuple[str, ...] = field(default=())
    plan: PoolingPlan | None = None


def oriented_effect(dataset: Dataset, orient_mtor: bool) -> EffectSize | None:
    effect = published_effect(dataset)
    if effect is not None and orient_mtor and mtor_orientation(dataset):
        effect = flip(effect)
    return effect


def _notes(plan: PoolingPlan, what: str) -> list[str]:
    return [f"{d.dataset.id}: {n} ({what})" for d in plan.decisions for n in d.notes if "not pooled" in n] + [
        f"{d.dataset.id}: {n}" for d in plan.decisions for n in d.notes if "not pooled" not in n
    ]


def pool_datasets(
    datasets: Sequence[Dataset],
    *,
    method: str = "REML",
    hk: bool = False,
    orient_mtor: bool = True,
    multi_arm: MultiArm = "one",
    one_per_comparison: bool = True,
    progress: ProgressCallback = None,
    cancelled: CancelCheck = None,
) -> DatasetPooling:
    """Pool published HRs, and the patient rows of the datasets that have them, by the rules of
    :mod:`evidence_app.core.synthesis.rules` (the same as the forest plot and the workbook).

    Raises
    ------
    AnalysisError
        When the rules refuse to pool the selection (different endpoints, opposite directions).
    """
    from evidence_app.core.synthesis.meta import pool_ipd_one_stage, pool_ipd_two_stage

    options = {
        "orient": "mtor" if orient_mtor else "as published",
        "multi_arm": multi_arm,
        "one_per_comparison": one_per_comparison,
    }
    plan = plan_pooling(datasets, basis="published", **options)  # type: ignore[arg-type]
    why = plan.refusal()
    if why:
        raise AnalysisError(f"not pooled: {why}")
    notes = _notes(plan, "published-HR pooling")
    published = None
    try:
        published = pool_plan(plan, method, hk)
    except EvidenceError as exc:
        notes.append(f"published-HR pooling: {exc.message}")
    ipd_plan = plan_pooling(datasets, basis="patient", **options)  # type: ignore[arg-type]
    notes += [n for n in _notes(ipd_plan, "patient-level pooling") if "not pooled" in n]
    studies = []
    chosen = ipd_plan.pooled
    for i, decision in enumerate(chosen):
        d = decision.dataset
        check_cancelled(cancelled)
        report(progress, 0.8 * i / max(1, len(chosen)), f"Patient data for {d.id}")
        data, _ = arm_curve_data(d)
        e_id, c_id = d.comparison.experimental_arm, d.comparison.control_arm
        if e_id not in data or c_id not in data or any(data[a].kind == KIND_APPROXIMATION for a in (e_id, c_id)):
            notes.append(f"{d.id}: no patient-level or digitized curve data; left out of the patient-level pooling")
            continue
        exp, ctl = data[e_id], data[c_id]
        if decision.flipped:
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
    warnings = tuple(dict.fromkeys(plan.warnings + ipd_plan.warnings))
    return DatasetPooling(
        method,
        hk,
        published,
        tuple(plan.effects),
        two_stage,
        one_stage,
        tuple(s[0] for s in studies),
        tuple(notes),
        warnings,
        plan,
    )
