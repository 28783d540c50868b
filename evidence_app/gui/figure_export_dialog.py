"""Export a figure as PNG, SVG or PDF at a journal column width.

The figure is drawn afresh on a new matplotlib Figure in a worker, with the same
``draw(figure, width)`` function as the screen, so the saved file matches what is shown; the
plotting module sets the figure's size for the chosen column width.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSpinBox,
    QWidget,
)

from evidence_app.gui import settings
from evidence_app.gui.error_boundary import guarded, show_error
from evidence_app.gui.workers import Job, JobRunner

FORMATS = {"PNG image": "png", "SVG (vector)": "svg", "PDF (vector)": "pdf"}
WIDTHS = {"single": "Single column", "double": "Double column"}


@dataclass(frozen=True)
class FigureExportOptions:
    fmt: str
    width: str  # "single" or "double"
    dpi: int


class FigureExportDialog(QDialog):
    """Asks for the format, the column width and (for PNG) the resolution; remembers them."""

    def __init__(self, parent: QWidget | None = None, title: str = "Export figure") -> None:
        super().__init__(parent)
        from evidence_app.plots.style import DOUBLE_COLUMN_MM, SINGLE_COLUMN_MM  # loads matplotlib

        self.setWindowTitle(title)
        self.setObjectName("figureExportDialog")
        self.format_box = QComboBox()
        self.format_box.addItems(list(FORMATS))
        self.size_box = QComboBox()
        for key, mm in (("single", SINGLE_COLUMN_MM), ("double", DOUBLE_COLUMN_MM)):
            self.size_box.addItem(f"{WIDTHS[key]} ({mm:g} mm)", key)
        self.dpi_box = QSpinBox()
        self.dpi_box.setRange(72, 1200)
        self.dpi_box.setSuffix(" dpi")
        self.format_box.setCurrentText(settings.read("export/figure_format", "PNG image"))
        self.size_box.setCurrentIndex(max(0, self.size_box.findData(settings.read("export/figure_width", "single"))))
        self.dpi_box.setValue(settings.read("export/figure_dpi", 300))
        self.format_box.currentTextChanged.connect(self._format_changed)
        self._format_changed(self.format_box.currentText())
        form = QFormLayout(self)
        form.addRow("Format:", self.format_box)
        form.addRow("Width:", self.size_box)
        form.addRow("Resolution:", self.dpi_box)
        form.addRow(QLabel("Vector formats (SVG, PDF) stay sharp at any size."))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _format_changed(self, text: str) -> None:
        self.dpi_box.setEnabled(FORMATS[text] == "png")

    def options(self) -> FigureExportOptions:
        return FigureExportOptions(
            FORMATS[self.format_box.currentText()], self.size_box.currentData(), self.dpi_box.value()
        )

    def accept(self) -> None:
        settings.write("export/figure_format", self.format_box.currentText())
        settings.write("export/figure_width", self.size_box.currentData())
        settings.write("export/figure_dpi", self.dpi_box.value())
        super().accept()


def render_figure(
    draw: Callable[[Any, str], Any], path: str, width: str, dpi: int, *, progress: Any = None, cancelled: Any = None
) -> Path:
    """Draw on a new Figure and save it (worker side; no Qt)."""
    from matplotlib.figure import Figure

    from evidence_app.plots.save import save_figure

    figure = Figure(facecolor="white")
    draw(figure, width)
    # The file dialog (or our own question) already asked before replacing an existing file.
    return Path(save_figure(figure, path, dpi=dpi, overwrite=True))


def ask_save_path(parent: QWidget, options: FigureExportOptions, name: str) -> str | None:
    suggested = str(Path(settings.last_folder("figures")) / f"{name}.{options.fmt}")
    path, _ = QFileDialog.getSaveFileName(
        parent, "Export figure", suggested, f"{options.fmt.upper()} files (*.{options.fmt})"
    )
    if not path:
        return None
    if not path.lower().endswith(f".{options.fmt}"):
        path += f".{options.fmt}"  # the file dialog has not asked about this name
        if (
            Path(path).exists()
            and QMessageBox.question(parent, "Replace file?", f"{path} exists. Replace it?")
            != QMessageBox.StandardButton.Yes
        ):
            return None
    settings.remember_folder("figures", path)
    return path


class FigureExport(QObject):
    """One export: the options dialog (window-modal, not blocking), the file name, the worker job.

    Emits ``saved(path)`` when the file is written.
    """

    saved = Signal(object)

    def __init__(self, parent: QWidget, runner: JobRunner, draw: Callable[[Any, str], Any], name: str) -> None:
        super().__init__(parent)
        self.parent_widget, self.runner, self.draw, self.name = parent, runner, draw, name
        self.job: Job | None = None
        self.dialog = FigureExportDialog(parent)
        self.dialog.accepted.connect(self._chosen)
        self.dialog.finished.connect(self.dialog.deleteLater)
        self.dialog.open()

    @guarded
    def _chosen(self) -> None:
        options = self.dialog.options()
        path = ask_save_path(self.parent_widget, options, self.name)
        if path is None:
            return
        self.job = self.runner.start(render_figure, self.draw, path, options.width, options.dpi, name="export figure")
        self.job.succeeded.connect(self._succeeded)
        self.job.failed.connect(self._failed)

    def _succeeded(self, path: Path) -> None:
        show_status(self.parent_widget, f"Saved {path}")
        self.saved.emit(path)

    def _failed(self, exc: BaseException) -> None:
        show_error(self.parent_widget, exc)


def show_status(widget: QWidget, text: str) -> None:
    """A transient message in the main window's status bar (if the widget sits in one)."""
    window = widget.window()
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(text, 10000)
