"""Shared by the fuzz tests and ``benchmarks/fuzz_nightly.py``: hostile inputs for every entry point.

* :func:`make_pools` writes good and hostile files (FIFO, /dev/zero link, folder, 300-character
  name, missing file, binary junk) and returns value pools per kind of argument;
* :func:`argv_strategy` builds command lines for any subcommand from the CLI's own parser, so a
  command added later is fuzzed too;
* :func:`run_cli` runs one command line in this process with a time limit and checks the outcome:
  no traceback, exit 0, 1 or 2, and an ``error:`` line when it fails;
* :func:`library_state` fingerprints the library folders, to show no command changed them.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

from hypothesis import strategies as st

from evidence_app.cli.entry import build_parser, main
from tests.robustness.conftest import time_limit
from tests.test_schema import minimal

CURVE = "time,survival\n0,1\n2,0.9\n4,0.75\n6,0.6\n8,0.5\n10,0.45\n"
AT_RISK = "time,n_at_risk\n0,60\n4,45\n8,30\n"
EFFECTS = "study,hr,lower,upper\nA,0.8,0.6,0.95\nB,0.7,0.5,0.98\nC,1.1,0.8,1.5\n"
NMA = "study,treatment_1,treatment_2,hr,lower,upper\nS1,A,B,0.8,0.6,0.95\nS2,B,C,0.9,0.7,1.2\n"
SMALL_IDS = ["radiant4-os-kmdata", "aspen-pfs", "arcc-os-tem-vs-ifn", "demo-os"]
NUMBERS = ["0", "1", "-1", "2", "50", "0.95", "95%", "1e8", "1e308", "-1e308", "nan", "inf", "1.5", "300", "abc"]
LISTS = ["0,24", "0,1", "0,100", "-1,24", "1,0", "0,1e308", "a,b", "0", "", "6,12,24", "80,40,560,350", "#1f77b4"]
TEXT = ["", "A", "REML", "DL", "fixed", "PM", "bogus", "=cmd|' /C calc'!A0", "x" * 300, "OS", "mtor"]
#: A case running longer counts as a hang (the nightly run, with the slow options, allows more).
CASE_SECONDS = float(os.environ.get("EVIDENCE_FUZZ_CASE_SECONDS", "30"))


def make_pools(folder: Path) -> dict[str, list[str]]:
    """Write the fixture files into ``folder``; return argument values by kind."""
    from tests.figure_support import km_figure, two_arms

    folder.mkdir(parents=True, exist_ok=True)
    good = {
        "curve.csv": CURVE,
        "atrisk.csv": AT_RISK,
        "effects.csv": EFFECTS,
        "nma.csv": NMA,
        "dataset.json": json.dumps(minimal()),
        "manifest.csv": f"curve,at-risk,output,events,n\n{folder / 'curve.csv'},{folder / 'atrisk.csv'},"
        f"{folder / 'ipd-m.csv'},,\n",
    }
    for name, text in good.items():
        (folder / name).write_text(text, encoding="utf-8")
    fig = km_figure(two_arms(), dpi=40)
    fig.savefig(folder / "figure.png")
    fig.savefig(folder / "figure.pdf")
    (folder / "junk.bin").write_bytes(bytes(range(256)) * 4)
    (folder / "empty.csv").write_bytes(b"")
    (folder / "a-folder.csv").mkdir(exist_ok=True)
    hostile = [str(folder / "junk.bin"), str(folder / "empty.csv"), str(folder / "a-folder.csv")]
    hostile += [str(folder / "missing.csv"), str(folder / ("n" * 300 + ".csv"))]
    if hasattr(os, "mkfifo") and not (folder / "pipe.csv").exists():
        os.mkfifo(folder / "pipe.csv")
    if hasattr(os, "mkfifo"):
        hostile.append(str(folder / "pipe.csv"))
    if Path("/dev/zero").exists() and not (folder / "zero.csv").is_symlink():
        (folder / "zero.csv").symlink_to("/dev/zero")
    if (folder / "zero.csv").is_symlink():
        hostile.append(str(folder / "zero.csv"))
    files = [str(folder / n) for n in (*good, "figure.png", "figure.pdf")] + hostile
    outputs = [str(folder / "out" / n) for n in ("o.csv", "o.xlsx", "o.svg", "o.png", "o.json", "o.docx", "dir")]
    outputs += [str(folder / "out"), str(folder / "missing-folder" / "o.csv"), "-", str(folder / ("o" * 300))]
    (folder / "out").mkdir(exist_ok=True)
    return {"files": files, "outputs": outputs, "ids": [*SMALL_IDS, "no-such-id", ""], "numbers": NUMBERS}


_OUTPUT = ("out", "json", "figure", "league-figure", "workbook", "docx", "csv")
_INPUT = ("curve", "at-risk", "manifest", "image", "effects", "input", "files")
_IDS = ("dataset_id", "dataset_ids", "ids", "datasets")
_LISTS = ("x-range", "y-range", "frame", "landmarks", "colors")
_NUMBERS = ("n", "events", "jobs", "page", "dpi", "horizon", "level", "part", "max-colors", "tolerance", "width")


def _values(action: argparse.Action, pools: dict[str, list[str]], expensive: bool) -> list[str]:
    name = (action.option_strings[-1] if action.option_strings else action.dest).lstrip("-").replace("_", "-")
    if action.choices is not None:
        return [*map(str, action.choices), "bogus"]
    if name.replace("-", "_") in _IDS or name in _IDS:
        return pools["ids"]
    if name in _INPUT:
        return pools["files"]
    if name in _OUTPUT:
        return pools["outputs"]
    if name in _LISTS:
        return LISTS
    if name in _NUMBERS:
        return pools["numbers"]
    if name in ("method", "pool"):
        return ["REML", "DL", "fixed", "PM", "bogus", "REML,DL", ""]
    return TEXT


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def commands(parser: argparse.ArgumentParser | None = None, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every runnable command path, e.g. ``("validate",)`` and ``("figure", "km")``."""
    parser = parser or build_parser()
    subs = _subcommands(parser)
    if not subs:
        yield prefix
    for name, sub in subs.items():
        yield from commands(sub, (*prefix, name))


