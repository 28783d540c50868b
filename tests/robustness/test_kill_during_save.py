"""Killing the process while it saves never leaves a broken or missing dataset behind."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from evidence_app.core.datasets.library import Library
from evidence_app.resources import datasets_dir

RUNS = 40


def test_sigkill_at_random_moments_leaves_old_or_new_state(tmp_path: Path, count_case):
    # A large dataset (patient-level rows) makes each write long enough to be interrupted.
    source = json.loads((datasets_dir() / "bolero2-os-kmdata.json").read_text(encoding="utf-8"))
    source["id"] = "user-copy"
    source["title"] = "original"
    folder = tmp_path / "datasets"
    folder.mkdir()
    target = folder / "user-copy.json"
    target.write_text(json.dumps(source), encoding="utf-8")
    rng = random.Random(20261123)
    seen_titles = set()
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    for _ in range(RUNS):
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.robustness.save_loop", str(target)],
            stdout=subprocess.PIPE,
            env=env,
            cwd=Path(__file__).resolve().parents[2],
        )
        assert child.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0.0, 0.25))  # a random moment inside the save loop
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        count_case()
        library = Library()
        library.add_folder(folder, bundled=False)
        assert library.problems == [], library.problems
        title = library.get("user-copy").title
        assert title in {"original", "version 0", "version 1"}
        seen_titles.add(title)
    # Leftover temporary files are never mistaken for datasets.
    assert [p.name for p in folder.glob("*.json")] == ["user-copy.json"]
    assert seen_titles & {"version 0", "version 1"}


def test_stale_temporaries_are_cleaned_and_fresh_ones_kept(tmp_path: Path):
    stale = tmp_path / ".mine.json.abc.tmp"
    fresh = tmp_path / ".mine.json.def.tmp"
    stale.write_text("{", encoding="utf-8")
    fresh.write_text("{", encoding="utf-8")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    Library().add_folder(tmp_path, bundled=False)
    assert not stale.exists() and fresh.exists()
