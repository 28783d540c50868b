"""``export --with-ipd`` never passes Excel's 1,048,576-row limit silently.

Excel's real limit needs a million patient rows, which is the nightly benchmark's job
(``benchmarks/fuzz_nightly.py``); here the limit the export reads is scaled down so that the
bundled patient-level datasets (302 and 302 rows) pass it, with the same code path.
"""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from evidence_app.cli.entry import main

IDS = ["radiant4-os-kmdata", "radiant4-pfs-kmdata"]
PATIENTS = 302 + 302


def _patient_sheets(path):
    book = load_workbook(path, read_only=True)
    sheets = [ws for ws in book.worksheets if ws.title.startswith("Patient data")]
    rows = {ws.title: sum(1 for _ in ws.iter_rows()) for ws in sheets}
    book.close()
    return rows


@pytest.mark.parametrize("max_rows", [101, 1_048_576])
def test_patient_rows_never_pass_one_sheet_silently(tmp_path, monkeypatch, capsys, count_case, max_rows):
    from evidence_app.export import workbook

    count_case()
    monkeypatch.setattr(workbook, "MAX_ROWS", max_rows)
    monkeypatch.setattr(workbook, "MAX_WORKBOOK_PATIENT_ROWS", 10 * (max_rows - 1))
    out = tmp_path / "ipd.xlsx"
    assert main(["export", *IDS, "--with-ipd", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    rows = _patient_sheets(out)
    assert all(n <= max_rows for n in rows.values()), rows
    assert sum(n - 1 for n in rows.values()) == PATIENTS  # every patient once, a header per sheet
    if max_rows < PATIENTS:
        assert len(rows) == -(-PATIENTS // (max_rows - 1))
        assert "note:" in err and "split over" in err  # said on the command line, not only in the file
    else:
        assert list(rows) == ["Patient data"] and "split over" not in err


def test_patient_rows_beyond_a_workbook_go_to_a_csv_and_say_so(tmp_path, monkeypatch, capsys, count_case):
    from evidence_app.export import workbook

    count_case()
    monkeypatch.setattr(workbook, "MAX_ROWS", 101)
    monkeypatch.setattr(workbook, "MAX_WORKBOOK_PATIENT_ROWS", 300)
    out = tmp_path / "ipd.xlsx"
    assert main(["export", *IDS, "--with-ipd", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    beside = tmp_path / "ipd-patient-data.csv"
    assert beside.exists() and len(beside.read_text(encoding="utf-8-sig").splitlines()) == PATIENTS + 1
    assert "note:" in err and beside.name in err