def _parser_for(path: tuple[str, ...]) -> argparse.ArgumentParser:
    parser = build_parser()
    for name in path:
        parser = _subcommands(parser)[name]
    return parser


#: Options that make one case slow (every dataset, every figure); left to the nightly run.
EXPENSIVE = {"--all", "--with-figures", "--with-ipd", "--docx", "--workbook", "--all-analyses"}


@st.composite
def argv_strategy(draw, path: tuple[str, ...], pools: dict[str, list[str]], expensive: bool = False) -> list[str]:
    """A command line for ``path``: options and positionals drawn from hostile and good values."""
    argv = list(path)
    for action in _parser_for(path)._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if action.option_strings and action.option_strings[0] in EXPENSIVE and not expensive:
            continue
        include = draw(st.sampled_from([True, True, True, False])) if action.required else draw(st.booleans())
        if not include:
            continue
        values = _values(action, pools, expensive)
        if action.nargs == 0:
            argv.append(action.option_strings[0])
            continue
        count = draw(st.integers(1, 3)) if action.nargs in ("+", "*") else 1
        chosen = [draw(st.sampled_from(values)) for _ in range(count)]
        argv += [action.option_strings[0], *chosen] if action.option_strings else chosen
    return argv


def run_cli(argv: list[str], seconds: float = CASE_SECONDS) -> tuple[int, str, str]:
    """Run one command line in this process, time-limited; check the outcome is clean."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), time_limit(seconds, " ".join(argv)[:300]):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse: a usage error (2) or --help (0)
            code = exc.code if isinstance(exc.code, int) else 2
    stdout, stderr = out.getvalue(), err.getvalue()
    assert "Traceback" not in stderr, (argv, stderr)
    assert code in (0, 1, 2), (argv, code, stderr)
    if code != 0:
        assert "error" in stderr, (argv, code, stderr)
    return code, stdout, stderr


def library_state(*folders: Path) -> dict[str, str]:
    """SHA-256 of every file in the library folders (bundled and user)."""
    state = {}
    for folder in folders:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    state[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state
