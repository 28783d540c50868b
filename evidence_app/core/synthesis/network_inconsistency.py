"""Inconsistency in a network: Q decomposition by design and node-splitting by back-calculation.

* Q decomposition (Krahn, Binder & König 2013; netmeta's ``decomp.design``): designs are the sets of treatments
  compared in a study. Q within designs is the sum of each design's own Q (the network fitted to that design's
  studies alone); Q between designs (the design-by-treatment interaction test) is the total Q minus that sum.
  Under random effects, τ²_within is the generalised DL estimate pooled over the designs,
  ``(Q_within − df_within) / Σ_d tr(W_d (I − H_d) S_d)``; each design's studies are pooled with it by GLS and
  the between-design Q is the residual Q of the network fitted to those design-level estimates.
* Node-splitting by back-calculation (Dias et al. 2010; König, Krahn & Binder 2013; netmeta's ``netsplit``):
  the direct estimate pools a comparison's rows by inverse variance (each row's own SE, plus τ² in the random
  model); ``prop_direct = se_nma² / se_direct²``; the indirect estimate is what the network estimate implies
  once the direct evidence is taken out: ``var_ind = 1/(1/se_nma² − 1/se_dir²)``,
  ``ind = var_ind (nma/se_nma² − dir/se_dir²)``. A comparison is split when prop_direct < 1 − 5e-4.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from evidence_app.core.distributions import two_sided_p
from evidence_app.core.synthesis.network_model import (
    BasicForm,
    GraphFit,
    Layout,
    basic_form,
    fit_graph,
    gls,
    moment_trace,
    sub_layout,
)

PROP_DIRECT_MAX = 1 - 5e-4


def chi2_p(q: float, df: int) -> float | None:
    from scipy import stats

    return float(stats.chi2.sf(q, df)) if df > 0 else None


normal_p = two_sided_p


@dataclass(frozen=True)
class DesignQ:
    treatments: tuple[str, ...]
    studies: tuple[str, ...]
    q: float
    df: int

    @property
    def label(self) -> str:
        return ":".join(self.treatments)

    @property
    def p(self) -> float | None:
        return chi2_p(self.q, self.df)


@dataclass(frozen=True)
class Decomposition:
    q_total: float
    df_total: int
    q_within: float
    df_within: int
    q_between: float
    df_between: int
    designs: tuple[DesignQ, ...]
    tau2_within: float
    q_between_random: float


def _designs(layout: Layout) -> dict[frozenset[int], list[int]]:
    groups: dict[frozenset[int], list[int]] = {}
    for s, arms in enumerate(layout.study_arms):
        groups.setdefault(frozenset(arms), []).append(s)
    return dict(sorted(groups.items(), key=lambda kv: (len(kv[0]), sorted(layout.treatments[a] for a in kv[0]))))


def decompose(layout: Layout, common: GraphFit) -> Decomposition:
    designs = _designs(layout)
    per_design: list[DesignQ] = []
    sub_layouts: list[Layout] = []
    trace = 0.0
    for studies in designs.values():
        sub = sub_layout(layout, studies)
        fit = fit_graph(sub)
        trace += moment_trace(sub, fit)
        sub_layouts.append(sub)
        per_design.append(DesignQ(sub.treatments, sub.study_names, fit.q, sub.df))
    q_within = sum(d.q for d in per_design)
    df_within = sum(d.df for d in per_design)
    tau2_within = max(0.0, (q_within - df_within) / trace) if df_within > 0 and trace > 0 else 0.0
    return Decomposition(
        q_total=common.q,
        df_total=layout.df,
        q_within=q_within,
        df_within=df_within,
        q_between=max(common.q - q_within, 0.0),
        df_between=layout.df - df_within,
        designs=tuple(per_design),
        tau2_within=tau2_within,
        q_between_random=_between_random(layout, sub_layouts, tau2_within),
    )


def _between_random(layout: Layout, designs: Sequence[Layout], tau2: float) -> float:
    """Residual Q of the network fitted to design-level estimates pooled with τ²_within."""
    index = {t: i for i, t in enumerate(layout.treatments)}
    n = len(layout.treatments)
    x_rows: list[np.ndarray] = []
    y: list[float] = []
    blocks: list[np.ndarray] = []
    for sub in designs:
        pooled = gls(basic_form(sub), 0, tau2)
        for k, t in enumerate(sub.treatments[1:]):
            row = np.zeros(n)
            row[index[t]], row[index[sub.treatments[0]]] = 1.0, -1.0
            x_rows.append(row)
            y.append(float(pooled.beta[k]))
        blocks.append(pooled.cov)
    p = len(y)
    within = np.zeros((p, p))
    start = 0
    for block in blocks:
        size = block.shape[0]
        within[start : start + size, start : start + size] = block
        start += size
    form = BasicForm(np.array(x_rows), np.array(y), within, np.zeros((p, p)), ())
    return gls(form, 0).q


def comparison_order(treatments: Sequence[str], reference: int) -> list[tuple[int, int]]:
    """Comparisons as netmeta lists them: every treatment vs the reference first, then the others in order."""
    n = len(treatments)
    first = [(i, reference) for i in range(n) if i != reference]
    rest = [(i, j) for i in range(n) for j in range(i + 1, n) if reference not in (i, j)]
    return first + rest


@dataclass(frozen=True)
class Split:
    treat1: int
    treat2: int
    k_direct: int
    prop_direct: float
    nma: tuple[float, float]
    direct: tuple[float, float]
    indirect: tuple[float, float]

    @property
    def difference(self) -> tuple[float, float, float, float]:
        """(direct − indirect, its SE, z, p)."""
        diff = self.direct[0] - self.indirect[0]
        se = math.hypot(self.direct[1], self.indirect[1])
        z = diff / se
        return diff, se, z, normal_p(z)


def netsplit(layout: Layout, fit: GraphFit, reference: int) -> tuple[Split, ...]:
    """Back-calculation split of every comparison that has both direct and indirect evidence."""
    b = layout.incidence
    study_of = np.empty(len(layout.y), dtype=int)
    for s, study_rows in enumerate(layout.studies):
        study_of[list(study_rows)] = s
    out = []
    for i, j in comparison_order(layout.treatments, reference):
        rows = np.flatnonzero((b[:, i] != 0) & (b[:, j] != 0))
        if rows.size == 0:
            continue
        y = layout.y[rows] * b[rows, i]
        w = 1.0 / (layout.var[rows] + fit.tau2)
        direct = float(np.sum(w * y) / np.sum(w))
        var_dir = 1.0 / float(np.sum(w))
        nma, se_nma = fit.contrast(i, j)
        prop = se_nma**2 / var_dir
        if prop >= PROP_DIRECT_MAX:
            continue
        var_ind = 1.0 / (1.0 / se_nma**2 - 1.0 / var_dir)
        indirect = var_ind * (nma / se_nma**2 - direct / var_dir)
        k = len(set(study_of[rows].tolist()))
        out.append(Split(i, j, k, prop, (nma, se_nma), (direct, math.sqrt(var_dir)), (indirect, math.sqrt(var_ind))))
    return tuple(out)
