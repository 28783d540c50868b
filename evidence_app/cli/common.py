"""What every command shares: error printing and the pooling-method arguments."""

from __future__ import annotations

import argparse
import sys

from evidence_app.core.synthesis.methods import DEFAULT_METHOD, HK_LABEL, get_method, method_keys
from evidence_app.errors import AnalysisError, EvidenceError

METHOD_HELP = f"{', '.join(method_keys())} (default {DEFAULT_METHOD})"
HK_HELP = f"{HK_LABEL} of the pooled CI (random effects)"


def print_error(exc: EvidenceError) -> None:
    """One ``error:`` line per problem on stderr."""
    for line in [str(p) for p in exc.problems] or [exc.message]:
        print(f"error: {line}", file=sys.stderr)


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
