"""Figures rendered in worker processes: same files, same order, errors and cancels as drawn here."""

from __future__ import annotations

import functools
import multiprocessing
import os
import sys
import threading

import openpyxl
import pytest

from evidence_app.errors import Cancelled
from evidence_app.export import figure_pool
from evidence_app.export.figure_pool import FigureBatch, default_workers, fork_is_safe, pool_context
from evidence_app.export.workbook import export_workbook

needs_fork = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
DATASETS = ["arcc-os-tem-vs-ifn", "bolero1-pfs-kmdata", "checkmate025-os", "aspen-pfs"]


def _png(tag: bytes):
    return tag, 1.0, 2.0


def _fails():
    raise ValueError("this figure cannot be drawn")


_RELEASE = multiprocessing.get_context("fork").Event() if sys.platform.startswith("linux") else None


def _stuck():
    _RELEASE.wait(60)  # the worker (which inherited the event) draws until the test lets it go
    return b"late", 1.0, 1.0


_PARENT = os.getpid()


def _dies_in_a_worker():
    if os.getpid() != _PARENT:
        os._exit(1)  # as if the worker were killed (out of memory)
    return b"drawn here", 1.0, 1.0


@pytest.fixture
def forked(monkeypatch):
    """Workers forked from this process, as the command line makes them (the test process may have
    loaded Qt, where the default is a fork server): these tests rely on state shared by forking."""
    monkeypatch.setattr(figure_pool, "pool_context", lambda: multiprocessing.get_context("fork"))


def _batch(jobs: dict, workers: int) -> FigureBatch:
    batch = FigureBatch(workers)
    for key, job in jobs.items():
        batch.add(key, job)
    return batch


@needs_fork
def test_worker_results_come_back_by_key(forked):
    jobs = {("km", i): functools.partial(_png, b"png %d" % i) for i in range(6)}
    with _batch(jobs, workers=2) as batch:
        assert batch.parallel
        assert [batch.get(("km", i)) for i in reversed(range(6))] == [
            (b"png %d" % i, 1.0, 2.0) for i in reversed(range(6))
        ]


@needs_fork
def test_a_figure_failing_in_a_worker_raises_its_own_error_here(forked):
    with _batch({"good": functools.partial(_png, b"ok"), "bad": _fails}, workers=2) as batch:
        assert batch.get("good")[0] == b"ok"
        with pytest.raises(ValueError, match="cannot be drawn"):
            batch.get("bad")


@needs_fork
def test_waiting_for_a_figure_can_be_cancelled(forked):
    _RELEASE.clear()
    answers = iter([False, False, True])  # the user cancels while the figure is still drawn

    def cancelled() -> bool:
        answer = next(answers, True)
        if answer:
            _RELEASE.set()  # lets the worker finish the figure it is on, which closing waits for
        return answer

    with FigureBatch(workers=2) as batch:
        batch.add("stuck", _stuck)
        with pytest.raises(Cancelled):
            batch.get("stuck", cancelled=cancelled)


@needs_fork
def test_figures_of_a_dead_worker_are_drawn_here(forked):
    with _batch({"dies": _dies_in_a_worker, "next": functools.partial(_png, b"n")}, workers=2) as batch:
        assert batch.get("dies")[0] == b"drawn here"
        assert batch.get("next")[0] == b"n"
        batch.add("later", functools.partial(_png, b"l"))
        assert batch.get("later")[0] == b"l"


def test_one_worker_draws_here_when_asked():
    with _batch({"a": functools.partial(_png, b"a")}, workers=1) as batch:
        assert not batch.parallel and batch.get("a")[0] == b"a"


def _start_method() -> str | None:
    context = pool_context()
    return context.get_start_method() if context is not None else None


def test_forking_is_not_the_default_from_another_thread():
    seen = []
    thread = threading.Thread(target=lambda: seen.append((fork_is_safe(), _start_method())))
    thread.start()
    thread.join()
    assert seen == [(False, "forkserver" if sys.platform != "win32" else None)]


