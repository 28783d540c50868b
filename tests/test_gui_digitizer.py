"""The figure digitizer as a user drives it: open a Kaplan–Meier figure drawn here, calibrate by
clicking its ticks, extract the curves in the worker, move and delete points, paste the numbers at
risk, watch the preview, save a dataset and read its provenance back.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QGuiApplication, QMouseEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton

from evidence_app.core.datasets.io import load_dataset
from evidence_app.core.digitize.image import FigureImage, file_sha256
from evidence_app.core.digitize.provenance import provenance_summary
from evidence_app.core.digitize.session import DigitizerSession
from evidence_app.errors import InputError
from evidence_app.gui.digitizer import DigitizerWindow
from evidence_app.gui.digitizer.at_risk_table import split_pasted
from evidence_app.gui.digitizer.save_dialog import parse_doi
from evidence_app.gui.workers import JobRunner
from evidence_app.resources import user_datasets_dir
from tests.figure_support import BLUE, ORANGE, TIMES, km_figure, km_steps, simulate
from tests.test_gui_support import close_dialogs, digitizer_window, error_dialogs


@pytest.fixture(scope="module")
def arms():
    return [simulate(1, 0.06), simulate(2, 0.035)]


@pytest.fixture(scope="module")
def figure(tmp_path_factory, arms):
    """The figure file and the pixel (column, row) of the ticks x=6, x=18 and y=0.25, y=0.75."""
    fig = km_figure(arms)
    ax = fig.axes[0]
    path = tmp_path_factory.mktemp("figure") / "km_figure.png"
    fig.savefig(path)
    height = fig.bbox.height

    def pixel(x: float, y: float) -> tuple[float, float]:
        dx, dy = ax.transData.transform((x, y))
        return dx - 0.5, height - dy - 0.5  # pixel-centre convention of the core

    ticks = {"x1": pixel(6, 0), "x2": pixel(18, 0), "y1": pixel(0, 0.25), "y2": pixel(0, 0.75)}
    # A pixel on the middle of the blue curve's longest flat step (no other curve near it).
    t, s = km_steps(*arms[0])
    longest = int(np.argmax(np.diff(t)))
    ticks["blue"] = pixel((t[longest] + t[longest + 1]) / 2, s[longest])
    return path, ticks


@pytest.fixture
def window(qtbot, library):
    yield from digitizer_window(qtbot, library)


def view_pos(win: DigitizerWindow, col: float, row: float) -> QPoint:
    return win.canvas.mapFromScene(QPointF(col, row))


def click_figure(qtbot, win: DigitizerWindow, col: float, row: float) -> None:
    qtbot.mouseClick(win.canvas.viewport(), Qt.MouseButton.LeftButton, pos=view_pos(win, col, row))


def zoom_on(win: DigitizerWindow, pixel: tuple[float, float], scale: float = 6.0) -> None:
    win.canvas.fit_to_window()
    win.canvas.zoom(scale / win.canvas.scale_factor())
    win.canvas.centerOn(*pixel)


def drag(win: DigitizerWindow, start: QPoint, end: QPoint) -> None:
    """Press, move with the button held, release: a real drag on the canvas."""
    viewport = win.canvas.viewport()
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    for kind, pos, button, buttons in (
        (QEvent.Type.MouseButtonPress, start, left, left),
        (QEvent.Type.MouseMove, (start + end) / 2, none, left),
        (QEvent.Type.MouseMove, end, none, left),
        (QEvent.Type.MouseButtonRelease, end, left, none),
    ):
        point = QPointF(pos)
        event = QMouseEvent(kind, point, viewport.mapToGlobal(point), button, buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(viewport, event)


def open_figure(qtbot, win: DigitizerWindow, path) -> None:
    with qtbot.waitSignal(win.imageLoaded, timeout=10_000):
        win.open_image(path)


def calibrate_by_clicks(qtbot, win: DigitizerWindow, ticks: dict) -> None:
    qtbot.mouseClick(win.findChild(QPushButton, "pickTick_x1"), Qt.MouseButton.LeftButton)
    for name in ("x1", "x2", "y1", "y2"):  # the panel leads from one tick to the next
        assert win.canvas.mode == "calibrate" and win.tools.pending_tick == name
        click_figure(qtbot, win, *ticks[name])
    for name, value in (("x1", "6"), ("x2", "18"), ("y1", "0.25"), ("y2", "0.75")):
        qtbot.keyClicks(win.findChild(QLineEdit, f"tickValue_{name}"), value)


def test_digitize_edit_and_save_a_dataset_with_provenance(qtbot, window, figure, arms):
    path, ticks = figure
    open_figure(qtbot, window, path)
    assert window.canvas.has_image() and window.canvas.image_rect().width() == 600
    calibrate_by_clicks(qtbot, window, ticks)
    assert window.session.is_calibrated()
    cal = window.session.calibration()
    assert float(cal.x_to_data(ticks["x1"][0])) == pytest.approx(6, abs=0.05)
    assert float(cal.y_to_data(ticks["y2"][1])) == pytest.approx(0.75, abs=0.005)

    with qtbot.waitSignal(window.curvesExtracted, timeout=20_000):
        qtbot.mouseClick(window.findChild(QPushButton, "extractCurves"), Qt.MouseButton.LeftButton)
    session = window.session
    assert [a.color for a in session.arms] == [BLUE, ORANGE]
    for arm, (time, event) in zip(session.arms, arms):
        t, s = km_steps(time, event)
        pts = np.array(arm.points)
        at12 = pts[np.searchsorted(pts[:, 0], 12.0, side="right") - 1, 1]
        assert at12 == pytest.approx(s[np.searchsorted(t, 12.0, side="right") - 1], abs=0.03)
    assert len(window.overlay.points[0]) == len(session.arms[0].points)

    # Move one point of the first arm down by 20 screen pixels, then delete another.
    before = list(session.arms[0].points)
    target = session.to_pixel(*before[len(before) // 2])
    zoom_on(window, target)  # as a user does, so neighbouring points are apart on screen
    start = view_pos(window, *target)
    drag(window, start, start + QPoint(0, 20))
    assert session.arms[0].edits["moved"] == 1
    (gone,), (new,) = set(before) - set(session.arms[0].points), set(session.arms[0].points) - set(before)
    drop = 20 / window.canvas.scale_factor() * abs(session.calibration().y_per_px)
    assert new == pytest.approx((gone[0], gone[1] - drop), abs=1e-6)
    count = len(session.arms[1].points)
    victim = window.overlay.point_item(1, 5)
    zoom_on(window, (victim.x(), victim.y()))
    qtbot.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, pos=view_pos(window, victim.x(), victim.y()))
    assert window.overlay.selected() == [(1, 5)]
    qtbot.keyClick(window.canvas, Qt.Key.Key_Delete)
    assert len(session.arms[1].points) == count - 1
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo brings it back
    assert len(session.arms[1].points) == count
    window.overlay.point_item(1, 5).setSelected(True)
    qtbot.keyClick(window.canvas, Qt.Key.Key_Delete)
    assert len(session.arms[1].points) == count - 1 and session.arms[1].edits["deleted"] == 1

    # Numbers at risk: type the times, paste the grid from the clipboard.
    window.tabs.setCurrentWidget(window.at_risk)
    qtbot.keyClicks(window.at_risk.times_edit, ", ".join(str(t) for t in TIMES))
    counts = [[int((time >= t).sum()) for t in TIMES] for time, _ in arms]
    QGuiApplication.clipboard().setText("\n".join("Arm\t" + "\t".join(map(str, row)) for row in counts))
    grid = window.at_risk.grid
    grid.setCurrentCell(0, 0)
    with qtbot.waitSignal(window.preview.updated, timeout=20_000):
        qtbot.keyClick(grid, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert window.at_risk.table() == (list(map(float, TIMES)), counts)
    assert len(window.overlay.previews) == 2 and "within" in window.preview.label.text()

    # Save: the form needs a source; the dataset goes to the user library.
    qtbot.mouseClick(window.findChild(QPushButton, "saveAsDataset"), Qt.MouseButton.LeftButton)
    dialog = window.save_dialog
    form = dialog.form
    assert [form.arms.item(r, 2).text() for r in range(2)] == ["120", "120"]  # N from time 0
    form.arms.item(0, 0).setText("Everolimus")
    form.arms.item(1, 0).setText("Placebo")
    qtbot.keyClicks(form.acronym, "FIGTEST")
    qtbot.mouseClick(dialog.findChild(QPushButton, "saveDataset"), Qt.MouseButton.LeftButton)
    assert error_dialogs() and "source citation" in error_dialogs()[0].text()  # no source yet
    close_dialogs()
    window.save_dialog.show()
    qtbot.keyClicks(form.citation, "Test A, et al. A figure drawn for a test. J Test 2024;1:1-2.")
    qtbot.keyClicks(dialog.doi, "https://doi.org/10.1000/figtest")
    with qtbot.waitSignal(window.datasetSaved, timeout=5_000) as saved:
        qtbot.mouseClick(dialog.findChild(QPushButton, "saveDataset"), Qt.MouseButton.LeftButton)
    dataset_id = saved.args[0]
    assert dataset_id == "figtest-os-user"

    dataset = load_dataset(user_datasets_dir() / f"{dataset_id}.json")
    curve = dataset.curve
    assert curve.kind == "digitized" and dataset.sources[0].doi == "10.1000/figtest"
    assert list(curve.arms) == ["everolimus", "placebo"]
    assert [tuple(p) for p in curve.arms["everolimus"].points] == session.arms[0].points
    assert len(curve.arms["placebo"].points) == count - 1
    assert curve.arms["placebo"].at_risk == [(float(t), n) for t, n in zip(TIMES, counts[1])]
    prov = curve.provenance
    assert prov["image"]["file_name"] == "km_figure.png" and prov["image"]["page"] is None
    assert prov["image"]["sha256"] == file_sha256(path)
    assert prov["points_edited"] is True
    assert prov["arms"]["everolimus"]["edits"] == {"added": 0, "moved": 1, "deleted": 0}
    assert prov["arms"]["placebo"]["points"] == "extracted, then edited by hand"
    cal_record = prov["calibration"]
    assert cal_record["method"] == "axis ticks"
    assert [t["value"] for t in cal_record["x_ticks"]] == [6, 18]
    assert [t["pixel"] for t in cal_record["x_ticks"]] == pytest.approx([ticks["x1"][0], ticks["x2"][0]], abs=1)
    assert [t["pixel"] for t in cal_record["y_ticks"]] == pytest.approx([ticks["y1"][1], ticks["y2"][1]], abs=1)
    assert prov["extraction"]["colors"] == [BLUE, ORANGE] and prov["extraction"]["tolerance"] == 60
    assert prov["at_risk"] == {
        "times": list(map(float, TIMES)),
        "table": {"everolimus": counts[0], "placebo": counts[1]},
    }
    assert prov["versions"]["digitizer"] and "version" in prov["versions"]["reconstruction"] and prov["date"]
    summary = dict(provenance_summary(prov))
    assert summary["Image SHA-256"] == file_sha256(path)
    assert summary["Calibration"].startswith("axis ticks: x 6 at column")
    assert "1 moved" in summary["Points"]

    # The dataset view's Reconstruction tab shows the same record to whoever opens the dataset later.
    from evidence_app.core.stats.analysis import analyze_dataset
    from evidence_app.gui.reconstruction_tab import ReconstructionTab

    tab = ReconstructionTab()
    qtbot.addWidget(tab)
    tab.set_analysis(analyze_dataset(dataset))
    shown = {
        tab.provenance.item(r, 0).text(): tab.provenance.item(r, 1).text() for r in range(tab.provenance.rowCount())
    }
    assert shown["Image SHA-256"] == file_sha256(path) and shown["Calibration"] == summary["Calibration"]


def test_frame_calibration_with_detected_colours_and_clicked_points(qtbot, window, figure):
    path, _ = figure
    open_figure(qtbot, window, path)
    radio = window.calibration.by_frame
    qtbot.mouseClick(radio, Qt.MouseButton.LeftButton, pos=QPoint(8, radio.height() // 2))  # on its circle
    with qtbot.waitSignal(window.worker.idle, timeout=10_000):
        qtbot.mouseClick(window.findChild(QPushButton, "detectFrame"), Qt.MouseButton.LeftButton)
    assert window.session.frame is not None and window.overlay.frame is not None
    for key, value in (("x0", "0"), ("x1", "24"), ("y0", "0"), ("y1", "100")):  # a percent axis
        qtbot.keyClicks(window.findChild(QLineEdit, f"range_{key}"), value)
    assert window.session.is_calibrated() and window.session.percent_axis
    with qtbot.waitSignal(window.worker.idle, timeout=10_000):
        qtbot.mouseClick(window.findChild(QPushButton, "detectColors"), Qt.MouseButton.LeftButton)
    assert [a.color for a in window.session.arms] == [BLUE, ORANGE]
    assert window.arms.table.rowCount() == 2

    # Points clicked by hand in the "add" tool, on the second arm.
    window.arms.set_current_arm(1)
    window.commands["tool_add"].trigger()
    assert window.canvas.mode == "add"
    session = window.session
    for t, s in ((0.0, 1.0), (12.0, 0.5), (24.0, 0.25)):
        click_figure(qtbot, window, *session.to_pixel(t, s))
    points = session.arms[1].points
    assert len(points) == 3 and points[1] == pytest.approx((12.0, 0.5), abs=0.05)
    assert session.arms[1].how() == "clicked by hand"
    qtbot.keyClick(window.canvas, Qt.Key.Key_Escape)
    assert window.canvas.mode == "edit" and window.commands["tool_edit"].isChecked()

    with qtbot.waitSignal(window.curvesExtracted, timeout=20_000):
        window.commands["extract"].trigger()
    assert all(len(a.points) > 20 for a in session.arms) and not error_dialogs()
    record = session.provenance(["a", "b"], [], [[], []])["calibration"]
    assert record["method"] == "plot frame and axis ranges" and record["y_range"] == [0, 100]
    assert record["frame_detected"] is True and record["percent_axis"] is True


def test_pick_a_colour_on_the_figure(qtbot, window, figure):
    path, ticks = figure
    open_figure(qtbot, window, path)
    window.tabs.setCurrentWidget(window.arms)
    qtbot.mouseClick(window.findChild(QPushButton, "addArm"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.findChild(QPushButton, "pickColor"), Qt.MouseButton.LeftButton)
    assert window.canvas.mode == "pick"
    click_figure(qtbot, window, ticks["blue"][0], ticks["blue"][1] + 1)  # a pixel off the line's centre
    arm = window.session.arms[0]
    assert (arm.color, arm.color_origin) == (BLUE, "picked from the figure")
    assert window.canvas.mode == "edit" and window.arms.table.item(0, 1).text() == BLUE
    qtbot.mouseClick(window.findChild(QPushButton, "pickColor"), Qt.MouseButton.LeftButton)
    click_figure(qtbot, window, 300, 20)  # white margin above the plot
    assert "no curve under the click" in error_dialogs()[0].text()
    close_dialogs()

    # Removing an arm takes its numbers at risk with it.
    qtbot.mouseClick(window.findChild(QPushButton, "addArm"), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(window.at_risk.times_edit, "0, 12")
    for row, counts in enumerate(([100, 50], [90, 60])):
        for column, n in enumerate(counts):
            window.at_risk.set_cell(row, column, n)
    window.arms.set_current_arm(0)
    qtbot.mouseClick(window.findChild(QPushButton, "removeArm"), Qt.MouseButton.LeftButton)
    assert [a.label for a in window.session.arms] == ["Arm 2"]
    assert window.at_risk.table() == ([0.0, 12.0], [[90, 60]])


def test_zoom_pan_fit_and_geometry_is_remembered(qtbot, window, figure, library):
    path, _ = figure
    open_figure(qtbot, window, path)
    canvas = window.canvas
    fitted = canvas.scale_factor()
    qtbot.keyClick(canvas, Qt.Key.Key_Plus)
    assert canvas.scale_factor() == pytest.approx(fitted * 1.25)
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_Minus)
    qtbot.keyClick(canvas, Qt.Key.Key_Minus)
    assert canvas.scale_factor() == pytest.approx(fitted / 1.25)
    window.commands["fit"].trigger()
    assert canvas.scale_factor() == pytest.approx(fitted)
    qtbot.keyPress(canvas, Qt.Key.Key_Space)
    assert canvas.dragMode() == canvas.DragMode.ScrollHandDrag and not canvas.isInteractive()
    qtbot.keyRelease(canvas, Qt.Key.Key_Space)
    assert canvas.isInteractive()

    window.resize(760, 640)  # inside the offscreen screen, which restoreGeometry keeps a window in
    window.close()
    again = DigitizerWindow(library, JobRunner())
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (760, 640)


def test_errors_go_to_the_error_dialog(qtbot, window, tmp_path):
    window.commands["extract"].trigger()
    assert "Open a figure first" in error_dialogs()[0].text()
    close_dialogs()
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    with qtbot.waitSignal(window.worker.idle, timeout=10_000):
        window.open_image(broken)
    assert "not a readable PNG or JPEG" in error_dialogs()[0].text()


# -- the Qt-free parts -------------------------------------------------------------------------------
def tick_session(y_values: tuple[float, float] = (0.0, 1.0)) -> DigitizerSession:
    """A session on a blank 200 x 100 image: x 0..20 over columns 0..200, y over rows 100..0."""
    session = DigitizerSession()
    session.load(FigureImage(np.full((100, 200, 3), 255, np.uint8), "0" * 64, "<array>", "PNG"), "blank.png")
    session.tick_pixels.update(x1=0.0, x2=200.0, y1=100.0, y2=0.0)
    session.tick_values.update(x1=0.0, x2=20.0, y1=y_values[0], y2=y_values[1])
    return session


def test_session_point_edits_keep_a_step_curve_and_undo():
    session = tick_session()
    arm = session.add_arm()
    session.add_point(0, *session.to_data(100, 50))
    session.add_point(0, *session.to_data(0, -30))  # above the top: survival is kept at 1
    session.add_point(0, *session.to_data(100, 70))
    assert arm.points == [(0.0, 1.0), (10.0, 0.5), (10.0, pytest.approx(0.3))]
    session.move_points([(0, 2, 15.0, 0.3)])
    session.delete_points([(0, 1)])
    assert arm.points == [(0.0, 1.0), (15.0, 0.3)] and arm.edits == {"added": 3, "moved": 1, "deleted": 1}
    session.undo()
    session.undo()
    assert arm.points == [(0.0, 1.0), (10.0, 0.5), (10.0, pytest.approx(0.3))]
    assert arm.how() == "clicked by hand" and arm.edited


def test_session_reports_what_calibration_is_missing_and_reads_percent_axes():
    session = tick_session((0.0, 100.0))
    assert session.percent_axis and session.to_data(100, 50) == (10.0, 0.5)
    assert session.to_pixel(10.0, 0.5) == pytest.approx((100.0, 50.0))
    session.tick_values["y2"] = None
    with pytest.raises(InputError, match="Type the value of tick"):
        session.calibration()
    session.tick_values["y2"], session.tick_pixels["y2"] = 1.0, 200.0  # below y1: values would fall upwards
    with pytest.raises(InputError, match="increase upwards"):
        session.calibration()
    session.mode = "frame"
    with pytest.raises(InputError, match="Detect the plot frame"):
        session.calibration()


cells = st.lists(st.lists(st.integers(0, 10_000), min_size=1, max_size=8), min_size=1, max_size=4)


@given(cells, st.booleans())
def test_pasted_rows_are_split_into_cells_with_arm_names_dropped(rows, named):
    text = "\n".join(("Arm name\t" if named else "") + "\t".join(map(str, row)) for row in rows)
    assert split_pasted(text) == [[str(n) for n in row] for row in rows]
    spaced = "\r\n".join(("Everolimus " if named else "") + "  ".join(map(str, row)) for row in rows)
    assert split_pasted(spaced) == [[str(n) for n in row] for row in rows]


@given(
    st.from_regex(r"10\.[0-9]{4,5}/[A-Za-z0-9.]{1,12}", fullmatch=True),
    st.sampled_from(["", "https://doi.org/", "http://dx.doi.org/", "doi: "]),
)
def test_doi_as_typed_or_as_an_address(doi, prefix):
    assert parse_doi(f"  {prefix}{doi} ") == doi


def test_not_a_doi_is_refused():
    assert parse_doi("") is None
    with pytest.raises(InputError, match="not a DOI"):
        parse_doi("NEJM 2007")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
provenance_keys = st.sampled_from(
    [
        "method",
        "image",
        "calibration",
        "extraction",
        "points_edited",
        "arms",
        "at_risk",
        "versions",
        "date",
        "files",
        "imported",
        "other",
    ]
)


@given(st.dictionaries(provenance_keys, json_values, max_size=8))
def test_provenance_summary_reads_any_provenance(provenance):
    rows = provenance_summary(provenance)
    assert all(isinstance(label, str) and isinstance(text, str) and text for label, text in rows)
