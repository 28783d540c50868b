"""Network meta-analysis of log hazard ratios, and the Bucher adjusted indirect comparison.

:func:`run_network` fits the common- and random-effects models of a connected network (graph-theoretical WLS,
Rücker 2012, with multi-arm studies through their within-study covariance; see :mod:`network_model`), with τ²
by the generalised DerSimonian–Laird estimator for networks (Jackson, White & Riley 2012) or by REML with the full
block-diagonal within-study covariance (:mod:`network_tau`), and adds the heterogeneity and inconsistency
statistics (:mod:`network_inconsistency`), P-scores (Rücker & Schwarzer 2015) and prediction intervals.

Conventions (netmeta 3.x): I² = (Q − df)/Q with the interval of Higgins & Thompson (2002) on H, centred on H = 1
when Q < df; P-scores with a lower HR better: P_i = mean over j ≠ i of Φ((θ_j − θ_i)/se_ij); prediction interval
``θ ± t_{df_Q} · sqrt(se² + τ²)``, given when df_Q ≥ 2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from evidence_app.core.distributions import norm_cdf, z_for_level
from evidence_app.core.progress import CancelCheck, ProgressCallback, check_cancelled, report
from evidence_app.core.synthesis.network_inconsistency import Decomposition, Split, decompose, netsplit, normal_p
from evidence_app.core.synthesis.network_input import NetworkData, _name_key
from evidence_app.core.synthesis.network_model import GraphFit, Layout, build_layout, fit_graph, tau2_dl
from evidence_app.errors import InputError

TAU_METHODS = ("DL", "REML")
MODELS = ("common", "random")
DIRECTION = "a lower HR is better (P-scores rank treatments with small values desirable)"


@dataclass(frozen=True)
class Comparison:
    """Log HR of ``treat1`` vs ``treat2`` with SE, interval at ``level``, z and p."""

    treat1: str
    treat2: str
    log_hr: float
    se: float
    lower: float
    upper: float
    z: float | None
    p: float | None

    @property
    def hr(self) -> float:
        return math.exp(self.log_hr)


def z_value(level: float) -> float:
    return z_for_level(level)


def i2_interval(q: float, df: int, level: float = 0.95) -> tuple[float, float, float]:
    """I² and its interval from Q (Higgins & Thompson 2002, the test-based interval for H)."""
    if df < 1:
        return 0.0, math.nan, math.nan
    k = df + 1
    h = math.sqrt(q / df)
    if k <= 2:
        return max(0.0, (q - df) / q) if q > 0 else 0.0, math.nan, math.nan
    if q > k:
        se_log_h = 0.5 * (math.log(q) - math.log(df)) / (math.sqrt(2 * q) - math.sqrt(2 * k - 3))
    else:
        se_log_h = math.sqrt(1 / (2 * (k - 2)) * (1 - 1 / (3 * (k - 2) ** 2)))
    centre = math.log(max(h, 1.0))
    z = z_value(level)
    lower, upper = (max(math.exp(centre + s * z * se_log_h), 1.0) for s in (-1, 1))

    def to_i2(x: float) -> float:
        return (x**2 - 1) / x**2

    return to_i2(max(h, 1.0)), to_i2(lower), to_i2(upper)


def bucher(a_vs_b: tuple[float, float], c_vs_b: tuple[float, float]) -> tuple[float, float]:
    """Adjusted indirect comparison (Bucher et al. 1997): log HR of A vs C through the common comparator B,
    ``d_AC = d_AB − d_CB`` with ``se² = se_AB² + se_CB²``."""
    return a_vs_b[0] - c_vs_b[0], math.hypot(a_vs_b[1], c_vs_b[1])


@dataclass(frozen=True)
class NetworkResult:
    data: NetworkData
    reference: str
    tau_method: str
    level: float
    layout: Layout
    common: GraphFit
    random: GraphFit
    tau2_dl: float
    tau2_preset: float | None
    decomposition: Decomposition
    splits: dict[str, tuple[Split, ...]]

    @property
    def treatments(self) -> tuple[str, ...]:
        return self.layout.treatments

    @property
    def tau2(self) -> float:
        return self.random.tau2

    def fit(self, model: str) -> GraphFit:
        if model not in MODELS:
            raise ValueError(f"model must be one of {MODELS}")
        return self.common if model == "common" else self.random

    def index(self, treatment: str) -> int:
        return self.treatments.index(treatment)

    def compare(self, treat1: str, treat2: str, model: str = "random") -> Comparison:
        est, se = self.fit(model).contrast(self.index(treat1), self.index(treat2))
        half = z_value(self.level) * se
        z = est / se if se > 0 else None
        p = normal_p(z) if z is not None else None
        return Comparison(treat1, treat2, est, se, est - half, est + half, z, p)

    def versus_reference(self, model: str = "random") -> list[Comparison]:
        return [self.compare(t, self.reference, model) for t in self.treatments]

    def league(self, model: str = "random") -> list[Comparison]:
        return [self.compare(a, b, model) for a in self.treatments for b in self.treatments if a != b]

    def pscores(self, model: str = "random") -> dict[str, float]:
        fit = self.fit(model)
        n = len(self.treatments)
        out = {}
        for i, t in enumerate(self.treatments):
            total = 0.0
            for j in range(n):
                if j != i:
                    diff, se = fit.contrast(j, i)
                    total += norm_cdf(diff / se)
            out[t] = total / (n - 1)
        return out

    def prediction(self, treat1: str, treat2: str) -> tuple[float, float] | None:
        """Prediction interval (log scale) of the random-effects estimate; None when df_Q < 2."""
        from scipy import stats

        df = self.layout.df
        if df < 2:
            return None
        c = self.compare(treat1, treat2, "random")
        half = float(stats.t.ppf((1 + self.level) / 2, df)) * math.sqrt(c.se**2 + self.tau2)
        return c.log_hr - half, c.log_hr + half

    def i2(self) -> tuple[float, float, float]:
        return i2_interval(self.common.q, self.layout.df, self.level)


def resolve_treatment(data: NetworkData, name: str) -> str:
    """The network's spelling of a treatment named ignoring case and spacing (InputError if absent)."""
    matches = [t for t in data.treatments if _name_key(t) == _name_key(name)]
    if not matches:
        known = ", ".join(data.treatments)
        raise InputError(f"reference treatment '{name}' is not in the network; treatments: {known}")
    return matches[0]