def test_forking_is_not_the_default_once_qt_is_loaded(monkeypatch):
    monkeypatch.setitem(sys.modules, "PySide6", sys)  # stands in for the loaded GUI toolkit
    assert not fork_is_safe() and _start_method() in ("forkserver", None)


def test_a_frozen_app_draws_its_figures_in_process(monkeypatch):
    monkeypatch.setitem(sys.modules, "PySide6", sys)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert pool_context() is None and default_workers(30) == 1


@pytest.mark.skipif(sys.platform == "win32", reason="no fork server on Windows")
def test_a_gui_export_renders_with_a_fork_server_and_writes_the_same_workbook(library, tmp_path, monkeypatch):
    """From the GUI's worker thread figures come from a fork server's workers, never from a fork
    of the GUI process: the same pictures as drawn in process."""
    datasets = [library.get(i) for i in DATASETS[:2]]
    monkeypatch.setattr(figure_pool, "fork_is_safe", lambda: False)
    assert _start_method() == "forkserver"
    methods = []
    real_pool = figure_pool.ProcessPoolExecutor

    def recording_pool(workers, mp_context):
        methods.append(mp_context.get_start_method())
        return real_pool(workers, mp_context=mp_context)

    monkeypatch.setattr(figure_pool, "ProcessPoolExecutor", recording_pool)
    images = {}
    for workers in (1, 2):
        path = tmp_path / f"w{workers}.xlsx"
        done: list = []

        def export(p=path, w=workers, d=done):
            d.append(export_workbook(datasets, p, with_figures=True, workers=w))

        thread = threading.Thread(target=export)
        thread.start()
        thread.join(120)
        assert done, "the export did not finish"
        book = openpyxl.load_workbook(path)
        images[workers] = [(name, [image._data() for image in book[name]._images]) for name in book.sheetnames]
    assert methods == ["forkserver"]  # workers=1 drew in process; workers=2 used the fork server
    assert images[1] == images[2] and any(pictures for _, pictures in images[1])


@needs_fork
def test_parallel_export_writes_the_same_workbook(library, tmp_path):
    datasets = [library.get(i) for i in DATASETS]
    images = {}
    for workers in (1, 2):
        path = tmp_path / f"w{workers}.xlsx"
        summary = export_workbook(datasets, path, with_figures=True, workers=workers)
        book = openpyxl.load_workbook(path)
        images[workers] = [(name, [image._data() for image in book[name]._images]) for name in book.sheetnames]
        assert summary.figures == 6  # four KM figures, two forest plots
    assert images[1] == images[2]


@needs_fork
def test_parallel_export_reports_progress_and_cancels(library, tmp_path):
    datasets = [library.get(i) for i in DATASETS]
    seen: list[tuple[float, str]] = []
    with pytest.raises(Cancelled):
        export_workbook(
            datasets,
            tmp_path / "c.xlsx",
            with_figures=True,
            workers=2,
            progress=lambda f, m: seen.append((f, m)),
            cancelled=lambda: any(m.startswith("Figure for") for _, m in seen),
        )
    assert list(tmp_path.iterdir()) == []
    seen.clear()
    export_workbook(
        datasets, tmp_path / "c.xlsx", with_figures=True, workers=2, progress=lambda f, m: seen.append((f, m))
    )
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert sum(m.startswith("Figure for") for _, m in seen) == len(DATASETS)


@pytest.mark.skipif(sys.platform == "win32", reason="no fork server on Windows")
def test_the_fork_server_can_be_started_before_the_first_export(monkeypatch):
    from multiprocessing import forkserver

    monkeypatch.setattr(figure_pool, "fork_is_safe", lambda: False)
    figure_pool.prepare_workers()
    pid = forkserver._forkserver._forkserver_pid  # private, but the only way to see the server
    assert pid is not None and os.path.exists(f"/proc/{pid}") or sys.platform != "linux"
