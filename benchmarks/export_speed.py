"""How long the exports take for every bundled dataset, with figures (target: workbook and Word
report together ≤ 5 s).

Rendered figures are kept between exports (:mod:`evidence_app.export.figure_cache`), so every
export of both formats is timed *cold* (an empty figure cache, as after an update or for a new
selection) and *warm* (the same selection exported again). Times each stage separately —
analysing the datasets, drawing the figures (one at a time, in this process), and the whole
export (which includes both, with the figures rendered by worker processes where that is safe;
``--workers 1`` draws them here) — so a slow export can be traced to its part. Imports are paid
before timing starts (a warm app has them loaded). CPU time counts the worker processes too;
wall time on a busy machine does not mean much, so the load average is printed alongside.

``--from-thread`` runs every export from a worker thread, as the GUI does: forking is then not
safe, and the figures come from a fork server's workers (see ``figure_pool``); the first export
of the session pays for starting the server.

Run: ``python benchmarks/export_speed.py [--repeat N] [--workers N] [--with-ipd] [--from-thread] [--out FILE.xlsx]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evidence_app.core.datasets.library import load_library
from evidence_app.core.stats.analysis import analyze_dataset
from evidence_app.export.figure_pool import default_workers
from evidence_app.export.outputs import export_outputs
from evidence_app.export.prepare import ExportOptions
from evidence_app.export.sheets import AnalyzedDataset
from evidence_app.export.sheets_figures import render_km
from evidence_app.export.workbook import analyze_for_export, export_workbook

TARGET_SECONDS = 5.0


def _warm_up(datasets: list) -> None:
    """Load lifelines, matplotlib's fonts and the Agg renderer once, as a running app has."""
    with_curve = next(d for d in datasets if d.curve.kind != "none")
    analysis = analyze_dataset(with_curve)
    render_km(AnalyzedDataset(with_curve, analysis))


def _in_thread(function, *args, **kwargs):
    """``function(*args, **kwargs)`` in a worker thread, as the GUI runs an export."""
    out, errors = [], []

    def run() -> None:
        try:
            out.append(function(*args, **kwargs))
        except BaseException as exc:  # re-raised in the calling thread
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return out[0]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, help="figure worker processes (default: one per core where safe)")
    parser.add_argument("--with-ipd", action="store_true")
    parser.add_argument("--from-thread", action="store_true", help="export from a worker thread, as the GUI does")
    parser.add_argument("--out", type=Path, help="keep the workbook here (default: a temporary folder)")
    args = parser.parse_args()

    datasets = load_library(include_user=False).datasets
    _warm_up(datasets)
    t, c = time.perf_counter(), time.process_time()
    items = analyze_for_export(datasets)
    analysis_s, analysis_cpu = time.perf_counter() - t, time.process_time() - c
    drawable = [i for i in items if i.analysis is not None and i.analysis.curve_kinds]
    t, c = time.perf_counter(), time.process_time()
    for item in drawable:
        render_km(item)  # as the export draws it (85 mm wide)
    figures_s, figures_cpu = time.perf_counter() - t, time.process_time() - c

    totals, cpu = [], []
    call = _in_thread if args.from_thread else (lambda function, *a, **k: function(*a, **k))
    workers = args.workers or (call(default_workers, len(drawable) + 2))
    with tempfile.TemporaryDirectory() as folder:
        path = args.out or Path(folder) / "all.xlsx"
        for run in range(args.repeat):
            os.environ["EVIDENCE_APP_HOME"] = str(Path(folder) / f"cold-{run}")  # an empty figure cache
            t, c, k = time.perf_counter(), time.process_time(), _children_cpu()
            summary = call(
                export_workbook,
                datasets,
                path,
                with_figures=True,
                with_ipd=args.with_ipd,
                pool_methods=("REML",),
                overwrite=True,
                workers=workers,
            )
            totals.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c + _children_cpu() - k)
        size_mb = path.stat().st_size / 1e6
        both: dict[str, list[tuple[float, float]]] = {"cold": [], "warm": []}
        for run in range(args.repeat):
            os.environ["EVIDENCE_APP_HOME"] = str(Path(folder) / f"both-{run}")
            for state in ("cold", "warm"):
                t, c, k = time.perf_counter(), time.process_time(), _children_cpu()
                options = ExportOptions(with_figures=True, overwrite=True, workers=workers)
                call(
                    export_outputs,
                    datasets,
                    xlsx=Path(folder) / "both.xlsx",
                    docx=Path(folder) / "both.docx",
                    options=options,
                )
                both[state].append((time.perf_counter() - t, time.process_time() - c + _children_cpu() - k))
    median = statistics.median(totals)
    # A fork server's workers are its children, not ours: their CPU time is not seen here.
    cpu_label = "of this process only" if args.from_thread and workers > 1 else "incl. workers"
    print(
        f"datasets: {len(datasets)}; KM figures: {len(drawable)}; embedded figures: {summary.figures}; "
        f"file {size_mb:.1f} MB"
    )
    print(
        f"analyses (all datasets):  {analysis_s:6.2f} s  ({analysis_s / len(datasets) * 1000:.0f} ms each; "
        f"CPU {analysis_cpu:.2f} s)"
    )
    print(
        f"KM figures (render only): {figures_s:6.2f} s  ({figures_s / max(len(drawable), 1) * 1000:.0f} ms each; "
        f"CPU {figures_cpu:.2f} s; one process)"
    )
    print(
        f"workbook alone (cold), {workers} figure process{'es' if workers > 1 else ''}"
        f"{' (fork server, from a thread)' if args.from_thread and workers > 1 else ''}, median of {args.repeat}: "
        f"{median:6.2f} s  (runs: {', '.join(f'{x:.2f}' for x in totals)}; CPU {cpu_label} "
        f"{statistics.median(cpu):.2f} s; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)"
    )
    for state, runs in both.items():
        wall = statistics.median(r[0] for r in runs)
        print(
            f"workbook + Word report, {state} figure cache, median of {args.repeat}: {wall:6.2f} s "
            f"(runs: {', '.join(f'{r[0]:.2f}' for r in runs)}; "
            f"CPU {cpu_label} {statistics.median(r[1] for r in runs):.2f} s)"
        )
        print(f"  target ≤ {TARGET_SECONDS:.0f} s ({state}): {'met' if wall <= TARGET_SECONDS else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
