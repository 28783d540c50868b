"""Which page of a PDF holds the figure: a small dialog with one spin box, asked when a PDF of
several pages is opened in the digitizer.

The spin box has the focus with its number selected: type the page (or use the arrow and
Page Up/Down keys) and press Enter; Escape cancels and keeps the current figure.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from evidence_app.core.digitize.image import FigureImage
from evidence_app.gui.error_boundary import show_error


class PageDialog(QDialog):
    """Pick a page of ``path`` (1 to ``pages``); accepting calls ``chosen(page)``.

    Parameters
    ----------
    path
        The PDF, named in the dialog.
    pages
        Its number of pages (at least 1).
    chosen
        Called with the page picked, when the dialog is accepted.
    parent
        The window the dialog belongs to.
    """

    def __init__(
        self, path: str | Path, pages: int, chosen: Callable[[int], object], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pdfPageDialog")
        self.setWindowTitle("Choose the page")
        self.chosen = chosen
        name = Path(path).name
        intro = QLabel(f"<b>{_escape(name)}</b> has {pages} pages. Which page holds the figure?")
        intro.setWordWrap(True)
        self.page = QSpinBox()
        self.page.setObjectName("pdfPage")
        self.page.setRange(1, max(pages, 1))
        self.page.setSuffix(f" of {pages}")
        self.page.setAccelerated(True)
        self.page.setToolTip("Type the page number, or use the arrow and Page Up/Down keys; Enter opens it.")
        form = QFormLayout()
        form.addRow("&Page:", self.page)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Open).setObjectName("openPage")
        buttons.button(QDialogButtonBox.StandardButton.Open).setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.page.setFocus()
        self.page.selectAll()

    def accept(self) -> None:
        """Close the dialog and hand the page on (an error is shown in the error dialog)."""
        super().accept()
        try:
            self.chosen(self.page.value())
        except Exception as exc:
            show_error(self.parentWidget(), exc)


def figure_name(figure: FigureImage, path: str | Path, size: bool = False) -> str:
    """The file name as the window shows it: ``fig.png``, or ``paper.pdf, page 3``; with ``size``,
    followed by the size in pixels (and a PDF page's resolution)."""
    name = Path(path).name if figure.page is None else f"{Path(path).name}, page {figure.page}"
    if not size:
        return name
    rendered = f" (rendered at {figure.dpi:g} dpi)" if figure.dpi is not None else ""
    return f"{name}: {figure.width} × {figure.height} pixels{rendered}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
