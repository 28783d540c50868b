"""Render a workbook's figures on every core: PNG bytes from worker processes.

Drawing and encoding one figure costs about 0.1–0.2 s of CPU, nearly all of it inside matplotlib,
and exporting the whole library draws about thirty; they are independent of each other. They are
rendered ahead in worker processes: a worker receives each figure's data (pickled, about 30 kB)
and sends back the PNG bytes. This process keeps the order, reports progress and checks for a
cancel while it waits, and meanwhile analyses the datasets and builds the tables.

How the workers are made (:func:`pool_context`):

* ``fork`` where it is safe: a child starts with the modules, fonts and caches this process has
  loaded. ``fork`` copies only the calling thread, so a lock another thread holds at that moment
  (the Agg renderer's lock while a GUI canvas redraws, a stream's lock) would stay locked in the
  child for ever. Forking is therefore only chosen from a process's main thread while it runs no
  other thread and has not loaded Qt — the command line and the benchmarks.
* ``forkserver`` otherwise (the GUI's worker thread, on Linux and macOS): a clean server process,
  started once per session from a fresh interpreter that imports the drawing modules, forks the
  workers, so nothing of this process's threads or Qt state reaches them. Starting it costs about
  a second of CPU on another core, paid while the export dialog is open (:func:`prepare_workers`).
* none — the figures are drawn in this process, one at a time — on Windows and in a frozen
  (PyInstaller) app, where neither is available or tested.

An explicit ``workers`` count of 1 always draws here.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType

from evidence_app.core.progress import CancelCheck, check_cancelled
from evidence_app.export.figure_cache import FigureCache

Png = tuple[bytes, float, float]  # PNG bytes, width and height in inches
#: A figure to render: picklable (a module-level function, or a ``functools.partial`` of one).
RenderJob = Callable[[], Png]

MAX_WORKERS = 4  # figures are small; more processes than this only cost memory
#: What the fork server imports once, so each worker it forks starts ready to draw.
FORKSERVER_PRELOAD = ["evidence_app.export.sheets_figures", "evidence_app.plots.km", "evidence_app.plots.forest"]
POLL_SECONDS = 0.1  # how often a wait for a figure looks at the cancel flag
_GUI_TOOLKITS = ("PySide6", "PyQt6", "PySide2", "PyQt5")


def fork_is_safe() -> bool:
    """True where forking workers cannot inherit a lock held by another thread (see module doc)."""
    return (
        sys.platform.startswith("linux")
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.current_thread() is threading.main_thread()
        and threading.active_count() == 1
        and not any(name in sys.modules for name in _GUI_TOOLKITS)
    )


def pool_context() -> multiprocessing.context.BaseContext | None:
    """How worker processes are made here: fork, a fork server, or None (draw in this process)."""
    if fork_is_safe():
        return multiprocessing.get_context("fork")
    if "forkserver" in multiprocessing.get_all_start_methods() and not getattr(sys, "frozen", False):
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(FORKSERVER_PRELOAD)
        return context
    return None


def prepare_workers(*, progress: object = None, cancelled: CancelCheck = None) -> None:
    """Start the fork server now, if exports from here would use one, so that the first export does
    not wait for it (the GUI calls this while the export dialog is open)."""
    context = pool_context()
    if context is not None and context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_workers(jobs: int) -> int:
    """Worker processes for ``jobs`` figures: one per core where workers can be made, else 1 (draw here)."""
    if jobs < 2 or cpu_count() < 2 or pool_context() is None:
        return 1
    return max(1, min(cpu_count(), jobs, MAX_WORKERS))


def _render_in_worker(job: RenderJob) -> Png | None:
    try:
        return job()
    except Exception:
        return None


class FigureBatch:
    """Figures handed in with :meth:`add` and fetched by key with :meth:`get`: rendered ahead by
    ``workers`` forked processes, or (one worker) drawn here when asked for.

    Use as a context manager so the workers are always shut down.
    """

    def __init__(self, workers: int = 1, cache: FigureCache | None = None) -> None:
        self.cache = cache
        self._cache_keys: dict[Hashable, str] = {}
        self._jobs: dict[Hashable, RenderJob] = {}
        self._futures: dict[Hashable, Future] = {}
        self._done: dict[Hashable, Png] = {}  # each figure is rendered once, however often it is asked for
        self._pool: ProcessPoolExecutor | None = None
        context = pool_context() if workers > 1 else None
        if context is not None:
            self._pool = ProcessPoolExecutor(workers, mp_context=context)

    @property
    def parallel(self) -> bool:
        return self._pool is not None

    def add(self, key: Hashable, job: RenderJob, cache_key: str | None = None) -> None:
        """Queue ``job``; with workers it starts as soon as one is free. A figure kept under
        ``cache_key`` (see :mod:`evidence_app.export.figure_cache`) is not drawn again."""
        self._jobs[key] = job
        if cache_key is not None and self.cache is not None:
            self._cache_keys[key] = cache_key
            kept = self.cache.get(cache_key)
            if kept is not None:
                self._done[key] = kept
                return
        if self._pool is None:
            return
        first = not self._futures
        if first:
            # The first submit forks the workers. What exists now is shared with them copy-on-
            # write; frozen, their garbage collector leaves it alone instead of copying every page.
            gc.freeze()
        try:
            self._futures[key] = self._pool.submit(_render_in_worker, job)
        except BrokenProcessPool:  # a worker died earlier: this one is drawn here when asked for
            pass
        finally:
            if first:
                gc.unfreeze()

    def get(self, key: Hashable, cancelled: CancelCheck = None) -> Png:
        """The PNG of ``key``: waits for its worker (checking ``cancelled``), or draws it here."""
        if key in self._done:
            return self._done[key]
        future = self._futures.get(key)
        result = None
        while future is not None:
            check_cancelled(cancelled)
            try:
                result = future.result(timeout=POLL_SECONDS)
                break
            except FutureTimeout:
                continue
            except Exception:
                break  # could not be sent: draw it here, where a real error shows itself
        self._done[key] = result if result is not None else self._jobs[key]()
        if self.cache is not None and key in self._cache_keys:
            self.cache.put(self._cache_keys[key], self._done[key])
        return self._done[key]

    def close(self) -> None:
        """Shut the workers down: figures not started are dropped, the one a worker is drawing
        (after a cancel or an error) is waited for, so no process or thread outlives the batch."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> FigureBatch:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
