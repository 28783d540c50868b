"""Coarse digitizations of the kmdata development cases, made from their true patient-level data.

The careful cases in ``/work/shared/validation/kmdata-dev`` model a person who clicks both ends of
every visible drop with click noise of 0.3% of each axis. The coarse model is what a hurried user
or a low-resolution figure gives: click noise sd 0.8% of each axis range, and each visible drop on
an 800×500 px plot clicked (both ends) with probability 0.4. A visible drop is the set of event
times falling in one pixel column of the 800 px time axis (the plot cannot show them apart). The
curve starts at the exact point (0, 1) and ends at the last follow-up time when that is after the
last drop; points are written in click order (top then bottom of each drop, left to right), so
noise makes them go backwards in time or up in survival. At least one drop is always clicked.

Every case folder is copied (``case.json``, ``*.atrisk.csv``, ``*.truth.csv``) with new
``*.curve.csv`` files, and ``case.json`` records the model and the seed under ``digitization``.

Run: ``python benchmarks/coarse_digitizations.py [--source DIR] [--out DIR] [--seed 20261204]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evidence_app.core.reconstruction.reconstruct import km_steps

SOURCE = Path("/work/shared/validation/kmdata-dev")
OUT = Path("/tmp/kmdata-dev-coarse")
SEED = 20261204
NOISE = 0.008
CLICK_PROBABILITY = 0.4
PX_W, PX_H = 800, 500


def coarse_curve(time: np.ndarray, event: np.ndarray, axis_max: float, rng: np.random.Generator) -> np.ndarray:
    """Clicked points ``(k, 2)`` of one arm under the coarse model."""
    et, es = km_steps(time, event)
    before = np.r_[1.0, es[:-1]]
    column = np.floor(et / axis_max * PX_W)
    groups = np.unique(column)
    clicked = rng.uniform(size=len(groups)) < CLICK_PROBABILITY
    if len(groups) and not clicked.any():
        clicked[rng.integers(len(groups))] = True
    points = [(0.0, 1.0)]
    for g in groups[clicked]:
        idx = np.flatnonzero(column == g)
        points += [(et[idx[0]], before[idx[0]]), (et[idx[-1]], es[idx[-1]])]
    t_end = float(time.max())
    if not len(et) or t_end > et[-1]:
        points.append((t_end, float(es[-1]) if len(es) else 1.0))
    pts = np.array(points)
    pts[1:, 0] += rng.normal(0, NOISE * axis_max, len(pts) - 1)
    pts[1:, 1] += rng.normal(0, NOISE, len(pts) - 1)
    return pts


def read_truth(path: Path) -> tuple[np.ndarray, np.ndarray]:
    rows = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    return rows[:, 0], rows[:, 1].astype(int)


def make_case(case_dir: Path, out_dir: Path, rng: np.random.Generator, seed: int) -> dict[str, int]:
    case = json.loads((case_dir / "case.json").read_text())
    out_dir.mkdir(parents=True, exist_ok=True)
    clicked: dict[str, int] = {}
    for arm in case["arms"]:
        stem = case["arm_files"][arm]
        for suffix in ("atrisk", "truth"):
            shutil.copyfile(case_dir / f"{stem}.{suffix}.csv", out_dir / f"{stem}.{suffix}.csv")
        time, event = read_truth(case_dir / f"{stem}.truth.csv")
        pts = coarse_curve(time, event, float(case["axis_max"]), rng)
        lines = ["time,survival"] + [f"{t:.5f},{s:.5f}" for t, s in pts]
        (out_dir / f"{stem}.curve.csv").write_text("\n".join(lines) + "\n")
        clicked[arm] = (len(pts) - 1) // 2
    case["digitization"] = {
        "variant": "coarse",
        "noise_x": NOISE,
        "noise_y": NOISE,
        "click_probability": CLICK_PROBABILITY,
        "px_w": PX_W,
        "px_h": PX_H,
        "seed": seed,
        "generator": "benchmarks/coarse_digitizations.py",
        "drops_clicked": clicked,
    }
    (out_dir / "case.json").write_text(json.dumps(case, indent=1))
    return clicked


def generate(source: Path, out: Path, seed: int) -> int:
    """Write the coarse variant of every case in ``source`` to ``out``; returns the number of cases.

    One generator seeded with ``seed`` is used over the cases in sorted order, so a seed gives one set.
    """
    rng = np.random.default_rng(seed)
    cases = sorted(p for p in source.iterdir() if (p / "case.json").exists())
    for case_dir in cases:
        make_case(case_dir, out / case_dir.name, rng, seed)
    return len(cases)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    count = generate(args.source, args.out, args.seed)
    print(
        f"wrote {count} coarse cases to {args.out} (seed {args.seed}, noise {NOISE:.1%}, p(click) {CLICK_PROBABILITY})"
    )


if __name__ == "__main__":
    main()
