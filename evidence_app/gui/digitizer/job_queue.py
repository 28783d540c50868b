"""The digitizer's background jobs: one running job per kind (a newer one cancels the older), a
progress bar while any runs, and failures shown with the app's one error dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QProgressBar, QStatusBar, QWidget

from evidence_app.gui.error_boundary import show_error
from evidence_app.gui.workers import Job, JobRunner


class DigitizerJobs(QObject):
    """Starts jobs on ``runner``; ``done(result)`` runs on the GUI thread for the latest job of a kind.

    Emits ``idle()`` when the last running job has ended.
    """

    idle = Signal()

    def __init__(self, runner: JobRunner, owner: QWidget, status: QStatusBar) -> None:
        super().__init__(owner)
        self.runner, self.owner, self.status = runner, owner, status
        self.running: dict[str, Job] = {}
        self.bar = QProgressBar()
        self.bar.setObjectName("digitizerProgress")
        self.bar.setRange(0, 100)
        self.bar.setMaximumWidth(220)
        self.bar.hide()
        status.addPermanentWidget(self.bar)

    def start(
        self,
        kind: str,
        fn: Callable[..., Any],
        *args: Any,
        done: Callable[[Any], None],
        quiet: bool = False,
        failed: Callable[[BaseException], None] | None = None,
    ) -> Job:
        """Run ``fn(*args)`` in the worker. ``quiet`` jobs (the live preview) show no progress bar;
        ``failed`` replaces the error dialog for a job the user did not ask for."""
        self.cancel(kind)
        job = self.runner.start(fn, *args, name=f"digitizer {kind}")
        self.running[kind] = job
        if not quiet:
            job.progressed.connect(lambda fraction, message: self._progressed(job, fraction, message))
            self.bar.setValue(0)
            self.bar.show()
        job.succeeded.connect(lambda result: self._succeeded(kind, job, result, done))
        job.failed.connect(lambda exc: self._failed(kind, job, exc, failed))
        job.finished.connect(lambda: self._finished(kind, job))
        return job

    def cancel(self, kind: str) -> None:
        job = self.running.pop(kind, None)
        if job is not None:
            job.cancel()

    def cancel_all(self, keep: str | None = None) -> None:
        for kind in [k for k in self.running if k != keep]:
            self.cancel(kind)

    def _progressed(self, job: Job, fraction: float, message: str) -> None:
        if job in self.running.values():
            self.bar.setValue(int(100 * fraction))
            if message:
                self.status.showMessage(message)

    def _succeeded(self, kind: str, job: Job, result: Any, done: Callable[[Any], None]) -> None:
        if self.running.get(kind) is not job:
            return  # replaced by a newer job of the same kind
        try:
            done(result)
        except Exception as exc:
            show_error(self.owner, exc)

    def _failed(self, kind: str, job: Job, exc: BaseException, handler: Callable[[BaseException], None] | None) -> None:
        if self.running.get(kind) is job:
            self.status.clearMessage()
            if handler is None:
                show_error(self.owner, exc)
            else:
                handler(exc)

    def _finished(self, kind: str, job: Job) -> None:
        if self.running.get(kind) is job:
            del self.running[kind]
        if not self.running:
            self.bar.hide()
            self.idle.emit()
