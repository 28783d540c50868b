"""The command line: ``main`` parses, one module per command group registers its subcommands.

Top floor beside ``gui``: may import ``core``, ``plots`` and ``export`` (lazily, inside each
handler, so ``--help`` and ``--version`` stay fast); never ``gui`` except to start it.
"""

from evidence_app.cli.entry import build_parser, main

__all__ = ["build_parser", "main"]
