"""Exports through the dialogs: the workbook (options remembered, worker + progress) and figures."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QPushButton

from tests.test_gui_support import MPL_QT_WARNING, main_window, top_level

pytestmark = pytest.mark.filterwarnings(MPL_QT_WARNING)


@pytest.fixture
def window(qtbot, library):
    yield from main_window(qtbot, library)


def test_export_workbook_through_the_dialog(qtbot, window, tmp_path, monkeypatch):
    target = tmp_path / "comparison.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target.with_suffix("")), ""))
    window.library_panel.select_ids(["aspen-pfs", "espn-pfs", "record3-pfs-nccrcc-subgroup"])
    window.commands["export_workbook"].trigger()
    dialog = top_level("workbookExportDialog")
    assert dialog is not None
    assert dialog.scope_buttons["selected"].isChecked() and "(3)" in dialog.scope_buttons["selected"].text()
    qtbot.mouseClick(
        dialog.method_boxes["DL"], Qt.MouseButton.LeftButton, pos=dialog.method_boxes["DL"].rect().center()
    )
    export = window.workbook_export
    with qtbot.waitSignal(export.done, timeout=60000) as blocker:
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert blocker.args == [str(target)]  # ".xlsx" was added
    book = load_workbook(target, read_only=True)
    assert len(book.sheetnames) >= 2
    book.close()
    assert QSettings().value("export/workbook_methods") == ["REML", "DL"]
    assert "Saved" in window.statusBar().currentMessage()


def test_cancelled_file_dialog_writes_nothing(qtbot, window, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    window.commands["export_workbook"].trigger()
    export = window.workbook_export
    with qtbot.waitSignal(export.done, timeout=5000) as blocker:
        export.dialog.accept()
    assert blocker.args == [None] and export.job is None


def test_export_km_figure_as_svg(qtbot, window, tmp_path, monkeypatch):
    view = window.dataset_view
    with qtbot.waitSignal(view.analysisReady, timeout=30000):
        window.open_dataset("radiant4-pfs-kmdata")
    target = tmp_path / "km.svg"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.commands["export_figure"].trigger()  # Ctrl+Shift+E
    dialog = top_level("figureExportDialog")
    dialog.format_box.setCurrentText("SVG (vector)")
    dialog.size_box.setCurrentIndex(dialog.size_box.findData("double"))
    export = view.curves._export
    with qtbot.waitSignal(export.saved, timeout=30000):
        dialog.accept()
    assert target.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert QSettings().value("export/figure_width") == "double"


def test_cancelling_the_progress_dialog_writes_nothing(qtbot, window, tmp_path, monkeypatch):
    target = tmp_path / "all.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.commands["export_workbook"].trigger()
    export = window.workbook_export
    export.dialog.scope_buttons["all"].setChecked(True)
    export.dialog.with_figures.setChecked(True)
    with qtbot.waitSignal(export.done, timeout=60000) as blocker:
        export.dialog.accept()
        qtbot.mouseClick(export.progress.findChild(QPushButton), Qt.MouseButton.LeftButton)  # "Cancel"
    assert blocker.args == [None]
    assert not target.exists()
    assert "cancelled" in window.statusBar().currentMessage()
