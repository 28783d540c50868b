"""The main window: composes the panels and wires them; it computes nothing itself."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow

from evidence_app import __version__
from evidence_app.core.library import Library, load_library
from evidence_app.gui.library_panel import LibraryPanel


class MainWindow(QMainWindow):
    def __init__(self, library: Library | None = None) -> None:
        super().__init__()
        self.setWindowTitle(f"Evidence App {__version__}")
        self.library = library if library is not None else load_library()
        self.library_panel = LibraryPanel(self.library, self)
        self.setCentralWidget(self.library_panel)
        self._status = QLabel()
        self.statusBar().addPermanentWidget(self._status)
        self._update_status()
        find = QAction("Find", self, shortcut=QKeySequence.StandardKey.Find)
        find.triggered.connect(self.library_panel.search.setFocus)
        self.addAction(find)
        quit_action = QAction("Quit", self, shortcut=QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.addAction(quit_action)
        self.resize(1200, 700)
        self._restore_state()

    def _update_status(self) -> None:
        problems = len(self.library.problems)
        text = f"{len(self.library)} datasets"
        if problems:
            text += f" — {problems} file problem(s) (see Help ▸ Library problems)"
        self._status.setText(text)

    def _restore_state(self) -> None:
        settings = QSettings()
        geometry = settings.value("main/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        QSettings().setValue("main/geometry", self.saveGeometry())
        super().closeEvent(event)
