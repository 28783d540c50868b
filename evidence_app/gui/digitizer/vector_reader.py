""" "Read vector figure": fill the digitizer from the PDF page's own drawing, for review.

When a PDF page is opened, its drawing objects are read in a worker
(:func:`~evidence_app.core.digitize.vector_figure.read_vector_figures`). If the page draws a
Kaplan–Meier figure as vector curves, the action is enabled and the status bar says so; a scanned
page says it has no vector curves, and the pixel tools work as before. The action fills in the
calibration (the tick marks and labels it used), the arms (label, colour and every corner of each
curve), the numbers at risk and the notes on what was matched how. Everything stays editable in
the usual tabs, and nothing is saved until the user saves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QMessageBox, QToolBar

from evidence_app.core.digitize.calibrate import PlotFrame
from evidence_app.core.digitize.image import FigureImage
from evidence_app.core.digitize.vector_figure import VectorFigure, VectorPage, read_vector_figures
from evidence_app.core.digitize.vector_output import METHOD
from evidence_app.errors import InputError
from evidence_app.gui.error_boundary import show_error

if TYPE_CHECKING:
    from evidence_app.gui.digitizer.window import DigitizerWindow

ORIGIN = "read from the PDF's vector drawing"


class VectorReader(QObject):
    """The "Read vector figure" action of a digitizer window and the figures found on its page."""

    def __init__(self, window: DigitizerWindow) -> None:
        super().__init__(window)
        self.window = window
        self.figures: list[VectorFigure] = []
        self.action = QAction("Read vector figure", window)
        self.action.setObjectName("action_read_vector")
        self.action.setShortcut(QKeySequence("Ctrl+R"))
        self.action.setToolTip(
            "Read the axes, curves, censor marks and numbers at risk from the PDF's own drawing (Ctrl+R)"
        )
        self.action.setEnabled(False)
        self.action.triggered.connect(self.read)
        window.addAction(self.action)
        window.commands["read_vector"] = self.action
        toolbar = window.findChild(QToolBar, "digitizerToolbar")
        if toolbar is not None:
            toolbar.addAction(self.action)

    def page_loaded(self, figure: FigureImage, path: Any) -> None:
        """Look for vector figures on a newly opened PDF page (nothing for an image)."""
        self.figures = []
        self.action.setEnabled(False)
        if figure.page is not None:
            self.window.worker.start(
                "vector", read_vector_figures, str(path), figure.page, done=self._found, failed=lambda _exc: None
            )

    def _found(self, pages: list[VectorPage]) -> None:
        """Say under the tabs what the page offers (the status bar is busy with the frame search)."""
        page = pages[0]
        self.figures = list(page.figures)
        self.action.setEnabled(bool(self.figures))
        if self.figures:
            count = len(self.figures)
            self.window.notes.setText(
                f"This page draws {count} Kaplan–Meier figure{'s' if count > 1 else ''} as vector curves: "
                "Read vector figure (Ctrl+R) fills in the axes, curves and numbers at risk for you to check."
            )
        elif page.notes:
            self.window.notes.setText(f"⚠ {page.notes[0]}")

    def read(self) -> None:
        """Choose the figure (when the page has several), confirm replacing work, fill the window.
        Problems are shown with the app's error dialog over the window."""
        try:
            self._read()
        except Exception as exc:
            show_error(self.window, exc)

    def _read(self) -> None:
        if not self.figures:
            raise InputError(
                "This page has no Kaplan–Meier figure drawn as vector curves; calibrate and extract by hand."
            )
        figure = self.figures[0]
        if len(self.figures) > 1:
            names = [describe(f) for f in self.figures]
            name, ok = QInputDialog.getItem(self.window, "Read vector figure", "Figure on this page:", names, 0, False)
            if not ok:
                return
            figure = self.figures[names.index(name)]
        if any(a.points for a in self.window.session.arms) and (
            QMessageBox.question(
                self.window, "Read vector figure", "Reading the figure replaces the arms and points you have. Continue?"
            )
            != QMessageBox.StandardButton.Yes
        ):
            return
        apply_figure(self.window, figure)


def describe(figure: VectorFigure) -> str:
    labels = ", ".join(c.label or c.colour for c in figure.curves)
    return f"Figure {figure.index}: {len(figure.curves)} curves ({labels})"


