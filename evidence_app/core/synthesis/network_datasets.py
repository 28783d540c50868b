"""Library datasets as network contrasts, chosen by the one pooling rule set (:mod:`rules`).

Each dataset with a published HR and its CI (any level) gives one contrast "experimental arm vs control arm",
so the direction is explicit and needs no flipping. :func:`rules.plan_pooling` decides eligibility and keeps one
estimate per trial comparison and endpoint (final over interim, independent review over investigator, whole
population over subgroup). Comparisons of one multi-arm trial that share an arm are entered as separate studies
with the shared arm's patients split between them (Cochrane Handbook 23.3.4): the datasets give the HRs vs the
shared arm but not the contrast between the other arms, so the within-trial covariance cannot be formed.
"""

from __future__ import annotations

from collections.abc import Sequence

from evidence_app.core.datasets.schema import Dataset
from evidence_app.core.synthesis.network_input import Contrast
from evidence_app.errors import InputError


def _hr_text(dataset: Dataset) -> str:
    hr = dataset.comparison.hazard_ratio
    if hr is None or hr.lower is None or hr.upper is None or hr.ci_level is None:
        return ""
    sources = "; ".join(dataset.source(s).citation.rstrip(". ") for s in hr.sources)
    return f"published HR {hr.value:g} ({hr.ci_level * 100:g}% CI {hr.lower:g}–{hr.upper:g}) from {sources}"


def contrasts_from_datasets(datasets: Sequence[Dataset]) -> tuple[list[Contrast], list[str]]:
    """Contrasts of the datasets the rules pool, and the notes saying what was left out or changed and why.

    Raises
    ------
    InputError
        When the datasets mix endpoints, or none has a published HR with a CI.
    """
    from evidence_app.core.synthesis.rules import plan_pooling

    plan = plan_pooling(datasets, orient="as published", multi_arm="split")
    endpoints = list(dict.fromkeys(d.dataset.endpoint.name for d in plan.pooled))
    if len(endpoints) > 1:  # the direction needs no check: each contrast names its two treatments
        raise InputError(
            f"these datasets mix endpoints ({', '.join(endpoints)}); a network compares treatments on one endpoint"
        )
    direction = plan.refusal()  # about HRs pointing opposite ways: irrelevant to contrasts naming both arms
    notes = [f"{d.dataset.id}: {n}" for d in plan.decisions for n in d.notes]
    notes += [w for w in plan.warnings if w != direction]
    used = [d for d in plan.pooled if d.effect is not None]
    per_trial: dict[str, int] = {}
    for d in used:
        per_trial[d.dataset.trial.acronym] = per_trial.get(d.dataset.trial.acronym, 0) + 1
    contrasts = []
    for d in used:
        ds = d.dataset
        assert d.effect is not None
        study = ds.trial.acronym if per_trial[ds.trial.acronym] == 1 else f"{ds.trial.acronym} [{ds.id}]"
        n1, n2 = (arm.n.value if arm.n is not None else None for arm in (ds.experimental, ds.control))
        note = "; ".join(x for x in (_hr_text(ds), "log HR and SE derived from it", d.effect.note) if x)
        contrasts.append(
            Contrast(
                study, ds.experimental.label, ds.control.label, d.effect.log_hr, d.effect.se, None, ds.id, n1, n2, note
            )
        )
    if not contrasts:
        raise InputError("none of the chosen datasets has a published HR with a CI, so there is no network")
    return contrasts, notes
