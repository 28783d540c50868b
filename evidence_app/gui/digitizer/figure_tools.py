"""What a click on the figure does: set a calibration tick, pick an arm's colour, add a point; and
the point edits (drag to move, Delete to remove, Ctrl+Z / Ctrl+Shift+Z to undo and redo on a
QUndoStack), kept in step with the overlay.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from evidence_app.core.digitize.session import DigitizerSession
from evidence_app.core.digitize.workflow import pick_color
from evidence_app.errors import InputError
from evidence_app.gui.digitizer.arms_panel import ArmsPanel
from evidence_app.gui.digitizer.calibration_panel import CalibrationPanel
from evidence_app.gui.digitizer.canvas import FigureCanvas
from evidence_app.gui.digitizer.point_overlay import PointOverlay
from evidence_app.gui.digitizer.undo import PointEdit, State
from evidence_app.gui.error_boundary import show_error

PROMPTS = {
    "add": "Click on the figure to add points to the current arm (Esc to stop).",
    "pick": "Click on a curve's line to take its colour.",
    "calibrate": "Click the tick {tick} on the figure.",
}


class FigureTools(QObject):
    """Emits ``pointsChanged()`` after any point edit, ``armsChanged()`` when arms were added or
    recoloured, and ``message(text)`` for the status bar."""

    pointsChanged = Signal()
    armsChanged = Signal()
    message = Signal(str)

    def __init__(
        self,
        session: DigitizerSession,
        canvas: FigureCanvas,
        overlay: PointOverlay,
        calibration: CalibrationPanel,
        arms: ArmsPanel,
    ) -> None:
        super().__init__(canvas)
        self.session, self.canvas, self.overlay = session, canvas, overlay
        self.calibration, self.arms = calibration, arms
        self.pending_tick: str | None = None
        self.tick_clicks: dict[str, tuple[float, float]] = {}
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(200)
        canvas.clicked.connect(self._clicked)
        canvas.deleteRequested.connect(self.delete_selected)
        canvas.modeChanged.connect(self._mode_changed)
        overlay.pointsMoved.connect(self._moved)
        calibration.pickTick.connect(self.pick_tick)

    def reset(self) -> None:
        self.pending_tick = None
        self.tick_clicks.clear()
        self.canvas.set_mode("edit")

    # -- tools -------------------------------------------------------------------------------------
    def start(self, mode: str, tick: str | None = None) -> None:
        """Switch the canvas to a tool; "add" needs a calibration and an arm."""
        if mode in ("add", "pick", "calibrate") and not self.canvas.has_image():
            raise InputError("Open a figure first (Ctrl+O).")
        if mode == "add":
            self.session.calibration()
            if not self.session.arms:
                raise InputError("Add an arm first (Curves ▸ Add arm, or Detect colours).")
        self.pending_tick = tick
        self.canvas.set_mode(mode)
        self.canvas.setFocus()
        if mode in PROMPTS:
            self.message.emit(PROMPTS[mode].format(tick=tick))

    def pick_tick(self, name: str) -> None:
        try:
            self.start("calibrate", name)
        except InputError as exc:
            self.calibration.cancel_pick()
            show_error(self.canvas, exc)

    def _mode_changed(self, mode: str) -> None:
        if mode != "calibrate":
            self.pending_tick = None
            self.calibration.cancel_pick()

    def _clicked(self, col: float, row: float) -> None:
        try:
            if self.canvas.mode == "calibrate" and self.pending_tick is not None:
                name, self.pending_tick = self.pending_tick, None
                self.canvas.set_mode("edit")
                self.tick_clicks[name] = (col, row)
                self.calibration.set_tick_pixel(name, col, row)  # may start the next tick
                self.redraw()
            elif self.canvas.mode == "pick":
                self.canvas.set_mode("edit")
                self._set_color(pick_color(self.session.figure.pixels, col, row))  # type: ignore[union-attr]
            elif self.canvas.mode == "add":
                arm = self.arms.current_arm()
                if arm < 0:
                    raise InputError("Add an arm first (Curves ▸ Add arm, or Detect colours).")
                t, s = self.session.to_data(col, row)
                self._record(
                    f"Added ({t:.3g}, {s:.3f}) to {self.session.arms[arm].label}.", self.session.add_point, arm, t, s
                )
        except Exception as exc:
            show_error(self.canvas, exc)

    def _set_color(self, color: str) -> None:
        row = self.arms.current_arm()
        if any(a.color == color for i, a in enumerate(self.session.arms) if i != row):
            raise InputError(f"Another arm already has the colour {color}.")
        if row < 0:
            arm = self.session.add_arm(color, "picked from the figure")
        else:
            arm = self.session.arms[row]
            arm.color, arm.color_origin = color, "picked from the figure"
        self.armsChanged.emit()
        self.redraw()
        self.message.emit(f"{arm.label} has the colour {color}. Extract the curves next.")

    # -- point edits -------------------------------------------------------------------------------
    def _moved(self, moves: list[tuple[int, int, float, float]]) -> None:
        try:
            data = [(a, i, *self.session.to_data(x, y)) for a, i, x, y in moves]
            self._record(f"Moved {len(moves)} point(s).", self.session.move_points, data)
        except Exception as exc:
            self.redraw()
            show_error(self.canvas, exc)

    def delete_selected(self) -> None:
        selected = self.overlay.selected()
        if not selected:
            self.message.emit("Select points first: click one, or Shift+drag a box around several.")
            return
        self._record(f"Deleted {len(selected)} point(s).", self.session.delete_points, selected)

    def _record(self, text: str, edit: Callable[..., None], *args: object) -> None:
        """Make a point edit and put it on the undo stack."""
        before = self.session.points_state()
        edit(*args)
        self.undo_stack.push(PointEdit(text, before, self.session.points_state(), self._restore))
        self._edited(text)

    def _restore(self, state: State, text: str) -> None:
        self.session.restore_points(state)
        self._edited(text)

    def undo(self) -> None:
        self.undo_stack.undo()

    def redo(self) -> None:
        self.undo_stack.redo()

    def _edited(self, text: str) -> None:
        self.redraw()
        self.armsChanged.emit()  # point counts
        self.pointsChanged.emit()
        self.message.emit(text)

    # -- drawing -----------------------------------------------------------------------------------
    def redraw(self) -> None:
        """Points, ticks and frame from the session (points only once the figure is calibrated)."""
        session = self.session
        ticks = {n: p for n, p in self.tick_clicks.items() if session.tick_pixels.get(n) is not None}
        self.overlay.set_ticks(ticks if session.mode == "ticks" else {})
        self.overlay.set_frame(session.frame)
        if session.is_calibrated():
            self.overlay.set_points([(a.color, [session.to_pixel(t, s) for t, s in a.points]) for a in session.arms])
        else:
            self.overlay.set_points([])
