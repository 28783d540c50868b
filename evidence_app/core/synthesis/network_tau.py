"""Between-study variance τ² of a network by REML with the full block-diagonal within-study covariance.

The model is GLS on each study's basic contrasts (see :func:`network_model.basic_form`): within-study covariance
``diag(v) + v_0 J`` from the arm variances, between-study covariance ``τ² (I + J)/2`` (τ² on every contrast,
τ²/2 between two contrasts of a study sharing its first arm). The restricted log-likelihood is maximised by Fisher
scoring (Harville 1977), starting from the DerSimonian–Laird value, with step halving at the boundary τ² = 0.
This differs from netmeta's own REML, which ignores the covariance between a multi-arm study's contrasts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evidence_app.core.synthesis.network_model import BasicForm, Layout, basic_form
from evidence_app.errors import AnalysisError


@dataclass(frozen=True)
class _Blocks:
    """The studies with k basic contrasts, stacked: design (B, k, q), estimates (B, k), within covariance (B, k, k)."""

    x: np.ndarray
    y: np.ndarray
    within: np.ndarray
    pattern: np.ndarray


def _stack(form: BasicForm) -> list[_Blocks]:
    """Group the block-diagonal model by block size, so each step is a batch of small matrices (no large dense
    products: they are slow with a threaded BLAS on a busy machine)."""
    x = form.x[:, 1:]
    sizes: dict[int, list[tuple[int, ...]]] = {}
    for block in form.blocks:
        sizes.setdefault(len(block), []).append(block)
    out = []
    for k, blocks in sizes.items():
        idx = np.array(blocks, dtype=int)
        within = form.within[idx[:, :, None], idx[:, None, :]]
        out.append(_Blocks(x[idx], form.y[idx], within, 0.5 * (np.eye(k) + 1.0)))
    return out


def _score_and_information(groups: list[_Blocks], tau2: float) -> tuple[float, float]:
    """dℓ_R/dτ² and the expected information, from per-study sums (P = V⁻¹ − V⁻¹X C XᵀV⁻¹, C = (XᵀV⁻¹X)⁻¹)."""
    q = groups[0].x.shape[2]
    info_beta = np.zeros((q, q))
    xty = np.zeros(q)
    parts = []
    for g in groups:
        vi = np.linalg.inv(g.within + tau2 * g.pattern)
        u = np.einsum("bij,bjq->biq", vi, g.x)
        info_beta += np.einsum("biq,bir->qr", g.x, u)
        xty += np.einsum("biq,bi->q", u, g.y)
        parts.append((vi, u))
    c = np.linalg.inv(info_beta)
    beta = c @ xty
    yp_s_py = tr_a = tr_a2 = 0.0
    m1 = np.zeros((q, q))
    m2 = np.zeros((q, q))
    for g, (vi, u) in zip(groups, parts):
        py = np.einsum("bij,bj->bi", vi, g.y - np.einsum("bkq,q->bk", g.x, beta))
        yp_s_py += float(np.einsum("bi,ij,bj->", py, g.pattern, py))
        a = np.einsum("bij,jk->bik", vi, g.pattern)
        tr_a += float(np.einsum("bii->", a))
        tr_a2 += float(np.einsum("bij,bji->", a, a))
        w = np.einsum("ij,bjq->biq", g.pattern, u)
        m1 += np.einsum("biq,bir->qr", u, w)
        m2 += np.einsum("biq,bij,bjr->qr", w, a, u)
    tr_ps = tr_a - float(np.sum(c * m1.T))
    tr_psps = tr_a2 - 2 * float(np.sum(c * m2.T)) + float(np.trace(c @ m1.T @ c @ m1))
    return 0.5 * (yp_s_py - tr_ps), 0.5 * tr_psps


def restricted_loglik(layout: Layout, tau2: float) -> float:
    """The restricted log-likelihood (up to a constant) at τ²; for checks."""
    form = basic_form(layout)
    x = form.x[:, 1:]
    v = form.within + tau2 * form.pattern
    precision = np.linalg.inv(v)
    info = x.T @ precision @ x
    beta = np.linalg.solve(info, x.T @ precision @ form.y)
    resid = form.y - x @ beta
    return float(-0.5 * (np.linalg.slogdet(v)[1] + np.linalg.slogdet(info)[1] + resid @ precision @ resid))


def tau2_reml(layout: Layout, start: float = 0.0, tol: float = 1e-12, max_iter: int = 500) -> float:
    """REML τ² of the network (0 when there is nothing left to estimate it from)."""
    if layout.df <= 0:
        return 0.0
    groups = _stack(basic_form(layout))
    tau2 = max(start, 0.0)
    for _ in range(max_iter):
        score, info = _score_and_information(groups, tau2)
        if info <= 0:
            return tau2
        step = score / info
        new = tau2 + step
        while new < 0 and abs(step) > tol:
            step /= 2
            new = tau2 + step
        new = max(new, 0.0)
        if abs(new - tau2) < tol * max(1.0, tau2):
            return float(new)
        tau2 = new
    raise AnalysisError("the REML estimate of the network's τ² did not converge; use DL")
