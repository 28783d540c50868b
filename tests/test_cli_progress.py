"""The commands that take seconds show a one-line progress report on a terminal, and nothing when
their error stream is a pipe or a file (scripts see only the command's own lines)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from evidence_app.cli import main
from evidence_app.cli.common import TerminalProgress, terminal_progress
from tests.figure_support import BLUE, ORANGE, km_figure, simulate
from tests.test_reconstruct_batch import write_arm


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _lines(text: str) -> list[str]:
    """What a terminal shows: each carriage return starts the line again."""
    return [part.rstrip() for part in text.replace("\n", "\r").split("\r") if part.strip()]


def test_the_line_is_redrawn_in_place_and_ended_once():
    stream = Terminal()
    with terminal_progress(stream) as progress:
        assert isinstance(progress, TerminalProgress)
        progress(0.0, "Reading the figure")
        progress(0.5, "Tracing the curves")
        progress(1.0, "Done")
    text = stream.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")
    assert _lines(text) == [
        "[....................]   0%  Reading the figure",
        "[##########..........]  50%  Tracing the curves",
        "[####################] 100%  Done",
    ]


def test_repeated_updates_of_one_step_are_throttled():
    stream = Terminal()
    progress = TerminalProgress(stream, interval=60)
    for k in range(100):
        progress(k / 100, "Tracing the curves")
    assert len(_lines(stream.getvalue())) == 1


def test_a_shorter_message_wipes_the_longer_one_before_it():
    stream = Terminal()
    progress = TerminalProgress(stream)
    progress(0.1, "A long message about what is being done")
    progress(0.2, "Short")
    last = stream.getvalue().split("\r")[-1]
    assert last.rstrip() == "[####................]  20%  Short" and len(last) >= len("A long message")


def test_nothing_is_written_when_the_stream_is_not_a_terminal():
    stream = io.StringIO()
    with terminal_progress(stream) as progress:
        assert progress is None
    assert stream.getvalue() == ""


@pytest.fixture
def terminal(monkeypatch) -> Terminal:
    """stderr as a terminal (set in the test itself: pytest's own capture replaces it between the
    set-up and the test)."""
    return Terminal()


def run_on(terminal: Terminal, monkeypatch, args: list[str]) -> int:
    monkeypatch.setattr("sys.stderr", terminal)
    try:
        return main(args)
    finally:
        monkeypatch.undo()


def test_digitize_reports_its_steps_on_a_terminal(tmp_path: Path, terminal, monkeypatch):
    figure = tmp_path / "km.png"
    km_figure([simulate(1, 0.06), simulate(2, 0.035)]).savefig(figure)
    args = ["digitize", "--image", str(figure), "--x-range", "0,24", "--y-range", "0,1", "--out", str(tmp_path / "c")]
    assert run_on(terminal, monkeypatch, args) == 0
    shown = _lines(terminal.getvalue())
    assert shown[0].endswith("Reading km.png") and shown[-1].endswith("100%  Curves traced")
    assert any("colour" in line for line in shown)  # the steps in between are named
    percents = [int(line.split("]")[1].split("%")[0]) for line in shown]
    assert percents == sorted(percents)
    assert {f"Tracing curve {BLUE}", f"Tracing curve {ORANGE}"} <= {line.split("%  ")[1] for line in shown}


def test_export_reports_its_steps_on_a_terminal(tmp_path: Path, terminal, monkeypatch):
    args = ["export", "arcc-os-tem-vs-ifn", "record1-pfs-final-central", "--out", str(tmp_path / "a.xlsx")]
    assert run_on(terminal, monkeypatch, args) == 0
    shown = _lines(terminal.getvalue())
    progress = [line for line in shown if line.startswith("[")]
    assert any("Analysing" in line for line in progress) and progress[-1].startswith("[####################] 100%")
    assert shown[-1].startswith("wrote ")  # the report comes after the finished progress line, on its own line


def test_a_batch_of_arms_counts_them_on_a_terminal(tmp_path: Path, terminal, monkeypatch):
    args = ["reconstruct"]
    for i in range(3):
        curve, at_risk, _ = write_arm(tmp_path, f"a{i}", 120, 10 + i)
        args += ["--curve", str(curve), "--at-risk", str(at_risk), "--out", str(tmp_path / f"ipd{i}.csv")]
    assert run_on(terminal, monkeypatch, args) == 0
    assert _lines(terminal.getvalue())[-1].endswith("3/3 arms")
