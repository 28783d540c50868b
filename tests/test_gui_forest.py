"""The forest view: comparisons from the library selection, pooling method and grouping update the plot."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt

from evidence_app.gui.forest_view import POOLED_HEADERS
from tests.test_gui_support import MPL_QT_WARNING, main_window

pytestmark = pytest.mark.filterwarnings(MPL_QT_WARNING)


@pytest.fixture
def window(qtbot, library):
    yield from main_window(qtbot, library)


# Three second-line clear-cell PFS trials (everolimus in the experimental or the control arm).
THREE = ["record1-pfs-final-central", "meteor-pfs", "checkmate025-pfs"]


def pooled_cells(view):
    table = view.pooled
    return [[table.text_at(r, c) for c in range(table.columnCount())] for r in range(table.rowCount())]


def test_forest_plot_of_three_datasets_and_changing_the_pooling_method(qtbot, window):
    view = window.forest_view
    window.library_panel.select_ids(THREE)
    with qtbot.waitSignal(view.forestUpdated, timeout=30000) as blocker:
        window.commands["forest"].trigger()  # Ctrl+L: initialised from the library selection
        view.group_box.setCurrentText("No grouping")
    assert window.workspace.currentWidget() is view
    assert sorted(view.checked_ids()) == sorted(THREE)
    data = blocker.args[0]
    assert {r.dataset_id for r in data.rows} == set(THREE)
    assert any(r.flipped for r in data.rows)  # everolimus as the comparator is turned round
    assert view.panel.has_figure and len(view.panel.figure.axes) >= 1
    before = pooled_cells(view)
    overall = next(r for r in before if r[0] == "Overall")
    assert overall[POOLED_HEADERS.index("k")] == "3" and overall[-1] == "REML"

    with qtbot.waitSignal(view.forestUpdated, timeout=30000):
        view.method_box.setCurrentText("Fixed effect (inverse variance)")
    after = next(r for r in pooled_cells(view) if r[0] == "Overall")
    assert after[-1] == "Fixed"
    assert after[2] != overall[2]  # heterogeneous trials: the fixed-effect interval is narrower
    assert QSettings().value("forest/method") == "Fixed effect (inverse variance)"

    with qtbot.waitSignal(view.forestUpdated, timeout=30000):
        qtbot.mouseClick(view.hk_box, Qt.MouseButton.LeftButton, pos=view.hk_box.rect().center())
    assert view.data.hk


def test_unticking_every_comparison_clears_the_plot(qtbot, window):
    view = window.forest_view
    view.set_checked(THREE[:2])
    with qtbot.waitSignal(view.forestUpdated, timeout=30000):
        pass
    view.set_checked([])
    qtbot.waitUntil(lambda: not view.panel.has_figure, timeout=5000)
    assert view.pooled.rowCount() == 0


def test_the_abbreviated_prediction_interval_column_explains_itself(qtbot, library):
    from evidence_app.gui.forest_view import POOLED_TIPS, ForestView
    from evidence_app.gui.workers import JobRunner

    view = ForestView(library, JobRunner())
    qtbot.addWidget(view)
    column = POOLED_HEADERS.index("95% PI")
    tip = view.pooled.horizontalHeaderItem(column).toolTip()
    assert tip == POOLED_TIPS["95% PI"] and "prediction interval" in tip
