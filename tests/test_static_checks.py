"""The package type-checks with mypy (the core strictly) and the layer boundaries hold (import-linter).

Both tools read their settings from ``pyproject.toml`` (``[tool.mypy]``, ``[tool.importlinter]``)
and run in a fresh interpreter from the repository root. Neither leaves a cache in the checkout:
mypy gets a temporary cache folder (so every run is a cold, clean-clone run) and import-linter
runs with ``--no-cache``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# import-linter has no ``python -m`` entry point; this is what its ``lint-imports`` script runs.
LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=timeout)


def _check(result: subprocess.CompletedProcess[str], tool: str) -> None:
    if result.returncode != 0:
        pytest.fail(
            f"{tool} failed (exit code {result.returncode})\n--- stdout ---\n{result.stdout}"
            f"\n--- stderr ---\n{result.stderr}",
            pytrace=False,
        )


@pytest.mark.slow
def test_package_is_mypy_clean(tmp_path):
    # The files checked are pyproject's `files`: the whole package.
    result = _run(
        ["-m", "mypy", "--config-file", "pyproject.toml", "--cache-dir", str(tmp_path / "mypy-cache")], timeout=600
    )
    _check(result, "mypy")


def test_import_contracts_are_kept():
    result = _run(["-c", LINT_IMPORTS, "--config", "pyproject.toml", "--no-cache"], timeout=300)
    _check(result, "lint-imports")
