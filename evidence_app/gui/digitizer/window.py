"""The figure digitizer: open a Kaplan–Meier figure, calibrate it, extract and edit the curves, type
the numbers at risk, watch the reconstruction follow, and save a dataset with full provenance.

The window composes the widgets and schedules the work; the state lives in a Qt-free
:class:`~evidence_app.core.digitize.session.DigitizerSession`, and everything slow runs in the
worker pool (:mod:`evidence_app.gui.workers`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QRectF, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QImage, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from evidence_app.core.datasets.builder import ArmMeta, DatasetMeta
from evidence_app.core.datasets.library import Library
from evidence_app.core.datasets.schema import Dataset
from evidence_app.core.digitize import workflow
from evidence_app.core.digitize.image import FigureImage
from evidence_app.core.digitize.session import DigitizerSession, n_at_zero
from evidence_app.errors import InputError
from evidence_app.gui import settings
from evidence_app.gui.digitizer.arms_panel import ArmsPanel
from evidence_app.gui.digitizer.at_risk_table import AtRiskTable
from evidence_app.gui.digitizer.calibration_panel import CalibrationPanel
from evidence_app.gui.digitizer.canvas import FigureCanvas
from evidence_app.gui.digitizer.figure_tools import FigureTools
from evidence_app.gui.digitizer.job_queue import DigitizerJobs
from evidence_app.gui.digitizer.page_dialog import PageDialog, figure_name
from evidence_app.gui.digitizer.point_overlay import PointOverlay
from evidence_app.gui.digitizer.preview import ReconstructionPreview
from evidence_app.gui.digitizer.save_dialog import SaveDigitizedDialog
from evidence_app.gui.digitizer.unsaved import UnsavedWork
from evidence_app.gui.digitizer.vector_reader import VectorReader
from evidence_app.gui.error_boundary import guarded
from evidence_app.gui.geometry import resize_to_fit
from evidence_app.gui.workers import Job, JobRunner, shared_runner

IMAGE_FILTER = "Figures (*.png *.jpg *.jpeg *.pdf);;Images (*.png *.jpg *.jpeg);;PDF files (*.pdf);;All files (*)"


class DigitizerWindow(QMainWindow):
    """Emits ``imageLoaded(path)``, ``curvesExtracted()`` and ``datasetSaved(dataset_id)``."""

    datasetSaved = Signal(str)
    imageLoaded = Signal(str)
    curvesExtracted = Signal()

    def __init__(self, library: Library, runner: JobRunner | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("digitizerWindow")
        self.setWindowTitle("Digitize a figure")
        self.library = library
        self.session = DigitizerSession()
        self.unsaved = UnsavedWork(self.session)
        self.worker = DigitizerJobs(runner or shared_runner(), self, self.statusBar())
        self.canvas = FigureCanvas()
        self.overlay = PointOverlay(self.canvas.scene(), self)
        self.calibration = CalibrationPanel(self.session)
        self.arms = ArmsPanel(self.session)
        self.at_risk = AtRiskTable()
        self.tools = FigureTools(self.session, self.canvas, self.overlay, self.calibration, self.arms)
        self.preview = ReconstructionPreview(self.session, self.overlay, self.at_risk, self.worker)
        self.notes = QLabel()
        self.notes.setObjectName("extractionNotes")
        self.notes.setWordWrap(True)
        save = QPushButton("Save as dataset…")
        save.setObjectName("saveAsDataset")
        save.clicked.connect(self.save_dataset)
        self.tabs = QTabWidget()
        for page, title in (
            (self.calibration, "&1 Calibrate"),
            (self.arms, "&2 Curves"),
            (self.at_risk, "&3 Numbers at risk"),
        ):
            self.tabs.addTab(page, title)
        side = QWidget()
        column = QVBoxLayout(side)
        for widget, stretch in ((self.tabs, 1), (self.notes, 0), (self.preview.label, 0), (save, 0)):
            column.addWidget(widget, stretch)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.canvas)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 3)
        self.setCentralWidget(self.splitter)
        self.commands: dict[str, QAction] = {}
        self._build_actions()
        self.vector = VectorReader(self)  # "Read vector figure" for PDF pages drawn as vectors
        self._connect()
        self.save_dialog: SaveDigitizedDialog | None = None
        self.page_dialog: PageDialog | None = None
        resize_to_fit(self, 1200, 780)
        for key, restore in (
            ("digitizer/geometry", self.restoreGeometry),
            ("digitizer/splitter", self.splitter.restoreState),
        ):
            if isinstance(value := QSettings().value(key), QByteArray):
                restore(value)
        self.statusBar().showMessage("Open a Kaplan–Meier figure (PNG, JPEG or a page of a PDF) to start: Ctrl+O.")

    # -- set-up ------------------------------------------------------------------------------------
    def _action(self, key: str, text: str, slot: Callable[..., Any], shortcut: Any = None) -> QAction:
        action = QAction(text, self)
        action.setObjectName(f"action_{key}")
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(f"{text.rstrip('…')} ({action.shortcut().toString()})")
        action.triggered.connect(slot)
        self.addAction(action)
        self.commands[key] = action
        return action

    def _build_actions(self) -> None:
        self._action("open", "Open figure…", self.choose_image, QKeySequence.StandardKey.Open)
        self._action("zoom_in", "Zoom in", self.canvas.zoom_in, QKeySequence.StandardKey.ZoomIn)
        self._action("zoom_out", "Zoom out", self.canvas.zoom_out, QKeySequence.StandardKey.ZoomOut)
        self._action("fit", "Fit to window", self.canvas.fit_to_window, "Ctrl+0")
        group = QActionGroup(self)
        for key, text, mode, shortcut in (
            ("tool_edit", "Select and move points", "edit", "Ctrl+1"),
            ("tool_add", "Add points", "add", "Ctrl+2"),
        ):
            action = self._action(key, text, lambda _=False, m=mode: self.set_tool(m), shortcut)
            action.setCheckable(True)
            group.addAction(action)
        self.commands["tool_edit"].setChecked(True)
        self._action("delete", "Delete selected points", self.tools.delete_selected)
        self.commands["delete"].setToolTip("Delete the selected points (Delete)")
        self._action("undo", "Undo point edit", self.tools.undo, QKeySequence.StandardKey.Undo)
        self._action("redo", "Redo point edit", self.tools.redo, QKeySequence.StandardKey.Redo)
        for key, changed in (("undo", "canUndoChanged"), ("redo", "canRedoChanged")):
            self.commands[key].setEnabled(False)
            getattr(self.tools.undo_stack, changed).connect(self.commands[key].setEnabled)
        self._action("extract", "Extract curves", self.extract_curves, "Ctrl+E")
        self._action("save", "Save as dataset…", self.save_dataset, QKeySequence.StandardKey.Save)
        self._action("close", "Close", self.close, QKeySequence.StandardKey.Close)
        toolbar = self.addToolBar("Digitizer")
        toolbar.setObjectName("digitizerToolbar")
        for key in (
            "open",
            "",
            "zoom_in",
            "zoom_out",
            "fit",
            "",
            "tool_edit",
            "tool_add",
            "delete",
            "undo",
            "redo",
            "",
            "extract",
            "save",
        ):
            if key:
                toolbar.addAction(self.commands[key])
            else:
                toolbar.addSeparator()

    def _connect(self) -> None:
        self.canvas.modeChanged.connect(self._sync_tools)
        self.calibration.changed.connect(self._redraw)
        self.calibration.detectFrameRequested.connect(self.detect_frame)
        self.arms.detectColorsRequested.connect(self.detect_colors)
        self.arms.pickColorRequested.connect(lambda: self.set_tool("pick"))
        self.arms.extractRequested.connect(self.extract_curves)
        self.arms.addArmRequested.connect(self.add_arm)
        self.arms.removeArmRequested.connect(self.remove_arm)
        self.arms.armsEdited.connect(self._arms_edited)
        self.tools.armsChanged.connect(self._arms_changed)
        self.tools.pointsChanged.connect(self.preview.schedule)
        self.tools.message.connect(self.statusBar().showMessage)
        self.at_risk.changed.connect(self.preview.schedule)

    # -- image -------------------------------------------------------------------------------------
    @guarded
    def choose_image(self) -> None:
        if self.unsaved.confirm(self, "open another figure", self.choose_image, self.save_dataset):
            self._choose_image()

    def _choose_image(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a figure", settings.last_folder("figures"), IMAGE_FILTER)
        if path:
            settings.remember_folder("figures", path)
            self.open_image(path)

    def open_image(self, path: str | Path, page: int | None = None) -> Job:
        """Load ``path`` (a PDF's ``page``: asked for if None); ``imageLoaded(path)`` follows once it is on screen."""
        return self.worker.start("load", workflow.open_figure, str(path), page, done=lambda f: self._loaded(f, path))

    def _loaded(self, figure: FigureImage | workflow.PageChoice, path: str | Path) -> None:
        if isinstance(figure, workflow.PageChoice):
            self.page_dialog = PageDialog(path, figure.pages, lambda page: self.open_image(path, page), self)
            self.page_dialog.open()
            return
        self.worker.cancel_all(keep="load")
        self.session.load(figure, path)
        image = QImage(figure.pixels.data, figure.width, figure.height, 3 * figure.width, QImage.Format.Format_RGB888)
        self.canvas.set_image(image.copy())  # the copy owns its pixels
        self.tools.reset()
        self.tools.undo_stack.clear()
        self.unsaved.mark_saved()
        self.overlay.clear()
        self.preview.clear()
        self.notes.clear()
        self.setWindowTitle(f"Digitize a figure — {figure_name(figure, path)}")
        self._arms_changed()
        self.tabs.setCurrentWidget(self.calibration)
        self.statusBar().showMessage(f"{figure_name(figure, path, size=True)}. Calibrate the axes next.")
        if figure.page is not None:  # a whole page: find the plot on it and show that
            self.worker.start(
                "frame",
                workflow.find_frame,
                figure,
                done=self._page_frame_found,
                failed=lambda _exc: self.statusBar().showMessage(
                    "No plot frame was found on this page: zoom to the figure (Ctrl+wheel) "
                    "and calibrate by clicking ticks."
                ),
            )
        self.vector.page_loaded(figure, path)
        self.imageLoaded.emit(str(path))

    def _figure(self) -> FigureImage:
        if self.session.figure is None:
            raise InputError("Open a figure first (Ctrl+O).")
        return self.session.figure

    # -- tools and arms ----------------------------------------------------------------------------
    @guarded
    def set_tool(self, mode: str) -> None:
        try:
            self.tools.start(mode)
        finally:
            self._sync_tools()

    def _sync_tools(self, *_: object) -> None:
        self.commands["tool_add"].setChecked(self.canvas.mode == "add")
        self.commands["tool_edit"].setChecked(self.canvas.mode != "add")

    def add_arm(self) -> None:
        self.session.add_arm()
        self._arms_changed()
        self.arms.set_current_arm(len(self.session.arms) - 1)

    def remove_arm(self, row: int) -> None:
        self.session.remove_arm(row)
        self.tools.undo_stack.clear()  # recorded states are per arm position
        self.at_risk.remove_arm(row)  # schedules a new preview
        self.preview.curves = self.preview.curves[:row] + self.preview.curves[row + 1 :]
        self._arms_changed()

    def _arms_edited(self) -> None:
        self.at_risk.set_arm_labels([a.label for a in self.session.arms])
        self.preview.schedule()

    def _arms_changed(self) -> None:
        self.arms.refresh()
        self.at_risk.set_arm_labels([a.label for a in self.session.arms])
        self._redraw()

    def _redraw(self) -> None:
        self.tools.redraw()
        self.preview.redraw()

    # -- detection and extraction ------------------------------------------------------------------
    @guarded
    def detect_frame(self) -> None:
        self.worker.start("frame", workflow.find_frame, self._figure(), done=self._frame_found)

    def _frame_found(self, frame: Any) -> None:
        self.session.frame, self.session.frame_detected = frame, True
        self.calibration.refresh()
        self._redraw()

    def _page_frame_found(self, frame: Any) -> None:
        """Zoom to the plot found on a PDF page, with room around it for the tick labels and titles."""
        self._frame_found(frame)
        width, height = frame.right - frame.left, frame.bottom - frame.top
        self.canvas.focus_on(QRectF(frame.left - 0.25 * width, frame.top - 0.15 * height, 1.4 * width, 1.5 * height))
        self.statusBar().showMessage(
            "Found the plot on this page and zoomed to it (Ctrl+0 shows the whole page). Calibrate the axes next."
        )

    @guarded
    def detect_colors(self) -> None:
        self.worker.start(
            "colors",
            workflow.find_colors,
            self._figure(),
            self.session.frame,
            self.arms.max_colors.value(),
            done=self._colors_found,
        )

    def _colors_found(self, found: workflow.ColorsFound) -> None:
        self.session.add_detected(found.colors, found.frame, found.frame_detected)
        self.calibration.refresh()
        self._arms_changed()
        self.statusBar().showMessage(f"Found {len(found.colors)} curve colour(s): {', '.join(found.colors)}.")

    @guarded
    def extract_curves(self) -> None:
        figure, session = self._figure(), self.session
        calibration = session.calibration()
        if (
            any(a.extracted is not None and a.edited for a in session.arms)
            and QMessageBox.question(
                self, "Extract again?", "Extracting again replaces the points you edited. Continue?"
            )
            != QMessageBox.StandardButton.Yes
        ):
            return
        colors = tuple(a.color for a in session.arms) or None
        request = workflow.ExtractionRequest(
            calibration if session.mode == "ticks" else None,
            session.x_range,
            session.y_range,
            session.frame,
            colors,
            session.tolerance,
        )
        self.worker.start("extract", workflow.extract, figure, request, done=self._extracted)

    def _extracted(self, extraction: workflow.Extraction) -> None:
        origins = {a.color: a.color_origin for a in self.session.arms}
        self.session.apply_extraction(extraction.result, origins, extraction.frame_detected)
        self.tools.undo_stack.clear()
        notes = [*extraction.notes, *extraction.result.warnings]
        self.notes.setText("<br>".join(f"⚠ {n}" for n in notes))
        self.calibration.refresh()
        self._arms_changed()
        self.tabs.setCurrentWidget(self.arms)
        counts = ", ".join(f"{a.label} {len(a.points)}" for a in self.session.arms)
        self.statusBar().showMessage(f"Extracted points: {counts}. Check them against the figure.")
        self.preview.schedule()
        self.curvesExtracted.emit()

    # -- saving ------------------------------------------------------------------------------------
    @guarded
    def save_dataset(self) -> None:
        self._figure()
        self.session.calibration()
        self.session.arm_inputs(self.at_risk.rows())  # fail before the form when points are missing
        times, grid = self.at_risk.table()
        arms = [
            ArmMeta(a.label, [], a.n if a.n is not None else n_at_zero(times, row))
            for a, row in zip(self.session.arms, grid)
        ]
        self.save_dialog = SaveDigitizedDialog(self.library, self.build_dataset, arms, parent=self)
        self.save_dialog.accepted.connect(self._saved)
        self.save_dialog.open()

    def build_dataset(self, meta: DatasetMeta, doi: str | None) -> Dataset:
        """The dataset the form describes: the session's points, the numbers at risk, the provenance."""
        times, grid = self.at_risk.table()
        return self.session.dataset(meta, doi, times, grid)

    def _saved(self) -> None:
        dataset_id = self.save_dialog.saved_id if self.save_dialog is not None else None
        if dataset_id:
            self.unsaved.mark_saved()
            self._arms_changed()
            self.statusBar().showMessage(f"Saved the dataset '{dataset_id}' in your library.")
            self.datasetSaved.emit(dataset_id)

    def set_library(self, library: Library) -> None:
        """Use a reloaded library (so a second save sees the first)."""
        self.library = library

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.unsaved.confirm(self, "close the digitizer", self.close, self.save_dataset):
            event.ignore()
            return
        self.worker.cancel_all()
        QSettings().setValue("digitizer/geometry", self.saveGeometry())
        QSettings().setValue("digitizer/splitter", self.splitter.saveState())
        super().closeEvent(event)
