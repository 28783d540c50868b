"""The worker pool runs pure jobs off the GUI thread and reports back on it by signal."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication

from evidence_app.errors import AnalysisError
from evidence_app.gui.workers import JobRunner, plain


@pytest.fixture
def runner(qapp):
    r = JobRunner()
    yield r
    r.cancel_all()
    r.wait(5000)


def slow_sum(values, *, progress=None, cancelled=None):
    total = 0
    for i, v in enumerate(values):
        from evidence_app.core.progress import check_cancelled, report

        check_cancelled(cancelled)
        report(progress, (i + 1) / len(values), f"item {i + 1}")
        total += v
    return total, threading.current_thread() is threading.main_thread()


def test_result_and_progress_arrive_on_the_gui_thread(qtbot, runner):
    seen = []
    job = runner.start(slow_sum, [1, 2, 3])
    gui_thread = QApplication.instance().thread()
    job.progressed.connect(lambda f, m: seen.append((f, m, QThread.currentThread() is gui_thread)))
    with qtbot.waitSignal(job.succeeded, timeout=5000) as blocker:
        pass
    total, ran_on_main = blocker.args[0]
    assert total == 6 and not ran_on_main
    assert seen and all(on_gui for _, _, on_gui in seen)
    assert seen[-1][0] == 1.0


def test_errors_are_delivered_not_raised(qtbot, runner):
    def broken(*, progress=None, cancelled=None):
        raise AnalysisError("too few events")

    job = runner.start(broken)
    with qtbot.waitSignal(job.failed, timeout=5000) as blocker:
        pass
    assert isinstance(blocker.args[0], AnalysisError)
    assert job.done and job.error is blocker.args[0]


def test_cancel_stops_a_job(qtbot, runner):
    gate = threading.Event()

    def waits(*, progress=None, cancelled=None):
        gate.wait(5)
        return slow_sum([1, 2], progress=progress, cancelled=cancelled)

    job = runner.start(waits)
    job.cancel()
    gate.set()
    with qtbot.waitSignal(job.cancelled, timeout=5000):
        pass
    assert job.result is None


def test_plain_adapts_functions_without_callbacks(qtbot, runner):
    job = runner.start(plain(sorted), [3, 1, 2])
    with qtbot.waitSignal(job.succeeded, timeout=5000) as blocker:
        pass
    assert blocker.args == [[1, 2, 3]]
