"""The digitizer keeps the user's work: undo and redo of point edits, and a question before
unsaved points are thrown away by closing the window or opening another figure.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QMessageBox

from tests.figure_support import km_figure, simulate
from tests.test_gui_digitizer import click_figure, open_figure
from tests.test_gui_support import digitizer_window

Button = QMessageBox.StandardButton


@pytest.fixture(scope="module")
def figure_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("figure") / "km_figure.png"
    km_figure([simulate(1, 0.06), simulate(2, 0.035)]).savefig(path)
    return path


@pytest.fixture
def window(qtbot, library):
    yield from digitizer_window(qtbot, library)


def calibrated_with_arm(qtbot, window, path):
    """The figure open, calibrated by its detected frame (axes 0-24 by 0-1), one arm, the add tool on."""
    open_figure(qtbot, window, path)
    window.calibration.by_frame.setChecked(True)
    ranges = {"x0": "0", "x1": "24", "y0": "0", "y1": "1"}
    for key in ranges:
        window.findChild(QLineEdit, f"range_{key}").setText(ranges[key])
    with qtbot.waitSignal(window.worker.idle, timeout=10_000):
        window.detect_frame()
    assert window.session.is_calibrated()
    window.add_arm()
    window.commands["tool_add"].trigger()


def prompt():
    return next(
        (w for w in QApplication.topLevelWidgets() if w.objectName() == "unsavedWorkPrompt" and w.isVisible()), None
    )


def answer(qtbot, button: QMessageBox.StandardButton) -> None:
    qtbot.waitUntil(lambda: prompt() is not None, timeout=5000)
    box = prompt()
    box.done(button)


def test_undo_and_redo_point_edits(qtbot, window, figure_path):
    path = figure_path
    calibrated_with_arm(qtbot, window, path)
    session = window.session
    for t, s in ((0.0, 1.0), (12.0, 0.5), (24.0, 0.25)):
        click_figure(qtbot, window, *session.to_pixel(t, s))
    assert len(session.arms[0].points) == 3 and window.commands["undo"].isEnabled()
    assert not window.commands["redo"].isEnabled()
    window.overlay.point_item(0, 1).setSelected(True)
    window.tools.delete_selected()
    after_delete = list(session.arms[0].points)
    assert len(after_delete) == 2

    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo the delete
    assert len(session.arms[0].points) == 3 and session.arms[0].edits["deleted"] == 0
    window.commands["undo"].trigger()  # and the third click
    assert len(session.arms[0].points) == 2 and window.commands["redo"].isEnabled()
    assert len(window.overlay.points[0]) == 2  # the overlay follows
    window.commands["redo"].trigger()
    window.commands["redo"].trigger()
    assert session.arms[0].points == after_delete and not window.commands["redo"].isEnabled()
    assert window.tools.undo_stack.count() == 4


def test_closing_with_unsaved_points_asks_first(qtbot, window, figure_path):
    path = figure_path
    calibrated_with_arm(qtbot, window, path)
    for t, s in ((0.0, 1.0), (6.0, 0.8)):
        click_figure(qtbot, window, *window.session.to_pixel(t, s))
    window.close()
    answer(qtbot, Button.Cancel)
    assert window.isVisible()  # Cancel keeps the window and the points
    assert len(window.session.arms[0].points) == 2

    window.close()
    answer(qtbot, Button.Save)  # Save opens the save form instead of closing
    qtbot.waitUntil(lambda: window.save_dialog is not None and window.save_dialog.isVisible(), timeout=5000)
    assert window.isVisible()
    window.save_dialog.reject()

    window.close()
    answer(qtbot, Button.Discard)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)


def test_opening_another_figure_with_unsaved_points_asks_first(qtbot, window, figure_path, monkeypatch):
    path = figure_path
    calibrated_with_arm(qtbot, window, path)
    click_figure(qtbot, window, *window.session.to_pixel(6.0, 0.8))
    chosen = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: chosen.append(1) or ("", ""))
    window.commands["open"].trigger()
    answer(qtbot, Button.Cancel)
    assert chosen == [] and len(window.session.arms[0].points) == 1
    window.commands["open"].trigger()
    answer(qtbot, Button.Discard)
    qtbot.waitUntil(lambda: chosen == [1], timeout=5000)


def test_no_question_without_unsaved_points(qtbot, window, figure_path):
    path = figure_path
    open_figure(qtbot, window, path)
    assert not window.unsaved.has_unsaved()
    window.close()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert prompt() is None
