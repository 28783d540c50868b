"""A matplotlib Figure on a Qt canvas, created on first use so matplotlib loads only when needed.

Figures from :mod:`evidence_app.plots` lay themselves out in physical units. On screen the panel
asks for a figure exactly as wide as the view (``"screen:<mm>"``, which also selects screen font
sizes of at least 8 pt) and draws it at the screen's own dpi, so a point in the figure is a point
on the screen, text is never zoomed below 8 pt, nothing scrolls sideways, and on a high-DPI screen
the canvas renders at the device pixel ratio (sharp). A figure taller than the view scrolls
vertically. ``draw(figure, width)`` is the same callable the export uses with a journal width.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QScrollArea, QStackedLayout, QVBoxLayout, QWidget

from evidence_app.gui.figure_snapshot import SnapshotView

DrawFunction = Callable[[Any, str], Any]
#: Screen dpi assumed when Qt cannot say (100 % scaling).
DEFAULT_LOGICAL_DPI = 96.0
#: A figure that cannot be laid out as narrow as the view is drawn this much wider, a few times, and scrolls.
WIDER_STEP, WIDER_TRIES = 1.25, 4


class FigurePanel(QWidget):
    """Shows a message until the first :meth:`redraw`, then the figure with a pan/zoom toolbar.

    ``drawn`` is emitted each time the canvas has rendered the figure.
    """

    drawn = Signal()
    snapshotShown = Signal()

    def __init__(self, parent: QWidget | None = None, *, toolbar: bool = True, message: str = "") -> None:
        super().__init__(parent)
        self._toolbar_wanted = toolbar
        self.figure: Any = None
        self.canvas: Any = None
        self.draw_function: DrawFunction | None = None
        self.width_choice = "double"
        self.message = QLabel(message)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setObjectName("figureMessage")
        self.scroll_area = QScrollArea()
        self.scroll_area.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.scroll_area.setWidgetResizable(False)
        self._holder = QWidget()
        self._column = QVBoxLayout(self._holder)
        self._column.setContentsMargins(0, 0, 0, 0)
        self._column.addWidget(self.scroll_area, 1)
        self._stack = QStackedLayout(self)
        self._stack.addWidget(self.message)
        self._stack.addWidget(self._holder)
        self.snapshot = SnapshotView()
        self.snapshot.painted.connect(self.snapshotShown)
        self._stack.addWidget(self.snapshot)
        self._resize_timer = QTimer(self, singleShot=True, interval=250)
        self._resize_timer.timeout.connect(self._refit)
        self._fitted = (0, 0)

    def _ensure_canvas(self) -> None:
        if self.canvas is not None:
            return
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg, NavigationToolbar2QT
        from matplotlib.figure import Figure

        self.figure = Figure(facecolor="white")
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.mpl_connect("draw_event", lambda _event: self.drawn.emit())
        self.scroll_area.setWidget(self.canvas)
        if self._toolbar_wanted:
            self._column.insertWidget(0, NavigationToolbar2QT(self.canvas, self._holder))

    def show_message(self, text: str) -> None:
        """Hide the figure and show ``text`` instead (e.g. "Computing…", "No curve data")."""
        self.message.setText(text)
        self._stack.setCurrentWidget(self.message)

    def show_snapshot(self, pixmap: Any, place: tuple[int, int, int] = (0, 0, 0)) -> None:
        """Show a kept picture of the figure about to be drawn (see :mod:`figure_snapshot`) until
        the next :meth:`redraw` or :meth:`show_message`."""
        self.snapshot.set_pixmap(pixmap, place)
        self._stack.setCurrentWidget(self.snapshot)

    def canvas_place(self) -> tuple[int, int, int]:
        """Where the canvas is in this panel (left, top) and the panel's width."""
        if self.canvas is None:
            return 0, 0, self.width()
        corner = self.canvas.mapTo(self, QPoint(0, 0))
        return corner.x(), corner.y(), self.width()

    def _view_size(self) -> tuple[int, int]:
        viewport = self.scroll_area.viewport()
        return max(viewport.width(), 200), max(viewport.height(), 150)

    def logical_dpi(self) -> float:
        screen = self.screen()
        return float(screen.logicalDotsPerInch()) if screen is not None else DEFAULT_LOGICAL_DPI

    def redraw(self, draw: DrawFunction | None = None) -> None:
        """Draw again with ``draw`` (or the last draw function) as wide as the view."""
        from evidence_app.plots.style import MM_PER_INCH, screen_width

        if draw is not None:
            self.draw_function = draw
        if self.draw_function is None:
            return
        self._ensure_canvas()
        self._stack.setCurrentWidget(self._holder)  # lay the view out before measuring it
        view = self._view_size()
        dpi = self.logical_dpi()
        # Leave room for a vertical scroll bar, so a tall figure never needs a horizontal one.
        usable = view[0] - self.scroll_area.verticalScrollBar().sizeHint().width() - 4
        width_mm = usable / dpi * MM_PER_INCH
        for attempt in range(WIDER_TRIES + 1):
            self.width_choice = screen_width(width_mm * WIDER_STEP**attempt)
            self.figure.clear()
            try:
                self.draw_function(self.figure, self.width_choice)
                break
            except ValueError as exc:  # a forest plot too wide for a very narrow pane: draw it wider and scroll
                if attempt == WIDER_TRIES:
                    self.show_message(f"{exc}. Widen the pane (drag the divider) to see the figure.")
                    return
        self._fit(view, dpi)
        self.canvas.draw_idle()

    def _fit(self, view: tuple[int, int], logical_dpi: float) -> None:
        """Draw at the screen's dpi (times the device pixel ratio) and give the canvas the figure's size."""
        width_in, height_in = self.figure.get_size_inches()
        ratio = self.canvas.device_pixel_ratio or 1.0
        self.figure.set_dpi(logical_dpi * ratio)
        self.canvas.setFixedSize(round(width_in * logical_dpi), round(height_in * logical_dpi))
        self.figure.set_size_inches(width_in, height_in, forward=False)  # undo rounding from the resize
        self._fitted = view

    def _refit(self) -> None:
        view = self._view_size()
        if self.has_figure and max(abs(view[0] - self._fitted[0]), abs(view[1] - self._fitted[1])) > 8:
            self.redraw()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.canvas is not None:
            self._resize_timer.start()

    @property
    def has_figure(self) -> bool:
        return self.canvas is not None and self._stack.currentWidget() is self._holder
