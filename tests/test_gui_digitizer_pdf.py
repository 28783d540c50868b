"""The digitizer on the PDF of a paper: the open dialog takes PDFs, a PDF of several pages asks
which page (keyboard only), the canvas shows that page, the curves are read from it and the saved
dataset's provenance names the page and the render resolution.
"""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure
from PySide6.QtCore import QPoint, QRectF, Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton, QSpinBox

from evidence_app.core.datasets.io import load_dataset
from evidence_app.core.digitize.image import file_sha256
from evidence_app.core.digitize.load import load_figure
from evidence_app.gui.digitizer import DigitizerWindow
from evidence_app.gui.digitizer.window import IMAGE_FILTER
from evidence_app.resources import user_datasets_dir
from tests.figure_support import BLUE, ORANGE, km_figure, km_steps, survival_at, two_arms
from tests.pdf_support import text_figure, two_page_paper, write_pdf
from tests.test_gui_support import digitizer_window, error_dialogs, top_level


@pytest.fixture(scope="module")
def arms():
    return two_arms()


@pytest.fixture(scope="module")
def paper(tmp_path_factory, arms):
    return two_page_paper(tmp_path_factory.mktemp("pdf") / "paper.pdf", arms)


@pytest.fixture
def window(qtbot, library):
    yield from digitizer_window(qtbot, library)


def page_dialog(qtbot, win: DigitizerWindow):
    qtbot.waitUntil(lambda: top_level("pdfPageDialog") is not None, timeout=10_000)
    return win.page_dialog


