"""Start-up of the desktop app: QApplication, the error boundary, the main window.

The error boundary has three parts: :func:`show_error` (the one error dialog), :func:`guarded`
(wraps a slot so an exception becomes that dialog) and the exception hook (anything that still
reaches the event loop). Worker errors arrive as ``Job.failed`` and go to :func:`show_error` too.
"""

from __future__ import annotations

import functools
import inspect
import logging
import sys
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from evidence_app import __version__
from evidence_app.errors import EvidenceError

log = logging.getLogger("evidence_app")
F = TypeVar("F", bound=Callable[..., Any])


def show_error(parent: QWidget | None, exc: BaseException, tb: TracebackType | None = None) -> QMessageBox:
    """The one way the GUI reports an exception: a dialog with expandable details, and the log."""
    if isinstance(exc, EvidenceError):
        title, text = "Problem", str(exc)
    else:
        title, text = "Unexpected error", f"{type(exc).__name__}: {exc}"
    details = "".join(traceback.format_exception(type(exc), exc, tb or exc.__traceback__))
    if isinstance(exc, EvidenceError):
        log.warning("%s", text)
        log.debug("%s", details)
    else:
        log.error("%s\n%s", text, details)
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setDetailedText(details)
    box.setObjectName("errorDialog")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def guarded(method: F) -> F:
    """Wrap a widget method used as a slot: any exception is shown with :func:`show_error`.

    Extra signal arguments (e.g. ``checked`` from ``QAction.triggered``) are dropped when the
    method does not take them, as Qt does for slots with fewer parameters.
    """
    params = list(inspect.signature(method).parameters.values())[1:]
    takes_any = any(p.kind is p.VAR_POSITIONAL for p in params)
    positional = sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *(args if takes_any else args[:positional]), **kwargs)
        except Exception as exc:
            show_error(self if isinstance(self, QWidget) else None, exc)
            return None

    return wrapper  # type: ignore[return-value]


def resize_to_fit(window: QWidget, width: int, height: int) -> None:
    """Give ``window`` its default size, or less on a smaller screen (a laptop's 1366 x 768 keeps
    the bottom of the window, its status bar and buttons, in view)."""
    screen = window.screen()
    area = screen.availableGeometry() if screen is not None else None
    if area is not None and area.width() > 0 and area.height() > 0:
        width, height = min(width, area.width() * 95 // 100), min(height, area.height() * 92 // 100)
    window.resize(width, height)


def install_exception_hook(app: QApplication) -> None:
    """Catch every exception that reaches the Qt event loop and show it instead of crashing."""

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        show_error(app.activeWindow(), exc, tb)

    sys.excepthook = hook


def configure_application(app: QApplication) -> None:
    """Names used by QSettings and the About dialog."""
    app.setApplicationName("Evidence App")
    app.setOrganizationName("evidence-app")
    app.setApplicationVersion(__version__)


def run_gui(argv: list[str] | None = None) -> int:
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
