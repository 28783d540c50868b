"""The arms (curves) of the figure: label, colour, published N and events; and how to find them —
detect the colours, pick a colour on the figure, then extract the curves.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from evidence_app.core.digitize.session import DigitizerSession

COLUMNS = ("Arm label", "Colour", "N", "Events", "Points")
LABEL, COLOR, N, EVENTS, POINTS = range(len(COLUMNS))
HELP = (
    "Detect the curve colours (or add an arm and pick its colour on the figure), then extract the "
    "curves. Rename the arms and type each arm's N and, if reported, its total events."
)


def _count(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


class ArmsPanel(QWidget):
    """Writes labels, N and events into the session. Emits ``armsEdited()`` when they change and
    ``currentArmChanged(row)``; the buttons ask the window for work (``detectColorsRequested``,
    ``pickColorRequested``, ``extractRequested``, ``removeArmRequested(row)``, ``addArmRequested``)."""

    armsEdited = Signal()
    currentArmChanged = Signal(int)
    detectColorsRequested = Signal()
    pickColorRequested = Signal()
    extractRequested = Signal()
    addArmRequested = Signal()
    removeArmRequested = Signal(int)

    def __init__(self, session: DigitizerSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        help_label = QLabel(HELP)
        help_label.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("armsTable")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(LABEL, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.itemChanged.connect(self._edited)
        self.table.currentCellChanged.connect(lambda row, *_: self.currentArmChanged.emit(row))
        self.max_colors = QSpinBox()
        self.max_colors.setRange(1, 8)
        self.max_colors.setValue(4)
        self.max_colors.setObjectName("maxColors")
        self.tolerance = QDoubleSpinBox()
        self.tolerance.setRange(5.0, 200.0)
        self.tolerance.setValue(session.tolerance)
        self.tolerance.setToolTip("How far (RGB distance) a pixel may be from a curve's colour and still count")
        self.tolerance.valueChanged.connect(lambda v: setattr(self.session, "tolerance", float(v)))
        buttons = QGridLayout()
        for i, (text, name, signal) in enumerate(
            (
                ("Detect colours", "detectColors", self.detectColorsRequested),
                ("Pick colour on figure", "pickColor", self.pickColorRequested),
                ("Add arm", "addArm", self.addArmRequested),
                ("Remove arm", "removeArm", None),
                ("Extract curves", "extractCurves", self.extractRequested),
            )
        ):
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(signal.emit if signal is not None else self._remove)
            buttons.addWidget(button, i // 2, i % 2)
        settings = QFormLayout()
        settings.addRow("Colours to detect at most", self.max_colors)
        settings.addRow("Colour tolerance", self.tolerance)
        layout = QVBoxLayout(self)
        layout.addWidget(help_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(settings)
        layout.addLayout(buttons)

    def current_arm(self) -> int:
        row = self.table.currentRow()
        return row if 0 <= row < len(self.session.arms) else (0 if self.session.arms else -1)

    def set_current_arm(self, row: int) -> None:
        if 0 <= row < self.table.rowCount():
            self.table.setCurrentCell(row, LABEL)

    def refresh(self) -> None:
        """Show the session's arms (keeps the current row)."""
        current = self.table.currentRow()
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.session.arms))
        for r, arm in enumerate(self.session.arms):
            cells = (
                arm.label,
                arm.color,
                "" if arm.n is None else str(arm.n),
                "" if arm.total_events is None else str(arm.total_events),
                str(len(arm.points)),
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c in (COLOR, POINTS):
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if c == COLOR:
                    item.setBackground(QBrush(QColor(arm.color)))
                    item.setForeground(QBrush(QColor("white" if QColor(arm.color).lightness() < 140 else "black")))
                    item.setToolTip(f"{arm.color} ({arm.color_origin})")
                if c == POINTS:
                    item.setToolTip(arm.how())
                self.table.setItem(r, c, item)
        self.table.blockSignals(False)
        if self.session.arms:
            self.table.setCurrentCell(min(max(current, 0), len(self.session.arms) - 1), LABEL)

    def _edited(self, item: QTableWidgetItem) -> None:
        row, column = item.row(), item.column()
        if row >= len(self.session.arms):
            return
        arm, text = self.session.arms[row], item.text().strip()
        if column == LABEL:
            arm.label = text
        elif column in (N, EVENTS):
            value = _count(text)
            setattr(arm, "n" if column == N else "total_events", value)
            bad = bool(text) and value is None
            item.setBackground(QBrush(QColor("#ffd0d0")) if bad else QBrush())
            item.setToolTip("expected a whole number" if bad else "")
        self.armsEdited.emit()

    def _remove(self) -> None:
        row = self.current_arm()
        if row >= 0:
            self.removeArmRequested.emit(row)
