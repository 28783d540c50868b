"""The ``evidence-app`` command: no arguments opens the GUI, subcommands run headless.

Every subcommand calls the same core functions as the GUI. Errors the user can fix are printed
as one line per problem on stderr, with a non-zero exit code (1 = bad input, 2 = usage).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from evidence_app import __version__
from evidence_app.errors import EvidenceError

Handler = Callable[[argparse.Namespace], int]
_REGISTRY: list[Callable[[argparse._SubParsersAction], None]] = []


def subcommand(register: Callable[[argparse._SubParsersAction], None]) -> Callable[[argparse._SubParsersAction], None]:
    """Decorator for functions that add one subparser (keeps each command's code in its module)."""
    _REGISTRY.append(register)
    return register


def _print_error(exc: EvidenceError) -> None:
    if exc.problems:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
    else:
        print(f"error: {exc.message}", file=sys.stderr)


def _cmd_datasets(args: argparse.Namespace) -> int:
    from evidence_app.core.catalog import CURVE_KIND_LABELS, summary
    from evidence_app.core.library import load_library

    library = load_library(include_user=not args.bundled_only)
    rows = [summary(d) for d in library.datasets]
    if args.json:
        print(json.dumps(rows, indent=1, ensure_ascii=False))
    else:
        header = ("id", "trial", "endpoint", "population", "curve kind", "sources")
        table = [
            (r["id"], r["trial"], r["endpoint"], _clip(r["population"], 48), CURVE_KIND_LABELS[r["curve_kind"]],
             str(r["n_sources"]))
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
    from evidence_app.core.dataset_io import load_dataset

    failed = 0
    seen: dict[str, str] = {}
    for name in args.files:
        try:
            dataset = load_dataset(name)
        except EvidenceError as exc:
            failed += 1
            _print_error(exc)
            continue
        if dataset.id in seen:
            failed += 1
            print(f"error: {name}: id: duplicate dataset id {dataset.id!r} (also in {seen[dataset.id]})",
                  file=sys.stderr)
            continue
        seen[dataset.id] = name
        print(f"ok: {name} ({dataset.id})")
    return 1 if failed else 0


def _cmd_schema(args: argparse.Namespace) -> int:
    from evidence_app.core.schema import Dataset

    print(json.dumps(Dataset.model_json_schema(), indent=1))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evidence-app",
        description="Clinical-trial survival evidence: browse, reconstruct, compare, pool and export. "
        "Run without arguments to open the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"evidence-app {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("datasets", help="list the datasets in the library")
    p.add_argument("--json", action="store_true", help="print a JSON list of objects")
    p.add_argument("--bundled-only", action="store_true", help="leave out the user's own datasets")
    p.set_defaults(handler=_cmd_datasets)

    p = sub.add_parser("validate", help="check dataset files and print every problem with its location")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(handler=_cmd_validate)

    p = sub.add_parser("schema", help="print the dataset format as a JSON Schema")
    p.set_defaults(handler=_cmd_schema)

    _load_command_modules()
    for register in _REGISTRY:
        register(sub)
    return parser


def _load_command_modules() -> None:
    """Import modules that register further subcommands (each stays next to the code it drives)."""
    import importlib

    for module in ("evidence_app.commands", "evidence_app.commands_export", "evidence_app.commands_figure",
                   "evidence_app.commands_digitize"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list:
        from evidence_app.gui.app import run_gui

        return run_gui()
    parser = build_parser()
    args = parser.parse_args(args_list)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except EvidenceError as exc:
        _print_error(exc)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped into e.g. `head`, which stopped reading: not an error of ours.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    # Run through the package's module, not this ``__main__`` copy: the command modules register
    # their subcommands on ``evidence_app.cli``.
    from evidence_app.cli import main as _package_main

    sys.exit(_package_main())
