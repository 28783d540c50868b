"""The GUI's error boundary: the one error dialog, the slot guard and the exception hook.

:func:`show_error` is the one error dialog, :func:`guarded` wraps a slot so an exception becomes
that dialog, and :func:`install_exception_hook` catches anything that still reaches the event
loop. Worker errors arrive as ``Job.failed`` and go to :func:`show_error` too. Every GUI module
may import this one; it imports nothing of the GUI.
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


def install_exception_hook(app: QApplication) -> None:
    """Catch every exception that reaches the Qt event loop and show it instead of crashing."""

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        show_error(app.activeWindow(), exc, tb)

    sys.excepthook = hook
