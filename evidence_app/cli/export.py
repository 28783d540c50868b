"""``evidence-app export``: the comparison workbook (or its Comparison table as CSV), headless.

A thin shell around :func:`evidence_app.export.outputs.export_outputs` (workbook and/or Word
report from one analysis), the function the GUI's export dialogs run in a worker.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from evidence_app.cli.common import HK_HELP, methods_arg, terminal_progress
from evidence_app.core.synthesis.methods import method_keys

if TYPE_CHECKING:
    from evidence_app.export.prepare import ExportSummary


def _export(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="write the comparison workbook (.xlsx), its Comparison table (.csv) and/or a Word report (.docx)",
        description="Export datasets to an Excel workbook (Comparison, Computed, Forest, Pooled, Survival tables, "
        "Sources, Methods; Patient data and figures on request) and/or a Word evidence report (--docx). "
        "Nothing is written unless the whole export succeeds.",
    )
    p.add_argument(
        "dataset_ids", nargs="*", metavar="DATASET_ID", help="datasets to export (see 'evidence-app datasets')"
    )
    p.add_argument("--all", action="store_true", help="export every dataset in the library")
    p.add_argument("--out", metavar="FILE", help="FILE.xlsx (or FILE.csv with --format csv)")
    p.add_argument(
        "--docx",
        metavar="REPORT",
        help="also (or only) write the Word evidence report REPORT.docx: summary-of-findings tables, pooled "
        "results, forest and KM figures, methods, references",
    )
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

    if args.all == bool(args.dataset_ids):
        print("error: give dataset ids or --all (not both)", file=sys.stderr)
        return 2
    if args.out is None and args.docx is None:
        print("error: give --out FILE.xlsx and/or --docx REPORT.docx", file=sys.stderr)
        return 2
    if args.out is None:
        return _write(args, None)
    suffix = Path(args.out).suffix.lower()
    fmt = args.format or ("csv" if suffix == ".csv" else "xlsx")
    if fmt == "csv" and suffix == ".xlsx":
        raise ExportError(f"{args.out}: a CSV file named .xlsx would not open in Excel; name it .csv")
    if fmt == "csv":
        if args.docx:
            raise ExportError("--docx goes with a workbook (.xlsx) or alone, not with --format csv")
        return _csv(args)
    return _write(args, args.out)


def _csv(args: argparse.Namespace) -> int:
    from evidence_app.export.csv_table import export_comparison_csv

    datasets = _datasets(args)
    options = (
        ("--with-ipd", args.with_ipd),
        ("--with-figures", args.with_figures),
        ("--pool", args.pool),
        ("--hk", args.hk),
    )
    ignored = [flag for flag, on in options if on]
    if ignored:
        print(f"warning: {', '.join(ignored)} ignored: the CSV holds the Comparison table only", file=sys.stderr)
    _report(export_comparison_csv(datasets, args.out, overwrite=args.force))
    return 0


def _write(args: argparse.Namespace, out: str | None) -> int:
    from evidence_app.export.outputs import export_outputs
    from evidence_app.export.prepare import ExportOptions

    if out is None and (args.with_ipd or args.with_figures):
        note = "warning: --with-ipd/--with-figures are for the workbook: the report always has its figures"
        print(note, file=sys.stderr)
    methods = [m for group in (args.pool or [["REML"]]) for m in group]
    options = ExportOptions(methods, args.hk, args.with_ipd, args.with_figures, overwrite=args.force)
    datasets = _datasets(args)
    with terminal_progress() as progress:
        summaries = export_outputs(datasets, xlsx=out, docx=args.docx, options=options, progress=progress)
    for summary in summaries:
        _report(summary)
    return 0


def _report(summary: ExportSummary) -> None:
    for warning in summary.warnings:
        print(f"note: {warning}", file=sys.stderr)
    figures = f", {summary.figures} figures" if summary.figures else ""
    parts = "sections" if summary.path.suffix.lower() == ".docx" else "sheets"
    print(
        f"wrote {summary.path}: {summary.datasets} datasets; {parts} {', '.join(summary.sheets)}{figures}",
        file=sys.stderr,
    )


def register(sub: argparse._SubParsersAction) -> None:
    _export(sub)
