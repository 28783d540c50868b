"""Library problems: every dataset file that did not load, with the field and what was wrong."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from evidence_app.core.datasets.library import Library
from evidence_app.gui.copyable_table import CopyableTable
from evidence_app.resources import user_datasets_dir


class LibraryProblemsDialog(QDialog):
    """A copyable table of (file, field, problem); the rest of the library loaded normally."""

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Library problems")
        self.setObjectName("libraryProblemsDialog")
        self.resize(820, 360)
        problems = library.problems
        intro = QLabel(
            (
                f"{len(problems)} problem(s) stopped some dataset files from loading; every other dataset loaded. "
                f"Fix the files (your datasets are in {user_datasets_dir()}) and reload the library (F5)."
            )
            if problems
            else "Every dataset file loaded without problems."
        )
        intro.setWordWrap(True)
        self.table = CopyableTable(("File", "Field", "Problem"), self)
        self.table.setObjectName("problemsTable")
        self.table.set_rows([(p.file or "", p.location or "", p.message) for p in problems])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