def test_pick_page_two_digitize_it_and_save_the_page_in_the_provenance(qtbot, window, paper, arms):
    assert "*.pdf" in IMAGE_FILTER.split(";;")[0]
    window.open_image(paper)
    dialog = page_dialog(qtbot, window)
    spin = dialog.findChild(QSpinBox, "pdfPage")
    assert (spin.minimum(), spin.maximum(), spin.value(), spin.suffix()) == (1, 2, 1, " of 2")
    assert any("paper.pdf</b> has 2 pages" in label.text() for label in dialog.findChildren(QLabel))
    assert QApplication.focusWidget() is spin  # type the page straight away
    assert not window.canvas.has_image()  # nothing is loaded before a page is chosen
    qtbot.keyClicks(spin, "2")
    with qtbot.waitSignal(window.imageLoaded, timeout=20_000):
        qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert not dialog.isVisible() and not error_dialogs()

    figure = window.session.figure
    assert (figure.page, figure.dpi, figure.width, figure.height) == (2, 300.0, 1800, 1200)
    assert np.array_equal(figure.pixels, load_figure(paper, page=2).pixels)
    rect = window.canvas.image_rect()
    assert (rect.width(), rect.height()) == (1800, 1200)  # page 2's size; page 1 is 2400 x 900
    assert window.windowTitle().endswith("paper.pdf, page 2")
    assert "rendered at 300 dpi" in window.statusBar().currentMessage()

    # Frame calibration, detected colours, extraction: read from the rendered page.
    radio = window.calibration.by_frame
    qtbot.mouseClick(radio, Qt.MouseButton.LeftButton, pos=QPoint(8, radio.height() // 2))
    with qtbot.waitSignal(window.worker.idle, timeout=20_000):
        qtbot.mouseClick(window.findChild(QPushButton, "detectFrame"), Qt.MouseButton.LeftButton)
    for key, value in (("x0", "0"), ("x1", "24"), ("y0", "0"), ("y1", "1")):
        qtbot.keyClicks(window.findChild(QLineEdit, f"range_{key}"), value)
    with qtbot.waitSignal(window.curvesExtracted, timeout=30_000):
        window.commands["extract"].trigger()
    session = window.session
    by_color = {a.color: a for a in session.arms}
    assert sorted(by_color) == [BLUE, ORANGE]
    for color, (time, event) in zip((BLUE, ORANGE), arms):
        t, s = km_steps(time, event)
        pts = np.array(by_color[color].points)
        for x in (6.0, 12.0, 18.0):
            assert survival_at(pts[:, 0], pts[:, 1], x) == pytest.approx(survival_at(t, s, x), abs=0.03)

    qtbot.mouseClick(window.findChild(QPushButton, "saveAsDataset"), Qt.MouseButton.LeftButton)
    save = window.save_dialog
    form = save.form
    for row, label in enumerate(("Everolimus", "Placebo")):
        form.arms.item(row, 0).setText(label)
        form.arms.item(row, 2).setText("120")
    qtbot.keyClicks(form.acronym, "PDFTEST")
    qtbot.keyClicks(form.citation, "Test A, et al. A figure on page 2 of a PDF. J Test 2024;1:1-2.")
    with qtbot.waitSignal(window.datasetSaved, timeout=5_000) as saved:
        qtbot.mouseClick(save.findChild(QPushButton, "saveDataset"), Qt.MouseButton.LeftButton)
    prov = load_dataset(user_datasets_dir() / f"{saved.args[0]}.json").curve.provenance
    assert prov["image"] == {
        "file_name": "paper.pdf",
        "sha256": file_sha256(paper),
        "width": 1800,
        "height": 1200,
        "page": 2,
        "dpi": 300.0,
    }


def test_one_page_pdf_opens_without_asking_and_cancel_keeps_the_figure(qtbot, window, paper, arms, tmp_path):
    single = write_pdf(tmp_path / "single.pdf", km_figure(arms))
    with qtbot.waitSignal(window.imageLoaded, timeout=20_000):
        window.open_image(single)
    assert window.session.figure.page == 1 and top_level("pdfPageDialog") is None
    window.open_image(paper)
    dialog = page_dialog(qtbot, window)
    qtbot.keyClick(dialog.findChild(QSpinBox, "pdfPage"), Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    qtbot.wait(200)
    assert window.session.path == single and not error_dialogs()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Not a PDF at all", "not a readable PDF"),
        (b"", "The PDF file is empty"),
    ],
)
def test_bad_pdf_goes_to_the_error_dialog(qtbot, window, tmp_path, content, message):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(content)
    with qtbot.waitSignal(window.worker.idle, timeout=10_000):
        window.open_image(broken)
    assert message in error_dialogs()[0].text() and "broken.pdf" in error_dialogs()[0].text()
    assert not window.canvas.has_image()


def test_page_out_of_range_goes_to_the_error_dialog(qtbot, window, paper):
    with qtbot.waitSignal(window.worker.idle, timeout=10_000):
        window.open_image(paper, 5)
    assert "There is no page 5: the PDF has 2 pages" in error_dialogs()[0].text()


def page_with_small_figure(arms) -> Figure:
    """A letter page of text with a one-column KM figure (a third of the width, a fifth of the height)."""
    fig = Figure(figsize=(8.5, 11))
    for i in range(30):
        fig.text(0.08, 0.9 - i * 0.012, "Results of the randomized comparison, continued " * 3, fontsize=7)
    ax = fig.add_axes((0.1, 0.25, 0.33, 0.2))
    for (time, event), color in zip(arms, (BLUE, ORANGE)):
        t, s = km_steps(time, event)
        ax.step(np.r_[t, time.max()], np.r_[s, s[-1]], where="post", color=color, lw=1)
    ax.set_xlim(0, 24)
    ax.set_ylim(0, 1)
    return fig


def test_a_page_opens_zoomed_to_its_plot(qtbot, window, arms, tmp_path):
    page = write_pdf(tmp_path / "article.pdf", page_with_small_figure(arms))
    with qtbot.waitSignal(window.worker.idle, timeout=20_000):
        window.open_image(page)
    frame = window.session.frame
    assert frame is not None and window.session.frame_detected
    # The plot's axes box, found on the page, in pixels of the 300 dpi render (2550 x 3300).
    assert frame.left == pytest.approx(0.1 * 2550, abs=15) and frame.bottom == pytest.approx(0.75 * 3300, abs=15)
    shown = window.canvas.mapToScene(window.canvas.viewport().rect()).boundingRect()
    assert shown.contains(QRectF(frame.left, frame.top, frame.right - frame.left, frame.bottom - frame.top))
    assert shown.width() < 0.5 * 2550  # zoomed in: not the whole page
    assert not error_dialogs()
    window.commands["fit"].trigger()  # Ctrl+0: the whole page again
    shown = window.canvas.mapToScene(window.canvas.viewport().rect()).boundingRect()
    assert shown.contains(window.canvas.image_rect())


def test_a_page_without_a_plot_frame_opens_whole_without_an_error(qtbot, window, tmp_path):
    page = write_pdf(tmp_path / "text.pdf", text_figure())
    with qtbot.waitSignal(window.worker.idle, timeout=20_000):
        window.open_image(page)
    assert window.session.frame is None and not error_dialogs()
    assert "No plot frame was found" in window.statusBar().currentMessage()
