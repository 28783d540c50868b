"""How much a reconstruction's estimates move when the digitization could plausibly have been different.

A digitized curve is one draw of a person's clicks: each point carries click noise and each drop was
clicked or not. :func:`digitization_replicates` re-runs the reconstruction on perturbed copies of the
curve — every point moved by the click noise estimated from the curve itself (its time SD from the
two ends of the clicked drops, the same relative SD in survival) and a share of the points left out
(other drop choices) — so the spread of any estimate over the replicates measures the uncertainty
the digitization adds. :func:`combined_interval` adds that spread to an estimate's sampling standard
error: the interval then reflects both.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from evidence_app.core.reconstruction.cleaning import clean_arrays
from evidence_app.core.reconstruction.reconstruct import reconstruct_ipd
from evidence_app.core.reconstruction.result import as_arrays

if TYPE_CHECKING:
    import pandas as pd

#: Replicates drawn by default: enough for a standard deviation within about ±16%.
REPLICATES = 20
#: Share of clicked points left out of a replicate (another person's drop choices).
LEAVE_OUT = 0.2
#: Smallest relative click SD assumed (a careful digitization at 800 px still has about 0.2%).
MIN_NOISE = 0.002
LABEL = "reconstruction interval (sampling + digitization)"


def digitization_replicates(
    curve: pd.DataFrame | np.ndarray | Sequence[tuple[float, float]],
    at_risk: pd.DataFrame | np.ndarray | None = None,
    n: int | None = None,
    total_events: int | None = None,
    *,
    replicates: int = REPLICATES,
    seed: int = 0,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(time, event)`` of the arm reconstructed from ``replicates`` perturbed copies of its curve."""
    t, s = as_arrays(curve, ("time", "survival"))
    clean = clean_arrays(t, s)
    span = max(float(clean.time[-1]), 1e-12)
    rel = max(clean.time_noise / span, MIN_NOISE)
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(replicates):
        keep = rng.uniform(size=len(t)) >= LEAVE_OUT
        keep[np.argmin(t)] = True
        pt = np.maximum(t[keep] + rng.normal(0.0, rel * span, keep.sum()), 0.0)
        ps = np.clip(s[keep] + rng.normal(0.0, rel, keep.sum()), 0.0, 1.0)
        rec = reconstruct_ipd(np.column_stack([pt, ps]), at_risk, n=n, total_events=total_events)
        out.append((np.asarray(rec.time), np.asarray(rec.event)))
    return out


def combined_interval(
    estimate: float, sampling_se: float, replicate_estimates: Sequence[float], level: float = 0.95
) -> tuple[float, float, float]:
    """``(low, high, digitization SD)`` of ``estimate ± z·√(SE² + SD²)``, SD the replicates' spread.

    On the scale the estimate is given in (a log hazard ratio, a survival probability, a time).
    """
    values = np.asarray([v for v in replicate_estimates if math.isfinite(v)], dtype=float)
    spread = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
    z = {0.9: 1.6448536269514722, 0.95: 1.959963984540054, 0.99: 2.5758293035489004}.get(level, 1.959963984540054)
    half = z * math.sqrt(sampling_se**2 + spread**2)
    return estimate - half, estimate + half, spread
