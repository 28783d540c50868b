"""Speed of IPD reconstruction: arms of 100, 1,000 and 10,000 patients, 300 digitized points, 12 at-risk rows.

Run: ``python benchmarks/reconstruction_speed.py [--repeats N] [--validation DIR ...]``. Prints the median
time per arm for our method and the plain Guyot (2012) baseline. Targets: 1,000 patients < 20 ms, 10,000 <
200 ms. With the kmdata development cases present (careful, and the coarse set of
``coarse_digitizations.py``), also the median and p90 time per arm over their 368 arms, with and without
the event totals (target: median ≤ 2 ms), as wall time and as the process's CPU time (robust to other
jobs on a shared machine).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evidence_app.core.reconstruction.guyot import guyot_ipd
from evidence_app.core.reconstruction.reconstruct import km_steps, reconstruct_ipd


def make_arm(n: int, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A Weibull arm with uniform censoring, digitized as 300 points (both ends of 150 drops)."""
    t = 12 * rng.weibull(1.2, n)
    c = rng.uniform(6, 48, n)
    time_, event = np.minimum(t, c), (t <= c).astype(int)
    et, es = km_steps(time_, event)
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


def dev_arms(folder: Path) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """Curve and at-risk arrays and the true event total of every arm of a kmdata-style folder."""
    arms = []
    for case_dir in sorted(p for p in folder.iterdir() if (p / "case.json").exists()):
        case = json.loads((case_dir / "case.json").read_text())
        for arm in case["arms"]:
            stem = case["arm_files"][arm]
            curve = np.loadtxt(case_dir / f"{stem}.curve.csv", delimiter=",", skiprows=1, ndmin=2)
            table = np.loadtxt(case_dir / f"{stem}.atrisk.csv", delimiter=",", skiprows=1, ndmin=2)
            truth = np.loadtxt(case_dir / f"{stem}.truth.csv", delimiter=",", skiprows=1, ndmin=2)
            arms.append((curve, table, int(truth[:, 1].sum())))
    return arms


def dev_timing(folder: Path) -> None:
    arms = dev_arms(folder)
    for with_events in (False, True):
        wall, cpu = [], []
        for curve, table, events in arms:
            w, c = time.perf_counter(), time.process_time()
            reconstruct_ipd(curve, table, total_events=events if with_events else None)
            wall.append(time.perf_counter() - w)
            cpu.append(time.process_time() - c)
        print(
            f"{folder.name:<22} {'with events' if with_events else 'no events':<12} {len(arms):>5} arms  wall ms "
            f"median {1000 * np.median(wall):5.2f} p90 {1000 * np.quantile(wall, 0.9):5.2f}   CPU ms median "
            f"{1000 * np.median(cpu):5.2f} p90 {1000 * np.quantile(cpu, 0.9):5.2f}"
        )


DEV_SETS = [Path("/work/shared/validation/kmdata-dev"), Path("/tmp/kmdata-dev-coarse")]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--validation", type=Path, nargs="*", default=DEV_SETS)
    args = parser.parse_args(argv)
    for folder in args.validation:
        if folder.exists():
            dev_timing(folder)
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
