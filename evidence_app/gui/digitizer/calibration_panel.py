"""Calibrate the figure: click two ticks per axis and type their values, or detect the plot frame
and type the axis ranges it spans.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from evidence_app.core.digitize.session import TICKS, DigitizerSession
from evidence_app.errors import InputError

TICK_HELP = {
    "x1": "an x tick (e.g. 0)",
    "x2": "another x tick, far right",
    "y1": "a y tick (e.g. 0)",
    "y2": "another y tick, near the top",
}


def parse_number(text: str) -> float | None:
    """A typed number (a decimal comma is accepted); None when empty or not a number."""
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        return None


class CalibrationPanel(QWidget):
    """Writes what the user types into the session; emits ``pickTick(name)`` when a tick is to be
    clicked on the figure, ``detectFrameRequested()`` and ``changed()``."""

    pickTick = Signal(str)
    detectFrameRequested = Signal()
    changed = Signal()

    def __init__(self, session: DigitizerSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.by_ticks = QRadioButton("Click two ticks on each axis")
        self.by_frame = QRadioButton("Plot frame and axis ranges")
        self.by_ticks.setObjectName("calibrateByTicks")
        self.by_frame.setObjectName("calibrateByFrame")
        self.by_ticks.setChecked(True)
        modes = QButtonGroup(self)
        modes.addButton(self.by_ticks)
        modes.addButton(self.by_frame)
        self.tick_buttons: dict[str, QPushButton] = {}
        self.tick_pixels: dict[str, QLabel] = {}
        self.tick_values: dict[str, QLineEdit] = {}
        ticks = QGroupBox("Ticks: press Click, click the tick on the figure, type its value")
        grid = QGridLayout(ticks)
        for row, name in enumerate(TICKS):
            button = QPushButton(f"Click {name}")
            button.setCheckable(True)
            button.setObjectName(f"pickTick_{name}")
            button.setToolTip(f"Then click {TICK_HELP[name]} on the figure")
            button.clicked.connect(lambda checked, n=name: self.pickTick.emit(n) if checked else None)
            value = QLineEdit()
            value.setObjectName(f"tickValue_{name}")
            value.setPlaceholderText("value")
            value.textChanged.connect(self._typed)
            self.tick_buttons[name], self.tick_pixels[name], self.tick_values[name] = button, QLabel("not set"), value
            grid.addWidget(button, row, 0)
            grid.addWidget(self.tick_pixels[name], row, 1)
            grid.addWidget(value, row, 2)
        frame = QGroupBox("Frame: the axes box spans the axis ranges")
        form = QFormLayout(frame)
        self.detect = QPushButton("Detect frame")
        self.detect.setObjectName("detectFrame")
        self.detect.clicked.connect(self.detectFrameRequested)
        self.frame_label = QLabel("not detected")
        self.ranges: dict[str, QLineEdit] = {}
        for key, hint in (("x0", "0"), ("x1", "24"), ("y0", "0"), ("y1", "1 (or 100)")):
            edit = QLineEdit()
            edit.setObjectName(f"range_{key}")
            edit.setPlaceholderText(hint)
            edit.textChanged.connect(self._typed)
            self.ranges[key] = edit
        form.addRow(self.detect, self.frame_label)
        form.addRow("x axis from", self._pair(self.ranges["x0"], self.ranges["x1"]))
        form.addRow("y axis from", self._pair(self.ranges["y0"], self.ranges["y1"]))
        self.status = QLabel()
        self.status.setObjectName("calibrationStatus")
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        for widget in (self.by_ticks, ticks, self.by_frame, frame, self.status):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.by_ticks.toggled.connect(self._typed)
        self._typed()

    @staticmethod
    def _pair(low: QLineEdit, high: QLineEdit) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(low)
        row.addWidget(QLabel("to"))
        row.addWidget(high)
        return box

    # -- from the figure ----------------------------------------------------------------------------
    def set_tick_pixel(self, name: str, col: float, row: float) -> None:
        """A tick was clicked: x ticks keep the column, y ticks the row."""
        self.session.tick_pixels[name] = col if name.startswith("x") else row
        self.tick_buttons[name].setChecked(False)
        self.refresh()
        following = [t for t in TICKS[TICKS.index(name) + 1 :] if self.session.tick_pixels[t] is None]
        if following:  # lead the user through the four ticks
            self.tick_buttons[following[0]].setChecked(True)
            self.pickTick.emit(following[0])

    def cancel_pick(self) -> None:
        for button in self.tick_buttons.values():
            button.setChecked(False)

    def refresh(self) -> None:
        """Show the session's tick pixels, frame and calibration state."""
        for name, label in self.tick_pixels.items():
            value = self.session.tick_pixels[name]
            axis = "column" if name.startswith("x") else "row"
            label.setText("not set" if value is None else f"{axis} {value:.1f}")
        frame = self.session.frame
        self.frame_label.setText(
            "not detected" if frame is None else "left {:.1f}, top {:.1f}, right {:.1f}, bottom {:.1f}".format(*frame)
        )
        try:
            self.session.calibration()
        except InputError as exc:
            self.status.setText(f"<span style='color:#a00000'>{exc.message}</span>")
        else:
            self.status.setText(
                "Calibrated." + (" The y axis is read as percent." if self.session.percent_axis else "")
            )

    # -- typing ------------------------------------------------------------------------------------
    def _typed(self, *_: object) -> None:
        session = self.session
        session.mode = "ticks" if self.by_ticks.isChecked() else "frame"
        for name, edit in self.tick_values.items():
            session.tick_values[name] = parse_number(edit.text())
        values = {key: parse_number(edit.text()) for key, edit in self.ranges.items()}
        session.x_range = _pair(values["x0"], values["x1"])
        session.y_range = _pair(values["y0"], values["y1"])
        self.refresh()
        self.changed.emit()


def _pair(low: float | None, high: float | None) -> tuple[float, float] | None:
    """Both ends of an axis range, or None while either is missing."""
    return (low, high) if low is not None and high is not None else None
