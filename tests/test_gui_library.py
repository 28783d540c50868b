"""The main window lists the library and filters it as the user types."""

from __future__ import annotations

from PySide6.QtCore import Qt

from evidence_app.gui.main_window import MainWindow


def test_main_window_lists_and_filters(qtbot, library):
    window = MainWindow(library)
    qtbot.addWidget(window)
    window.show()
    panel = window.library_panel
    assert panel.proxy.rowCount() == len(library)
    qtbot.keyClicks(panel.search, "RECORD-1")
    assert set(panel.visible_ids()) == {"record1-pfs-interim", "record1-pfs-final-central",
                                         "record1-pfs-final-investigator", "record1-os-final"}
    panel.search.clear()
    assert panel.proxy.rowCount() == len(library)


def test_activating_a_row_emits_its_id(qtbot, library):
    window = MainWindow(library)
    qtbot.addWidget(window)
    panel = window.library_panel
    qtbot.keyClicks(panel.search, "arcc-os-tem")
    assert panel.proxy.rowCount() == 1
    with qtbot.waitSignal(panel.datasetActivated) as blocker:
        panel.table.activated.emit(panel.proxy.index(0, 0))
    assert blocker.args == ["arcc-os-tem-vs-ifn"]
    assert "0.73 (0.58–0.92)" in panel.proxy.index(0, 5).data(Qt.ItemDataRole.DisplayRole)
