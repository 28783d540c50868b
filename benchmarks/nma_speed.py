"""How long a network meta-analysis takes: 30 treatments, 100 studies of which ten have three arms (target ≤ 0.5 s).

The network is simulated (seeded): a chain through all treatments so it is connected, then random pairs; the
three-arm studies get arm variances so their contrasts are consistent, as real trials are. Timed: checking the
input (prepare_network) plus the whole fit (run_network: common and random models, τ², Q decomposition by design,
node-splitting), and each model's P-scores and league table, with DL and with REML. Imports and scipy's first use
are paid before timing (a running app has them). The median and the worst of ``--repeat`` runs are printed.

Run: ``python benchmarks/nma_speed.py [--repeat N] [--treatments T] [--studies S] [--three-arm K]``.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from evidence_app.core.synthesis.network import run_network
from evidence_app.core.synthesis.network_input import Contrast, prepare_network

TARGET_SECONDS = 0.5


def simulate(treatments: int, studies: int, three_arm: int, seed: int = 16) -> list[Contrast]:
    rng = np.random.default_rng(seed)
    names = [f"T{i:02d}" for i in range(treatments)]
    effect = dict(zip(names, rng.normal(0, 0.3, treatments)))
    arms_of: list[list[str]] = [[names[i], names[i + 1]] for i in range(treatments - 1)]
    while len(arms_of) < studies:
        size = 3 if len(arms_of) - (treatments - 1) < three_arm else 2
        arms_of.append(list(rng.choice(names, size=size, replace=False)))
    contrasts = []
    for s, arms in enumerate(arms_of):
        variance = {a: float(rng.uniform(0.005, 0.03)) for a in arms}
        shift = {a: float(rng.normal(0, 0.15)) for a in arms}  # heterogeneity
        for i, a in enumerate(arms):
            for b in arms[i + 1 :]:
                se = math.sqrt(variance[a] + variance[b])
                y = effect[a] + shift[a] - effect[b] - shift[b]
                contrasts.append(Contrast(f"S{s:03d}", a, b, y, se))
    return contrasts


def run(contrasts: list[Contrast], tau: str) -> float:
    start = time.perf_counter()
    result = run_network(prepare_network(contrasts), "T00", tau_method=tau)
    for model in ("common", "random"):
        result.pscores(model)
        result.league(model)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--treatments", type=int, default=30)
    parser.add_argument("--studies", type=int, default=100)
    parser.add_argument("--three-arm", type=int, default=10)
    args = parser.parse_args()
    contrasts = simulate(args.treatments, args.studies, args.three_arm)
    data = prepare_network(contrasts)
    warm = run_network(data, "T00")
    print(
        f"network: {len(data.treatments)} treatments, {len(data.studies)} studies "
        f"({sum(len(a) == 3 for a in warm.layout.study_arms)} three-arm), {len(contrasts)} contrasts, "
        f"{len(warm.decomposition.designs)} designs, {sum(len(s) for s in warm.splits.values())} node-splits; "
        f"tau² DL {warm.tau2:.4f}"
    )
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    worst = 0.0
    for tau in ("DL", "REML"):
        times = [run(contrasts, tau) for _ in range(args.repeat)]
        worst = max(worst, max(times))
        print(
            f"{tau:>4}: median {statistics.median(times) * 1000:.0f} ms, worst {max(times) * 1000:.0f} ms "
            f"of {args.repeat} (target {TARGET_SECONDS * 1000:.0f} ms)"
        )
    print("within target" if worst <= TARGET_SECONDS else "SLOWER than the target")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
