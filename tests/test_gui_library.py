"""The library lists every dataset, filters by facets and text, sorts, and shows badges."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from evidence_app.gui.library_model import COLUMNS
from tests.test_gui_support import MPL_QT_WARNING, main_window

pytestmark = pytest.mark.filterwarnings(MPL_QT_WARNING)


@pytest.fixture
def window(qtbot, library):
    yield from main_window(qtbot, library)


def test_main_window_lists_and_filters(window, qtbot, library):
    panel = window.library_panel
    assert panel.proxy.rowCount() == len(library)
    qtbot.keyClicks(panel.search, "RECORD-1")
    assert set(panel.visible_ids()) == {
        "record1-pfs-interim",
        "record1-pfs-final-central",
        "record1-pfs-final-investigator",
        "record1-os-final",
    }
    panel.search.clear()
    assert panel.proxy.rowCount() == len(library)


def test_activating_a_row_emits_its_id(window, qtbot):
    panel = window.library_panel
    qtbot.keyClicks(panel.search, "arcc-os-tem")
    assert panel.proxy.rowCount() == 1
    with qtbot.waitSignal(panel.datasetActivated) as blocker:
        panel.table.activated.emit(panel.proxy.index(0, 0))
    assert blocker.args == ["arcc-os-tem-vs-ifn"]
    assert "0.73 (0.58–0.92)" in panel.proxy.index(0, COLUMNS.index("HR (CI)")).data(Qt.ItemDataRole.DisplayRole)


def test_facet_combos_and_search_combine(window, qtbot):
    panel = window.library_panel
    drug = panel.filters["drug"]
    drug.setCurrentIndex(drug.findText("temsirolimus"))
    shown = set(panel.visible_ids())
    assert "arcc-os-tem-vs-ifn" in shown and "tempa-pfs" in shown
    assert not any(i.startswith("record1") for i in shown)
    histology = panel.filters["histology"]
    histology.setCurrentIndex(histology.findText("non-clear-cell"))
    assert set(panel.visible_ids()) == {"arcc-os-nccrcc-subgroup"}
    panel.set_filter("histology", None)
    panel.set_filter("endpoint", "PFS")
    qtbot.keyClicks(panel.search, "tempa")
    assert panel.visible_ids() == ["tempa-pfs"]
    assert panel.count_label.text().startswith("1 of")
    qtbot.mouseClick(panel.findChild(QPushButton, "clearFilters"), Qt.MouseButton.LeftButton)
    assert len(panel.visible_ids()) == panel.model.rowCount()


def test_curve_kind_and_comparator_filters(window):
    panel = window.library_panel
    panel.set_filter("curve", "patient-level")
    assert set(panel.visible_ids()) == {
        "bolero1-pfs-kmdata",
        "bolero2-os-kmdata",
        "bolero3-pfs-kmdata",
        "radiant4-os-kmdata",
        "radiant4-pfs-kmdata",
    }
    panel.set_filter("comparator", "Placebo")
    assert "bolero2-os-kmdata" not in panel.visible_ids()  # its control arm is exemestane


def test_sorting_by_hazard_ratio_is_numeric(window):
    panel = window.library_panel
    column = COLUMNS.index("HR (CI)")
    panel.table.sortByColumn(column, Qt.SortOrder.AscendingOrder)
    first = panel.proxy.index(0, column).data()
    assert first.startswith("0.30")  # RECORD-1 interim, the smallest HR
    last = panel.proxy.index(panel.proxy.rowCount() - 1, column).data()
    assert last == "not reported"


def test_badges_are_shown(window):
    panel = window.library_panel
    flags = {
        panel.proxy.index(r, 0).data(Qt.ItemDataRole.UserRole): panel.proxy.index(r, COLUMNS.index("Flags")).data()
        for r in range(panel.proxy.rowCount())
    }
    assert "summary only" in flags["arcc-os-tem-vs-ifn"]
    assert "interim analysis" in flags["arcc-os-tem-vs-ifn"]
    assert "80% CI" in flags["aspen-pfs"]
    assert "user dataset" not in flags["aspen-pfs"]
