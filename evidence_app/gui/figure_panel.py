"""A matplotlib Figure on a Qt canvas, created on first use so matplotlib loads only when needed.

Figures from :mod:`evidence_app.plots` lay themselves out in physical units and set their own
size for a journal width (``"single"`` or ``"double"``). The panel therefore never stretches a
figure: it draws it at its own size, zooms it (through the figure's dpi) to the width of the
view, and scrolls when it is taller. ``draw(figure, width)`` is the same callable the export
uses, so a saved file matches the screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QScrollArea, QStackedLayout, QVBoxLayout, QWidget

DrawFunction = Callable[[Any, str], Any]
#: Below this view width the single-column layout reads better than a zoomed-out double column.
DOUBLE_COLUMN_MIN_PX = 560
MIN_DPI, MAX_DPI = 70.0, 220.0


class FigurePanel(QWidget):
    """Shows a message until the first :meth:`redraw`, then the figure with a pan/zoom toolbar.

    ``drawn`` is emitted each time the canvas has rendered the figure.
    """

    drawn = Signal()

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

    def _view_size(self) -> tuple[int, int]:
        viewport = self.scroll_area.viewport()
        return max(viewport.width(), 200), max(viewport.height(), 150)

    def redraw(self, draw: DrawFunction | None = None) -> None:
        """Draw again with ``draw`` (or the last draw function) at a width that suits the view."""
        if draw is not None:
            self.draw_function = draw
        if self.draw_function is None:
            return
        self._ensure_canvas()
        self._stack.setCurrentWidget(self._holder)  # lay the view out before measuring it
        view = self._view_size()
        self.width_choice = "double" if view[0] >= DOUBLE_COLUMN_MIN_PX else "single"
        self.figure.clear()
        self.draw_function(self.figure, self.width_choice)
        self._fit(view)
        self.canvas.draw_idle()

    def _fit(self, view: tuple[int, int]) -> None:
        """Zoom the figure (dpi) to fit the view and give the canvas exactly the figure's size.

        A figure too tall to be readable at that zoom (a long forest plot) keeps MIN_DPI and scrolls.
        """
        width_in, height_in = self.figure.get_size_inches()
        ratio = self.canvas.device_pixel_ratio or 1.0
        fit = min((view[0] - 4) / width_in, (view[1] - 4) / height_in)
        logical_dpi = min(max(fit, MIN_DPI), MAX_DPI)
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
