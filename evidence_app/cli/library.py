"""``evidence-app datasets``, ``validate`` and ``schema``: the library and the dataset format."""

from __future__ import annotations

import argparse
import json
import sys

from evidence_app.cli.common import print_error
from evidence_app.core import limits
from evidence_app.errors import EvidenceError


def _cmd_datasets(args: argparse.Namespace) -> int:
    from evidence_app.core.datasets.catalog import CURVE_KIND_LABELS, summary
    from evidence_app.core.datasets.library import load_library

    library = load_library(include_user=not args.bundled_only)
    rows = [summary(d) for d in library.datasets]
    if args.json:
        print(json.dumps(rows, indent=1, ensure_ascii=False))
    else:
        header = ("id", "trial", "endpoint", "analysis", "population", "curve kind", "sources", "flags")
        table = [
            (
                r["id"],
                r["trial"],
                r["endpoint_label"],
                r["analysis"],
                _clip(r["population_label"], 40),
                CURVE_KIND_LABELS[r["curve_kind"]],
                str(r["n_sources"]),
                ", ".join(r["badges"]),
            )
            for r in rows
        ]
        widths = [max(len(str(x)) for x in col) for col in zip(header, *table)]
        for line in (header, tuple("-" * w for w in widths), *table):
            print("  ".join(str(x).ljust(w) for x, w in zip(line, widths)).rstrip())
        print(f"\n{len(rows)} datasets")
    for problem in library.problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if library.problems else 0


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _cmd_validate(args: argparse.Namespace) -> int:
    from evidence_app.core.datasets.audit import unlocated_values
    from evidence_app.core.datasets.io import load_dataset

    failed = 0
    seen: dict[str, str] = {}
    for name in args.files:
        try:
            dataset = load_dataset(name)
        except EvidenceError as exc:
            failed += 1
            print_error(exc)
            continue
        if dataset.id in seen:
            failed += 1
            print(
                f"error: {name}: id: duplicate dataset id {dataset.id!r} (also in {seen[dataset.id]})", file=sys.stderr
            )
            continue
        seen[dataset.id] = name
        unlocated = unlocated_values(dataset, name)
        if unlocated:
            failed += 1
            for problem in unlocated:
                print(f"error: {problem}", file=sys.stderr)
            continue
        print(f"ok: {name} ({dataset.id})")
    return 1 if failed else 0


def _cmd_schema(args: argparse.Namespace) -> int:
    from evidence_app.core.datasets.schema import Dataset

    print(json.dumps(Dataset.model_json_schema(), indent=1))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("datasets", help="list the datasets in the library")
    p.add_argument("--json", action="store_true", help="print a JSON list of objects")
    p.add_argument("--bundled-only", action="store_true", help="leave out the user's own datasets")
    p.set_defaults(handler=_cmd_datasets)

    p = sub.add_parser(
        "validate",
        help="check dataset files and print every problem with its location (every published value needs "
        "its sources and a locator saying where in the source it stands)",
        epilog=f"Limits (as every view and export needs them): files up to {limits.MAX_DATASET_BYTES // 2**20} MB, "
        f"HR and CI bounds {limits.HR_MIN:g} to {limits.HR_MAX:g}, CI level {limits.CI_LEVEL_MIN:.0%} to "
        f"{limits.CI_LEVEL_MAX:.2%}, counts and numbers at risk up to {limits.MAX_PATIENTS:,}, times up to "
        f"{limits.MAX_TIME:,.0f}, no control characters in text. See the README's Limits section.",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(handler=_cmd_validate)

    p = sub.add_parser("schema", help="print the dataset format as a JSON Schema")
    p.set_defaults(handler=_cmd_schema)
