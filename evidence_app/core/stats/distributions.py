"""The two distribution functions the survival statistics need, from the standard library.

``scipy.stats`` takes about a second to import (it builds every distribution's documentation);
the first Kaplan–Meier figure needs only a normal quantile and the chi-square tail with one
degree of freedom, which are exact closed forms here: the quantile by Wichura's AS 241 algorithm
(:class:`statistics.NormalDist`, relative error below 1e-15) and ``P(X > x) = erfc(sqrt(x / 2))``
for one degree of freedom (the square of a standard normal).
"""

from __future__ import annotations

import math
from statistics import NormalDist

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
