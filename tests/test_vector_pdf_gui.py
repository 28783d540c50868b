"""The digitizer's "Read vector figure": offered when a PDF page draws its curves as vectors, it
fills the calibration, arms, points and numbers at risk for review; nothing is saved unseen; a
scanned page says it has no vector curves."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from evidence_app.gui.digitizer.vector_reader import VectorReader
from evidence_app.resources import user_datasets_dir
from tests.pdf_corpus import PageSpec, draw_page
from tests.pdf_support import write_pdf
from tests.test_gui_support import digitizer_window, error_dialogs


@pytest.fixture
def window(qtbot, library):
    yield from digitizer_window(qtbot, library)


def open_page(qtbot, window, path) -> VectorReader:
    """Open page 1 of ``path``; the window's own reader looks for vector figures (or one made here)."""
    wired = getattr(window, "vector", None)
    reader = wired if isinstance(wired, VectorReader) else VectorReader(window)
    with qtbot.waitSignal(window.imageLoaded, timeout=20_000):
        window.open_image(path, 1)
    if reader is not wired:
        reader.page_loaded(window.session.figure, path)  # what the window does on a PDF page
    return reader


def test_read_vector_figure_fills_everything_for_review(qtbot, window, tmp_path) -> None:
    drawn = draw_page(PageSpec("lancet", 81, percent=True), tmp_path / "paper.pdf")
    truth = drawn.figures[0]
    reader = open_page(qtbot, window, drawn.path)
    qtbot.waitUntil(lambda: reader.action.isEnabled(), timeout=20_000)
    assert "draws 1 Kaplan–Meier figure as vector curves" in window.notes.text()
    reader.action.trigger()
    session = window.session
    assert not error_dialogs()
    assert [a.label for a in session.arms] == [c.label for c in reader.figures[0].curves]
    assert {a.label for a in session.arms} == {a.label for a in truth.arms}
    assert session.is_calibrated() and session.percent_axis  # ticks typed as on the figure: 0-100
    for arm in session.arms:
        drawn_arm = next(a for a in truth.arms if a.label == arm.label)
        assert arm.color == drawn_arm.colour.lower() and not arm.edited
        t, s = np.array(arm.points).T
        assert s[0] == 1.0 and s[-1] == pytest.approx(drawn_arm.step_s[-1], abs=1e-5)
        assert arm.n == drawn_arm.at_risk[0]
        # The calibration put on the rendered page maps the curve's corners back onto the drawn pixels.
        col, row = session.to_pixel(float(t[-1]), float(s[-1]))
        assert 0 <= col < session.figure.width and 0 <= row < session.figure.height
    times, grid = window.at_risk.table()
    assert times == list(truth.x_ticks)
    assert grid == [list(next(a for a in truth.arms if a.label == arm.label).at_risk) for arm in session.arms]
    assert "nothing is saved until you save" in window.notes.text()
    assert "x axis calibrated from the ticks 0, 6, 12" in window.notes.text()
    assert session.extraction is not None and session.extraction["percent_axis"] is True
    assert not any(user_datasets_dir().glob("*.json"))  # nothing saved unseen


def test_scanned_page_offers_nothing(qtbot, window, tmp_path) -> None:
    page = Figure(figsize=(3, 2), dpi=50)
    page.figimage(np.random.default_rng(2).integers(0, 255, (100, 150, 3), dtype=np.uint8), 0, 0)
    path = write_pdf(tmp_path / "scan.pdf", page)
    reader = open_page(qtbot, window, path)
    qtbot.waitUntil(lambda: "no vector curves" in window.notes.text(), timeout=20_000)
    assert not reader.action.isEnabled()
    reader.read()  # a shortcut pressed anyway: a clear message, not a crash
    qtbot.waitUntil(lambda: bool(error_dialogs()), timeout=5_000)
