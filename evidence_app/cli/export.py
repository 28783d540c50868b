"""``evidence-app export``: the comparison workbook (or its Comparison table as CSV), headless.

A thin shell around :func:`evidence_app.export.workbook.export_workbook`, the function the
GUI's export dialog runs in a worker.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evidence_app.cli.common import HK_HELP, methods_arg
from evidence_app.core.synthesis.methods import method_keys


def _export(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="write the comparison workbook (.xlsx) or its Comparison table (.csv)",
        description="Export datasets to an Excel workbook: Comparison, Forest, Survival tables, Sources, "
        "Methods (and Patient data, figures on request). Nothing is written unless the whole export succeeds.",
    )
    p.add_argument(
        "dataset_ids", nargs="*", metavar="DATASET_ID", help="datasets to export (see 'evidence-app datasets')"
    )
    p.add_argument("--all", action="store_true", help="export every dataset in the library")
    p.add_argument("--out", required=True, metavar="FILE", help="FILE.xlsx (or FILE.csv with --format csv)")
    p.add_argument(
        "--pool",
        action="append",
        type=methods_arg,
        metavar="METHODS",
        help="pooling method(s) for the Forest sheet: " + ", ".join(method_keys()) + "; repeat or separate by "
        "commas (default REML)",
    )
    p.add_argument("--hk", action="store_true", help=HK_HELP)
    p.add_argument("--with-ipd", action="store_true", help="add the Patient data sheet (one row per patient)")
    p.add_argument("--with-figures", action="store_true", help="embed the forest plot and one KM figure per dataset")
    p.add_argument("--format", choices=("xlsx", "csv"), help="default: from the --out file name (.csv), else xlsx")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.set_defaults(handler=run_export)


def _datasets(args: argparse.Namespace) -> list:
    from evidence_app.core.datasets.library import load_library
    from evidence_app.errors import InputError, Problem

    library = load_library()
    for problem in library.problems:
        print(f"warning: skipped {problem}", file=sys.stderr)
    if args.all:
        return library.datasets
    ids = list(dict.fromkeys(args.dataset_ids))
    unknown = [i for i in ids if i not in library]
    if unknown:
        problems = [Problem(f"no dataset with id {i!r}; run 'evidence-app datasets' to list them") for i in unknown]
        raise InputError(problems[0].message, problems=problems)
    return [library.get(i) for i in ids]


def run_export(args: argparse.Namespace) -> int:
    from evidence_app.errors import ExportError
    from evidence_app.export.csv_table import export_comparison_csv
    from evidence_app.export.workbook import export_workbook

    if args.all == bool(args.dataset_ids):
        print("error: give dataset ids or --all (not both)", file=sys.stderr)
        return 2
    suffix = Path(args.out).suffix.lower()
    fmt = args.format or ("csv" if suffix == ".csv" else "xlsx")
    if fmt == "csv" and suffix == ".xlsx":
        raise ExportError(f"{args.out}: a CSV file named .xlsx would not open in Excel; name it .csv")
    methods = [m for group in (args.pool or [["REML"]]) for m in group]
    datasets = _datasets(args)
    if fmt == "csv":
        ignored = [
            flag
            for flag, on in (
                ("--with-ipd", args.with_ipd),
                ("--with-figures", args.with_figures),
                ("--pool", args.pool),
                ("--hk", args.hk),
            )
            if on
        ]
        if ignored:
            print(f"warning: {', '.join(ignored)} ignored: the CSV holds the Comparison table only", file=sys.stderr)
        summary = export_comparison_csv(datasets, args.out, overwrite=args.force)
    else:
        summary = export_workbook(
            datasets,
            args.out,
            pool_methods=methods,
            hk=args.hk,
            with_ipd=args.with_ipd,
            with_figures=args.with_figures,
            overwrite=args.force,
        )
    for warning in summary.warnings:
        print(f"note: {warning}", file=sys.stderr)
    figures = f", {summary.figures} figures" if summary.figures else ""
    print(
        f"wrote {summary.path}: {summary.datasets} datasets; sheets {', '.join(summary.sheets)}{figures}",
        file=sys.stderr,
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    _export(sub)
