"""The one rule set deciding which comparisons are pooled, and how (forest, pool-datasets, workbook, GUI).

:func:`plan_pooling` applies these rules, in this order, and writes each decision on the row it
concerns (``notes``) or on the plan (``warnings``), so every view can say it:

1. **Eligibility.** Basis ``"published"``: a published HR with its CI. Basis ``"patient"``:
   patient-level or digitized curve data for both compared arms (summary-based approximations
   are never pooled as data).
2. **Direction.** ``orient="mtor"``: an HR whose mTOR inhibitor is in the control arm is inverted
   so every row reads "mTOR inhibitor vs comparator"; a row where both or neither arm holds an
   mTOR inhibitor cannot be read that way and is not pooled. ``orient="as published"``: rows
   putting the mTOR inhibitor on opposite sides are refused together (see :func:`refusal`).
3. **One estimate per trial comparison and endpoint** (``one_per_comparison``). Datasets of the
   same trial, endpoint and pair of arms are analyses of the same patients: the final analysis is
   used over an interim one, independent (central) review over the investigator's, the whole
   population over a subgroup, then the first given. A subgroup is also left out when a
   whole-population row of the same trial and endpoint is pooled (its patients are in that row).
4. **Multi-arm trials.** Comparisons of one trial and endpoint that share an arm are correlated.
   ``multi_arm="one"`` pools one of them (the most direct: fewest drugs, then the first given);
   ``multi_arm="split"`` pools each with the shared arm's patients divided evenly between the
   comparisons (Cochrane Handbook for Systematic Reviews of Interventions, version 6, section
   23.3.4), which widens their CIs: the variance of a log HR is taken proportional to
   ``1/n_e + 1/n_c`` (events in proportion to patients), so it grows by
   ``(1/n_e' + 1/n_c') / (1/n_e + 1/n_c)``. Either way a warning says so.
5. **Endpoints.** Different endpoints (OS with PFS) are never pooled into one estimate unless the
   caller asks (``pool_mixed_endpoints``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from evidence_app.core.datasets.schema import MTOR_INHIBITORS, Arm, Dataset
from evidence_app.core.distributions import z_for_level
from evidence_app.core.results import EffectSize, PooledEstimate
from evidence_app.core.stats.analysis import published_effect
from evidence_app.core.stats.effects import flip
from evidence_app.errors import AnalysisError

Orientation = Literal["mtor", "as published"]
MultiArm = Literal["one", "split"]
Basis = Literal["published", "patient"]
MULTI_ARM_CHOICES: tuple[MultiArm, ...] = ("one", "split")
_ANALYSIS_RANK = {"final": 0, "not stated": 1, "interim": 2}
HANDBOOK = "Cochrane Handbook 23.3.4"


@dataclass(frozen=True)
class RowDecision:
    """What the rules decided for one dataset.

    ``effect`` is the published HR as pooled (oriented; SE widened when a shared arm was split),
    None when there is none (or the basis is patient data). ``pooled`` says whether it enters the
    pool; ``notes`` say why not, or what was done to it.
    """

    dataset: Dataset
    effect: EffectSize | None
    flipped: bool
    pooled: bool
    eligibility_notes: tuple[str, ...] = ()
    rule_notes: tuple[str, ...] = ()
    """Notes from steps 3 and 4 (one estimate per comparison, multi-arm trials)."""

    @property
    def notes(self) -> tuple[str, ...]:
        return self.eligibility_notes + self.rule_notes


@dataclass(frozen=True)
class PoolingPlan:
    decisions: tuple[RowDecision, ...]
    warnings: tuple[str, ...]
    orient: Orientation
    multi_arm: MultiArm
    pool_mixed_endpoints: bool

    @property
    def pooled(self) -> tuple[RowDecision, ...]:
        return tuple(d for d in self.decisions if d.pooled)

    @property
    def effects(self) -> list[EffectSize]:
        return [d.effect for d in self.pooled if d.effect is not None]

    def refusal(self, decisions: Sequence[RowDecision] | None = None) -> str | None:
        """Why the given pooled rows (default: all) may not be pooled into one estimate, or None."""
        rows = [d for d in (self.pooled if decisions is None else decisions) if d.pooled]
        return refusal(rows, self.orient, self.pool_mixed_endpoints)


def mtor_side(dataset: Dataset) -> str | None:
    """``"experimental"`` or ``"control"``: the arm holding the only mTOR inhibitor (None: both or neither)."""
    exp, ctl = dataset.experimental.has_mtor_inhibitor, dataset.control.has_mtor_inhibitor
    if exp == ctl:
        return None
    return "experimental" if exp else "control"


def _mtor_agents(arm: Arm) -> str:
    return ", ".join(a for a in arm.agents if a in MTOR_INHIBITORS)


def orientation(dataset: Dataset, orient: Orientation) -> tuple[bool, bool, str]:
    """(flip?, poolable in this orientation?, note or "")."""
    if orient == "as published":
        return False, True, ""
    side = mtor_side(dataset)
    if side == "control":
        agents = _mtor_agents(dataset.control)
        return True, True, f"inverted: flipped so the mTOR inhibitor ({agents}) is experimental"
    if side == "experimental":
        return False, True, ""
    which = "both arms contain" if dataset.experimental.has_mtor_inhibitor else "neither arm contains"
    return False, False, f"{which} an mTOR inhibitor: shown as published, not pooled in the mTOR-inhibitor estimate"


def is_subgroup(dataset: Dataset) -> bool:
    return "subgroup" in f"{dataset.id} {dataset.trial.population}".lower()


def assessment_rank(dataset: Dataset) -> int:
    """0 independent/central review, 1 not stated, 2 investigator."""
    text = (dataset.endpoint.assessment or "").lower()
    if any(w in text for w in ("independent", "central", "blinded")):
        return 0
    return 2 if text.startswith("investigator") else 1


def _arm_key(arm: Arm) -> tuple[str, ...]:
    return tuple(arm.agents) if arm.agents else (arm.label.lower(),)


def _comparison_key(d: Dataset) -> tuple[str, str, frozenset[tuple[str, ...]]]:
    return d.trial.acronym, d.endpoint.name, frozenset({_arm_key(d.experimental), _arm_key(d.control)})


def _why_preferred(keep: Dataset, other: Dataset) -> str:
    if keep.analysis.kind != other.analysis.kind and _ANALYSIS_RANK.get(keep.analysis.kind, 1) < _ANALYSIS_RANK.get(
        other.analysis.kind, 1
    ):
        return f"{keep.analysis.kind} analysis preferred over {other.analysis.kind}"
    if assessment_rank(keep) < assessment_rank(other):
        return "independent review preferred over the investigator's"
    if is_subgroup(other) and not is_subgroup(keep):
        return "whole population preferred over a subgroup"
    return "the first given is used"


def _preference(d: Dataset, index: int) -> tuple[int, int, int, int]:
    return _ANALYSIS_RANK.get(d.analysis.kind, 1), assessment_rank(d), int(is_subgroup(d)), index


def _eligible(d: Dataset, basis: Basis) -> tuple[EffectSize | None, str | None]:
    if basis == "published":
        effect = published_effect(d)
        if effect is None:
            hr = d.comparison.hazard_ratio
            return None, "no published HR with a CI: not pooled" if hr else "no published HR: not pooled"
        return effect, None
    curve = d.curve
    arms = getattr(curve, "arms", {})
    if curve.kind in ("digitized", "patient-level") and {
        d.comparison.experimental_arm,
        d.comparison.control_arm,
    } <= set(arms):
        return None, None
    return None, "no patient-level or digitized curve data for both arms: not pooled as patient data"


@dataclass
class _Row:
    dataset: Dataset
    effect: EffectSize | None
    flipped: bool
    pooled: bool
    eligibility_notes: list[str]
    notes: list[str] = field(default_factory=list)


def _one_per_comparison(rows: list[_Row]) -> None:
    groups: dict[tuple[str, str, frozenset[tuple[str, ...]]], list[int]] = {}
    for i, r in enumerate(rows):
        if r.pooled:
            groups.setdefault(_comparison_key(r.dataset), []).append(i)
    for members in groups.values():
        keep = min(members, key=lambda i: _preference(rows[i].dataset, i))
        for i in members:
            if i != keep:
                rows[i].pooled = False
                kept = rows[keep].dataset
                why = _why_preferred(kept, rows[i].dataset)
                rows[i].notes.append(f"not pooled: the same comparison is pooled from {kept.id} ({why})")
    whole = {
        (r.dataset.trial.acronym, r.dataset.endpoint.name): r.dataset.id
        for r in rows
        if r.pooled and not is_subgroup(r.dataset)
    }
    for r in rows:
        key = (r.dataset.trial.acronym, r.dataset.endpoint.name)
        if r.pooled and is_subgroup(r.dataset) and key in whole:
            r.pooled = False
            r.notes.append(f"not pooled: a subgroup of {whole[key]}, whose whole population is pooled")


def _clusters(rows: list[_Row]) -> list[list[int]]:
    """Pooled comparisons of one trial and endpoint linked by a shared arm (groups of two or more)."""
    by_trial: dict[tuple[str, str], list[int]] = {}
    for i, r in enumerate(rows):
        if r.pooled:
            by_trial.setdefault((r.dataset.trial.acronym, r.dataset.endpoint.name), []).append(i)
    clusters: list[list[int]] = []
    for members in by_trial.values():
        remaining = list(members)
        while remaining:
            cluster = [remaining.pop(0)]
            seen = {_comparison_key(rows[cluster[0]].dataset)[2]}
            arms = set(next(iter(seen)))
            grew = True
            while grew:
                grew = False
                for i in list(remaining):
                    keys = _comparison_key(rows[i].dataset)[2]
                    if keys not in seen and arms & keys:  # the same comparison twice is step 3's business
                        cluster.append(i)
                        seen.add(keys)
                        arms |= keys
                        remaining.remove(i)
                        grew = True
            if len(cluster) > 1:
                clusters.append(cluster)
    return clusters


def _shared_arms(datasets: list[Dataset]) -> list[tuple[str, ...]]:
    counts: dict[tuple[str, ...], int] = {}
    for d in datasets:
        for key in {_arm_key(d.experimental), _arm_key(d.control)}:
            counts[key] = counts.get(key, 0) + 1
    return [k for k, c in counts.items() if c > 1]


def _arm_n(arm: Arm) -> int | None:
    return arm.n.value if arm.n is not None else None


def split_effect(effect: EffectSize, dataset: Dataset, shares: dict[tuple[str, ...], int]) -> EffectSize | None:
    """``effect`` with its SE widened for arms shared by ``shares[arm]`` comparisons (None: N unknown)."""
    ns = [_arm_n(dataset.experimental), _arm_n(dataset.control)]
    if None in ns:
        return None
    n_e, n_c = (float(n) for n in ns if n is not None)
    k_e, k_c = shares.get(_arm_key(dataset.experimental), 1), shares.get(_arm_key(dataset.control), 1)
    factor = (k_e / n_e + k_c / n_c) / (1 / n_e + 1 / n_c)
    se = effect.se * math.sqrt(factor)
    z = z_for_level(effect.ci_level)
    note = "; ".join(
        x for x in (effect.note, f"SE widened ×{math.sqrt(factor):.3f}: shared arm split ({HANDBOOK})") if x
    )
    return replace(
        effect,
        se=se,
        lower=math.exp(effect.log_hr - z * se),
        upper=math.exp(effect.log_hr + z * se),
        derived=True,
        note=note,
    )


def _split_row(row: _Row, shares: dict[tuple[str, ...], int]) -> EffectSize | None:
    return None if row.effect is None else split_effect(row.effect, row.dataset, shares)


def _multi_arm(rows: list[_Row], multi_arm: MultiArm, basis: Basis, warnings: list[str]) -> None:
    for cluster in _clusters(rows):
        members = [rows[i].dataset for i in cluster]
        trial, endpoint = members[0].trial.acronym, members[0].endpoint.name
        shared = _shared_arms(members)
        shared_text = " and ".join(
            next(a.label for d in members for a in (d.experimental, d.control) if _arm_key(a) == k) for k in shared
        )
        ids = ", ".join(sorted(d.id for d in members))
        split_ok = multi_arm == "split" and basis == "published"
        if split_ok:
            shares = {
                k: sum(1 for d in members if k in {_arm_key(d.experimental), _arm_key(d.control)}) for k in shared
            }
            widened = [_split_row(rows[i], shares) for i in cluster]
            split_ok = all(w is not None for w in widened)
        if split_ok:
            for i, w in zip(cluster, widened):
                rows[i].effect = w
                rows[i].notes.append(
                    f"{shared_text} arm shared with another comparison: its patients split ({HANDBOOK})"
                )
            warnings.append(
                f"{trial} {endpoint} is a multi-arm trial: {ids} share the {shared_text} arm; each comparison is "
                f"pooled with that arm's patients split between them ({HANDBOOK}), which widens their CIs"
            )
            continue
        keep = min(
            cluster, key=lambda i: (len(rows[i].dataset.experimental.agents) + len(rows[i].dataset.control.agents), i)
        )
        for i in cluster:
            if i != keep:
                rows[i].pooled = False
                rows[i].notes.append(
                    f"not pooled: shares the {shared_text} arm with {rows[keep].dataset.id} (multi-arm trial: one "
                    "comparison pooled)"
                )
        reason = " (N not reported for every arm, so the shared arm cannot be split)" if multi_arm == "split" else ""
        warnings.append(
            f"{trial} {endpoint} is a multi-arm trial: {ids} share the {shared_text} arm; only "
            f"{rows[keep].dataset.id} is pooled{reason} (the other option: split the shared arm, {HANDBOOK})"
        )


def plan_pooling(
    datasets: Sequence[Dataset],
    *,
    orient: Orientation = "mtor",
    basis: Basis = "published",
    one_per_comparison: bool = True,
    multi_arm: MultiArm = "one",
    pool_mixed_endpoints: bool = False,
) -> PoolingPlan:
    """Apply the rules (module docstring) to ``datasets``, in their order."""
    if orient not in ("mtor", "as published"):
        raise AnalysisError(f"unknown orientation '{orient}'; use 'mtor' or 'as published'")
    if multi_arm not in MULTI_ARM_CHOICES:
        raise AnalysisError(f"unknown multi-arm rule '{multi_arm}'; use one of {', '.join(MULTI_ARM_CHOICES)}")
    rows: list[_Row] = []
    for d in datasets:
        flipped, orientable, note = orientation(d, orient)
        effect, why_not = _eligible(d, basis)
        if effect is not None and flipped:
            effect = flip(effect)
        notes = [note] if note and not flipped else []
        if why_not:
            notes.append(why_not)
        rows.append(_Row(d, effect, flipped, orientable and why_not is None, notes))
    warnings: list[str] = []
    if one_per_comparison:
        _one_per_comparison(rows)
    elif len({_comparison_key(r.dataset) for r in rows if r.pooled}) < sum(r.pooled for r in rows):
        warnings.append("analyses of the same trial comparison are pooled together although they share patients")
    _multi_arm(rows, multi_arm, basis, warnings)
    decisions = tuple(
        RowDecision(r.dataset, r.effect, r.flipped, r.pooled, tuple(r.eligibility_notes), tuple(r.notes)) for r in rows
    )
    plan = PoolingPlan(decisions, (), orient, multi_arm, pool_mixed_endpoints)
    why = plan.refusal()
    return replace(plan, warnings=tuple(warnings) + ((why,) if why else ()))


def refusal(rows: Sequence[RowDecision], orient: Orientation, pool_mixed_endpoints: bool) -> str | None:
    """Why these rows may not be pooled into one estimate (mixed endpoints or directions), or None."""
    endpoints = list(dict.fromkeys(r.dataset.endpoint.name for r in rows))
    if len(endpoints) > 1 and not pool_mixed_endpoints:
        return (
            f"the rows mix endpoints ({', '.join(endpoints)}): no estimate is pooled across endpoints, "
            "as their hazard ratios measure different things; choose one endpoint (or group by endpoint)"
        )
    if orient == "as published":
        sides = {r.dataset.id: mtor_side(r.dataset) for r in rows}
        control = [i for i, s in sides.items() if s == "control"]
        if control and any(s == "experimental" for s in sides.values()):
            return (
                "the published hazard ratios point in opposite directions (the mTOR inhibitor is the control arm "
                f"in {', '.join(control)} and the experimental arm in others): pooling them would average HRs "
                "with inverted ones; orient the rows by the mTOR inhibitor instead"
            )
    return None


def pool_plan(plan: PoolingPlan, method: str, hk: bool) -> PooledEstimate:
    """The one pooled estimate of the plan's pooled rows.

    Raises
    ------
    AnalysisError
        When pooling is refused (mixed endpoints or directions) or fewer than two rows are poolable.
    """
    from evidence_app.core.synthesis.meta import pool

    why = plan.refusal()
    if why:
        raise AnalysisError(f"not pooled: {why}")
    effects = plan.effects
    if len(effects) < 2:
        raise AnalysisError(f"not pooled: {len(effects)} poolable comparison{'s' * (len(effects) != 1)}; 2 are needed")
    return pool(effects, method, hk)
