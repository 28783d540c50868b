"""The ``evidence-app`` command: no arguments opens the GUI, subcommands run headless.

Every subcommand calls the same core functions as the GUI. Errors the user can fix are printed
as one line per problem on stderr, with a non-zero exit code (1 = bad input, 2 = usage).
The command groups are registered here, in this order, by plain imports: a new command is a
module with a ``register(sub)`` function added to ``COMMAND_GROUPS``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from evidence_app import __version__
from evidence_app.cli import analyze, audit, digitize, export, figure, library, nma, pool, reconstruct
from evidence_app.cli.common import print_error
from evidence_app.errors import EvidenceError

COMMAND_GROUPS = (library, audit, reconstruct, analyze, pool, nma, export, figure, digitize)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evidence-app",
        description="Clinical-trial survival evidence: browse, reconstruct, compare, pool and export. "
        "Run without arguments to open the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"evidence-app {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in COMMAND_GROUPS:
        group.register(sub)
    return parser


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
        print_error(exc)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped into e.g. `head`, which stopped reading: not an error of ours.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        # A file-system failure the readers and writers did not name (a name too long, a folder
        # without permission): still one line naming the file, never a traceback.
        from evidence_app.core.safe_files import os_reason

        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{os_reason(exc)}", file=sys.stderr)
        return 1
