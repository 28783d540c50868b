"""Simultaneous imports of one dataset id: each writer is either imported or refused; nothing is lost.

Before the fix, the existence check and ``os.replace`` were two steps, so several writers saw a free
name and each replaced the file of the one before it while reporting success. The full count (200)
runs in ``benchmarks/fuzz_nightly.py``.
"""

from __future__ import annotations

import pytest

from evidence_app.core.atomic import write_text_atomic
from evidence_app.errors import ExportError
from tests.robustness.import_race import race

WRITERS = 12


def test_simultaneous_imports_of_one_id_lose_nothing(tmp_path, count_case):
    count_case(WRITERS)
    result = race(WRITERS, tmp_path)
    imported = [o for o in result["outcomes"] if o[1] == "imported"]
    refused = [o for o in result["outcomes"] if o[1] == "refused"]
    assert len(imported) + len(refused) == WRITERS
    # Every success is still on disk with its own content: exactly one file, written by the one winner.
    assert len(imported) == 1, result["outcomes"]
    assert result["files"] == ["demo-os.json"]
    assert result["titles"] == {"demo-os.json": f"Imported by writer {imported[0][0]}"}
    assert all("already exists" in message and "demo-os.json" in message for _, _, message in refused)


def test_create_without_overwrite_never_replaces(tmp_path, count_case, monkeypatch):
    """The check-then-replace race, made deterministic: the name appears after the check."""
    import evidence_app.core.atomic as atomic

    count_case()
    target = tmp_path / "x.json"
    real_mkstemp = atomic.tempfile.mkstemp

    def mkstemp_then_someone_else_writes(*args, **kwargs):
        made = real_mkstemp(*args, **kwargs)
        target.write_text("the other writer's file")
        return made

    monkeypatch.setattr(atomic.tempfile, "mkstemp", mkstemp_then_someone_else_writes)
    with pytest.raises(ExportError, match="already exists"):
        write_text_atomic(target, "mine", overwrite=False)
    assert target.read_text() == "the other writer's file"
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]  # no temporary left behind
