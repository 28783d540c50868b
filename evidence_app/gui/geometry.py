"""Window geometry shared by every top-level window."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def resize_to_fit(window: QWidget, width: int, height: int) -> None:
    """Give ``window`` its default size, or less on a smaller screen (a laptop's 1366 x 768 keeps
    the bottom of the window, its status bar and buttons, in view)."""
    screen = window.screen()
    area = screen.availableGeometry() if screen is not None else None
    if area is not None and area.width() > 0 and area.height() > 0:
        width, height = min(width, area.width() * 95 // 100), min(height, area.height() * 92 // 100)
    window.resize(width, height)
