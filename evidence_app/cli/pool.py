"""``evidence-app pool`` and ``pool-datasets``: pooled hazard ratios from a CSV of effects or from datasets."""

from __future__ import annotations

import argparse
import json
import sys

from evidence_app.cli.common import add_pooling_arguments, add_rule_arguments


def _pool(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "pool",
        help="pool hazard ratios from a CSV of effects",
        description="EFFECTS.csv: study,hr,lower,upper[,ci_level][,subgroup] or study,log_hr,se[,subgroup].",
    )
    p.add_argument("effects", metavar="EFFECTS.csv")
    add_pooling_arguments(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=run_pool)


def run_pool(args: argparse.Namespace) -> int:
    from evidence_app.core.stats.effects import read_effects_csv
    from evidence_app.core.synthesis.meta import pool, pool_subgroups, pooled_to_dict
    from evidence_app.core.synthesis.pool_report import pooled_text
    from evidence_app.errors import InputError

    effects, problems = read_effects_csv(args.effects)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if not effects and not problems:
        raise InputError("no data rows after the header: no study to pool", file=args.effects, location="row 2")
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


def _pool_datasets(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("pool-datasets", help="pool library datasets: published HRs next to patient-level pooling")
    p.add_argument("dataset_ids", nargs="+", metavar="DATASET_ID")
    add_pooling_arguments(p)
    p.add_argument(
        "--as-published",
        action="store_true",
        help="keep each HR's published direction (default: the mTOR-inhibitor arm is experimental)",
    )
    add_rule_arguments(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=run_pool_datasets)


def run_pool_datasets(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from evidence_app.core.datasets.library import load_library
    from evidence_app.core.synthesis.meta import pooled_to_dict
    from evidence_app.core.synthesis.pool_report import pooled_block
    from evidence_app.core.synthesis.pooling import pool_datasets

    library = load_library()
    datasets = [library.get(i) for i in args.dataset_ids]
    result = pool_datasets(
        datasets,
        method=args.method,
        hk=args.hk,
        orient_mtor=not args.as_published,
        multi_arm=args.multi_arm,
        one_per_comparison=not args.all_analyses,
    )
    pooled_ids = [d.dataset.id for d in result.plan.pooled] if result.plan else []
    if args.json:
        print(
            json.dumps(
                {
                    "published": pooled_to_dict(result.published) if result.published else None,
                    "ipd_two_stage": pooled_to_dict(result.ipd_two_stage) if result.ipd_two_stage else None,
                    "ipd_one_stage": asdict(result.ipd_one_stage) if result.ipd_one_stage else None,
                    "pooled_datasets": pooled_ids,
                    "warnings": list(result.warnings),
                    "notes": list(result.notes),
                },
                indent=1,
            )
        )
        return 0
    lines = []
    lines += pooled_block(result.published, "Published HRs") if result.published else ["Published HRs: none poolable"]
    if result.ipd_two_stage:
        lines += [""] + pooled_block(result.ipd_two_stage, "Patient-level, two-stage")
    if result.ipd_one_stage:
        h = result.ipd_one_stage
        lines += ["", f"Patient-level, one-stage: HR {h.hr:.2f} ({h.lower:.2f}–{h.upper:.2f}) [{h.method}]"]
    lines += [""] + [f"warning: {w}" for w in result.warnings] + [f"note: {n}" for n in result.notes]
    print("\n".join(lines))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    _pool(sub)
    _pool_datasets(sub)
