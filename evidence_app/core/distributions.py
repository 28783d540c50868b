"""The normal and chi-square(1) functions the whole core needs, from the standard library: one home.

``scipy.stats`` takes about a second to import (it builds every distribution's documentation);
the first Kaplan–Meier figure needs only a normal quantile and the chi-square tail with one
degree of freedom, which are exact closed forms here: the quantile by Wichura's AS 241 algorithm
(:class:`statistics.NormalDist`, relative error below 1e-15) and ``P(X > x) = erfc(sqrt(x / 2))``
for one degree of freedom (the square of a standard normal).
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

_STANDARD = NormalDist()


def norm_ppf(p: float) -> float:
    """The standard normal quantile of ``p`` (0 < p < 1)."""
    return _STANDARD.inv_cdf(float(p))


def chi2_sf_1df(x: float) -> float:
    """P(X > x) for a chi-square variable with one degree of freedom."""
    x = float(x)
    if math.isnan(x):
        return math.nan
    return 1.0 if x <= 0 else math.erfc(math.sqrt(x / 2.0))


def norm_ppf_many(p: np.ndarray) -> np.ndarray:
    """:func:`norm_ppf` of every element of ``p`` (each 0 < p < 1)."""
    return np.array([_STANDARD.inv_cdf(float(x)) for x in np.ravel(p)], dtype=float).reshape(np.shape(p))


def norm_cdf(x: float) -> float:
    """The standard normal distribution function."""
    return 0.5 * math.erfc(-float(x) / math.sqrt(2.0))


def z_for_level(level: float) -> float:
    """The normal quantile of a two-sided confidence level (1.96 for 0.95)."""
    return norm_ppf((1.0 + level) / 2.0)


def two_sided_p(z: float) -> float:
    """Two-sided p-value of a standard normal statistic ``z``."""
    return math.erfc(abs(float(z)) / math.sqrt(2.0))
