"""``evidence-app analyze``: per-arm and per-comparison results for one dataset."""

from __future__ import annotations

import argparse
import json


def _analyze(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("analyze", help="per-arm and per-comparison results for one dataset")
    p.add_argument("dataset_id", metavar="DATASET_ID")
    p.add_argument("--horizon", type=float, help="RMST horizon in the dataset's time unit")
    p.add_argument("--landmarks", help="comma-separated landmark times (default 6,12,24 months)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=run_analyze)


def run_analyze(args: argparse.Namespace) -> int:
    from evidence_app.core.datasets.library import load_library
    from evidence_app.core.stats.analysis import analyze_dataset
    from evidence_app.core.stats.analysis_report import analysis_text, analysis_to_dict
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
        print(json.dumps(analysis_to_dict(result, reconstruction_intervals=True), indent=1, ensure_ascii=False))
    else:
        print(analysis_text(result))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    _analyze(sub)
