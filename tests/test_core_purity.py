"""The core never loads Qt, matplotlib or openpyxl (checked in a fresh interpreter)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import evidence_app.core


def test_core_imports_no_gui_or_plotting_library():
    modules = [m.name for m in pkgutil.walk_packages(evidence_app.core.__path__, "evidence_app.core.")]
    assert {
        "evidence_app.core.datasets",
        "evidence_app.core.digitize",
        "evidence_app.core.reconstruction",
        "evidence_app.core.stats",
        "evidence_app.core.synthesis",
    } <= set(modules)
    assert "evidence_app.core.datasets.schema" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'matplotlib', 'openpyxl'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"core loaded: {result.stdout.strip()}"
