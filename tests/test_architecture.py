"""The layout keeps its shape: no import cycles, small modules, lint and format clean.

The floors themselves (core → plots/export → gui/cli, and the core subpackages) are
import-linter contracts in ``pyproject.toml``, checked by ``test_static_checks.py``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "evidence_app"
MAX_MODULE_LINES = 400


def _import_graph():
    import grimp

    # Imports under ``if TYPE_CHECKING:`` never run, so they cannot form a cycle at run time.
    return grimp.build_graph("evidence_app", exclude_type_checking_imports=True)


def _cycles(graph) -> list[list[str]]:
    """Strongly connected groups of two or more modules (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.find_modules_directly_imported_by(node):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_the_package_has_no_import_cycles():
    graph = _import_graph()
    assert len(graph.modules) > 100
    assert _cycles(graph) == []


def test_the_cycle_check_finds_a_cycle():
    class Graph:
        modules = {"a", "b", "c"}

        @staticmethod
        def find_modules_directly_imported_by(module):
            return {"a": {"b"}, "b": {"c"}, "c": {"a"}}[module]

    assert _cycles(Graph()) == [["a", "b", "c"]]


def test_no_module_is_longer_than_the_limit():
    long = {
        str(path.relative_to(REPO)): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}, f"split these modules (limit {MAX_MODULE_LINES} lines): {long}"


def test_every_core_subpackage_says_what_it_holds_and_may_import():
    for package in ("datasets", "digitize", "reconstruction", "stats", "synthesis"):
        init = PACKAGE / "core" / package / "__init__.py"
        doc = init.read_text(encoding="utf-8")
        assert doc.startswith('"""') and "import" in doc, f"{init} needs a docstring: its job and what it may import"


@pytest.mark.parametrize("args", [["check"], ["format", "--check"]], ids=["lint", "format"])
def test_ruff_is_clean(args):
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.fail("ruff is not installed: pip install -e '.[test]'")
    result = subprocess.run([ruff, *args, "--no-cache", "."], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
