"""Opening a dataset: Numbers (published vs computed, copyable), Curves (toggles), Reconstruction, Sources."""

from __future__ import annotations

import pytest
from matplotlib.collections import PolyCollection
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QTableWidgetSelectionRange

from tests.test_gui_support import MPL_QT_WARNING, main_window

pytestmark = pytest.mark.filterwarnings(MPL_QT_WARNING)


@pytest.fixture
def window(qtbot, library):
    yield from main_window(qtbot, library)


def open_and_wait(qtbot, window, dataset_id):
    view = window.dataset_view
    with qtbot.waitSignal(view.analysisReady, raising=False, timeout=30000) as blocker:
        window.open_dataset(dataset_id)
    if not blocker.signal_triggered:
        pytest.fail(f"analysis of {dataset_id} did not finish: {view.status.text()}")
    return view


def test_arcc_os_numbers_show_the_published_hazard_ratio(qtbot, window):
    window.open_dataset("arcc-os-tem-vs-ifn")
    numbers = window.dataset_view.numbers
    # Published numbers are on screen at once, before any computation finished.
    assert "0.73 (0.58–0.92)" in numbers.cell_texts()
    qtbot.waitUntil(
        lambda: window.dataset_view.analysis is not None or "not available" in window.dataset_view.status.text(),
        timeout=30000,
    )
    texts = numbers.cell_texts()
    assert "0.73 (0.58–0.92)" in texts
    assert "not reported" in texts  # e.g. events: never estimated
    if window.dataset_view.analysis is not None:  # a summary-only trial: computed numbers are flagged
        assert any(t.endswith("(approximation)") for t in texts)
        assert not numbers.banner.isHidden() and "APPROXIMATION" in numbers.banner.text()


def test_numbers_copy_as_tab_separated_text(qtbot, window):
    window.open_dataset("arcc-os-tem-vs-ifn")
    table = window.dataset_view.numbers.table
    window.dataset_view.tabs.setCurrentWidget(window.dataset_view.numbers)
    row = next(r for r in range(table.rowCount()) if table.text_at(r, 0) == "Hazard ratio")
    table.setRangeSelected(QTableWidgetSelectionRange(row, 0, row, 1), True)
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "Hazard ratio\t0.73 (0.58–0.92)"
    table.setRangeSelected(QTableWidgetSelectionRange(0, 0, row, table.columnCount() - 1), True)
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    lines = QGuiApplication.clipboard().text().splitlines()
    assert lines[0].split("\t") == ["Quantity", "Published", "Sources (where in them)", "Computed", "Note"]
    assert lines[row + 1].startswith("Hazard ratio\t0.73 (0.58–0.92)\ts6: abstract; s7: Table 1\t")


def test_section_headings_span_the_numbers_table(window):
    window.open_dataset("arcc-os-tem-vs-ifn")
    table = window.dataset_view.numbers.table
    heading = next(r for r in range(table.rowCount()) if table.text_at(r, 0).startswith("Arm: "))
    assert table.columnSpan(heading, 0) == table.columnCount()
    # The long arm heading no longer sets the width of the Quantity column.
    assert table.columnWidth(0) < table.fontMetrics().horizontalAdvance(table.text_at(heading, 0))
    assert table.columnSpan(heading + 1, 0) == 1  # value rows are not spanned


def test_toggling_ci_bands_changes_the_km_figure(qtbot, window):
    view = open_and_wait(qtbot, window, "bolero3-pfs-kmdata")
    curves = view.curves
    figure = curves.panel.figure

    def bands():
        return sum(isinstance(c, PolyCollection) for ax in figure.axes for c in ax.collections)

    box = curves.toggles["ci_bands"]
    assert box.isChecked() and bands() == 2
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=box.rect().center())
    assert not box.isChecked() and bands() == 0
    assert QSettings().value("km/ci_bands") in (False, "false")
    risk = curves.toggles["risk_table"]
    axes_before = len(figure.axes)
    qtbot.mouseClick(risk, Qt.MouseButton.LeftButton, pos=risk.rect().center())
    assert len(figure.axes) == axes_before - 1  # the risk table axis is gone


def test_reconstruction_and_sources_tabs_explain_the_data(qtbot, window):
    view = open_and_wait(qtbot, window, "bolero3-pfs-kmdata")
    assert "Patient-level data" in view.reconstruction.explanation.text()
    cards = view.sources.cards
    assert len(cards) == 2
    kmdata = view.sources.findChild(QLabel, "source_kmdata")
    assert not kmdata.openExternalLinks()  # links open through sources_tab.open_link, which checks the scheme
    assert 'href="https://github.com/raredd/kmdata"' in kmdata.text()
    assert "curve data (patient-level)" in kmdata.text()
    primary = view.sources.findChild(QLabel, "source_primary")
    assert "pubmed.ncbi.nlm.nih.gov/24742739" in primary.text()
