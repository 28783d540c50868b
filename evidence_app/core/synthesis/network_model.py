"""The algebra of a contrast-based network meta-analysis (numpy only).

Graph-theoretical weighted least squares (Rücker 2012, Res Synth Methods 3:312-324; as netmeta): the pairwise
contrasts form the rows of an edge-vertex incidence matrix B; a multi-arm study's pairwise variances R are turned
into adjusted ("reduced") weights by the pseudo-inverse of the study's Laplacian, ``L_s = (-½ P R P)⁺`` with
``P = I - J/m`` and ``w_ab = -L_s[a, b]``. Then ``L = Bᵀ W B``, the treatment effects are ``θ = L⁺ Bᵀ W y``, their
covariance is ``L⁺`` and ``Q = Σ w (y - Bθ)²``. The random-effects model adds τ² to every pairwise variance and
redoes the adjustment (arm variance ``v_a + τ²/2``).

The same model as generalised least squares on each study's basic contrasts (arms vs its first arm, with the
block-diagonal within-study covariance ``diag(v) + v_0 J`` and between-study covariance ``τ² (I + J)/2``) is
:func:`basic_form` + :func:`gls`; it gives the same estimates and Q, and is what the REML likelihood uses.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from evidence_app.core.synthesis.network_input import Contrast


@dataclass(frozen=True)
class Layout:
    """Rows of the network in matrix form; ``studies[k]`` are the row indices of study k."""

    treatments: tuple[str, ...]
    y: np.ndarray
    var: np.ndarray
    incidence: np.ndarray
    studies: tuple[tuple[int, ...], ...]
    study_names: tuple[str, ...]
    study_arms: tuple[tuple[int, ...], ...]

    @property
    def df(self) -> int:
        """Σ_studies (arms − 1) − (treatments − 1)."""
        return sum(len(a) - 1 for a in self.study_arms) - (len(self.treatments) - 1)


def build_layout(contrasts: Sequence[Contrast], treatments: Sequence[str]) -> Layout:
    index = {t: i for i, t in enumerate(treatments)}
    incidence = np.zeros((len(contrasts), len(treatments)))
    rows_of: dict[str, list[int]] = {}
    for k, c in enumerate(contrasts):
        incidence[k, index[c.treat1]] = 1.0
        incidence[k, index[c.treat2]] = -1.0
        rows_of.setdefault(c.study, []).append(k)
    arms = tuple(
        tuple(sorted({int(j) for k in rows for j in np.flatnonzero(incidence[k])})) for rows in rows_of.values()
    )
    return Layout(
        treatments=tuple(treatments),
        y=np.array([c.log_hr for c in contrasts], dtype=float),
        var=np.array([c.se for c in contrasts], dtype=float) ** 2,
        incidence=incidence,
        studies=tuple(tuple(r) for r in rows_of.values()),
        study_names=tuple(rows_of),
        study_arms=arms,
    )


def adjusted_weights(layout: Layout, tau2: float = 0.0) -> np.ndarray:
    """Per-row weights: ``1/(se² + τ²)`` for two-arm studies, Rücker's reduced weights for multi-arm ones."""
    w = 1.0 / (layout.var + tau2)
    for rows, arms in zip(layout.studies, layout.study_arms):
        if len(rows) == 1:
            continue
        m = len(arms)
        position = {a: i for i, a in enumerate(arms)}
        pairwise = np.zeros((m, m))
        ends = []
        for k in rows:
            a, b = (position[int(j)] for j in np.flatnonzero(layout.incidence[k]))
            pairwise[a, b] = pairwise[b, a] = layout.var[k] + tau2
            ends.append((a, b))
        centre = np.eye(m) - 1.0 / m
        laplacian = np.linalg.pinv(-0.5 * centre @ pairwise @ centre)
        for k, (a, b) in zip(rows, ends):
            w[k] = -laplacian[a, b]
    return w


@dataclass(frozen=True)
class GraphFit:
    """A fitted network: treatment effects ``theta`` (defined up to a constant) and their covariance."""

    theta: np.ndarray
    cov: np.ndarray
    weights: np.ndarray
    q: float
    tau2: float

    def contrast(self, i: int, j: int) -> tuple[float, float]:
        """Log HR of treatment i vs j and its SE."""
        var = self.cov[i, i] + self.cov[j, j] - 2 * self.cov[i, j]
        return float(self.theta[i] - self.theta[j]), math.sqrt(max(float(var), 0.0))


def pseudo_inverse_laplacian(laplacian: np.ndarray) -> np.ndarray:
    """L⁺ of a connected graph's Laplacian: ``(L + J/n)⁻¹ − J/n``."""
    n = laplacian.shape[0]
    return np.linalg.inv(laplacian + 1.0 / n) - 1.0 / n


