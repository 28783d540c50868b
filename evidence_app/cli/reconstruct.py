"""``evidence-app reconstruct``: patient-level data from digitized curves and their numbers at risk.

One arm (``--curve/--at-risk/--out``), several pairs in one call (repeat the three options), or a
manifest of many arms (``--manifest ARMS.csv``): arms run in parallel across the cores, with a
progress bar on a terminal and a summary table at the end. A bad arm is reported on one line with
its manifest line (or argument pair) while the others run; the exit code is non-zero only when no
arm succeeded.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from typing import TYPE_CHECKING

from evidence_app.cli.common import terminal_progress
from evidence_app.core import limits
from evidence_app.core.progress import report

if TYPE_CHECKING:
    from evidence_app.core.reconstruction.batch import ArmJob, ArmOutcome


def _reconstruct(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "reconstruct",
        help="patient-level data from digitized Kaplan–Meier curves",
        epilog=f"Limits: CSV files up to {limits.MAX_CSV_BYTES // 2**20} MB and {limits.MAX_CSV_ROWS:,} rows, at "
        f"most {limits.MAX_PATIENTS:,} patients per arm, times up to {limits.MAX_TIME:,.0f}; a numbers-at-risk table "
        "needs a count above 0 and no negative time.",
        description="Reconstruct patient-level data (time, event) from digitized curve points and the published "
        "numbers at risk: one arm, several --curve/--at-risk/--out triples, or a --manifest of many arms.",
    )
    p.add_argument("--curve", action="append", metavar="CURVE.csv", help="header time,survival (repeatable)")
    p.add_argument("--at-risk", action="append", metavar="ATRISK.csv", help="header time,n_at_risk (optional with --n)")
    p.add_argument("--n", type=int, help=f"number of patients in the arm (one arm; 1 to {limits.MAX_PATIENTS:,})")
    p.add_argument("--events", type=int, action="append", help="total number of events reported (one per curve)")
    p.add_argument(
        "--percent", action="store_true", help="survival is given in percent (0-100); refused if no value is above 1"
    )
    p.add_argument(
        "--median", type=float, action="append", help="published median, in the curve's time unit (one per curve)"
    )
    p.add_argument("--out", action="append", metavar="IPD.csv", help="output, header time,event (one per curve)")
    p.add_argument(
        "--manifest", metavar="ARMS.csv", help="CSV with columns curve, at-risk, output and optional events, n, median"
    )
    p.add_argument("--jobs", type=int, default=0, help="worker processes (default: the number of cores)")
    p.add_argument("--force", action="store_true", help="replace outputs that exist")
    p.set_defaults(handler=run_reconstruct)


def run_reconstruct(args: argparse.Namespace) -> int:
    from evidence_app.core.reconstruction.batch import read_manifest
    from evidence_app.errors import InputError

    jobs, failed = ([], []) if args.manifest is None else read_manifest(args.manifest, force=args.force)
    if args.curve:
        jobs += _argument_jobs(args)
    elif args.manifest is None:
        raise InputError("give --curve CURVE.csv with --at-risk and --out, or --manifest ARMS.csv")
    outcomes: list[ArmOutcome] = sorted([*failed, *_run_all(jobs, args.jobs)], key=lambda o: o.order)
    single = len(jobs) == 1 and not failed and args.manifest is None
    for outcome in outcomes:
        if not outcome.ok:
            print(f"error: {outcome.where}: {outcome.message}", file=sys.stderr)
        elif single:
            for warning in outcome.warnings:
                print(f"warning: {warning}", file=sys.stderr)
    if single:
        done = outcomes[0]
        if done.ok:
            print(f"wrote {done.output}: {done.patients} patients, {done.events} events", file=sys.stderr)
        return 0 if done.ok else 1
    _summary(outcomes)
    return 0 if any(o.ok for o in outcomes) else 1


def _argument_jobs(args: argparse.Namespace) -> list[ArmJob]:
    from pathlib import Path

    from evidence_app.core.reconstruction.batch import ArmJob
    from evidence_app.errors import InputError

    curves, outs = args.curve, args.out or []
    at_risk = args.at_risk or []
    events = args.events or []
    if len(outs) != len(curves):
        raise InputError(f"give one --out per --curve ({len(curves)} curves, {len(outs)} outputs)")
    if at_risk and len(at_risk) != len(curves):
        raise InputError(f"give one --at-risk per --curve ({len(curves)} curves, {len(at_risk)} at-risk files)")
    if not at_risk and args.n is None:
        raise InputError("give the numbers at risk (--at-risk ATRISK.csv) or the arm size (--n N)")
    if events and len(events) != len(curves):
        raise InputError(f"give one --events per --curve or none ({len(curves)} curves, {len(events)} totals)")
    medians = args.median or []
    if medians and len(medians) != len(curves):
        raise InputError(f"give one --median per --curve or none ({len(curves)} curves, {len(medians)} medians)")
    if any(not m > 0 for m in medians):
        raise InputError(f"--median must be a positive time, got {', '.join(f'{m:g}' for m in medians)}")
    for name, values in (("--n", [args.n] if args.n is not None else []), ("--events", events)):
        for value in values:
            if value < 0:
                raise InputError(f"{name} must be a count ≥ 0, got {value}")
    return [
        ArmJob(
            f"arm {i + 1} ({curves[i]})" if len(curves) > 1 else curves[i],
            Path(curves[i]),
            Path(at_risk[i]) if at_risk else None,
            Path(outs[i]),
            events[i] if events else None,
            args.n,
            percent=args.percent,
            median=medians[i] if medians else None,
            force=args.force,
            order=100_000 + i,
        )
        for i in range(len(curves))
    ]


def _run_all(jobs: list[ArmJob], workers: int) -> list[ArmOutcome]:
    """Every job's outcome, in order; several processes when there are enough arms to pay for them."""
    from evidence_app.core.reconstruction.batch import run_job

    workers = workers or os.cpu_count() or 1
    outcomes: list[ArmOutcome] = []
    with terminal_progress() if len(jobs) > 1 else contextlib.nullcontext() as progress:

        def done(outcome: ArmOutcome) -> None:
            outcomes.append(outcome)
            report(progress, len(outcomes) / len(jobs), f"{len(outcomes)}/{len(jobs)} arms")

        if len(jobs) < 8 or workers < 2:
            for job in jobs:
                done(run_job(job))
        else:
            import multiprocessing

            context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
            with context.Pool(min(workers, len(jobs))) as pool:
                for outcome in pool.imap(run_job, jobs, chunksize=max(1, len(jobs) // (8 * workers))):
                    done(outcome)
    return outcomes


def _summary(outcomes: list[ArmOutcome]) -> None:
    """The summary table on stdout: one line per arm, then the counts."""
    ok = [o for o in outcomes if o.ok]
    width = min(max((len(o.where) for o in outcomes), default=4), 60)
    print(f"{'arm':<{width}}  {'result':<6}  {'patients':>8}  {'events':>6}  {'warnings':>8}  output")
    for o in outcomes:
        where = o.where if len(o.where) <= width else "…" + o.where[-width + 1 :]
        if o.ok:
            print(f"{where:<{width}}  {'ok':<6}  {o.patients:>8}  {o.events:>6}  {len(o.warnings):>8}  {o.output}")
        else:
            print(f"{where:<{width}}  {'FAILED':<6}  {'':>8}  {'':>6}  {'':>8}  {o.message}")
    print(
        f"{len(ok)} of {len(outcomes)} arms reconstructed"
        + (f"; failed: {', '.join(o.where for o in outcomes if not o.ok)}" if len(ok) < len(outcomes) else "")
    )


def register(sub: argparse._SubParsersAction) -> None:
    _reconstruct(sub)
