"""``evidence-app nma``: network meta-analysis of hazard ratios from a contrast CSV or from library datasets."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def _level(text: str) -> float:
    from evidence_app.core.stats.effects import parse_ci_level
    from evidence_app.errors import InputError

    try:
        return parse_ci_level(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(f"--level {text!r}: {exc.message}") from None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "nma",
        help="network meta-analysis: compare treatments never tested head to head",
        description="INPUT.csv: study,treat1,treat2,log_hr,se (log HR of treat1 vs treat2) or "
        "study,treat1,treat2,hr,lower,upper[,ci_level]; a multi-arm study gives all its pairwise contrasts. "
        "Or --datasets ID...: the published HRs of library datasets (one estimate per trial comparison). "
        "Prints the HRs vs the reference, P-scores (a lower HR is better), the league table and the "
        "inconsistency checks (Q decomposition, node-splitting).",
    )
    p.add_argument("input", nargs="?", metavar="INPUT.csv")
    p.add_argument("--datasets", nargs="+", metavar="ID", help="library dataset ids instead of a CSV")
    p.add_argument("--reference", required=True, metavar="TREATMENT", help="treatment the others are compared with")
    p.add_argument("--model", choices=["common", "random"], default="random", help="model printed (default random)")
    p.add_argument("--tau", choices=["DL", "REML"], default="DL", help="τ² estimator (default DL)")
    p.add_argument("--level", type=_level, default=0.95, help="confidence level (default 0.95)")
    p.add_argument("--part", type=int, metavar="N", help="analyse part N of a disconnected network")
    p.add_argument("--json", metavar="OUT", help="write every result as JSON (- for stdout)")
    p.add_argument("--figure", metavar="OUT", help="network graph and forest plot vs the reference (.svg/.png/.pdf)")
    p.add_argument("--league-figure", metavar="OUT", help="the league table as a heat map (.svg/.png/.pdf)")
    p.add_argument(
        "--workbook", metavar="OUT.xlsx", help="with --datasets: the comparison workbook with a Network sheet"
    )
    p.add_argument("--force", action="store_true", help="replace output files that exist")
    p.set_defaults(handler=run_nma)


def load_network(args: argparse.Namespace):  # -> NetworkData, notes
    from evidence_app.core.synthesis.network_input import prepare_network, read_contrast_csv
    from evidence_app.errors import InputError

    if bool(args.input) == bool(args.datasets):
        raise InputError("give either INPUT.csv or --datasets ID..., not both or neither")
    if args.input:
        return prepare_network(read_contrast_csv(args.input), part=args.part, source=args.input), []
    from evidence_app.core.datasets.library import load_library
    from evidence_app.core.synthesis.network_datasets import contrasts_from_datasets

    library = load_library()
    contrasts, notes = contrasts_from_datasets([library.get(i) for i in dict.fromkeys(args.datasets)])
    return prepare_network(contrasts, part=args.part), notes


def run_nma(args: argparse.Namespace) -> int:
    import json

    from evidence_app.core.atomic import write_text_atomic
    from evidence_app.core.synthesis.network import run_network
    from evidence_app.core.synthesis.network_report import network_text, network_to_dict

    for out in (args.figure, args.league_figure):
        if out:
            from evidence_app.plots.save import figure_format

            figure_format(out)  # a wrong extension fails before any work
    if args.workbook and not args.datasets:
        from evidence_app.errors import InputError

        raise InputError("--workbook needs --datasets: the workbook describes library datasets")
    data, notes = load_network(args)
    result = run_network(data, args.reference, tau_method=args.tau, level=args.level)
    if args.json != "-":
        print(network_text(result, args.model))
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    if args.json:
        text = json.dumps(network_to_dict(result), indent=1, ensure_ascii=False)
        if args.json == "-":
            print(text)
        else:
            write_text_atomic(args.json, text + "\n", overwrite=args.force)
            print(f"wrote {args.json}", file=sys.stderr)
    if args.figure or args.league_figure:
        _figures(args, result)
    if args.workbook:
        from evidence_app.core.datasets.library import load_library
        from evidence_app.export.workbook import export_workbook

        library = load_library()
        datasets = [library.get(i) for i in dict.fromkeys(args.datasets)]
        summary = export_workbook(datasets, args.workbook, overwrite=args.force, network=result)
        print(f"wrote {summary.path} ({', '.join(summary.sheets)})", file=sys.stderr)
    return 0


def _figures(args: argparse.Namespace, result: Any) -> None:
    from evidence_app.plots.network import draw_league_heatmap, draw_network_summary
    from evidence_app.plots.save import save_figure
    from evidence_app.plots.style import new_figure

    for out, draw, height in (
        (args.figure, draw_network_summary, None),
        (args.league_figure, draw_league_heatmap, 175),
    ):
        if out:
            fig = new_figure("double", height)
            draw(fig, result, args.model)
            print(f"wrote {save_figure(fig, out, overwrite=args.force)}", file=sys.stderr)
