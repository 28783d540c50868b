"""Between-study variance τ² of a network by REML with the full block-diagonal within-study covariance.

The model is GLS on each study's basic contrasts (see :func:`network_model.basic_form`): within-study covariance
``diag(v) + v_0 J`` from the arm variances, between-study covariance ``τ² (I + J)/2`` (τ² on every contrast,
τ²/2 between two contrasts of a study sharing its first arm). The restricted log-likelihood is maximised by Fisher
scoring (Harville 1977), starting from the DerSimonian–Laird value, with step halving at the boundary τ² = 0.
This differs from netmeta's own REML, which ignores the covariance between a multi-arm study's contrasts.
"""

from __future__ import annotations

import numpy as np

from evidence_app.core.synthesis.network_model import BasicForm, Layout, basic_form
from evidence_app.errors import AnalysisError


def _projection(form: BasicForm, x: np.ndarray, tau2: float) -> np.ndarray:
    precision = np.linalg.inv(form.within + tau2 * form.pattern)
    vx = precision @ x
    return precision - vx @ np.linalg.solve(x.T @ vx, vx.T)


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
    form = basic_form(layout)
    x = form.x[:, 1:]
    s = form.pattern
    tau2 = max(start, 0.0)
    for _ in range(max_iter):
        p = _projection(form, x, tau2)
        ps = p @ s
        py = p @ form.y
        score = 0.5 * (float(py @ s @ py) - float(np.trace(ps)))
        info = 0.5 * float(np.sum(ps * ps.T))
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
