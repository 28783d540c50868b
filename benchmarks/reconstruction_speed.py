"""Speed of IPD reconstruction: arms of 100, 1,000 and 10,000 patients, 300 digitized points, 12 at-risk rows.

Run: ``python benchmarks/reconstruction_speed.py [--repeats N]``. Prints the median time per arm
for our method and the plain Guyot (2012) baseline. Targets: 1,000 patients < 20 ms, 10,000 < 200 ms.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evidence_app.core.reconstruction.guyot import guyot_ipd
from evidence_app.core.reconstruction.reconstruct import km_curve, reconstruct_ipd


def make_arm(n: int, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A Weibull arm with uniform censoring, digitized as 300 points (both ends of 150 drops)."""
    t = 12 * rng.weibull(1.2, n)
    c = rng.uniform(6, 48, n)
    time_, event = np.minimum(t, c), (t <= c).astype(int)
    et, es = km_curve(time_, event)
    pick = np.unique(np.linspace(0, len(et) - 1, min(149, len(et))).astype(int))
    before = np.r_[1.0, es[:-1]]
    pts = [(0.0, 1.0)] + [p for i in pick for p in ((et[i], before[i]), (et[i], es[i]))]
    pts.append((float(time_.max()), float(es[-1])))
    pts = np.array(pts)[:300]
    pts[1:] += rng.normal(0, [0.003 * 48, 0.003], (len(pts) - 1, 2))
    curve = pd.DataFrame({"time": np.abs(pts[:, 0]), "survival": pts[:, 1]})
    times = np.arange(12) * 4.0
    at_risk = pd.DataFrame({"time": times, "n_at_risk": n - np.searchsorted(np.sort(time_), times, side="left")})
    return curve, at_risk


def median_ms(fn: object, curve: pd.DataFrame, at_risk: pd.DataFrame, repeats: int) -> float:
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(curve, at_risk)  # type: ignore[operator]
        runs.append(time.perf_counter() - start)
    return 1000 * float(np.median(runs))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(1)
    print(f"{'patients':>9} {'points':>7} {'ours ms':>9} {'guyot ms':>9}")
    for n in (100, 1_000, 10_000):
        curve, at_risk = make_arm(n, rng)
        reconstruct_ipd(curve, at_risk)  # warm-up
        ours = median_ms(reconstruct_ipd, curve, at_risk, args.repeats)
        base = median_ms(guyot_ipd, curve, at_risk, args.repeats)
        print(f"{n:>9,} {len(curve):>7} {ours:>9.1f} {base:>9.1f}")


if __name__ == "__main__":
    main()
