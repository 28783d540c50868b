"""The rows, groups and pooled estimates behind a forest plot (pure: no matplotlib).

``build_forest`` turns datasets into one :class:`ForestRow` per comparison, oriented the way
the reader asked, and pools what may honestly be pooled:

* a row with no HR *and* CI stays in the plot as "not reported" (never dropped, never pooled);
* with ``orient="mtor"`` an HR whose mTOR inhibitor sits in the control arm is inverted
  (1/HR, bounds swapped, arm labels swapped) so that every pooled row reads "mTOR inhibitor vs
  comparator"; a row where both or neither arm holds an mTOR inhibitor cannot be oriented
  that way, so it is shown as published and left out of the pooled estimates;
* which rows are pooled (one analysis per trial comparison and endpoint, multi-arm trials,
  endpoints and directions that may not be pooled together) is decided by the one rule set in
  :mod:`evidence_app.core.synthesis.rules`, shared with ``pool-datasets`` and the workbook.

Every decision is written on the row (``notes``) or on the result (``warnings``), so the
figure, the workbook and the GUI can say it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from evidence_app.core.datasets.catalog import dataset_flags
from evidence_app.core.datasets.published import published_hr_text
from evidence_app.core.datasets.schema import Dataset
from evidence_app.core.formatting import NOT_REPORTED, fmt_hr
from evidence_app.core.results import EffectSize, PooledEstimate, SubgroupPooling
from evidence_app.core.stats.analysis import published_effect
from evidence_app.core.stats.effects import flip
from evidence_app.core.synthesis.methods import normalise_method
from evidence_app.core.synthesis.rules import MultiArm, Orientation, is_subgroup, orientation, plan_pooling
from evidence_app.errors import AnalysisError

GroupBy = Literal["setting", "histology", "endpoint", "trial"]
GROUP_FIELDS = ("setting", "histology", "endpoint", "trial")
REPORTED = "reported"


@dataclass(frozen=True)
class ForestRow:
    """One comparison as the forest plot shows it.

    ``hr``/``lower``/``upper`` are at the published ``ci_level`` and already oriented (inverted
    when ``flipped``); ``effect`` is the same interval as an :class:`EffectSize` for pooling, or
    None when no HR with a CI is published (``status == "not reported"``). ``weight`` is the
    row's weight (%) in the overall pooled estimate (or its group's when there is no overall
    one); None when it was not pooled.
    """

    dataset_id: str
    trial: str
    comparison: str
    experimental: str
    control: str
    setting: str
    histology: str
    endpoint: str
    analysis: str
    n_total: str
    effect: EffectSize | None
    hr: float | None
    lower: float | None
    upper: float | None
    ci_level: float | None
    p: str
    status: str
    flipped: bool = False
    pooled: bool = False
    weight: float | None = None
    group: str | None = None
    notes: tuple[str, ...] = ()
    #: the HR as the source printed it (its precision), when the row is not inverted
    published_text: str | None = None

    @property
    def note(self) -> str:
        return "; ".join(self.notes)

    @property
    def hr_text(self) -> str:
        """``1.41 (1.03–1.92; 80% CI)``, ``0.87 (CI not reported)`` or ``not reported``."""
        return self.published_text or fmt_hr(self.hr, self.lower, self.upper, self.ci_level)


@dataclass(frozen=True)
class ForestGroup:
    """The rows of one group and, when it has two or more pooled rows, their pooled estimate."""

    name: str | None
    rows: tuple[ForestRow, ...]
    pooled: PooledEstimate | None = None


@dataclass(frozen=True)
class ForestData:
    """Everything a forest plot draws, computed once (the GUI, CLI and export share it)."""

    groups: tuple[ForestGroup, ...]
    overall: PooledEstimate | None
    subgroup_test: SubgroupPooling | None
    orient: Orientation
    group_by: GroupBy | None
    method: str
    hk: bool
    favours_experimental: str
    favours_control: str
    endpoints: tuple[str, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def rows(self) -> tuple[ForestRow, ...]:
        return tuple(r for g in self.groups for r in g.rows)

    @property
    def pooled_rows(self) -> tuple[ForestRow, ...]:
        return tuple(r for r in self.rows if r.pooled)


def _display(arm_label: str) -> str:
    return arm_label.replace("->", "→")


def comparison_text(experimental: str, control: str) -> str:
    """``Temsirolimus vs interferon alfa`` (the second name lower-cased unless it is an acronym)."""
    second = control
    if len(control) > 1 and control[0].isupper() and control[1].islower():
        second = control[0].lower() + control[1:]
    return f"{experimental} vs {second}"


def _trial_label(dataset: Dataset) -> str:
    """The acronym with what tells analyses of one trial apart: ``RECORD-1 (final, investigator)``."""
    parts: list[str] = []
    if dataset.analysis.kind in ("interim", "final"):
        parts.append(dataset.analysis.kind)
    if is_subgroup(dataset):
        parts.append(f"{dataset.trial.histology} subgroup" if dataset.trial.histology != "not stated" else "subgroup")
    assessment = (dataset.endpoint.assessment or "").lower()
    if assessment.startswith("investigator"):
        parts.append("investigator")
    return dataset.trial.acronym + (f" ({', '.join(parts)})" if parts else "")


def _n_total(dataset: Dataset) -> str:
    ns = [a.n.value if a.n else None for a in (dataset.experimental, dataset.control)]
    return NOT_REPORTED if None in ns else str(sum(n for n in ns if n is not None))


def _p_text(dataset: Dataset) -> str:
    p = dataset.comparison.p_value
    return p.value if p else NOT_REPORTED


def _hr_notes(dataset: Dataset) -> list[str]:
    notes = []
    hr = dataset.comparison.hazard_ratio
    if hr is not None and hr.ci_level is not None and abs(hr.ci_level - 0.95) > 1e-9:
        notes.append(f"{hr.ci_level * 100:g}% CI as published")
    if hr is not None and hr.ci_level_assumed:
        notes.append("CI level not stated in the source; 95% assumed")
    if hr is not None and hr.adjusted:
        notes.append("adjusted HR")
    for flag in dataset_flags(dataset):
        if flag.code == "secondary":
            notes.append("numbers from a secondary source")  # all or some of them: the audit lists which
        elif flag.code == "conflict":
            notes.append("other sources report different values")
        elif flag.code == "judgement" and hr is None and "comparison.hazard_ratio" in _judged_fields(dataset):
            notes.append("HR published but not recorded (judgement call)")
    return list(dict.fromkeys(notes))


def _judged_fields(dataset: Dataset) -> set[str]:
    return {j.field for j in dataset.flags.judgements if j.field}


def make_row(dataset: Dataset, orient: Orientation = "mtor") -> tuple[ForestRow, bool]:
    """One dataset as a forest row, and whether its orientation allows pooling."""
    flipped, orientable, orientation_note = orientation(dataset, orient)
    exp, ctl = _display(dataset.experimental.label), _display(dataset.control.label)
    hr = dataset.comparison.hazard_ratio
    value, lower, upper = (hr.value, hr.lower, hr.upper) if hr else (None, None, None)
    effect = published_effect(dataset)
    notes = _hr_notes(dataset)
    if flipped:
        if value is not None:
            published = published_hr_text(hr)
            orientation_note += f" (published {comparison_text(exp, ctl)}: HR {published})"
        exp, ctl = ctl, exp
        if value is not None:
            value = 1 / value
            lower, upper = (None, None) if lower is None or upper is None else (1 / upper, 1 / lower)
        if effect is not None:
            effect = flip(effect)
    if orientation_note:
        notes.insert(0, orientation_note)
    status = REPORTED if effect is not None else NOT_REPORTED
    if effect is None and value is not None:
        notes.append("no CI published: not pooled")
    row = ForestRow(
        dataset_id=dataset.id,
        trial=_trial_label(dataset),
        comparison=comparison_text(exp, ctl),
        experimental=exp,
        control=ctl,
        setting=dataset.trial.setting,
        histology=dataset.trial.histology,
        endpoint=dataset.endpoint.name,
        analysis=dataset.analysis.kind,
        n_total=_n_total(dataset),
        effect=effect,
        hr=value,
        lower=lower,
        upper=upper,
        ci_level=hr.ci_level if hr else None,
        p=_p_text(dataset),
        status=status,
        flipped=flipped,
        notes=tuple(notes),
        published_text=published_hr_text(hr) if hr is not None and not flipped else None,
    )
    return row, orientable and effect is not None


def _group_key(dataset: Dataset, group_by: GroupBy | None) -> str | None:
    if group_by is None:
        return None
    if group_by == "setting":
        return dataset.trial.setting
    if group_by == "histology":
        return dataset.trial.histology
    if group_by == "endpoint":
        return dataset.endpoint.name
    return dataset.trial.acronym


def _pool_group(effects: list[EffectSize], method: str, hk: bool) -> PooledEstimate | None:
    if len(effects) < 2:
        return None
    from evidence_app.core.synthesis.meta import pool  # scipy: loaded when something is pooled, not for a label

    return pool(effects, method, hk)


def build_forest(
    datasets: Sequence[Dataset],
    *,
    orient: Orientation = "mtor",
    group_by: GroupBy | None = None,
    method: str = "REML",
    hk: bool = False,
    one_per_trial: bool = True,
    pool_mixed_endpoints: bool = False,
    multi_arm: MultiArm = "one",
) -> ForestData:
    """Forest-plot rows, per-group and overall pooled estimates for ``datasets``.

    Which rows are pooled is decided by :func:`evidence_app.core.synthesis.rules.plan_pooling`
    (the same rules as ``pool-datasets`` and the workbook).

    Parameters
    ----------
    datasets
        The comparisons to show, in the order to show them (within their group).
    orient
        ``"mtor"``: invert HRs whose mTOR inhibitor is in the control arm; ``"as published"``.
    group_by
        None, ``"setting"``, ``"histology"``, ``"endpoint"`` or ``"trial"``.
    method, hk
        Pooling method (``fixed``, ``DL``, ``REML``, ``PM``) and Hartung–Knapp adjustment.
    one_per_trial
        Pool at most one analysis per trial comparison and endpoint (rules, step 3).
    pool_mixed_endpoints
        Pool rows with different endpoints together (default: only within one endpoint).
    multi_arm
        ``"one"`` or ``"split"``: what to do with comparisons sharing an arm (rules, step 4).

    Raises
    ------
    AnalysisError
        With no datasets, an unknown ``group_by``, orientation or pooling method.
    """
    if not datasets:
        raise AnalysisError("there are no comparisons to show in the forest plot")
    if group_by is not None and group_by not in GROUP_FIELDS:
        raise AnalysisError(f"unknown grouping '{group_by}'; use one of {', '.join(GROUP_FIELDS)}")
    method = normalise_method(method)
    plan = plan_pooling(
        datasets,
        orient=orient,
        one_per_comparison=one_per_trial,
        multi_arm=multi_arm,
        pool_mixed_endpoints=pool_mixed_endpoints,
    )
    warnings = list(plan.warnings)
    rows = [make_row(d, orient)[0] for d in datasets]
    for i, decision in enumerate(plan.decisions):
        rows[i] = replace(rows[i], effect=decision.effect, notes=rows[i].notes + decision.rule_notes)
    endpoints = tuple(dict.fromkeys(d.endpoint.name for d in datasets))
    keys = [_group_key(d, group_by) for d in datasets]
    names = sorted(dict.fromkeys(keys), key=lambda k: (k is None, k == "not stated", str(k)))
    effects: dict[int, EffectSize] = {}
    for i, decision in enumerate(plan.decisions):
        if decision.pooled and decision.effect is not None:
            effects[i] = replace(decision.effect, subgroup=str(keys[i]))
    group_pools: dict[str | None, PooledEstimate | None] = {}
    for name in names:
        members = [i for i in effects if keys[i] == name]
        refused = plan.refusal([plan.decisions[i] for i in members])
        group_pools[name] = _pool_group([effects[i] for i in members], method, hk) if group_by and not refused else None
    overall = None if plan.refusal() else _pool_group(list(effects.values()), method, hk)
    subgroup_test = None
    pooled_groups = {keys[i] for i in effects}
    if overall is not None and group_by is not None and len(pooled_groups) >= 2:
        from evidence_app.core.synthesis.meta import pool_subgroups

        subgroup_test = pool_subgroups(list(effects.values()), method, hk)
    weights = _weights(overall, group_pools, effects, keys)
    final_rows = [replace(r, pooled=i in weights, weight=weights.get(i), group=keys[i]) for i, r in enumerate(rows)]
    groups = tuple(
        ForestGroup(name, tuple(r for i, r in enumerate(final_rows) if keys[i] == name), group_pools[name])
        for name in names
    )
    if len(effects) < 2:
        warnings.append(f"{len(effects)} poolable comparison{'s' * (len(effects) != 1)}: no pooled estimate")
    experimental, control = ("mTOR inhibitor", "comparator") if orient == "mtor" else ("experimental", "control")
    return ForestData(
        groups=groups,
        overall=overall,
        subgroup_test=subgroup_test,
        orient=orient,
        group_by=group_by,
        method=method,
        hk=hk,
        favours_experimental=experimental,
        favours_control=control,
        endpoints=endpoints,
        warnings=tuple(warnings),
    )


def _weights(
    overall: PooledEstimate | None,
    group_pools: dict[str | None, PooledEstimate | None],
    effects: dict[int, EffectSize],
    keys: list[str | None],
) -> dict[int, float]:
    """Row index -> weight (%) in the overall pool, else in its group's pool (rows not pooled: absent)."""
    weights: dict[int, float] = {}
    for i, effect in effects.items():
        source = overall or group_pools.get(keys[i])
        if source is None:
            continue
        for study, w in zip(source.studies, source.weights):
            if study is effect and math.isfinite(w):
                weights[i] = w
    return weights
