"""Counts the bad-input cases the robustness suite tried and prints the total at the end."""

from __future__ import annotations

import contextlib
import signal

import pytest

CASES: dict[str, int] = {}


@pytest.fixture
def count_case(request):
    """Call ``count_case()`` once per malformed input tried."""
    group = request.node.module.__name__.rsplit(".", 1)[-1]

    def count(n: int = 1) -> None:
        CASES[group] = CASES.get(group, 0) + n

    return count


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if CASES:
        terminalreporter.write_sep("-", "robustness cases tried")
        for group, n in sorted(CASES.items()):
            terminalreporter.write_line(f"{group}: {n}")
        terminalreporter.write_line(f"total: {sum(CASES.values())}")


class CaseTimeout(Exception):
    """A single robustness case ran longer than its time limit (a hang)."""


@contextlib.contextmanager
def time_limit(seconds: float, what: str = "case"):
    """Fail with :class:`CaseTimeout` when the block runs longer than ``seconds`` (POSIX; main thread).

    SIGALRM also interrupts a blocking system call such as opening a FIFO nobody writes to.
    """
    if not hasattr(signal, "setitimer"):
        yield
        return

    def expire(_signum, _frame):
        raise CaseTimeout(f"{what} took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
