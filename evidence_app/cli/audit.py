"""``evidence-app audit``: every number of every dataset with its source, locator, flags, published or derived."""

from __future__ import annotations

import argparse
import csv
import sys


def _cmd_audit(args: argparse.Namespace) -> int:
    from evidence_app.core.datasets.audit import CSV_HEADER, audit_rows
    from evidence_app.core.datasets.catalog import dataset_flags
    from evidence_app.core.datasets.labels import dataset_label
    from evidence_app.core.datasets.library import load_library

    library = load_library(include_user=not args.bundled_only)
    datasets = [library.get(i) for i in args.ids] if args.ids else library.datasets
    if args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        for d in datasets:
            writer.writerows(row.as_tuple() for row in audit_rows(d))
        return 0
    total = 0
    for d in datasets:
        rows = audit_rows(d)
        total += len(rows)
        print(f"== {d.id}: {dataset_label(d)}")
        for flag in dataset_flags(d):
            print(f"   [{flag.label}] {flag.footnote}")
        for row in rows:
            where = f"{row.sources}; at: {row.locator}" if row.locator else row.sources
            print(f"   {row.quantity}: {row.value}  ({row.status}) — {where}")
        print()
    print(f"{total} numbers in {len(datasets)} datasets")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "audit",
        help="list every number of the datasets with its source, where in the source it stands, flags, "
        "and whether it is published or derived",
    )
    p.add_argument("ids", nargs="*", metavar="ID", help="dataset ids (default: all)")
    p.add_argument("--format", choices=["text", "csv"], default="text", help="text (default) or csv")
    p.add_argument("--bundled-only", action="store_true", help="leave out the user's own datasets")
    p.set_defaults(handler=_cmd_audit)
