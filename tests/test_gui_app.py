"""The app shell: shortcuts, the error boundary, library problems, About, edit, remembered state,
and a start-up that paints before the heavy libraries load.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel, QPlainTextEdit

from evidence_app.gui.about_dialog import AboutDialog
from evidence_app.gui.library_panel import COLUMNS
from evidence_app.gui.main_window import MainWindow
from evidence_app.gui.metadata_dialog import EditDatasetDialog
from evidence_app.gui.problems_dialog import LibraryProblemsDialog
from evidence_app.resources import datasets_dir, user_datasets_dir
from tests.test_gui_support import MPL_QT_WARNING, error_dialogs, main_window

pytestmark = pytest.mark.filterwarnings(MPL_QT_WARNING)

SHORTCUTS = {
    "find": "Ctrl+F",
    "import_dataset": "Ctrl+O",
    "export_workbook": "Ctrl+E",
    "export_figure": "Ctrl+Shift+E",
    "forest": "Ctrl+L",
    "reload": "F5",
    "quit": "Ctrl+Q",
    "delete": "Del",
}


@pytest.fixture
def window(qtbot, library):
    yield from main_window(qtbot, library)


def test_keyboard_shortcuts(qtbot, window):
    for key, sequence in SHORTCUTS.items():
        assert window.commands[key].shortcut().toString(QKeySequence.SequenceFormat.PortableText) == sequence, key
    window.activateWindow()
    qtbot.waitActive(window)
    with qtbot.waitSignal(window.libraryReloaded, timeout=30000):
        qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.library_panel.search.hasFocus()
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.workspace.currentWidget() is window.forest_view


def test_an_exception_in_a_slot_shows_the_error_dialog(qtbot, window):
    window.open_dataset("no-such-dataset")  # a guarded slot
    qtbot.waitUntil(lambda: bool(error_dialogs()), timeout=5000)
    box = error_dialogs()[0]
    assert "No dataset with id 'no-such-dataset'" in box.text()
    assert "Traceback" in box.detailedText()
    box.close()


def test_broken_user_files_are_listed_and_the_rest_loads(qtbot):
    QSettings().clear()
    folder = user_datasets_dir(create=True)
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    window = MainWindow()
    qtbot.addWidget(window)
    assert len(window.library) >= 35
    assert "1 file problem" in window._status.text()
    assert window.commands["problems"].text().endswith("(1)…")
    dialog = LibraryProblemsDialog(window.library, window)
    qtbot.addWidget(dialog)
    assert "broken.json" in dialog.table.text_at(0, 0) and "not valid JSON" in dialog.table.text_at(0, 2)


def test_about_dialog_shows_versions_licences_and_citation(qtbot):
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    text = dialog.findChild(QLabel, "aboutVersions").text()
    for name in ("Python", "Qt", "lifelines", "matplotlib", "openpyxl"):
        assert name in text
    boxes = [c.toPlainText() for c in dialog.findChildren(QPlainTextEdit)]
    assert any("Robert Redd" in t and "MIT" in t for t in boxes)
    assert any("Guyot" in t for t in boxes)


def test_edit_a_user_dataset(qtbot, window, monkeypatch):
    data = json.loads((datasets_dir() / "tempa-pfs.json").read_text(encoding="utf-8"))
    data["id"] = "my-tempa"
    path = user_datasets_dir(create=True) / "my-tempa.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with qtbot.waitSignal(window.libraryReloaded, timeout=30000):
        window.reload_library(select="my-tempa")
    entry = window.library.entries["my-tempa"]
    dialog = EditDatasetDialog(entry, window.library, window)
    qtbot.addWidget(dialog)
    dialog.form.title.setText("TemPa (my reading)")
    dialog.form.arms.item(0, 2).setText("81")
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["title"] == "TemPa (my reading)"
    assert saved["arms"][0]["n"]["value"] == 81 and saved["arms"][0]["n"]["sources"]
    # Bundled datasets cannot be edited.
    with pytest.raises(Exception, match="bundled"):
        EditDatasetDialog(window.library.entries["tempa-pfs"], window.library, window)


def test_window_state_is_remembered(qtbot, library):
    QSettings().clear()
    first = MainWindow(library)
    qtbot.addWidget(first)
    first.show()
    first.resize(796, 580)  # inside the offscreen platform's 800 x 600 screen (restoring clamps to it)
    first.splitter.setSizes([320, 470])
    wanted = first.splitter.sizes(), first.size()
    first.close()
    second = MainWindow(library)
    qtbot.addWidget(second)
    second.show()
    assert (second.splitter.sizes(), second.size()) == wanted


def test_first_start_shows_the_library_columns_and_the_last_dataset_reopens(qtbot, library):
    QSettings().clear()
    first = MainWindow(library)
    qtbot.addWidget(first)
    first.resize(1200, 580)  # the offscreen screen is 800 x 600; the default size fits whatever screen
    first.show()
    # Not the narrow default a splitter gives a table.
    qtbot.waitUntil(lambda: 0.35 < first.splitter.sizes()[0] / sum(first.splitter.sizes()) < 0.45, timeout=3000)
    # Long comparisons are elided (full title in the tooltip) rather than pushing the endpoint away.
    table, header = first.library_panel.table, first.library_panel.table.horizontalHeader()
    endpoint = list(COLUMNS).index("Endpoint")
    assert header.sectionPosition(endpoint) + header.sectionSize(endpoint) < table.viewport().width()
    assert first.dataset_view.dataset_id is None  # nothing was open before
    first.library_panel.select_ids(["record1-os-final"])
    qtbot.waitUntil(lambda: first.dataset_view.dataset_id == "record1-os-final", timeout=5000)
    first.close()
    second = MainWindow(library)
    qtbot.addWidget(second)
    second.show()
    qtbot.waitUntil(lambda: second.dataset_view.dataset_id == "record1-os-final", timeout=5000)
    assert second.library_panel.selected_ids() == ["record1-os-final"]
    second.close()


def test_main_window_paints_before_the_numerical_libraries_are_imported():
    code = textwrap.dedent("""
        import sys
        from PySide6.QtCore import QEvent, QObject
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        from evidence_app.gui.main_window import MainWindow
        window = MainWindow()

        class FirstPaint(QObject):
            def eventFilter(self, obj, event):
                if event.type() == QEvent.Type.Paint:
                    heavy = ("lifelines", "matplotlib", "scipy", "pandas", "numpy")
                    print("heavy:", sorted(m for m in heavy if m in sys.modules))
                    app.quit()
                return False

        watcher = FirstPaint()
        window.installEventFilter(watcher)
        window.show()
        app.exec()
        window.close()
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "heavy: []" in result.stdout


def test_windows_open_inside_a_small_screen(qtbot, library):
    # The offscreen platform's screen is 800 x 600: smaller than any default size here.
    from evidence_app.gui.digitizer import DigitizerWindow
    from evidence_app.gui.workers import JobRunner

    QSettings().clear()
    for window in (MainWindow(library), DigitizerWindow(library, JobRunner())):
        qtbot.addWidget(window)
        window.show()
        area = window.screen().availableGeometry()
        assert window.width() <= area.width() and window.height() <= area.height(), type(window).__name__
