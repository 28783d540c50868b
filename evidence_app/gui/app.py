"""Start-up of the desktop app: QApplication, fonts, the error boundary, the main window."""

from __future__ import annotations

import logging
import sys

from PySide6.QtWidgets import QApplication

from evidence_app import __version__
from evidence_app.gui.error_boundary import install_exception_hook


def configure_application(app: QApplication) -> None:
    """Names used by QSettings and the About dialog."""
    app.setApplicationName("Evidence App")
    app.setOrganizationName("evidence-app")
    app.setApplicationVersion(__version__)


#: Exit status when the window cannot open (no display, missing system libraries).
NO_DISPLAY_EXIT = 3


def run_gui(argv: list[str] | None = None) -> int:
    from evidence_app.gui.display_check import display_problem

    problem = display_problem()
    if problem is not None and QApplication.instance() is None:
        print(problem, file=sys.stderr)  # one paragraph; the terminal wraps it
        return NO_DISPLAY_EXIT
    from evidence_app.gui.fonts import ensure_fonts
    from evidence_app.gui.main_window import MainWindow

    logging.basicConfig(level=logging.INFO)
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    ensure_fonts(app)  # type: ignore[arg-type]  # without it, a machine with no fonts shows empty boxes
    configure_application(app)  # type: ignore[arg-type]
    install_exception_hook(app)  # type: ignore[arg-type]
    window = MainWindow()
    window.show()
    return app.exec()
