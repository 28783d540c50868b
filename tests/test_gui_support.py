"""Shared fixtures and helpers for the GUI tests (this module holds no tests itself).

A test module makes its own ``window`` fixture from :func:`main_window`::

    @pytest.fixture
    def window(qtbot, library):
        yield from main_window(qtbot, library)
"""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QWidget

from evidence_app.gui.main_window import MainWindow

#: matplotlib's Qt backend asks Qt about an attribute Qt 6 deprecated; not ours to fix.
MPL_QT_WARNING = "ignore:Enum value .Qt..ApplicationAttribute.AA_UseHighDpiPixmaps:DeprecationWarning"


def top_level(name: str) -> QWidget | None:
    """The visible top-level window (dialog, message box) with this object name."""
    return next((w for w in QApplication.topLevelWidgets() if w.objectName() == name and w.isVisible()), None)


def error_dialogs() -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if w.objectName() == "errorDialog" and w.isVisible()]


def close_dialogs() -> None:
    """Dialogs and message boxes are top-level windows: close them so the next test starts clean."""
    for widget in QApplication.topLevelWidgets():
        if widget.isVisible() and widget.objectName() != "mainWindow":
            widget.close()


def main_window(qtbot, library):
    """The main window on the bundled library, with fresh settings; closed (and its jobs waited for) after."""
    QSettings().clear()
    main = MainWindow(library)
    qtbot.addWidget(main)
    main.show()
    yield main
    close_dialogs()


def digitizer_window(qtbot, library):
    """The digitizer window on its own job runner, with fresh settings; jobs cancelled and waited for after."""
    from evidence_app.gui.digitizer import DigitizerWindow
    from evidence_app.gui.workers import JobRunner

    QSettings().clear()
    runner = JobRunner()
    win = DigitizerWindow(library, runner)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    close_dialogs()
    runner.cancel_all()
    runner.wait(10_000)
