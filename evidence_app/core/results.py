"""Small frozen result types shared by the core, plots, export, CLI and GUI.

Nothing outside :mod:`evidence_app.core.stats.survival` touches lifelines objects: every survival
or meta-analysis result crosses module boundaries as one of these dataclasses. Types that
hold numpy arrays use ``eq=False`` (array equality is element-wise, not a single bool) and
store read-only arrays so a result cannot be changed after it was computed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported where an array is made: these types load without it
    import numpy as np

#: How the pointwise survival confidence band is built (lifelines' default, Kalbfleisch &
#: Prentice 2002, section 1.3): a Greenwood variance on the log(-log S) scale.
KM_CI_METHOD = "log(-log) transform (Kalbfleisch–Prentice), as lifelines"


def frozen_array(values: object) -> np.ndarray:
    """Return a float copy of ``values`` that cannot be written to."""
    import numpy as np

    array = np.array(values, dtype=float)
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class SurvivalFit:
    """A Kaplan–Meier curve with its pointwise confidence band.

    ``timeline`` starts at 0; ``survival[i]`` holds from ``timeline[i]`` until the next time
    (a right-continuous step function) and ``at_risk[i]`` counts subjects with time >=
    ``timeline[i]``. ``median`` is None when the curve never drops to
    0.5 ("not reached"); ``median_lower``/``median_upper`` are None when the corresponding
    band never crosses 0.5.
    """

    label: str
    timeline: np.ndarray
    survival: np.ndarray
    ci_lower: np.ndarray
    ci_upper: np.ndarray
    at_risk: np.ndarray
    censor_times: np.ndarray
    n: int
    events: int
    median: float | None
    median_lower: float | None
    median_upper: float | None
    ci_level: float = 0.95
    ci_method: str = KM_CI_METHOD

    @property
    def last_followup(self) -> float:
        """Largest observed time (event or censoring)."""
        return float(self.timeline[-1])


@dataclass(frozen=True)
class LandmarkEstimate:
    """Survival probability at one landmark time; None when beyond the last follow-up."""

    time: float
    survival: float | None
    lower: float | None
    upper: float | None
    n_at_risk: int
    ci_level: float = 0.95


@dataclass(frozen=True)
class RMSTEstimate:
    """Restricted mean survival time (or a difference of two) up to ``horizon``."""

    horizon: float
    value: float
    se: float
    lower: float
    upper: float
    ci_level: float = 0.95


@dataclass(frozen=True)
class AtRiskRow:
    """One column of a numbers-at-risk table.

    ``n_at_risk`` counts subjects with time >= ``time`` (at risk just before ``time``);
    ``events`` and ``censored`` are cumulative counts with time <= ``time``.
    """

    time: float
    n_at_risk: int
    events: int
    censored: int


@dataclass(frozen=True)
class HazardRatio:
    """A hazard ratio ``experimental`` vs ``control`` with a Wald confidence interval."""

    hr: float
    lower: float
    upper: float
    ci_level: float
    p: float
    log_hr: float
    se: float
    experimental: str
    control: str
    method: str


@dataclass(frozen=True)
class CoxModel:
    """A fitted Cox model: one :class:`HazardRatio` per covariate (per one-unit increase)."""

    terms: dict[str, HazardRatio]
    log_likelihood: float
    n: int
    events: int
    stratified: bool = False


@dataclass(frozen=True)
class ArmComparison:
    """Everything a reader needs to compare two arms of one trial."""

    hazard_ratio: HazardRatio
    logrank_chi2: float
    logrank_p: float
    rmst_experimental: RMSTEstimate
    rmst_control: RMSTEstimate
    rmst_difference: RMSTEstimate
    ph_test_p: float
    ph_flag: str | None

    @property
    def proportional_hazards_doubtful(self) -> bool:
        """True when the Schoenfeld-residual test rejects proportional hazards at 5%."""
        return self.ph_flag is not None


@dataclass(frozen=True)
class EffectSize:
    """One study's hazard ratio, as reported or derived, on the log scale for pooling.

    ``lower``/``upper`` are the interval at ``ci_level`` on the HR scale. ``derived`` is
    True when the standard error was computed rather than reported; ``note`` says how.
    """

    study: str
    log_hr: float
    se: float
    hr: float
    lower: float
    upper: float
    ci_level: float = 0.95
    subgroup: str | None = None
    derived: bool = False
    note: str = ""
    experimental: str = "experimental"
    control: str = "control"


@dataclass(frozen=True)
class PooledEstimate:
    """A fixed- or random-effects pooled hazard ratio with heterogeneity statistics.

    Estimates are given on the HR scale (``estimate``, ``lower``, ``upper``,
    ``pi_lower``, ``pi_upper``) and on the log scale (``log_*``). Statistics that are
    undefined for the data (e.g. Q's p-value with one study) are None.
    ``weights`` are percentages in the order of ``studies``.
    """

    method: str
    model: str
    hk: bool
    k: int
    estimate: float
    lower: float
    upper: float
    log_estimate: float
    log_lower: float
    log_upper: float
    se: float
    statistic: float
    p: float
    df: int | None
    ci_level: float
    tau2: float
    tau: float
    tau2_lower: float | None
    tau2_upper: float | None
    i2: float | None
    i2_lower: float | None
    i2_upper: float | None
    h2: float | None
    q: float
    q_df: int
    q_p: float | None
    pi_lower: float
    pi_upper: float
    weights: tuple[float, ...]
    studies: tuple[EffectSize, ...] = field(default=())
    note: str = ""


@dataclass(frozen=True)
class SubgroupPooling:
    """Per-subgroup pooled estimates, the overall estimate and a test for differences."""

    groups: dict[str, PooledEstimate]
    overall: PooledEstimate
    q_between: float
    df_between: int
    p_between: float | None
