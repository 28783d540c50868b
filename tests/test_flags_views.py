"""A flagged dataset shows the same flags, label and published precision in every view.

The flags come from one core function (``dataset_flags``); these tests check that the library
model, the Numbers tab and the dataset view's title, the Kaplan–Meier figure's text, the
workbook, the CSV table and the CLI all show them, and that published numbers keep the
precision the source printed.
"""

from __future__ import annotations

import json

import pytest

from evidence_app.cli import main
from evidence_app.core.datasets.catalog import dataset_flags
from evidence_app.core.datasets.labels import dataset_label
from evidence_app.gui.numbers_rows import NOT_RECORDED, numbers_rows

FLAGGED = "checkmate025-os"  # secondary-source N, interim, 98.5% CI, judgement call


def _cells(dataset) -> list[tuple[str, ...]]:
    return [r.cells for r in numbers_rows(dataset)]


def test_core_flags_of_a_flagged_dataset(library):
    d = library.get(FLAGGED)
    codes = [f.code for f in dataset_flags(d)]
    assert {"secondary", "interim", "non95", "judgement"} <= set(codes)
    secondary = next(f for f in dataset_flags(d) if f.code == "secondary")
    assert secondary.footnote == "Read only from a secondary source: Nivolumab: n; Everolimus: n."
    assert next(f for f in dataset_flags(library.get("meteor-os-interim")) if f.code == "conflict")
    assert "CI level assumed" in [f.label for f in dataset_flags(library.get("aspen-os"))]


@pytest.mark.parametrize(
    ("dataset_id", "named"),
    [
        ("intoract-pfs", "hazard ratio"),
        ("arcc-pfs-tem-vs-ifn", "Temsirolimus: median"),
        ("study205-pfs-len-eve-vs-eve", "Everolimus: n"),
        ("checkmate025-os", "Nivolumab: n"),
        ("espn-os-final", "Everolimus: median CI"),  # the value from the paper, its CI only from a review
        ("espn-pfs", "hazard ratio"),
    ],
)
def test_secondary_source_numbers_are_flagged(library, dataset_id, named):
    (flag,) = [f for f in dataset_flags(library.get(dataset_id)) if f.code == "secondary"]
    assert named in flag.footnote


def test_labels_tell_the_record1_pfs_datasets_apart(library):
    ids = ("record1-pfs-interim", "record1-pfs-final-central", "record1-pfs-final-investigator")
    labels = {dataset_label(library.get(i)) for i in ids}
    assert len(labels) == 3
    assert "RECORD-1: Everolimus vs Placebo — PFS by investigator review, final analysis, ITT" in labels
    arcc = {dataset_label(library.get(i)) for i in ("arcc-os-tem-vs-ifn", "arcc-os-combo-vs-ifn")}
    assert len(arcc) == 2


def test_numbers_rows_show_flags_locators_and_published_precision(library):
    rows = _cells(library.get(FLAGGED))
    hr = next(r for r in rows if r[0] == "Hazard ratio")
    assert hr[1] == "0.73 (0.57–0.93; 98.5% CI)" and hr[2] == "s3 — abstract"
    # INTORSECT's OS medians are published with two decimals (12.27, 10.13–14.80): not rounded to one
    medians = [r[1] for r in _cells(library.get("intorsect-os")) if r[0].startswith("Median")]
    assert medians == ["12.27 (10.13–14.80)", "16.64 (13.55–18.72)"]
    aspen = next(r for r in _cells(library.get("aspen-os")) if r[0] == "Hazard ratio")
    assert aspen[1] == "1.12 (0.7–2)"  # as the review table prints it
    arcc = [r[1] for r in _cells(library.get("arcc-os-tem-vs-ifn")) if r[0].startswith("Median")]
    assert arcc[0] == "10.9"


def test_numbers_rows_show_conflicts_and_judgement_calls(library):
    meteor = _cells(library.get("meteor-os-interim"))
    hr = next(r for r in meteor if r[0] == "Hazard ratio")
    assert "another source reports 0.67" in hr[4]
    conflict = next(r for r in meteor if r[1].startswith("0.67"))
    assert conflict[2] == "s2 — abstract" and "0.66" in conflict[4]
    study205 = _cells(library.get("study205-pfs-len-vs-eve"))
    assert next(r for r in study205 if r[0] == "Hazard ratio")[1] == NOT_RECORDED
    assert any(r[0] == "HR not recorded" and "published" in r[1] for r in study205)


def test_library_model_shows_flags_and_label(qtbot, library):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QStandardItemModel

    from evidence_app.gui.library_model import COLUMNS, LibraryFilterProxy, fill_model

    model = QStandardItemModel(0, len(COLUMNS))
    proxy = LibraryFilterProxy()
    proxy.setSourceModel(model)
    fill_model(model, proxy, library)
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data(Qt.ItemDataRole.UserRole) == FLAGGED)
    flags = model.index(row, COLUMNS.index("Flags")).data()
    for label in ("secondary source", "interim analysis", "98.5% CI", "judgement call"):
        assert label in flags
    tooltip = model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip.startswith(dataset_label(library.get(FLAGGED)))
    assert "Read only from a secondary source: Nivolumab: n" in tooltip
    assert "0.73 (0.57–0.93; 98.5% CI)" in model.index(row, COLUMNS.index("HR (CI)")).data()


