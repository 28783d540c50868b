"""Importing: a digitized curve with a typed at-risk table becomes a saved user dataset; a dataset
file is validated and copied; broken input shows the error dialog; user datasets can be deleted.
"""

from __future__ import annotations

import json
import math

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton, QWizard

from evidence_app.core.datasets.io import load_dataset
from evidence_app.core.digitize.csv_input import read_digitized_curves
from evidence_app.resources import datasets_dir, user_datasets_dir
from tests.test_gui_support import MPL_QT_WARNING, error_dialogs, main_window

pytestmark = pytest.mark.filterwarnings(MPL_QT_WARNING)


@pytest.fixture
def window(qtbot, library):
    yield from main_window(qtbot, library)


TIMES = (0, 6, 12, 18, 24)


def km_points(median: float, n: int) -> list[tuple[float, float]]:
    """A staircase like a digitized figure: an exponential curve with steps of one patient."""
    rate = math.log(2) / median
    points, s = [(0.0, 1.0)], 1.0
    t = 0.0
    while t < 24:
        t += 0.7
        drop = round((s - math.exp(-rate * t)) * n) / n
        if drop > 0:
            points += [(round(t, 2), round(s, 4)), (round(t, 2), round(s - drop, 4))]
            s -= drop
    return points


def at_risk(median: float, n: int) -> list[int]:
    rate = math.log(2) / median
    return [round(n * math.exp(-rate * t) * (1 - t / 60)) for t in TIMES]


@pytest.fixture
def wpd_csv(tmp_path):
    """WebPlotDigitizer's 'export all datasets' layout: names row, X/Y row, ragged columns."""
    a, b = km_points(14.0, 120), km_points(8.0, 118)
    lines = ["Everolimus,,Sunitinib,", "X,Y,X,Y"]
    for i in range(max(len(a), len(b))):
        cells = [f"{a[i][0]},{a[i][1]}" if i < len(a) else ",", f"{b[i][0]},{b[i][1]}" if i < len(b) else ","]
        lines.append(",".join(cells))
    path = tmp_path / "figure2.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_digitized_csv_layouts_are_read(tmp_path, wpd_csv):
    curves = read_digitized_curves(wpd_csv)
    assert [c.name for c in curves] == ["Everolimus", "Sunitinib"]
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("time1,surv1,time2,surv2\n0,1,0,1\n5,0.8,4,0.7\n10,0.6,,\n", encoding="utf-8")
    assert [len(c.points) for c in read_digitized_curves(pairs)] == [3, 2]
    single = tmp_path / "arm.csv"
    single.write_text("time;survival\n0;1\n2,5;0,9\n", encoding="utf-8")
    (curve,) = read_digitized_curves(single)
    assert curve.name == "arm" and curve.points["time"].tolist() == [0.0, 2.5]


def test_import_digitized_curve_with_typed_at_risk_table_and_save(qtbot, window, wpd_csv, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(wpd_csv)], ""))
    window.commands["import_curve"].trigger()
    wizard = window.curve_wizard
    files = wizard.files_page
    qtbot.mouseClick(files.findChild(QPushButton, "addCurveFiles"), Qt.MouseButton.LeftButton)
    assert files.labels() == ["Everolimus", "Sunitinib"] and files.isComplete()
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)

    page = wizard.at_risk_page
    assert wizard.currentPage() is page
    qtbot.keyClicks(page.times_edit, ", ".join(str(t) for t in TIMES))
    assert page.grid.columnCount() == len(TIMES)
    for arm, (median, n) in enumerate(((14.0, 120), (8.0, 118))):
        for column, value in enumerate(at_risk(median, n)):
            page.set_cell(arm, column, value)
    with qtbot.waitSignal(wizard.review_page.reviewReady, timeout=30000) as blocker:
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    analysis = blocker.args[0]
    assert [a.fit.n for a in analysis.arms] == [120, 118]
    review = wizard.review_page.preview
    assert review.at_risk.rowCount() == 2 * len(TIMES)
    assert review.panel.has_figure

    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    form = wizard.metadata_page.form
    qtbot.keyClicks(form.acronym, "MYTRIAL")
    # Without a source the dataset cannot be saved: the wizard says so and stays on the page.
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(error_dialogs()), timeout=5000)
    assert "source citation" in error_dialogs()[0].text()
    error_dialogs()[0].close()
    assert wizard.isVisible()
    qtbot.keyClicks(form.citation, "Doe J, et al. A trial. J Clin Oncol 2020;38:1-10.")
    qtbot.keyClicks(form.url, "https://example.org/mytrial")
    assert form.dataset_id.text() == "mytrial-os-user"
    with qtbot.waitSignal(window.libraryReloaded, timeout=30000):
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)

    saved = user_datasets_dir() / "mytrial-os-user.json"
    assert saved.is_file()
    dataset = load_dataset(saved)
    assert dataset.curve.kind == "digitized" and dataset.sources[0].url == "https://example.org/mytrial"
    assert dataset.curve.provenance["files"] == ["figure2.csv"]
    assert dataset.curve.arms["everolimus"].at_risk[0] == (0.0, 120)
    entry = window.library.entries["mytrial-os-user"]
    assert not entry.bundled
    assert window.library_panel.selected_ids() == ["mytrial-os-user"]
    assert window.commands["delete"].isEnabled() and window.commands["edit"].isEnabled()


