"""Nightly robustness run: many more fuzz cases, 200 simultaneous imports, and the worst single inputs.

Three parts, each printing its figures:

1. **Fuzz**: the test suite's fuzzers (``tests/robustness/test_fuzz_entry_points.py``: every CLI
   command's arguments and every kind of input file) with ``--scale`` times more cases, drawn afresh
   (not derandomized), in a child process; prints the cases tried, failures, time and the child's
   peak memory.
2. **Imports**: ``--writers`` processes (default 200) import a dataset with the same id at the same
   moment; prints how many were imported, refused and lost (the target: 1 imported, the rest refused,
   0 lost).
3. **Worst inputs**: each in its own process, with its peak memory (target < 2 GB) and time: a curve
   CSV of 100,000 rows with 1,000,000 patients, a 10-million-row curve CSV, a 50-megapixel figure,
   a 20 MB dataset file; with ``--ipd`` also a workbook export of 1,200,000 patient rows (slow).

Run: ``python benchmarks/fuzz_nightly.py [--scale 10] [--writers 200] [--ipd] [--skip fuzz,imports,worst]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TWO_GB = 2 * 1024**3


def run_child(argv: list[str]) -> tuple[int, int, float, str]:
    """Run one CLI command in a fresh process; return exit code, its peak bytes, seconds, first error line."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    code, _, stderr, peak, elapsed = run_measured([sys.executable, "-m", "evidence_app", *argv], env)
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    if "Traceback" in stderr:
        errors.insert(0, "TRACEBACK: " + stderr.strip().splitlines()[-1])
    return code, peak, elapsed, (errors[0] if errors else "")


def run_measured(cmd: list[str], env: dict[str, str]) -> tuple[int, str, str, int, float]:
    """Run ``cmd``; return exit code, stdout, stderr, that process's own peak memory (bytes) and seconds."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, env=env, cwd=REPO)
        _, status, usage = os.wait4(proc.pid, 0)  # the child's own rusage, not the maximum over all children
        proc.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return proc.returncode, out.read(), err.read(), usage.ru_maxrss * 1024, elapsed


def fuzz(scale: int) -> None:
    env = {**os.environ, "EVIDENCE_FUZZ_SCALE": str(scale), "EVIDENCE_FUZZ_CASE_SECONDS": "180"}
    test = "tests/robustness/test_fuzz_entry_points.py"
    code, stdout, stderr, peak, elapsed = run_measured(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test], env
    )
    total = re.search(r"total: (\d+)", stdout)
    summary = stdout.strip().splitlines()[-1] if stdout.strip() else stderr[-500:]
    print(f"fuzz (scale {scale}): {total[1] if total else '?'} cases in {elapsed:.0f} s; {summary}")
    print(f"  peak memory of the fuzzing process: {peak / 1e9:.2f} GB (target < 2 GB)")
    if code:
        print(stdout[-4000:])


def imports(writers: int) -> None:
    sys.path.insert(0, str(REPO))
    from tests.robustness.import_race import race

    with tempfile.TemporaryDirectory() as home:
        started = time.perf_counter()
        result = race(writers, Path(home))
        elapsed = time.perf_counter() - started
    outcomes = result["outcomes"]
    imported = [o for o in outcomes if o[1] == "imported"]
    refused = [o for o in outcomes if o[1] == "refused"]
    kept = result["titles"]
    lost = [o for o in imported if f"Imported by writer {o[0]}" not in kept.values()]
    print(
        f"imports: {writers} simultaneous writers of one id in {elapsed:.1f} s: {len(imported)} imported, "
        f"{len(refused)} refused with a message, {len(lost)} lost; files in the library: {result['files']}"
    )


def worst(ipd: bool) -> None:
    sys.path.insert(0, str(REPO))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = 100_000
        curve = folder / "curve-100k.csv"
        curve.write_text(
            "time,survival\n" + "".join(f"{i * 24 / rows:.5f},{1 - 0.7 * i / rows:.6f}\n" for i in range(rows))
        )
        huge = folder / "curve-10M.csv"
        with huge.open("w") as handle:
            handle.write("time,survival\n")
            block = "".join(f"{i * 1e-6:.6f},0.5\n" for i in range(100_000))
            for _ in range(100):
                handle.write(block)
        from tests.figure_support import km_figure, two_arms

        image = folder / "figure-50mpx.png"
        km_figure(two_arms(), dpi=1400).savefig(image)  # 8400 x 5600 = 47 Mpx
        from tests.test_schema import minimal

        dataset = minimal()
        dataset["notes"] = "x" * (19 * 1024 * 1024)
        big_json = folder / "dataset-19mb.json"
        big_json.write_text(json.dumps(dataset))
        cases = [
            (
                "100,000-row curve, 1,000,000 patients",
                ["reconstruct", "--curve", str(curve), "--n", "1000000"] + ["--out", str(folder / "ipd.csv")],
            ),
            (
                "10,000,000-row curve CSV (refused)",
                ["reconstruct", "--curve", str(huge), "--n", "100"] + ["--out", str(folder / "ipd2.csv")],
            ),
            (
                "--n 100000000 (refused)",
                ["reconstruct", "--curve", str(curve), "--n", "100000000"] + ["--out", str(folder / "ipd3.csv")],
            ),
            (
                "47-megapixel figure",
                ["digitize", "--image", str(image), "--x-range", "0,24", "--y-range", "0,1"]
                + ["--out", str(folder / "curves")],
            ),
            ("19 MB dataset file", ["validate", str(big_json)]),
        ]
        if ipd:
            cases.append(("1,200,000 patient rows to xlsx", ipd_export_argv(folder)))
        for name, argv in cases:
            code, peak, seconds, error = run_child(argv)
            verdict = "ok" if peak < TWO_GB else "OVER 2 GB"
            print(
                f"worst input: {name}: exit {code}, {seconds:.1f} s, peak {peak / 1e9:.2f} GB ({verdict}) {error[:140]}"
            )


def ipd_export_argv(folder: Path) -> list[str]:
    """Two user datasets of 300,000 patients per arm: 1,200,000 patient rows in all."""
    import numpy as np

    from tests.test_schema import minimal

    home = folder / "home"
    (home / "datasets").mkdir(parents=True)
    os.environ["EVIDENCE_APP_HOME"] = str(home)
    rng = np.random.default_rng(1)
    ids = []
    for k in range(2):
        data = minimal()
        data["id"] = f"big-ipd-{k}"
        n = 300_000
        arms = {}
        for arm in ("a", "b"):
            arms[arm] = {"time": np.round(rng.exponential(12, n), 3).tolist(), "event": rng.integers(0, 2, n).tolist()}
        data["curve"] = {"kind": "patient-level", "origin": "simulated for a benchmark", "arms": arms, "sources": ["p"]}
        for arm in data["arms"]:
            arm["n"]["value"] = n
        (home / "datasets" / f"{data['id']}.json").write_text(json.dumps(data))
        ids.append(data["id"])
    return ["export", *ids, "--with-ipd", "--out", str(folder / "ipd.xlsx")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=10, help="times the test suite's fuzz cases (default 10)")
    parser.add_argument("--writers", type=int, default=200, help="simultaneous imports (default 200)")
    parser.add_argument("--ipd", action="store_true", help="also export 1,200,000 patient rows (slow)")
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: fuzz, imports, worst")
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    if "fuzz" not in skip:
        fuzz(args.scale)
    if "imports" not in skip:
        imports(args.writers)
    if "worst" not in skip:
        worst(args.ipd)


if __name__ == "__main__":
    main()
