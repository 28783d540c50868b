"""Headless subcommands beyond listing and validation: reconstruct, analyze, pool.

Each is a thin shell around a core function that the GUI calls too.
"""

from __future__ import annotations

import argparse
import json
import sys

from evidence_app.cli import subcommand


@subcommand
def _reconstruct(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("reconstruct", help="patient-level data from a digitized Kaplan–Meier curve",
                       description="Reconstruct patient-level data (time, event) from digitized curve points "
                       "and the published numbers at risk.")
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
    from evidence_app.core.curve_input import read_at_risk_csv, read_curve_csv
    from evidence_app.core.reconstruct import reconstruct_ipd
    from evidence_app.errors import InputError

    if args.at_risk is None and args.n is None:
        raise InputError("give the numbers at risk (--at-risk ATRISK.csv) or the arm size (--n N)")
    for name, value in (("--n", args.n), ("--events", args.events)):
        if value is not None and value < 0:
            raise InputError(f"{name} must be a count ≥ 0, got {value}")
    curve = read_curve_csv(args.curve, percent=args.percent)
    at_risk = read_at_risk_csv(args.at_risk) if args.at_risk else None
    result = reconstruct_ipd(curve, at_risk, n=args.n, total_events=args.events)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    text = result.to_frame().to_csv(index=False, lineterminator="\n")
    write_text_atomic(args.out, text, overwrite=args.force)
    diag = result.diagnostics
    print(f"wrote {args.out}: {len(result.time)} patients, {int(result.event.sum())} events; "
          f"curve gap max {diag.max_gap:.4f}, mean {diag.mean_gap:.4f}", file=sys.stderr)
    return 0


@subcommand
def _analyze(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("analyze", help="per-arm and per-comparison results for one dataset")
    p.add_argument("dataset_id", metavar="DATASET_ID")
    p.add_argument("--horizon", type=float, help="RMST horizon in the dataset's time unit")
    p.add_argument("--landmarks", help="comma-separated landmark times (default 6,12,24 months)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=run_analyze)


def run_analyze(args: argparse.Namespace) -> int:
    from evidence_app.core.analysis import analyze_dataset
    from evidence_app.core.analysis_report import analysis_text, analysis_to_dict
    from evidence_app.core.library import load_library
    from evidence_app.errors import InputError

    dataset = load_library().get(args.dataset_id)
    landmarks = None
    if args.landmarks:
        try:
            landmarks = tuple(float(x) for x in args.landmarks.split(","))
        except ValueError:
            raise InputError(f"--landmarks {args.landmarks!r}: expected numbers separated by commas") from None
    if args.horizon is not None and args.horizon <= 0:
        raise InputError(f"--horizon must be > 0, got {args.horizon}")
    result = analyze_dataset(dataset, landmarks=landmarks, horizon=args.horizon)
    if args.json:
        print(json.dumps(analysis_to_dict(result), indent=1, ensure_ascii=False))
    else:
        print(analysis_text(result))
    return 0


@subcommand
def _pool(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("pool", help="pool hazard ratios from a CSV of effects",
                       description="EFFECTS.csv: study,hr,lower,upper[,ci_level][,subgroup] or "
                       "study,log_hr,se[,subgroup].")
    p.add_argument("effects", metavar="EFFECTS.csv")
    p.add_argument("--method", default="REML", choices=["fixed", "DL", "REML", "PM"], type=_method)
    p.add_argument("--hk", action="store_true", help="Hartung–Knapp(–Sidik–Jonkman) adjustment")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=run_pool)


def _method(text: str) -> str:
    lookup = {"fixed": "fixed", "fe": "fixed", "dl": "DL", "reml": "REML", "pm": "PM"}
    return lookup.get(text.lower(), text)


def run_pool(args: argparse.Namespace) -> int:
    from evidence_app.core.effects import read_effects_csv
    from evidence_app.core.meta import pool, pool_subgroups, pooled_to_dict
    from evidence_app.core.pool_report import pooled_text

    effects, problems = read_effects_csv(args.effects)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    pooled = pool(effects, method=args.method, hk=args.hk)
    groups = None
    if any(e.subgroup for e in effects) and len({e.subgroup for e in effects}) > 1:
        groups = pool_subgroups(effects, method=args.method, hk=args.hk)
    if args.json:
        out = pooled_to_dict(pooled)
        if groups is not None:
            out["subgroups"] = {name: pooled_to_dict(g) for name, g in groups.groups.items()}
            out["subgroup_difference"] = {"q": groups.q_between, "df": groups.df_between, "p": groups.p_between}
        out["problems"] = [str(p) for p in problems]
        print(json.dumps(out, indent=1))
    else:
        print(pooled_text(pooled, groups))
    return 1 if problems else 0


@subcommand
def _pool_datasets(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("pool-datasets", help="pool library datasets: published HRs next to patient-level pooling")
    p.add_argument("dataset_ids", nargs="+", metavar="DATASET_ID")
    p.add_argument("--method", default="REML", choices=["fixed", "DL", "REML", "PM"], type=_method)
    p.add_argument("--hk", action="store_true", help="Hartung–Knapp(–Sidik–Jonkman) adjustment")
    p.add_argument("--as-published", action="store_true",
                   help="keep each HR's published direction (default: the mTOR-inhibitor arm is experimental)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=run_pool_datasets)


def run_pool_datasets(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from evidence_app.core.dataset_pooling import pool_datasets
    from evidence_app.core.library import load_library
    from evidence_app.core.meta import pooled_to_dict
    from evidence_app.core.pool_report import pooled_block

    library = load_library()
    datasets = [library.get(i) for i in args.dataset_ids]
    result = pool_datasets(datasets, method=args.method, hk=args.hk, orient_mtor=not args.as_published)
    if args.json:
        print(json.dumps({
            "published": pooled_to_dict(result.published) if result.published else None,
            "ipd_two_stage": pooled_to_dict(result.ipd_two_stage) if result.ipd_two_stage else None,
            "ipd_one_stage": asdict(result.ipd_one_stage) if result.ipd_one_stage else None,
            "notes": list(result.notes)}, indent=1))
        return 0
    lines = []
    lines += pooled_block(result.published, "Published HRs") if result.published else ["Published HRs: none poolable"]
    if result.ipd_two_stage:
        lines += [""] + pooled_block(result.ipd_two_stage, "Patient-level, two-stage")
    if result.ipd_one_stage:
        h = result.ipd_one_stage
        lines += ["", f"Patient-level, one-stage: HR {h.hr:.2f} ({h.lower:.2f}–{h.upper:.2f}) [{h.method}]"]
    lines += [""] + [f"note: {n}" for n in result.notes]
    print("\n".join(lines))
    return 0
