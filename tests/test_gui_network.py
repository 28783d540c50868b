"""The Network view: reachable from the main window, computes off the GUI thread, shows graph, league, checks."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from tests.test_gui_support import MPL_QT_WARNING, error_dialogs, main_window, top_level

pytestmark = pytest.mark.filterwarnings(MPL_QT_WARNING)

OS = ["checkmate025-os", "meteor-os-interim", "record1-os-final"]
PFS = ["checkmate025-pfs", "meteor-pfs", "study205-pfs-len-eve-vs-eve", "record1-pfs-final-central"]


@pytest.fixture
def window(qtbot, library):
    yield from main_window(qtbot, library)


def test_network_from_the_library_selection(qtbot, window):
    view = window.network_view
    window.library_panel.select_ids(OS)
    with qtbot.waitSignal(view.networkUpdated, timeout=30000) as blocker:
        window.commands["network"].trigger()  # Ctrl+Shift+N
    assert window.workspace.currentWidget() is view
    assert window.commands["network"].shortcut().toString() == "Ctrl+Shift+N"
    result = blocker.args[0]
    assert result.reference == "Everolimus"  # the common comparator by default
    assert set(result.treatments) == {"Cabozantinib", "Everolimus", "Nivolumab"}
    assert "record1-os-final: no published HR with a CI" in view.message.text()
    assert view.panel.has_figure and len(view.panel.figure.axes) == 2
    league = [[view.league.text_at(r, c) for c in range(view.league.columnCount())] for r in range(3)]
    cabo_row = next(r for r in league if r[0] == "Cabozantinib")
    assert cabo_row[2] == "0.66 (0.53–0.83)"  # METEOR's published HR and CI
    checks = [view.inconsistency.text_at(r, 0) for r in range(view.inconsistency.rowCount())]
    assert "Q between designs" in checks and "Node-splitting" in checks


def test_all_of_an_endpoint_reference_and_model_choice(qtbot, window):
    view = window.network_view
    view.endpoint_box.setCurrentText("PFS")
    with qtbot.waitSignal(view.networkUpdated, timeout=30000):
        view.set_checked(PFS)
    with qtbot.waitSignal(view.networkUpdated, timeout=30000) as blocker:
        view.reference_box.setCurrentText("Placebo")
        view.reference_box.activated.emit(view.reference_box.currentIndex())
    result = blocker.args[0]
    assert result.reference == "Placebo"
    eve = result.compare("Everolimus", "Placebo", "random")
    assert round(eve.hr, 2) == 0.33 and round(math.exp(eve.lower), 2) == 0.25  # RECORD-1 PFS, central review
    with qtbot.waitSignal(view.networkUpdated, timeout=30000):
        view.model_box.setCurrentText("Common effect")
    assert view.model() == "common"
    # every PFS dataset: trials in other settings form separate parts; the view names them and one is chosen
    view.check_all_of_endpoint()
    assert len(view.checked_ids()) == view.datasets.count() > len(PFS)
    qtbot.waitUntil(lambda: view.part_box.count() == 3, timeout=60000)
    assert "not connected" in view.panel.message.text() and view._options.isRowVisible(view.part_box)
    assert "Pazopanib, Sorafenib, Temsirolimus" in view.part_box.itemText(1)
    with qtbot.waitSignal(view.networkUpdated, timeout=60000) as blocker:
        view.part_box.setCurrentIndex(1)
        view.part_box.activated.emit(1)
    assert set(blocker.args[0].treatments) == {"Pazopanib", "Sorafenib", "Temsirolimus"}
    assert not error_dialogs()


def test_mixed_choice_without_a_network_says_why(qtbot, window):
    view = window.network_view
    view.endpoint_box.setCurrentText("OS")
    view.set_checked(["record1-os-final"])  # no published HR with a CI: no network
    qtbot.waitUntil(lambda: "no network" in view.panel.message.text(), timeout=30000)
    assert not error_dialogs()


def test_export_the_network_figure_as_pdf(qtbot, window, tmp_path, monkeypatch):
    view = window.network_view
    window.library_panel.select_ids(OS)
    with qtbot.waitSignal(view.networkUpdated, timeout=30000):
        window.commands["network"].trigger()
    target = tmp_path / "network.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.commands["export_figure"].trigger()  # Ctrl+Shift+E on the Network tab
    dialog = top_level("figureExportDialog")
    dialog.format_box.setCurrentText("PDF (vector)")
    with qtbot.waitSignal(view._export.saved, timeout=30000):
        dialog.accept()
    assert target.read_bytes().startswith(b"%PDF")


def test_every_dataset_ticked_leaves_the_results_most_of_a_laptop_screen(qtbot, window):
    window.resize(1366, 740)
    window.show()
    view = window.network_view
    window.workspace.setCurrentWidget(view)
    view.endpoint_box.setCurrentText("OS")
    qtbot.mouseClick(view.all_button, Qt.MouseButton.LeftButton)  # long labels, a disconnected network
    qtbot.waitUntil(lambda: view.part_box.count() > 1, timeout=30000)
    qtbot.wait(50)
    assert view.tabs.width() > view.width() / 2, (view.tabs.width(), view.width())
    assert view.datasets.horizontalScrollBar().maximum() == 0 or not view.datasets.horizontalScrollBar().isVisible()
    labels = [view.datasets.item(r).text() for r in range(view.datasets.count())]
    assert any(label.startswith("ARCC: ") and " — OS" in label for label in labels)  # the one dataset label
