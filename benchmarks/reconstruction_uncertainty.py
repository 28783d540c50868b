"""Coverage of the reconstruction interval for the hazard ratio on the kmdata development cases.

For each case both arms are reconstructed, the Cox log HR and its SE computed, and the arms re-run on
``--replicates`` perturbed digitizations (``core.reconstruction.uncertainty``). Printed per set:
how often the true-IPD log HR lies in (a) the usual 95% CI of the reconstructed HR, (b) the
digitization-only interval (± 1.96 SD of the replicates) and (c) the combined interval
(± 1.96 √(SE² + SD²)), with median widths on the log scale.

Run: ``python benchmarks/reconstruction_uncertainty.py [--limit N] [--replicates R] [DIR ...]``
(default: the careful set and ``/tmp/kmdata-dev-coarse`` from ``coarse_digitizations.py``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evidence_app.core.reconstruction.csv_readers import read_at_risk_csv, read_curve_csv
from evidence_app.core.reconstruction.reconstruct import reconstruct_ipd
from evidence_app.core.reconstruction.uncertainty import combined_interval, digitization_replicates
from evidence_app.core.stats.survival_numpy import two_arm_cox

SETS = [Path("/work/shared/validation/kmdata-dev"), Path("/tmp/kmdata-dev-coarse")]
Z = 1.959963984540054


def case_row(case_dir: Path, replicates: int) -> tuple[float, float, float, float] | None:
    """True log HR, reconstructed log HR, its SE and the replicates' SD; None when a Cox fit fails."""
    case = json.loads((case_dir / "case.json").read_text())
    order = [case.get("experimental", case["arms"][0]), case.get("control", case["arms"][1])]
    rec, reps = [], []
    for k, arm in enumerate(order):
        stem = case["arm_files"][arm]
        curve = read_curve_csv(case_dir / f"{stem}.curve.csv")
        table = read_at_risk_csv(case_dir / f"{stem}.atrisk.csv")
        r = reconstruct_ipd(curve, table)
        rec.append((r.time, r.event))
        reps.append(digitization_replicates(curve, table, replicates=replicates, seed=k))
    fit = two_arm_cox(rec[0][0], rec[0][1], rec[1][0], rec[1][1])
    truth = case["between"]
    if fit is None or not truth.get("ok"):
        return None
    rep_hr = [two_arm_cox(a[0], a[1], b[0], b[1]) for a, b in zip(*reps)]
    _, _, spread = combined_interval(fit.coef, fit.se, [f.coef for f in rep_hr if f is not None])
    return float(truth["log_hr"]), fit.coef, fit.se, spread


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path, default=SETS)
    parser.add_argument("--limit", type=int, default=None, help="first N cases of each set")
    parser.add_argument("--replicates", type=int, default=20)
    args = parser.parse_args(argv)
    for folder in args.sets:
        if not folder.exists():
            print(f"{folder}: missing (run benchmarks/coarse_digitizations.py for the coarse set)")
            continue
        start = time.perf_counter()
        cases = sorted(p for p in folder.iterdir() if (p / "case.json").exists())[: args.limit]
        rows = np.array([r for r in (case_row(c, args.replicates) for c in cases) if r is not None])
        truth, est, se, sd = rows.T
        miss = np.abs(truth - est)
        combined = np.sqrt(se**2 + sd**2)
        print(f"\n{folder} ({len(rows)} cases, {args.replicates} replicates, {time.perf_counter() - start:.0f} s)")
        print(f"{'interval (log HR, 95%)':<34} {'covers true-IPD HR':>18} {'median width':>13}")
        for name, half in (
            ("usual CI (sampling only)", Z * se),
            ("digitization only", Z * sd),
            ("combined", Z * combined),
        ):
            print(f"{name:<34} {np.mean(miss <= half):>17.1%} {np.median(2 * half):>13.3f}")
        print(f"{'':<34} median digitization SD {np.median(sd):.4f}, median |Δ log HR| {np.median(miss):.4f}")


if __name__ == "__main__":
    main()
