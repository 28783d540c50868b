"""Malformed CSVs, bad images and unwritable targets: one clear message each, nothing half-written."""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence_app.core.digitize.load import load_figure
from evidence_app.core.reconstruction.curve_input import read_at_risk_csv, read_curve_csv
from evidence_app.core.stats.effects import read_effects_csv
from evidence_app.errors import EvidenceError, InputError

CURVE_CASES = {
    "empty": (b"", "empty"),
    "blank lines": (b"\n\n  \n", "empty"),
    "header only": (b"time,survival\n", "no data rows"),
    "text in numbers": (b"time,survival\n0,1\n2,abc\n", "row 3"),
    "missing column": (b"time,survival\n0,1\n2\n", "row 3"),
    "three columns": (b"time,survival,extra\n0,1,5\n2,0.9,5\n", "row"),
    "nan": (b"time,survival\n0,1\n2,nan\n", "row 3"),
    "inf": (b"time,survival\n0,1\ninf,0.5\n", "row 3"),
    "binary junk": (bytes(range(256)), ""),
}


@pytest.mark.parametrize("name", sorted(CURVE_CASES))
def test_malformed_curve_csv(tmp_path, count_case, name):
    content, fragment = CURVE_CASES[name]
    count_case()
    path = tmp_path / "curve.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_curve_csv(path)
    message = str(info.value)
    assert str(path) in message and fragment in message


@pytest.mark.parametrize(
    "content",
    [
        "\ufefftime,survival\n0,1\n3,0.8\n6,0.5\n",  # BOM
        "time;survival\n0;1\n3;0,8\n6;0,5\n",  # semicolons and decimal commas
        "time\tsurvival\n0\t1\n3\t0.8\n6\t0.5\n",  # tabs
        "survival,time\n1,0\n0.8,3\n0.5,6\n",  # columns swapped
    ],
)
def test_readable_variants_are_read(tmp_path, count_case, content):
    count_case()
    path = tmp_path / "curve.csv"
    path.write_text(content, encoding="utf-8")
    frame = read_curve_csv(path)
    assert frame["time"].tolist() == [0, 3, 6] and frame["survival"].tolist() == [1, 0.8, 0.5]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.sampled_from(list("0123456789.,;\t-eE naNtimesurvival\n\ufeff")), max_size=200))
def test_arbitrary_csv_text_never_crashes(tmp_path, count_case, text):
    count_case()
    path = tmp_path / "fuzz.csv"
    path.write_text(text, encoding="utf-8")
    for reader in (read_curve_csv, read_at_risk_csv):
        try:
            reader(path)
        except InputError as exc:
            assert str(path) in str(exc)
    try:
        read_effects_csv(path)
    except InputError as exc:
        assert str(path) in str(exc)


def png_bytes(width: int, height: int, *, truncate: int | None = None) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xff" * (3 * width) for _ in range(min(height, 4)))
    data = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return data[:truncate] if truncate else data


@pytest.mark.parametrize(
    "name,content",
    [
        ("truncated.png", png_bytes(50, 50, truncate=40)),
        ("zero.png", b""),
        ("not-an-image.png", b"%PDF-1.4 this is not a png"),
        ("zero-size.png", png_bytes(0, 0)),
        ("huge-20000px.png", png_bytes(20_000, 20_000)),
        ("text.jpg", b"hello"),
    ],
)
def test_bad_images(tmp_path, count_case, name, content):
    count_case()
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        load_figure(path)
    assert str(path) in str(info.value) or name in str(info.value)


def test_export_to_unwritable_or_missing_folder_writes_nothing(tmp_path, count_case, library):
    from evidence_app.export.workbook import export_workbook

    datasets = [library.get("arcc-os-tem-vs-ifn")]
    count_case()
    with pytest.raises(EvidenceError, match="does not exist|folder"):
        export_workbook(datasets, tmp_path / "missing" / "out.xlsx")
    count_case()
    existing = tmp_path / "kept.xlsx"
    existing.write_bytes(b"user's own file")
    with pytest.raises(EvidenceError, match="exists"):
        export_workbook(datasets, existing)
    assert existing.read_bytes() == b"user's own file"  # never overwritten without asking
    count_case()
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        with pytest.raises(EvidenceError, match="not writable|Permission|cannot"):
            export_workbook(datasets, locked / "out.xlsx")
        locked.chmod(0o700)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []


def test_failed_export_leaves_no_partial_file(tmp_path, count_case, library, monkeypatch):
    """An error in the middle of writing (disk full, crash in a sheet) leaves neither file nor temp."""
    from evidence_app.export import workbook

    count_case()
    target = tmp_path / "out.xlsx"

    monkeypatch.setattr(workbook, "write_atomic", lambda path, writer, **kw: _failing_write(path, writer))
    with pytest.raises((EvidenceError, OSError)):
        workbook.export_workbook([library.get("aspen-pfs")], target)
    assert list(tmp_path.iterdir()) == []


def _failing_write(path: Path, writer) -> None:
    from evidence_app.core.atomic import write_atomic

    def half(handle) -> None:
        buffer = io.BytesIO()
        writer(buffer)
        handle.write(buffer.getvalue()[:100])
        raise OSError(28, "No space left on device")

    write_atomic(path, half)
