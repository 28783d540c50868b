"""The one place that runs slow, pure work off the GUI thread.

A job is any function shaped like ``run(*inputs, progress=None, cancelled=None) -> result``
(see :mod:`evidence_app.core.progress`). :meth:`JobRunner.start` runs it on a thread pool and
returns a :class:`Job` whose signals arrive on the GUI thread: ``progressed``, ``succeeded``,
``failed``, ``cancelled`` and, after any of those, ``finished``. A job never touches a widget;
the GUI only schedules work and reacts to the signals.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal

from evidence_app.errors import Cancelled

log = logging.getLogger(__name__)


class Job(QObject):
    """A handle on one background run. Lives on the GUI thread; its signals are emitted there."""

    progressed = Signal(float, str)
    succeeded = Signal(object)
    failed = Signal(object)  # the exception; its __traceback__ is kept for the error dialog
    cancelled = Signal()
    finished = Signal()

    # Emitted from the worker thread; queued to this object's (GUI) thread, then re-emitted.
    _progress_from_worker = Signal(float, str)
    _done_from_worker = Signal(str, object)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._cancel = threading.Event()
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None
        queued = Qt.ConnectionType.QueuedConnection
        self._progress_from_worker.connect(self._relay_progress, queued)
        self._done_from_worker.connect(self._relay_done, queued)

    def cancel(self) -> None:
        """Ask the job to stop; it raises :class:`Cancelled` at its next check."""
        self._cancel.set()

    def is_cancelled(self) -> bool:
        """The ``cancelled()`` callback handed to the pure function (thread-safe)."""
        return self._cancel.is_set()

    def _relay_progress(self, fraction: float, message: str) -> None:
        if not self.done:
            self.progressed.emit(fraction, message)

    def _relay_done(self, outcome: str, value: object) -> None:
        self.done = True
        if outcome == "ok":
            self.result = value
            self.succeeded.emit(value)
        elif outcome == "cancelled":
            self.cancelled.emit()
        else:
            self.error = value  # type: ignore[assignment]
            self.failed.emit(value)
        self.finished.emit()


class _Runnable(QRunnable):
    def __init__(self, job: Job, fn: Callable[..., Any], args: tuple, kwargs: dict) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the runner keeps the Python object alive until the job ends
        self._job, self._fn, self._args, self._kwargs = job, fn, args, kwargs

    def run(self) -> None:  # worker thread: only emit signals, never touch widgets
        job = self._job

        def progress(fraction: float, message: str = "") -> None:
            job._progress_from_worker.emit(float(fraction), str(message))

        try:
            result = self._fn(*self._args, progress=progress, cancelled=job.is_cancelled, **self._kwargs)
        except Cancelled:
            job._done_from_worker.emit("cancelled", None)
        except BaseException as exc:
            log.debug("job %s failed", job.name, exc_info=True)
            job._done_from_worker.emit("failed", exc)
        else:
            if job.is_cancelled():
                job._done_from_worker.emit("cancelled", None)
            else:
                job._done_from_worker.emit("ok", result)


class JobRunner(QObject):
    """A small thread pool for pure jobs; keeps every running job alive until it finishes."""

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._running: dict[Job, _Runnable] = {}

    def start(self, fn: Callable[..., Any], *args: Any, name: str = "", **kwargs: Any) -> Job:
        """Run ``fn(*args, progress=..., cancelled=..., **kwargs)`` in the pool.

        ``fn`` must accept the ``progress`` and ``cancelled`` keywords (the core convention);
        wrap a function that does not with :func:`plain`.
        """
        job = Job(name or getattr(fn, "__name__", "job"), self)
        runnable = _Runnable(job, fn, args, kwargs)
        self._running[job] = runnable
        job.finished.connect(lambda: self._forget(job))
        self._pool.start(runnable)
        return job

    def _forget(self, job: Job) -> None:
        self._running.pop(job, None)
        job.setParent(None)  # owned by Python from now on: gone when nobody holds it

    def cancel_all(self) -> None:
        for job in list(self._running):
            job.cancel()

    def wait(self, msecs: int = -1) -> bool:
        """Block until every job's function has returned (used on shutdown and in tests)."""
        return self._pool.waitForDone(msecs)


def plain(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Adapt a function without progress/cancel keywords to the job convention."""

    def run(*args: Any, progress: Any = None, cancelled: Any = None, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    run.__name__ = getattr(fn, "__name__", "job")
    return run


_shared: JobRunner | None = None


def shared_runner() -> JobRunner:
    """The application-wide runner (created on first use, owned by the QApplication)."""
    global _shared
    from PySide6.QtCore import QCoreApplication

    app = QCoreApplication.instance()
    try:
        alive = _shared is not None and _shared.parent() is app
    except RuntimeError:  # the Qt object was deleted with an earlier application
        alive = False
    if not alive:
        _shared = JobRunner(app)
    return _shared  # type: ignore[return-value]
