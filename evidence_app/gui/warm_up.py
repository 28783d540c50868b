"""Loading the heavy libraries in the background once the main window is on screen.

pandas, scipy and matplotlib take about two seconds to import. The window paints
without them; then :class:`WarmUp` imports them in the worker, so the first dataset a person
opens shows at once. Imports hold the GIL, so warming up alongside real work would only slow
that work down: the window calls :meth:`WarmUp.stop` as soon as it starts an analysis, and
:meth:`WarmUp.resume` once the first figure is on screen.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

from evidence_app.core.progress import check_cancelled
from evidence_app.gui.workers import Job, JobRunner

#: Imported one at a time, in the order the first dataset needs them (no widgets are made here).
MODULES = (
    "matplotlib.figure",
    "matplotlib.backends.backend_qtagg",
    "pandas",
    "scipy.stats",
    "evidence_app.core.stats.analysis",
    "evidence_app.plots.km",
    "evidence_app.plots.forest",
)
#: Start anyway if the window itself never receives a paint event (a platform quirk).
FALLBACK_MS = 2000


def import_heavy_modules(*, progress: Any = None, cancelled: Any = None) -> None:
    """The worker side: import :data:`MODULES`, checking for cancellation between them."""
    for name in MODULES:
        check_cancelled(cancelled)
        importlib.import_module(name)


class WarmUp(QObject):
    """Starts the imports after ``window``'s first paint; :meth:`stop` cancels what is left."""

    def __init__(self, window: QWidget, runner: JobRunner) -> None:
        super().__init__(window)
        self.runner = runner
        self.job: Job | None = None
        self.started = False
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.started:
            if event.type() == QEvent.Type.Paint:
                QTimer.singleShot(0, self.start)
            elif event.type() == QEvent.Type.Show:
                QTimer.singleShot(FALLBACK_MS, self.start)
        return False

    def start(self) -> None:
        if self.started:
            return
        self.started = True
        self.job = self.runner.start(import_heavy_modules, name="warm up")
        self.job.finished.connect(self._finished)

    def _finished(self) -> None:
        self.job = None

    def stop(self) -> None:
        """Cancel what is left, and do not start later on a paint: real work has begun."""
        self.started = True
        if self.job is not None:
            self.job.cancel()

    def resume(self) -> None:
        """Import what is still missing (after the first figure, when nothing else is waiting)."""
        if self.job is None and not all(name in sys.modules for name in MODULES):
            self.job = self.runner.start(import_heavy_modules, name="warm up")
            self.job.finished.connect(self._finished)