def to_pixels(figure: VectorFigure, image: FigureImage, x: float, y: float) -> tuple[float, float]:
    """Page points (origin bottom left) to the rendered page's pixels (whole numbers at pixel centres)."""
    scale = (image.dpi or 72.0) / 72.0
    return x * scale - 0.5, (figure.page_size[1] - y) * scale - 0.5


def apply_figure(window: DigitizerWindow, figure: VectorFigure) -> None:
    """Put ``figure`` into the window's session and panels for review (nothing is saved)."""
    session = window.session
    image, path = session.figure, session.path
    if image is None or path is None:
        raise InputError("Open the PDF page first (Ctrl+O).")
    session.load(image, path)  # a fresh start on the same page: arms, ticks, frame and history
    window.tools.undo_stack.clear()
    x_ticks, y_ticks = figure.x_axis.ticks, figure.y_axis.ticks
    scale = 100.0 if figure.y_axis.percent else 1.0
    ticks = {
        "x1": (to_pixels(figure, image, x_ticks[0][0], 0)[0], x_ticks[0][1]),
        "x2": (to_pixels(figure, image, x_ticks[-1][0], 0)[0], x_ticks[-1][1]),
        "y1": (to_pixels(figure, image, 0, y_ticks[0][0])[1], y_ticks[0][1] * scale),
        "y2": (to_pixels(figure, image, 0, y_ticks[-1][0])[1], y_ticks[-1][1] * scale),
    }
    panel = window.calibration
    panel.by_ticks.setChecked(True)
    for name, (pixel, value) in ticks.items():
        session.tick_pixels[name] = pixel
        panel.tick_values[name].setText(f"{value:g}")  # the panel copies typed values into the session
    frame = figure.frame
    left, top = to_pixels(figure, image, frame.x0, frame.y1)
    right, bottom = to_pixels(figure, image, frame.x1, frame.y0)
    session.frame, session.frame_detected = PlotFrame(left, top, right, bottom), True
    for curve in figure.curves:
        arm = session.add_arm(curve.colour, ORIGIN)
        arm.label = curve.label or arm.label
        arm.points = [(float(t), float(s)) for t, s in zip(curve.time, curve.survival)]
        arm.extracted = list(arm.points)
        table = figure.at_risk_of(curve)
        if table is not None and table[0] and table[0][0] == 0:
            arm.n = table[1][0]
    session.extraction = {
        "method": METHOD,
        "page": figure.page,
        "figure": figure.index,
        "x_ticks": [v for _, v in x_ticks],
        "y_ticks": [v for _, v in y_ticks],
        "percent_axis": figure.y_axis.percent,
        "censor_times": {c.label or c.colour: [float(t) for t in c.censor_times] for c in figure.curves},
        "arm_matching": {c.label or c.colour: c.matched_by for c in figure.curves},
        "warnings": list(figure.notes),
    }
    window.calibration.refresh()
    window._arms_changed()
    _fill_at_risk(window, figure)
    window.notes.setText(
        "<br>".join(
            [
                "Read from the PDF's vector drawing: check the ticks, curves, numbers at risk and arm names "
                "against the figure; every part can be edited, and nothing is saved until you save.",
                *(_axis_note(name, axis) for name, axis in (("x", figure.x_axis), ("y", figure.y_axis))),
                *(f"⚠ {n}" for n in figure.notes),
                *(f"arm '{c.label}': matched by {c.matched_by}" for c in figure.curves if c.matched_by != "label"),
            ]
        )
    )
    window.tabs.setCurrentWidget(window.arms)
    window.preview.schedule()
    window.statusBar().showMessage(
        f"Read {len(figure.curves)} curves from the page's drawing: " + ", ".join(a.label for a in session.arms) + "."
    )


def _axis_note(name: str, axis: Any) -> str:
    where = "on their tick marks" if axis.on_marks else "at the labels' centres"
    percent = " (percent)" if axis.percent else ""
    return f"{name} axis calibrated from the ticks {', '.join(axis.labels)}{percent}, {where}."


def _fill_at_risk(window: DigitizerWindow, figure: VectorFigure) -> None:
    table = window.at_risk
    if figure.at_risk is None:
        table.times_edit.setText("")
        return
    table.times_edit.setText(", ".join(f"{t:g}" for t in figure.at_risk.times))
    for row, curve in enumerate(figure.curves):
        counts = figure.at_risk_of(curve)
        for column, count in enumerate(counts[1] if counts is not None else ()):
            table.set_cell(row, column, count)
    table.changed.emit()
