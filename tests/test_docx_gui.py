"""Export → Word in the GUI: the dialog, the report written by a worker job, cancel leaves nothing."""

from __future__ import annotations

import docx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog

from tests.test_gui_export import window  # noqa: F401 - the main-window fixture of the export tests
from tests.test_gui_support import MPL_QT_WARNING, top_level

pytestmark = pytest.mark.filterwarnings(MPL_QT_WARNING)


def test_export_to_word_through_the_file_menu(qtbot, window, tmp_path, monkeypatch):  # noqa: F811
    target = tmp_path / "report.docx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target.with_suffix("")), ""))
    window.library_panel.select_ids(["arcc-os-tem-vs-ifn", "checkmate025-os"])
    action = window.commands["export_word"]
    assert action.shortcut().toString() == "Ctrl+Shift+W"
    file_menu = window.menuBar().actions()[0].menu()
    assert action in file_menu.actions()
    action.trigger()
    dialog = top_level("wordExportDialog")
    assert dialog is not None and dialog.windowTitle() == "Export to Word"
    assert dialog.with_figures.isHidden() and dialog.with_ipd.isHidden()
    export = window.workbook_export
    with qtbot.waitSignal(export.done, timeout=120000) as blocker:
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert blocker.args == [str(target)]  # ".docx" was added
    document = docx.Document(str(target))
    assert any("0.73 (0.58–0.92)" in c.text for t in document.tables for c in t.columns[6].cells)
    assert len(document.inline_shapes) >= 2  # forest plot and KM figures
    assert "Saved" in window.statusBar().currentMessage()


def test_cancelled_word_export_writes_nothing(qtbot, window, tmp_path, monkeypatch):  # noqa: F811
    target = tmp_path / "all.docx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.commands["export_word"].trigger()
    export = window.workbook_export
    export.dialog.scope_buttons["all"].setChecked(True)
    with qtbot.waitSignal(export.done, timeout=60000) as blocker:
        export.dialog.accept()
        export.job.cancel()
    assert blocker.args == [None] and not target.exists()
