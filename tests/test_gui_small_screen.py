"""A 1366×768 laptop: the Kaplan–Meier and forest figures fit their panes without sideways
scrolling, their text boxes do not overlap (measured from matplotlib's text extents), the
smallest text on screen is at least 8 pt, and the library shows the columns that tell datasets apart.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from matplotlib.text import Text
from PySide6.QtCore import QSettings

from tests.test_gui_support import MPL_QT_WARNING, main_window

pytestmark = pytest.mark.filterwarnings(MPL_QT_WARNING)

FOREST_IDS = ["record1-pfs-final-central", "meteor-pfs", "checkmate025-pfs", "intorsect-pfs", "aspen-pfs", "espn-pfs"]


@pytest.fixture
def window(qtbot, library):
    for win in main_window(qtbot, library):
        win.resize(1366, 768)
        qtbot.waitUntil(lambda w=win: w.width() == 1366, timeout=5000)
        yield win


def visible_texts(fig) -> list[Text]:
    def shown(artist) -> bool:
        while artist is not None:
            if not artist.get_visible():
                return False
            artist = getattr(artist, "axes", None) if artist is not getattr(artist, "axes", None) else None
        return True

    return [t for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible() and shown(t)]


def overlaps(fig) -> list[tuple[str, str]]:
    """Pairs of visible text boxes (display pixels) that overlap by more than a pixel."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in visible_texts(fig)]
    found = []
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1 :]:
            dx = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
            dy = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
            if dx > 1 and dy > 1:
                found.append((a, b))
    return found


def screen_points(panel, fig) -> float:
    """The smallest text in the figure as points on the screen at the screen's scaling."""
    smallest = min(t.get_fontsize() for t in visible_texts(fig))
    logical_dpi = fig.dpi / (panel.canvas.device_pixel_ratio or 1.0)
    return smallest * logical_dpi / panel.logical_dpi()


def assert_fits(panel) -> None:
    fig = panel.figure
    assert panel.has_figure
    assert panel.scroll_area.horizontalScrollBar().maximum() == 0, "the figure scrolls sideways"
    assert panel.canvas.width() <= panel.scroll_area.viewport().width()
    assert screen_points(panel, fig) >= 8.0 - 1e-9
    assert overlaps(fig) == []


def test_forest_fills_its_pane_with_readable_text_that_never_overlaps(qtbot, window):
    window.library_panel.select_ids(FOREST_IDS)
    window.commands["forest"].trigger()
    view = window.forest_view
    with qtbot.waitSignal(view.forestUpdated, timeout=30000):
        pass
    panel = view.panel
    qtbot.waitUntil(lambda: panel.has_figure, timeout=10000)
    assert panel.canvas.width() >= 0.9 * panel.scroll_area.viewport().width() - 20  # resized to the pane
    assert_fits(panel)
    # Narrower pane: the figure follows and still fits, readable and without overlaps.
    splitter = view.splitters["forest/splitter"]
    splitter.setSizes([300, splitter.width() - 300])
    splitter.splitterMoved.emit(300, 1)
    qtbot.waitUntil(lambda: panel._fitted[0] < 540, timeout=10000)
    assert panel.has_figure, panel.message.text()
    assert_fits(panel)
    assert QSettings().value("forest/splitter") is not None  # the divider is remembered
    qtbot.waitUntil(lambda: view.pooled.horizontalScrollBar().maximum() == 0, timeout=5000)  # the table fits too


def test_km_figure_text_is_readable_and_does_not_overlap(qtbot, window):
    window.open_dataset("bolero3-pfs-kmdata")
    panel = window.dataset_view.curves.panel
    qtbot.waitUntil(lambda: panel.has_figure, timeout=30000)
    assert_fits(panel)


def test_library_columns_that_tell_datasets_apart_are_visible(qtbot, window):
    table = window.library_panel.table
    qtbot.waitUntil(lambda: table.viewport().width() > 0, timeout=5000)
    header = table.horizontalHeader()
    model = table.model()
    names = {model.headerData(c, header.orientation()): c for c in range(model.columnCount())}
    width = table.viewport().width()
    for needed in ("Trial", "Comparison", "Endpoint", "Analysis", "Population"):
        column = next(c for name, c in names.items() if str(name).startswith(needed))
        assert not header.isSectionHidden(column), needed
        left = header.sectionViewportPosition(column)
        assert left >= 0 and left + header.sectionSize(column) <= width + 1, (needed, left, width)
    assert table.horizontalScrollBar().maximum() == 0


HIDPI = """
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
app.setOrganizationName("evidence-app-hidpi-test")
QSettings().clear()
from evidence_app.gui.main_window import MainWindow
window = MainWindow()
window.resize(1366, 768)
window.show()
panel = window.dataset_view.curves.panel
def report():
    print(panel.canvas.device_pixel_ratio, panel.figure.dpi, panel.logical_dpi(), panel.canvas.width(),
          panel.scroll_area.viewport().width(), flush=True)
    app.quit()
panel.drawn.connect(lambda: QTimer.singleShot(300, report))
QTimer.singleShot(60000, app.quit)
window.open_dataset("bolero3-pfs-kmdata")
app.exec()
"""


def test_high_dpi_screen_renders_at_the_device_pixel_ratio(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR="2", XDG_CONFIG_HOME=str(tmp_path))
    run = subprocess.run([sys.executable, "-c", HIDPI], capture_output=True, text=True, timeout=120, env=env)
    ratio, dpi, logical, canvas, viewport = (float(v) for v in run.stdout.split())
    assert ratio == 2.0 and dpi == 2 * logical  # every logical pixel drawn with two device pixels: sharp
    assert canvas <= viewport  # and still no sideways scrolling


def test_other_library_columns_are_available_and_remembered(qtbot, window, library):
    from evidence_app.gui.library_panel import LibraryPanel

    panel = window.library_panel
    assert "HR (CI)" not in panel.shown_columns()
    panel.set_column_shown("HR (CI)", True)
    assert "HR (CI)" in panel.shown_columns()
    assert panel.table.horizontalScrollBar().maximum() == 0  # refitted: still no sideways scrolling
    again = LibraryPanel(library)  # a new start reads the choice back
    qtbot.addWidget(again)
    assert again.shown_columns() == panel.shown_columns()


@pytest.mark.parametrize("dataset_id", ["bolero3-pfs-kmdata", "arcc-os-tem-vs-ifn"])
def test_reconstruction_tables_fit_their_pane_and_stay_readable(qtbot, window, dataset_id):
    """Patient-level data as given (nothing to draw): the tables take the tab's width and fit it. An
    approximation (drawn beside them): every column keeps room for a short word."""
    from evidence_app.gui.reconstruction_tab import MIN_COLUMN_PX

    window.open_dataset(dataset_id)
    view = window.dataset_view
    qtbot.waitUntil(lambda: view.analysis is not None, timeout=30000)
    tab = view.reconstruction
    view.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(tab.isVisible, timeout=5000)
    tables = (tab.diagnostics, tab.at_risk, tab.intervals, tab.provenance)
    if dataset_id.endswith("kmdata"):  # nothing to draw: the tables have the whole width
        for table in tables:
            qtbot.waitUntil(lambda t=table: t.horizontalScrollBar().maximum() == 0, timeout=5000)
        assert not tab.panel.isVisible() and tab.diagnostics.width() > 0.8 * tab.width()
    else:
        assert tab.panel.isVisible()
    for table in tables:
        widths = [table.columnWidth(c) for c in range(table.columnCount()) if not table.isColumnHidden(c)]
        assert min(widths) >= MIN_COLUMN_PX
