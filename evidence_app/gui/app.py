"""Start-up of the desktop app: QApplication, the error boundary, the main window."""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

from evidence_app import __version__
from evidence_app.errors import EvidenceError

log = logging.getLogger("evidence_app")


def show_error(parent, exc: BaseException, tb: TracebackType | None = None) -> None:
    """The one way the GUI reports an exception: a dialog with expandable details, and the log."""
    if isinstance(exc, EvidenceError):
        title, text = "Problem", str(exc)
    else:
        title, text = "Unexpected error", f"{type(exc).__name__}: {exc}"
    details = "".join(traceback.format_exception(type(exc), exc, tb or exc.__traceback__))
    log.error("%s\n%s", text, details)
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setDetailedText(details)
    box.setObjectName("errorDialog")
    box.open()


def install_exception_hook(app: QApplication) -> None:
    """Catch every exception that reaches the Qt event loop and show it instead of crashing."""

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        show_error(app.activeWindow(), exc, tb)

    sys.excepthook = hook


def run_gui(argv: list[str] | None = None) -> int:
    from evidence_app.gui.main_window import MainWindow

    logging.basicConfig(level=logging.INFO)
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("Evidence App")
    app.setOrganizationName("evidence-app")
    app.setApplicationVersion(__version__)
    install_exception_hook(app)
    window = MainWindow()
    window.show()
    return app.exec()
