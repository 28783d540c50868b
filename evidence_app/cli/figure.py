"""``evidence-app figure km|forest``: the GUI's figures written to PNG, SVG or PDF headless."""

from __future__ import annotations

import argparse
import sys

from evidence_app.cli.common import add_pooling_arguments, add_rule_arguments


def _width(text: str) -> str:
    from evidence_app.plots.style import width_mm

    try:
        width_mm(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _dpi(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--dpi {text!r}: expected a whole number such as 300") from None
    if not 50 <= value <= 1200:
        raise argparse.ArgumentTypeError(f"--dpi {value} is outside 50–1200")
    return value


def _common(p: argparse.ArgumentParser, default_width: str, out_required: bool = True) -> None:
    p.add_argument("--out", required=out_required, metavar="FILE", help="output file: .png, .svg or .pdf")
    p.add_argument(
        "--width",
        type=_width,
        default=default_width,
        help=f"single (85 mm), double (175 mm) or a width in mm (default {default_width})",
    )
    p.add_argument("--dpi", type=_dpi, default=300, help="PNG resolution (default 300)")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")


def _figure(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "figure",
        help="draw a Kaplan–Meier or forest plot to PNG, SVG or PDF",
        description="Draw the app's figures headless. The format follows the extension of --out.",
    )
    kinds = p.add_subparsers(dest="figure_kind", metavar="KIND", required=True)
    km = kinds.add_parser("km", help="Kaplan–Meier curves of one dataset with numbers at risk")
    km.add_argument("dataset_id", metavar="DATASET_ID")
    km.add_argument("--no-ci", action="store_true", help="leave out the confidence bands")
    km.add_argument("--no-risk-table", action="store_true", help="leave out the numbers at risk")
    _common(km, "single")
    km.set_defaults(handler=run_figure_km)
    forest = kinds.add_parser(
        "forest",
        help="forest plot of published hazard ratios, pooled",
        description="One row per comparison; rows without a published HR and CI are listed as 'not reported'.",
    )
    forest.add_argument("dataset_ids", nargs="*", metavar="DATASET_ID")
    forest.add_argument("--all", action="store_true", help="every bundled renal-cell-carcinoma dataset")
    forest.add_argument("--endpoint", help="only datasets with this endpoint (e.g. OS, PFS)")
    forest.add_argument("--group-by", choices=["setting", "histology", "endpoint", "trial"])
    add_pooling_arguments(forest, "--pool")
    forest.add_argument(
        "--orient",
        choices=["mtor", "published"],
        default="mtor",
        help="mtor (default): the mTOR inhibitor as experimental arm; published: as reported",
    )
    add_rule_arguments(forest)
    forest.add_argument(
        "--csv",
        metavar="FILE",
        help="also (or, without --out, only) write the rows and pooled estimates as CSV; - for stdout",
    )
    _common(forest, "double", out_required=False)
    forest.set_defaults(handler=run_figure_forest)


def run_figure_km(args: argparse.Namespace) -> int:
    from evidence_app.core.datasets.library import load_library
    from evidence_app.core.stats.analysis import analyze_dataset
    from evidence_app.errors import AnalysisError
    from evidence_app.plots.km import KMOptions, draw_km
    from evidence_app.plots.save import figure_format, save_figure
    from evidence_app.plots.style import new_figure

    figure_format(args.out)  # a wrong extension fails before any work
    analysis = analyze_dataset(load_library().get(args.dataset_id))
    fig = new_figure(args.width)
    try:
        draw_km(fig, analysis, KMOptions(ci_bands=not args.no_ci, risk_table=not args.no_risk_table, width=args.width))
    except ValueError as exc:
        raise AnalysisError(str(exc)) from None
    for note in analysis.notes:
        print(f"note: {note}", file=sys.stderr)
    path = save_figure(fig, args.out, dpi=args.dpi, overwrite=args.force)
    print(f"wrote {path}", file=sys.stderr)
    return 0


def forest_datasets(args: argparse.Namespace) -> list:
    """The datasets named on the command line, or all bundled RCC datasets, filtered by endpoint."""
    from evidence_app.core.datasets.library import load_library
    from evidence_app.errors import InputError

    if args.all and args.dataset_ids:
        raise InputError("give dataset ids or --all, not both")
    if not args.all and not args.dataset_ids:
        raise InputError("give one or more dataset ids, or --all for every bundled renal-cell-carcinoma dataset")
    library = load_library(include_user=not args.all)
    if args.all:
        datasets = [
            e.dataset for e in library.entries.values() if e.bundled and "renal" in e.dataset.trial.disease.lower()
        ]
    else:
        datasets = [library.get(i) for i in dict.fromkeys(args.dataset_ids)]
    if args.endpoint:
        datasets = [d for d in datasets if d.endpoint.name.lower() == args.endpoint.lower()]
        if not datasets:
            raise InputError(f"no dataset has the endpoint {args.endpoint!r}")
    return datasets


def run_figure_forest(args: argparse.Namespace) -> int:
    from evidence_app.core.synthesis.forest_data import build_forest
    from evidence_app.errors import InputError

    if not args.out and not args.csv:
        raise InputError("give --out FILE (.png, .svg, .pdf), --csv FILE, or both")
    if args.out:
        from evidence_app.plots.save import figure_format

        figure_format(args.out)
    data = build_forest(
        forest_datasets(args),
        orient="mtor" if args.orient == "mtor" else "as published",
        group_by=args.group_by,
        method=args.pool,
        hk=args.hk,
        one_per_trial=not args.all_analyses,
        multi_arm=args.multi_arm,
    )
    for warning in data.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.csv:
        from evidence_app.export.forest_csv import forest_csv_text, write_forest_csv

        if args.csv == "-":
            sys.stdout.write(forest_csv_text(data))
        else:
            print(f"wrote {write_forest_csv(data, args.csv, overwrite=args.force)}", file=sys.stderr)
    if args.out:
        from evidence_app.plots.forest import ForestOptions, draw_forest
        from evidence_app.plots.save import save_figure
        from evidence_app.plots.style import new_figure

        fig = new_figure(args.width)
        draw_forest(fig, data, ForestOptions(width=args.width))
        path = save_figure(fig, args.out, dpi=args.dpi, overwrite=args.force)
        print(f"wrote {path}: {len(data.rows)} rows, {len(data.pooled_rows)} pooled", file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    _figure(sub)
