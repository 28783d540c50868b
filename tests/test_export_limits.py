"""Excel's limits: patient rows beyond a sheet are split or written beside the workbook, long text is
cut — and every time the export says so (summary warnings and the Methods sheet)."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from evidence_app.export import workbook
from evidence_app.export.sheets import Column, Table, write_table
from evidence_app.export.workbook import export_workbook
from evidence_app.export.xlsx_limits import MAX_CELL_CHARS, LimitLog, clip_text, row_chunks

KMDATA = "bolero1-pfs-kmdata"


def _methods_limits(path) -> list[str]:
    methods = pd.read_excel(path, sheet_name="Methods")
    return list(methods[methods["Item"] == "Excel limits"]["Description"])


def test_row_chunks_cover_every_row_once():
    assert row_chunks(0) == [(0, 0)]
    assert row_chunks(10, 4) == [(0, 4), (4, 8), (8, 10)]
    assert row_chunks(1_048_575) == [(0, 1_048_575)]
    assert row_chunks(1_048_576) == [(0, 1_048_575), (1_048_575, 1_048_576)]


def test_patient_rows_beyond_a_sheet_are_split_and_the_export_says_so(library, tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_ROWS", 301)  # a sheet of 300 rows under the header
    path = tmp_path / "split.xlsx"
    summary = export_workbook([library.get(KMDATA)], path, with_ipd=True)
    book = openpyxl.load_workbook(path, read_only=True)
    parts = [name for name in book.sheetnames if name.startswith("Patient data")]
    assert len(parts) >= 2 and parts[1] == "Patient data (2)"
    rows = [pd.read_excel(path, sheet_name=name) for name in parts]
    assert all(len(r) <= 300 for r in rows)
    total = sum(len(r) for r in rows)
    assert total > 600  # BOLERO-1 patient-level rows, all of them
    assert any("split over" in w for w in summary.warnings)
    assert any("split over" in text for text in _methods_limits(path))


def test_patient_rows_beyond_the_workbook_go_to_a_csv_beside_it(library, tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_WORKBOOK_PATIENT_ROWS", 100)
    path = tmp_path / "big.xlsx"
    summary = export_workbook([library.get(KMDATA)], path, with_ipd=True)
    csv = tmp_path / "big-patient-data.csv"
    assert csv.exists()
    table = pd.read_csv(csv, encoding="utf-8-sig")
    assert len(table) > 600 and set(table["Dataset id"]) == {KMDATA}
    note = pd.read_excel(path, sheet_name="Patient data", header=None).iloc[0, 0]
    assert csv.name in note
    assert any(csv.name in w for w in summary.warnings)


def test_long_text_is_cut_to_the_cell_limit_and_logged(tmp_path):
    log = LimitLog()
    text = "x" * (MAX_CELL_CHARS + 10)
    cut = clip_text(text, log, "Sheet", "B2")
    assert len(cut) == MAX_CELL_CHARS and "cut" in cut and f"{MAX_CELL_CHARS + 10:,}" in cut
    assert log.messages == [f"Sheet!B2: text of {MAX_CELL_CHARS + 10:,} characters cut to Excel's limit of 32,767"]
    with pytest.raises(ValueError, match="more than a cell holds"):
        clip_text(text, None, "Sheet", "B2")
    book = openpyxl.Workbook()
    write_table(book.active, Table((Column("Notes", 40, wrap=True),), [(text,)]), log=LimitLog())
    path = tmp_path / "long.xlsx"
    book.save(path)
    assert len(openpyxl.load_workbook(path).active["A2"].value) == MAX_CELL_CHARS


def test_text_in_a_numeric_column_is_refused():
    book = openpyxl.Workbook()
    with pytest.raises(TypeError, match="numeric"):
        write_table(book.active, Table((Column("HR", 8, "0.00"),), [("not reported",)]), log=LimitLog())
