"""Counts the bad-input cases the robustness suite tried and prints the total at the end."""

from __future__ import annotations

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
