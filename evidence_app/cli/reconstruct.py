"""``evidence-app reconstruct``: patient-level data from a digitized curve and its numbers at risk."""

from __future__ import annotations

import argparse
import sys


def _reconstruct(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "reconstruct",
        help="patient-level data from a digitized Kaplan–Meier curve",
        description="Reconstruct patient-level data (time, event) from digitized curve points "
        "and the published numbers at risk.",
    )
    p.add_argument("--curve", required=True, metavar="CURVE.csv", help="header time,survival")
    p.add_argument("--at-risk", metavar="ATRISK.csv", help="header time,n_at_risk (optional when --n is given)")
    p.add_argument("--n", type=int, help="number of patients in the arm")
    p.add_argument("--events", type=int, help="total number of events reported")
    p.add_argument("--percent", action="store_true", help="survival is given in percent (0-100)")
    p.add_argument("--out", required=True, metavar="IPD.csv", help="output, header time,event")
    p.add_argument("--force", action="store_true", help="replace OUT if it exists")
    p.set_defaults(handler=run_reconstruct)


def run_reconstruct(args: argparse.Namespace) -> int:
    from evidence_app.core.atomic import write_text_atomic
    from evidence_app.core.reconstruction.curve_input import read_at_risk_csv, read_curve_csv
    from evidence_app.core.reconstruction.reconstruct import reconstruct_ipd
    from evidence_app.core.reconstruction.tidy import tidy_points
    from evidence_app.errors import InputError

    if args.at_risk is None and args.n is None:
        raise InputError("give the numbers at risk (--at-risk ATRISK.csv) or the arm size (--n N)")
    for name, value in (("--n", args.n), ("--events", args.events)):
        if value is not None and value < 0:
            raise InputError(f"{name} must be a count ≥ 0, got {value}")
    raw = read_curve_csv(args.curve)
    rows = [f"row {r}" for r in raw.attrs["rows"]]
    points = list(zip(raw["time"].tolist(), raw["survival"].tolist()))
    tidy = tidy_points(points, rows=rows, file=args.curve, curve="the curve", percent=True if args.percent else None)
    at_risk = read_at_risk_csv(args.at_risk) if args.at_risk else None
    result = reconstruct_ipd(tidy.frame(), at_risk, n=args.n, total_events=args.events)
    for warning in [*tidy.notes, *result.warnings]:
        print(f"warning: {warning}", file=sys.stderr)
    text = result.to_frame().to_csv(index=False, lineterminator="\n")
    write_text_atomic(args.out, text, overwrite=args.force)
    diag = result.diagnostics
    print(
        f"wrote {args.out}: {len(result.time)} patients, {int(result.event.sum())} events; "
        f"curve gap max {diag.max_gap:.4f}, mean {diag.mean_gap:.4f}",
        file=sys.stderr,
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    _reconstruct(sub)
