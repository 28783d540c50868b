"""What the digitizer draws over the figure: each arm's points (draggable, selectable) and line,
the reconstructed preview curves, the clicked calibration ticks and the plot frame.

Everything is placed in image pixels (the scene's coordinates); markers keep their size on
screen at any zoom.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSceneMouseEvent,
    QGraphicsSimpleTextItem,
)

POINT_RADIUS = 3.5  # screen pixels
Z_FRAME, Z_LINE, Z_PREVIEW, Z_POINT, Z_TICK = 1, 2, 3, 4, 5
FRAME_COLOR = QColor("#d000d0")
TICK_COLOR = QColor("#e00000")


def _pen(color: QColor, width: float, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(color, width, style)
    pen.setCosmetic(True)  # width in screen pixels, whatever the zoom
    return pen


def _polyline(pixels: Sequence[tuple[float, float]]) -> QPainterPath:
    path = QPainterPath()
    for i, (x, y) in enumerate(pixels):
        path.moveTo(x, y) if i == 0 else path.lineTo(x, y)
    return path


class PointItem(QGraphicsEllipseItem):
    """One point of one arm; the overlay learns of a drag when the mouse is released."""

    def __init__(self, overlay: PointOverlay, arm: int, index: int, pos: QPointF, color: QColor) -> None:
        r = POINT_RADIUS
        super().__init__(-r, -r, 2 * r, 2 * r)
        self.overlay, self.arm, self.index, self.origin = overlay, arm, index, QPointF(pos)
        self.setPos(pos)
        self.setBrush(QBrush(color))
        self.setPen(_pen(QColor("black"), 1.0))
        self.setZValue(Z_POINT)
        flags = QGraphicsItem.GraphicsItemFlag
        self.setFlags(
            flags.ItemIsMovable
            | flags.ItemIsSelectable
            | flags.ItemIgnoresTransformations
            | flags.ItemSendsGeometryChanges
        )
        self.setCursor(Qt.CursorShape.SizeAllCursor)
        self.setToolTip(f"Point {index + 1}")

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: object) -> object:
        if change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self.setPen(_pen(QColor("#ffd400") if value else QColor("black"), 2.5 if value else 1.0))
        return super().itemChange(change, value)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        self.overlay.report_moves()


class PointOverlay(QObject):
    """Emits ``pointsMoved([(arm, index, col, row), ...])`` after points were dragged."""

    pointsMoved = Signal(list)

    def __init__(self, scene: QGraphicsScene, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.scene = scene
        self.points: list[list[PointItem]] = []
        self.lines: list[QGraphicsPathItem] = []
        self.previews: list[QGraphicsPathItem] = []
        self.ticks: list[QGraphicsItem] = []
        self.frame: QGraphicsRectItem | None = None

    def clear(self) -> None:
        self.set_points([])
        self.set_previews([])
        self.set_ticks({})
        self.set_frame(None)

    # -- points ------------------------------------------------------------------------------------
    def set_points(self, arms: Sequence[tuple[str, Sequence[tuple[float, float]]]]) -> None:
        """Draw every arm: ``(colour, [(col, row), ...])`` in arm order."""
        for item in [*self.lines, *(p for arm in self.points for p in arm)]:
            self.scene.removeItem(item)
        self.points, self.lines = [], []
        for a, (color, pixels) in enumerate(arms):
            qcolor = QColor(color)
            line = QGraphicsPathItem(_polyline(pixels))
            line.setPen(_pen(qcolor, 1.2))  # thin: the figure's own line stays visible around it
            line.setZValue(Z_LINE)
            self.scene.addItem(line)
            self.lines.append(line)
            items = [PointItem(self, a, i, QPointF(x, y), qcolor) for i, (x, y) in enumerate(pixels)]
            for item in items:
                self.scene.addItem(item)
            self.points.append(items)

    def selected(self) -> list[tuple[int, int]]:
        """``(arm, index)`` of the selected points."""
        return [(p.arm, p.index) for arm in self.points for p in arm if p.isSelected()]

    def point_item(self, arm: int, index: int) -> PointItem:
        return self.points[arm][index]

    def report_moves(self) -> None:
        moved = [(p.arm, p.index, p.pos().x(), p.pos().y()) for arm in self.points for p in arm if p.pos() != p.origin]
        if moved:
            self.pointsMoved.emit(moved)

    # -- preview, calibration and frame ---------------------------------------------------------------
    def set_previews(self, curves: Sequence[tuple[str, Sequence[tuple[float, float]]] | None]) -> None:
        """Reconstructed curves, ``(colour, [(col, row), ...])`` per arm (None: no curve for the arm)."""
        for item in self.previews:
            self.scene.removeItem(item)
        self.previews = []
        for curve in curves:
            if curve is None:
                continue
            color, pixels = curve
            item = QGraphicsPathItem(_polyline(pixels))
            item.setPen(_pen(QColor(color).darker(170), 2.0, Qt.PenStyle.DashLine))
            item.setZValue(Z_PREVIEW)
            item.setToolTip("Reconstructed Kaplan–Meier curve")
            self.scene.addItem(item)
            self.previews.append(item)

    def set_ticks(self, ticks: dict[str, tuple[float, float]]) -> None:
        """Crosses at the clicked calibration ticks, labelled with their names."""
        for item in self.ticks:
            self.scene.removeItem(item)
        self.ticks = []
        for name, (x, y) in ticks.items():
            cross = _polyline([(-7, 0), (7, 0)])
            cross.addPath(_polyline([(0, -7), (0, 7)]))
            mark = QGraphicsPathItem(cross)
            label = QGraphicsSimpleTextItem(name)
            label.setBrush(QBrush(TICK_COLOR))
            label.setPos(4, 2)
            label.setParentItem(mark)
            mark.setPen(_pen(TICK_COLOR, 1.5))
            mark.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
            mark.setPos(x, y)
            mark.setZValue(Z_TICK)
            self.scene.addItem(mark)
            self.ticks.append(mark)

    def set_frame(self, frame: Sequence[float] | None) -> None:
        if self.frame is not None:
            self.scene.removeItem(self.frame)
            self.frame = None
        if frame is not None:
            left, top, right, bottom = frame
            self.frame = QGraphicsRectItem(QRectF(QPointF(left, top), QPointF(right, bottom)))
            self.frame.setPen(_pen(FRAME_COLOR, 1.0, Qt.PenStyle.DashLine))
            self.frame.setZValue(Z_FRAME)
            self.frame.setToolTip("Plot frame")
            self.scene.addItem(self.frame)