@pytest.fixture
def window(qtbot, library):
    from tests.test_gui_support import main_window

    yield from main_window(qtbot, library)


def test_dataset_view_title_and_window_title(window):
    window.open_dataset(FLAGGED)
    title = window.dataset_view.title
    assert dataset_label_text() in title.text()
    assert "98.5% CI" in title.text() and "secondary source" in title.text()
    assert "Read only from a secondary source" in title.toolTip()
    assert window.windowTitle().startswith(dataset_label_text())
    numbers = window.dataset_view.numbers
    assert "Judgement calls" in numbers.cell_texts()
    banner = numbers.banner.text()
    assert not numbers.banner.isHidden()
    assert "SECONDARY SOURCE: Read only from a secondary source: Nivolumab: n; Everolimus: n." in banner
    assert "INTERIM ANALYSIS: Interim analysis" in banner and "98.5% CI: " in banner
    window.open_dataset("study205-pfs-len-vs-eve")
    assert NOT_RECORDED in window.dataset_view.numbers.cell_texts()
    assert "“published, not recorded” means" in window.dataset_view.numbers.footer.text()


def test_km_figure_text_names_analysis_population_and_flags(library):
    from evidence_app.core.stats.analysis import analyze_dataset
    from evidence_app.plots.km import draw_km
    from evidence_app.plots.style import new_figure

    fig = new_figure()
    art = draw_km(fig, analyze_dataset(library.get(FLAGGED)))
    text = " ".join(t.get_text() for t in [*art.title, *art.notes]).replace("\n", " ")
    assert "interim analysis, all randomized" in text
    assert "[secondary source] Read only from a secondary source: Nivolumab: n; Everolimus: n." in text
    assert "[98.5% CI]" in text and "[judgement call] Judgement call on analysis (interim or final): interim." in text
    assert "Published HR 0.73 (0.57–0.93; 98.5% CI)" in art.hr_box.txt.get_text().replace("\xa0", " ")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_workbook_and_csv_show_the_flags(tmp_path, fmt):
    out = tmp_path / f"table.{fmt}"
    assert main(["export", FLAGGED, "meteor-os-interim", "--out", str(out), "--format", fmt]) == 0
    if fmt == "csv":
        text = out.read_text(encoding="utf-8-sig")
    else:
        from openpyxl import load_workbook

        book = load_workbook(out)
        text = " ".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value)
    assert "secondary source" in text and "interim analysis" in text and "conflicting reports" in text
    assert "judgement call" in text
    if fmt == "xlsx":
        assert "Read only from a secondary source: Nivolumab: n; Everolimus: n." in text
        assert "0.67 (95% CI 0.53–0.83)" in text


def test_cli_lists_flags_and_labels(capsys):
    assert main(["datasets", "--bundled-only", "--json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    row = rows[FLAGGED]
    assert row["label"] == dataset_label_text()
    assert {f["code"] for f in row["flags"]} >= {"secondary", "interim", "non95", "judgement"}
    assert main(["datasets", "--bundled-only"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith(FLAGGED))
    assert "secondary source" in line and "98.5% CI" in line and "interim" in line


def dataset_label_text() -> str:
    return "CheckMate 025: Nivolumab vs Everolimus — OS, interim analysis, all randomized"


def test_sources_tab_says_where_each_number_stands(library):
    from evidence_app.gui.sources_tab import source_html

    d = library.get("arcc-os-tem-vs-ifn")
    assert "hazard ratio (Table 1)" in source_html(d, d.source("s7"))
    assert "Temsirolimus: median (abstract)" in source_html(d, d.source("s6"))


def test_analyze_prints_the_label_and_flags(capsys):
    assert main(["analyze", FLAGGED]) == 0
    out = capsys.readouterr().out
    assert out.startswith(dataset_label_text())
    assert "[secondary source] Read only from a secondary source: Nivolumab: n; Everolimus: n." in out
    assert main(["analyze", FLAGGED, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["label"] == dataset_label_text() and "98.5% CI" in [f["label"] for f in data["flags"]]


def test_csv_table_prints_published_precision(tmp_path):
    out = tmp_path / "table.csv"
    assert main(["export", "intorsect-os", "aspen-os", "--out", str(out), "--format", "csv"]) == 0
    text = out.read_text(encoding="utf-8-sig")
    assert "12.27 (10.13–14.80)" in text and "12.3 (10.1–14.8)" not in text
    assert "1.12 (0.7–2)" in text


def test_forest_rows_keep_published_precision_and_flags(library):
    from evidence_app.core.synthesis.forest_data import make_row

    row, _ = make_row(library.get("aspen-os"))
    assert row.hr_text == "1.12 (0.7–2)"
    checkmate, _ = make_row(library.get(FLAGGED))
    assert "numbers from a secondary source" in checkmate.notes
    study205, _ = make_row(library.get("study205-pfs-len-vs-eve"))
    assert "HR published but not recorded (judgement call)" in study205.notes
