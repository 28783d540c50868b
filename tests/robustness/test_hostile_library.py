"""Hostile things in the user library folder: FIFOs, devices, deep JSON, unreadable folders, long names.

Each is reported by name (a problem, a one-line error); none hangs, eats memory or raises a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from evidence_app.core.datasets.io import load_dataset
from evidence_app.core.datasets.library import Library
from evidence_app.errors import DatasetValidationError
from tests.robustness.conftest import time_limit
from tests.test_schema import minimal

REPO = Path(__file__).resolve().parents[2]
POSIX = os.name == "posix"


def load_folder(folder: Path) -> Library:
    library = Library()
    library.add_folder(folder, bundled=False)
    return library


def run_cli(*args: str, timeout: float = 60):
    return subprocess.run(
        [sys.executable, "-m", "evidence_app", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )


def write_good(folder: Path) -> None:
    (folder / "good.json").write_text(json.dumps(minimal()), encoding="utf-8")


@pytest.mark.skipif(not POSIX, reason="FIFOs are POSIX")
def test_fifo_in_the_library_is_reported_not_waited_for(tmp_path, count_case):
    count_case()
    write_good(tmp_path)
    os.mkfifo(tmp_path / "pipe.json")
    with time_limit(10, "loading a folder with a FIFO"):
        library = load_folder(tmp_path)  # before the fix: blocks for ever in open()
    assert list(library.entries) == ["demo-os"]
    assert [(Path(p.file).name, "named pipe" in p.message) for p in library.problems] == [("pipe.json", True)]


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_symlink_to_dev_zero_is_refused_by_name(tmp_path, count_case):
    count_case()
    write_good(tmp_path)
    (tmp_path / "zero.json").symlink_to("/dev/zero")
    library = load_folder(tmp_path)
    assert list(library.entries) == ["demo-os"]
    assert len(library.problems) == 1 and library.problems[0].file.endswith("zero.json")
    assert "character device" in library.problems[0].message
    with pytest.raises(DatasetValidationError, match="character device"):
        load_dataset(tmp_path / "zero.json")


@pytest.mark.parametrize("depth", [40, 5_000, 200_000])
def test_deeply_nested_json_is_a_clear_error(tmp_path, count_case, depth):
    count_case()
    path = tmp_path / "deep.json"
    data = minimal()
    data["curve"]["provenance"] = "@@"
    text = json.dumps(data).replace('"@@"', "[" * depth + "]" * depth)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DatasetValidationError, match="nested more than") as info:
        load_dataset(path)  # before the fix: RecursionError
    assert str(path) in str(info.value)
    write_good(tmp_path)
    library = load_folder(tmp_path)
    assert list(library.entries) == ["demo-os"] and len(library.problems) == 1


def test_a_folder_in_place_of_a_dataset_file_is_reported(tmp_path, count_case):
    count_case()
    (tmp_path / "folder.json").mkdir()
    write_good(tmp_path)
    library = load_folder(tmp_path)
    assert list(library.entries) == ["demo-os"]
    assert "folder" in library.problems[0].message


def test_library_folder_that_is_a_file_is_reported(tmp_path, count_case):
    count_case()
    target = tmp_path / "datasets"
    target.write_text("not a folder")
    library = load_folder(target)
    assert len(library.problems) == 1 and library.problems[0].file == str(target)


def test_three_hundred_character_names_are_one_line_errors(tmp_path, count_case):
    long = "x" * 300 + ".json"
    for args in (
        ["validate", str(tmp_path / long)],
        ["reconstruct", "--curve", str(tmp_path / ("c" * 300 + ".csv")), "--n", "10", "--out", str(tmp_path / "o.csv")],
        ["pool", str(tmp_path / ("e" * 300 + ".csv"))],
        ["digitize", "--image", str(tmp_path / ("i" * 300 + ".png")), "--x-range", "0,1", "--y-range", "0,1"]
        + ["--out", str(tmp_path)],
    ):
        count_case()
        result = run_cli(*args)
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and "too long" in lines[0]


def _deny(monkeypatch, folder: Path, *, listing: bool) -> None:
    """Root reads everything, so simulate the kernel's answer for a folder without read permission
    (``listing``: it cannot be listed) or inside a folder without search permission (nothing in it
    can even be looked at): EACCES from the same calls the real folder would fail."""
    import errno

    def affected(path: object) -> bool:
        if not isinstance(path, (str, Path)):
            return False
        p = Path(path)
        return p == folder if listing else p == folder or folder in p.parents

    for name in ("listdir", "scandir") if listing else ("listdir", "scandir", "stat", "open"):
        real = getattr(os, name)

        def fake(path, *args, _real=real, **kwargs):
            if affected(path):
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return _real(path, *args, **kwargs)

        monkeypatch.setattr(os, name, fake)


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
@pytest.mark.parametrize("listing", [True, False], ids=["folder-not-readable", "parent-not-searchable"])
def test_unreadable_library_folder_is_reported(private_user_dir, monkeypatch, capsys, count_case, listing):
    """An unreadable library folder (or one inside a folder without search permission): `datasets`
    names it and exits 1; before, the first was skipped silently and the second was a traceback."""
    from evidence_app.cli.entry import main

    count_case()
    folder = private_user_dir / "datasets"
    folder.mkdir()
    write_good(folder)
    locked = folder if listing else private_user_dir
    locked.chmod(0o300 if listing else 0o600)
    try:
        if os.geteuid() == 0:
            _deny(monkeypatch, folder, listing=listing)
        code = main(["datasets"])
    finally:
        monkeypatch.undo()
        locked.chmod(0o755)
    err = capsys.readouterr().err
    assert code == 1
    assert f"error: {folder}: cannot list the folder: permission denied" in err


@pytest.mark.skipif(not POSIX or not Path("/dev/zero").exists(), reason="FIFOs and /dev/zero are POSIX")
def test_the_desktop_app_opens_beside_a_hostile_library(qtbot, private_user_dir, count_case):
    """The GUI loads the library through the same loader: it opens, lists the good dataset, names the rest."""
    from tests.test_gui_support import main_window

    count_case(3)
    folder = private_user_dir / "datasets"
    folder.mkdir()
    data = minimal()
    data["id"] = "demo-user"
    (folder / "demo-user.json").write_text(json.dumps(data), encoding="utf-8")
    os.mkfifo(folder / "pipe.json")
    (folder / "zero.json").symlink_to("/dev/zero")
    (folder / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with time_limit(30, "opening the main window"):
        windows = main_window(qtbot, None)
        window = next(windows)
    try:
        assert "demo-user" in window.library.entries
        named = sorted(Path(p.file).name for p in window.library.problems if p.file)
        assert named == ["deep.json", "pipe.json", "zero.json"]
    finally:
        next(windows, None)
