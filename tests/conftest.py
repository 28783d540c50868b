"""Test set-up: offscreen Qt, Agg matplotlib, and a private user folder for every test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def private_user_dir(tmp_path_factory, monkeypatch):
    """Never touch the real user library or settings during tests."""
    home = tmp_path_factory.mktemp("evidence-home")
    monkeypatch.setenv("EVIDENCE_APP_HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    return home


@pytest.fixture(scope="session")
def library():
    from evidence_app.core.datasets.library import load_library

    return load_library(include_user=False)