def test_malformed_curve_csv_shows_the_error_dialog(qtbot, window, tmp_path, monkeypatch):
    bad = tmp_path / "bad.csv"
    bad.write_text("time,survival\n0,1\n3,abc\n", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(bad)], ""))
    window.commands["import_curve"].trigger()
    window.curve_wizard.files_page.choose_files()
    qtbot.waitUntil(lambda: bool(error_dialogs()), timeout=5000)
    box = error_dialogs()[0]
    assert "bad.csv" in box.text() and "row 3" in box.text() and "'abc'" in box.text()
    assert box.detailedText()  # the expandable details
    assert window.curve_wizard.files_page.curves == []
    box.close()


def test_malformed_dataset_file_lists_every_problem(qtbot, window, tmp_path, monkeypatch):
    data = json.loads((datasets_dir() / "aspen-pfs.json").read_text(encoding="utf-8"))
    data["id"] = "my-aspen"
    del data["trial"]["acronym"]
    data["arms"][0]["median"]["value"] = -3
    bad = tmp_path / "broken.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    window.commands["import_dataset"].trigger()
    qtbot.waitUntil(lambda: bool(error_dialogs()), timeout=5000)
    text = error_dialogs()[0].text()
    assert "trial.acronym" in text and "arms[0].median.value" in text
    assert not list(user_datasets_dir().glob("*.json"))
    error_dialogs()[0].close()


def test_import_dataset_file_then_delete_it(qtbot, window, tmp_path, monkeypatch):
    data = json.loads((datasets_dir() / "aspen-pfs.json").read_text(encoding="utf-8"))
    data["id"], data["title"] = "my-aspen", "My copy of ASPEN"
    good = tmp_path / "mine.json"
    good.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(good), ""))
    with qtbot.waitSignal(window.libraryReloaded, timeout=30000):
        window.commands["import_dataset"].trigger()
    assert (user_datasets_dir() / "my-aspen.json").is_file()
    assert "my-aspen" in window.library_panel.visible_ids()

    # Importing the same id again asks first; "No" leaves the file alone.
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.No)
    window.commands["import_dataset"].trigger()
    qtbot.waitUntil(lambda: bool(asked), timeout=10000)
    assert "my-aspen" in asked[0]

    # A bundled dataset cannot be deleted: the action is disabled and says why.
    window.library_panel.select_ids(["aspen-pfs"])
    assert not window.commands["delete"].isEnabled()
    assert "read-only" in window.commands["delete"].toolTip()

    window.library_panel.select_ids(["my-aspen"])
    assert window.commands["delete"].isEnabled()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(window.libraryReloaded, timeout=30000):
        window.library_panel.table.setFocus()
        window.commands["delete"].trigger()
    assert not (user_datasets_dir() / "my-aspen.json").exists()
    assert "my-aspen" not in window.library
