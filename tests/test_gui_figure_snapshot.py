"""The figure kept on close is shown at the next start while the live one is drawn, and only
when it is the same figure: same dataset content, options, screen and drawing code."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QPixmap

from evidence_app.gui import figure_snapshot
from evidence_app.gui.figure_snapshot import load_snapshot, save_snapshot, snapshot_folder, snapshot_key
from evidence_app.gui.main_window import MainWindow
from tests.test_gui_support import MPL_QT_WARNING, close_dialogs

pytestmark = pytest.mark.filterwarnings(MPL_QT_WARNING)

DATASET = "bolero3-pfs-kmdata"


def _pixmap(color: str = "red") -> QPixmap:
    pixmap = QPixmap(40, 30)
    pixmap.fill(QColor(color))
    return pixmap


def test_a_kept_picture_is_found_only_under_its_own_dataset_and_key(tmp_path, qtbot):
    key = snapshot_key('{"id": "a"}', {"ci_bands": ""}, 96.0, 1.0)
    assert save_snapshot(_pixmap(), "a", key, tmp_path, place=(12, 40, 800))
    found = load_snapshot("a", key, tmp_path)
    assert found is not None
    pixmap, place = found
    assert (pixmap.width(), pixmap.height()) == (40, 30) and place == (12, 40, 800)
    assert pixmap.toImage().pixelColor(5, 5) == QColor("red")
    assert load_snapshot("b", key, tmp_path) is None  # another dataset
    for changed in (
        snapshot_key('{"id": "a", "n": 1}', {"ci_bands": ""}, 96.0, 1.0),  # the dataset was edited
        snapshot_key('{"id": "a"}', {"ci_bands": "false"}, 96.0, 1.0),  # an option was switched
        snapshot_key('{"id": "a"}', {"ci_bands": ""}, 144.0, 1.0),  # another screen
        snapshot_key('{"id": "a"}', {"ci_bands": ""}, 96.0, 2.0),
    ):
        assert changed != key and load_snapshot("a", changed, tmp_path) is None


def test_a_changed_drawing_code_invalidates_the_picture(tmp_path, qtbot, monkeypatch):
    key = snapshot_key("{}", {}, 96.0, 1.0)
    monkeypatch.setattr("evidence_app.export.figure_cache.code_fingerprint", lambda: "another version")
    assert snapshot_key("{}", {}, 96.0, 1.0) != key


def test_broken_or_missing_files_mean_no_picture_not_an_error(tmp_path, qtbot):
    key = snapshot_key("{}", {}, 96.0, 1.0)
    assert load_snapshot("a", key, tmp_path) is None  # nothing kept yet
    assert save_snapshot(_pixmap(), "a", key, tmp_path)
    (tmp_path / figure_snapshot.IMAGE).write_bytes(b"not a png")
    assert load_snapshot("a", key, tmp_path) is None
    (tmp_path / figure_snapshot.META).write_text("[1, 2", encoding="utf-8")
    assert load_snapshot("a", key, tmp_path) is None
    (tmp_path / figure_snapshot.META).write_text(json.dumps(["a"]), encoding="utf-8")
    assert load_snapshot("a", key, tmp_path) is None
    blocked = tmp_path / "file"
    blocked.write_text("x", encoding="utf-8")
    assert not save_snapshot(_pixmap(), "a", key, blocked / "sub")  # the folder cannot be made
    assert not save_snapshot(QPixmap(), "a", key, tmp_path)  # nothing to keep


def _start(qtbot, library) -> MainWindow:
    window = MainWindow(library)
    qtbot.addWidget(window)
    window.show()
    return window


def _first_session(qtbot, library) -> None:
    """Fresh settings; open the dataset, wait for its figure, close (which keeps the picture)."""
    QSettings().clear()
    first = _start(qtbot, library)
    with qtbot.waitSignal(first.dataset_view.curves.figureDrawn, timeout=30000):
        first.open_dataset(DATASET)
    qtbot.waitUntil(lambda: first.dataset_view.curves.panel.has_figure, timeout=5000)
    first.close()  # keeps the picture (and remembers the dataset)
    close_dialogs()


def test_the_next_start_shows_the_kept_figure_until_the_live_one_is_drawn(qtbot, library):
    _first_session(qtbot, library)
    assert (snapshot_folder() / figure_snapshot.IMAGE).is_file()

    second = _start(qtbot, library)
    panel = second.dataset_view.curves.panel
    assert second.dataset_view.dataset_id == DATASET  # reopened at start
    assert panel._stack.currentWidget() is panel.snapshot  # the kept picture, not "Computing…"
    assert panel.snapshot.pixmap is not None and not panel.has_figure
    kept_top = panel.snapshot.place[1]
    assert kept_top > 0  # below the toolbar, where the live canvas will be
    with qtbot.waitSignal(second.dataset_view.curves.figureDrawn, timeout=30000):
        pass
    assert panel.has_figure  # the live canvas replaced it, in the same place
    assert panel.canvas_place()[1] == kept_top
    second.close()
    close_dialogs()


def test_a_changed_option_shows_computing_instead_of_the_old_picture(qtbot, library):
    _first_session(qtbot, library)

    QSettings().setValue("km/ci_bands", not QSettings().value("km/ci_bands", True, type=bool))  # an option changed
    second = _start(qtbot, library)
    panel = second.dataset_view.curves.panel
    assert panel._stack.currentWidget() is panel.message
    assert "Computing" in panel.message.text()
    second.close()
    close_dialogs()
