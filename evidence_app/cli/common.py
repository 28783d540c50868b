"""What every command shares: error printing, the progress line and the pooling-method arguments."""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Iterator
from typing import TextIO

from evidence_app.core.synthesis.methods import DEFAULT_METHOD, HK_LABEL, get_method, method_keys
from evidence_app.errors import AnalysisError, EvidenceError

METHOD_HELP = f"{', '.join(method_keys())} (default {DEFAULT_METHOD})"
HK_HELP = f"{HK_LABEL} of the pooled CI (random effects)"


def print_error(exc: EvidenceError) -> None:
    """One ``error:`` line per problem on stderr."""
    for line in [str(p) for p in exc.problems] or [exc.message]:
        print(f"error: {line}", file=sys.stderr)


class TerminalProgress:
    """A one-line progress report on a terminal: ``[#########.........]  30%  Tracing the curves``.

    A :data:`~evidence_app.core.progress.ProgressCallback`: call it with a fraction and a message.
    Redrawn at most every ``interval`` seconds (and whenever the message changes); :meth:`close`
    ends the line.
    """

    WIDTH = 20

    def __init__(self, stream: TextIO, interval: float = 0.1) -> None:
        self.stream, self.interval = stream, interval
        self._last = (-1.0, "")
        self._shown_at = 0.0
        self._length = 0

    def __call__(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        if message == self._last[1] and now - self._shown_at < self.interval:
            return
        self._last, self._shown_at = (fraction, message), now
        filled = round(self.WIDTH * max(0.0, min(1.0, fraction)))
        line = f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {fraction:4.0%}  {message}"[:120]
        self.stream.write("\r" + line + " " * max(0, self._length - len(line)))
        self.stream.flush()
        self._length = len(line)

    def close(self) -> None:
        if self._length:
            self.stream.write("\n")
            self.stream.flush()


@contextlib.contextmanager
def terminal_progress(stream: TextIO | None = None) -> Iterator[TerminalProgress | None]:
    """A progress line on ``stream`` (stderr) when it is a terminal; None (no output) otherwise, so
    pipes, files and scripts see only the command's own lines."""
    stream = stream if stream is not None else sys.stderr
    if not (hasattr(stream, "isatty") and stream.isatty()):
        yield None
        return
    progress = TerminalProgress(stream)
    try:
        yield progress
    finally:
        progress.close()


def method_arg(text: str) -> str:
    """argparse type: a pooling-method key or alias -> its canonical key (a usage error otherwise)."""
    try:
        return get_method(text).key
    except AnalysisError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def methods_arg(text: str) -> list[str]:
    """argparse type: ``"REML"`` or ``"fixed,DL"`` -> canonical keys."""
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"no pooling method in {text!r}: use {', '.join(method_keys())}")
    return [method_arg(n) for n in names]


def add_pooling_arguments(p: argparse.ArgumentParser, option: str = "--method") -> None:
    """The method choice and the Hartung–Knapp switch, worded the same in every command."""
    p.add_argument(option, type=method_arg, default=DEFAULT_METHOD, metavar="METHOD", help=METHOD_HELP)
    p.add_argument("--hk", action="store_true", help=HK_HELP)


def add_rule_arguments(p: argparse.ArgumentParser) -> None:
    """The pooling rules' two choices (evidence_app.core.synthesis.rules), worded the same in every command."""
    p.add_argument(
        "--multi-arm",
        choices=["one", "split"],
        default="one",
        help="comparisons of one trial sharing an arm: pool one (default) or split the shared arm's patients "
        "between them (Cochrane Handbook 23.3.4)",
    )
    p.add_argument(
        "--all-analyses",
        action="store_true",
        help="pool every analysis given (default: one per trial comparison and endpoint: final over interim, "
        "independent review over investigator, whole population over subgroup)",
    )
