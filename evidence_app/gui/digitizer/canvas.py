"""The figure on screen: zoom (Ctrl+wheel, + and -), pan (drag, or hold Space), fit to window, and
clicks turned into image pixels for the tool in use.

Scene coordinates are image pixel coordinates in the core convention (whole numbers at pixel
centres), so every overlay item is placed with the numbers the core computes.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QKeyEvent, QMouseEvent, QPainter, QPixmap, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsScene, QGraphicsView, QWidget

#: Tools: "edit" selects and drags points (drag on empty space pans, Shift+drag selects a box);
#: "add" adds a point per click; "calibrate" and "pick" report one click each.
MODES = ("edit", "add", "calibrate", "pick")
CLICK_MODES = ("add", "calibrate", "pick")
MIN_SCALE, MAX_SCALE = 0.05, 40.0
ZOOM_STEP = 1.25


class FigureCanvas(QGraphicsView):
    """Emits ``clicked(col, row)`` in the click tools and ``deleteRequested()`` for Delete/Backspace."""

    clicked = Signal(float, float)
    deleteRequested = Signal()
    modeChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("digitizerCanvas")
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setBackgroundBrush(QColor("#808080"))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.image_item = QGraphicsPixmapItem()
        self.image_item.setOffset(-0.5, -0.5)  # pixel (0, 0) is centred on the scene origin
        self.image_item.setTransformationMode(Qt.TransformationMode.FastTransformation)  # crisp pixels
        self.scene().addItem(self.image_item)
        self.mode = "edit"
        self._space_pan = False
        self._auto_fit = True  # follow the window's size until the user zooms
        self._focus: QRectF | None = None  # the part of the image the automatic fit shows (None: all of it)
        self._apply_mode()

    # -- image and view ----------------------------------------------------------------------------
    def set_image(self, image: QImage) -> None:
        self.image_item.setPixmap(QPixmap.fromImage(image))
        rect = self.image_item.sceneBoundingRect()
        margin = 0.05 * max(rect.width(), rect.height())
        self.setSceneRect(rect.adjusted(-margin, -margin, margin, margin))
        self.fit_to_window()

    def focus_on(self, region: QRectF) -> None:
        """Show ``region`` of the image as large as the window allows, and keep it so on resizing."""
        self._auto_fit, self._focus = True, region.intersected(self.image_rect())
        self.fitInView(self._focus, Qt.AspectRatioMode.KeepAspectRatio)

    def has_image(self) -> bool:
        return not self.image_item.pixmap().isNull()

    def image_rect(self) -> QRectF:
        return self.image_item.sceneBoundingRect()

    def fit_to_window(self) -> None:
        """Show the whole image (Ctrl+0)."""
        self._auto_fit, self._focus = True, None
        if self.has_image():
            self.fitInView(self.image_rect(), Qt.AspectRatioMode.KeepAspectRatio)

    def scale_factor(self) -> float:
        return self.transform().m11()

    def zoom(self, factor: float, anchor: QPointF | None = None) -> None:
        """Zoom by ``factor`` about ``anchor`` (viewport position; default: the view's centre)."""
        self._auto_fit = False
        target = min(max(self.scale_factor() * factor, MIN_SCALE), MAX_SCALE)
        factor = target / self.scale_factor()
        if anchor is None:
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
            self.scale(factor, factor)
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        else:
            self.scale(factor, factor)

    def zoom_in(self) -> None:
        self.zoom(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.zoom(1 / ZOOM_STEP)

    # -- tools -------------------------------------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown canvas tool {mode!r}")
        if mode != self.mode:
            self.mode = mode
            self._apply_mode()
            self.modeChanged.emit(mode)

    def _apply_mode(self) -> None:
        panning = self._space_pan
        self.setInteractive(not panning and self.mode == "edit")
        self.setDragMode(
            QGraphicsView.DragMode.ScrollHandDrag if panning or self.mode == "edit" else QGraphicsView.DragMode.NoDrag
        )
        cursor = (
            Qt.CursorShape.OpenHandCursor
            if panning
            else (Qt.CursorShape.ArrowCursor if self.mode == "edit" else Qt.CursorShape.CrossCursor)
        )
        self.viewport().setCursor(cursor)

    # -- events ------------------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._auto_fit and self._focus is not None:
            self.fitInView(self._focus, Qt.AspectRatioMode.KeepAspectRatio)
        elif self._auto_fit:
            self.fit_to_window()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(ZOOM_STEP ** (event.angleDelta().y() / 120.0), event.position())
            event.accept()
        else:
            super().wheelEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if (
            not self._space_pan
            and self.mode in CLICK_MODES
            and event.button() == Qt.MouseButton.LeftButton
            and self.has_image()
        ):
            point = self.mapToScene(event.position().toPoint())
            self.clicked.emit(point.x(), point.y())
            event.accept()
            return
        if self.mode == "edit" and not self._space_pan:
            box = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self.setDragMode(QGraphicsView.DragMode.RubberBandDrag if box else QGraphicsView.DragMode.ScrollHandDrag)
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if self.mode == "edit" and not self._space_pan:
            self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_pan = True
            self._apply_mode()
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_in()
        elif key == Qt.Key.Key_Minus:
            self.zoom_out()
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.deleteRequested.emit()
        elif key == Qt.Key.Key_Escape:
            self.set_mode("edit")
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_pan = False
            self._apply_mode()
            event.accept()
            return
        super().keyReleaseEvent(event)