def run_network(
    data: NetworkData,
    reference: str,
    *,
    tau_method: str = "DL",
    level: float = 0.95,
    tau2_preset: float | None = None,
    progress: ProgressCallback = None,
    cancelled: CancelCheck = None,
) -> NetworkResult:
    """Fit the network: common and random effects, heterogeneity, Q decomposition, node-splitting.

    ``tau_method`` is ``"DL"`` or ``"REML"``; ``tau2_preset`` fixes τ² instead (as netmeta's ``tau.preset``).
    """
    from evidence_app.core.synthesis.network_tau import tau2_reml

    method = tau_method.upper()
    if method not in TAU_METHODS:
        raise InputError(f"tau² method '{tau_method}' is not known; use {' or '.join(TAU_METHODS)}")
    if not 0 < level < 1:
        raise InputError(f"level {level} must be between 0 and 1")
    if tau2_preset is not None and not (math.isfinite(tau2_preset) and tau2_preset >= 0):
        raise InputError(f"a preset τ² must be a number ≥ 0, not {tau2_preset}")
    ref = resolve_treatment(data, reference)
    report(progress, 0.0, "Common-effect model")
    layout = build_layout(data.contrasts, data.treatments)
    common = fit_graph(layout)
    dl = tau2_dl(layout, common)
    check_cancelled(cancelled)
    if tau2_preset is not None:
        tau2 = tau2_preset
    elif method == "REML":
        report(progress, 0.2, "REML estimate of τ²")
        tau2 = tau2_reml(layout, start=dl)
    else:
        tau2 = dl
    random = fit_graph(layout, tau2)
    check_cancelled(cancelled)
    report(progress, 0.5, "Q decomposition by design")
    decomposition = decompose(layout, common)
    check_cancelled(cancelled)
    report(progress, 0.8, "Node-splitting")
    r = layout.treatments.index(ref)
    splits = {"common": netsplit(layout, common, r), "random": netsplit(layout, random, r)}
    report(progress, 1.0, "Done")
    return NetworkResult(data, ref, method, level, layout, common, random, dl, tau2_preset, decomposition, splits)