def fit_graph(layout: Layout, tau2: float = 0.0) -> GraphFit:
    """Weighted least squares on the network graph with τ² added to every pairwise variance."""
    w = adjusted_weights(layout, tau2)
    b = layout.incidence
    cov = pseudo_inverse_laplacian(b.T @ (w[:, None] * b))
    theta = cov @ (b.T @ (w * layout.y))
    theta = theta - theta.mean()
    resid = layout.y - b @ theta
    return GraphFit(theta, cov, w, float(np.sum(w * resid**2)), tau2)


def between_study_pattern(layout: Layout) -> np.ndarray:
    """S: covariance of the rows' random effects per unit τ² (1 on the diagonal, ±½ for contrasts of one study
    that share an arm)."""
    b = layout.incidence
    same = np.zeros((len(layout.y), len(layout.y)), dtype=bool)
    for rows in layout.studies:
        same[np.ix_(rows, rows)] = True
    return 0.5 * (b @ b.T) * same


def moment_trace(layout: Layout, fit: GraphFit) -> float:
    """tr(W (I − H) S), the expected excess of Q per unit τ² (Jackson, White & Riley 2012)."""
    b = layout.incidence
    wb = fit.weights[:, None] * b
    hat_w = wb @ fit.cov @ wb.T  # W H, symmetric
    s = between_study_pattern(layout)
    return float(np.sum(fit.weights * np.diag(s)) - np.sum(hat_w * s))


def tau2_dl(layout: Layout, common: GraphFit) -> float:
    """Generalised DerSimonian–Laird τ² for a network: max(0, (Q − df) / tr(W (I − H) S))."""
    trace = moment_trace(layout, common)
    if layout.df <= 0 or trace <= 0:
        return 0.0
    return max(0.0, (common.q - layout.df) / trace)


@dataclass(frozen=True)
class BasicForm:
    """Each study's contrasts vs its first arm: design ``x`` (rows × treatments), estimates, within-study
    covariance (block-diagonal) and the between-study pattern per unit τ²."""

    x: np.ndarray
    y: np.ndarray
    within: np.ndarray
    pattern: np.ndarray
    blocks: tuple[tuple[int, ...], ...]


def basic_form(layout: Layout) -> BasicForm:
    n = len(layout.treatments)
    x_rows: list[np.ndarray] = []
    y_rows: list[float] = []
    blocks: list[tuple[int, ...]] = []
    variances: list[np.ndarray] = []
    for rows, arms in zip(layout.studies, layout.study_arms):
        sub = layout.incidence[list(rows)][:, list(arms)]
        effects = np.linalg.lstsq(sub, layout.y[list(rows)], rcond=None)[0]
        arm_var = np.linalg.lstsq(np.abs(sub), layout.var[list(rows)], rcond=None)[0]
        start = len(y_rows)
        for k in range(1, len(arms)):
            row = np.zeros(n)
            row[arms[k]], row[arms[0]] = 1.0, -1.0
            x_rows.append(row)
            y_rows.append(float(effects[k] - effects[0]))
        blocks.append(tuple(range(start, len(y_rows))))
        variances.append(arm_var)
    p = len(y_rows)
    within = np.zeros((p, p))
    pattern = np.zeros((p, p))
    for block, v in zip(blocks, variances):
        idx = np.ix_(block, block)
        within[idx] = np.diag(v[1:]) + v[0]
        pattern[idx] = 0.5 * (np.eye(len(block)) + 1.0)
    return BasicForm(np.array(x_rows).reshape(p, n), np.array(y_rows), within, pattern, tuple(blocks))


@dataclass(frozen=True)
class GLSFit:
    """GLS estimates of every treatment vs ``reference`` (index), their covariance, Q and the inverse covariance."""

    beta: np.ndarray
    cov: np.ndarray
    q: float
    precision: np.ndarray
    keep: np.ndarray


def gls(form: BasicForm, reference: int, tau2: float = 0.0) -> GLSFit:
    keep = np.array([j for j in range(form.x.shape[1]) if j != reference], dtype=int)
    x = form.x[:, keep]
    precision = np.linalg.inv(form.within + tau2 * form.pattern)
    info = x.T @ precision @ x
    cov = np.linalg.inv(info)
    beta = cov @ (x.T @ precision @ form.y)
    resid = form.y - x @ beta
    return GLSFit(beta, cov, float(resid @ precision @ resid), precision, keep)


def sub_layout(layout: Layout, studies: Sequence[int]) -> Layout:
    """The network of the given studies only, on the treatments they compare."""
    rows = [k for s in studies for k in layout.studies[s]]
    used = sorted({a for s in studies for a in layout.study_arms[s]})
    position = {a: i for i, a in enumerate(used)}
    renumber = {k: i for i, k in enumerate(rows)}
    return Layout(
        treatments=tuple(layout.treatments[a] for a in used),
        y=layout.y[rows],
        var=layout.var[rows],
        incidence=layout.incidence[np.ix_(rows, used)],
        studies=tuple(tuple(renumber[k] for k in layout.studies[s]) for s in studies),
        study_names=tuple(layout.study_names[s] for s in studies),
        study_arms=tuple(tuple(position[a] for a in layout.study_arms[s]) for s in studies),
    )
