"""Edit the metadata of one of the user's datasets (bundled datasets are read-only)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from evidence_app.core.datasets.builder import apply_meta, meta_from_dataset
from evidence_app.core.datasets.library import Library, LibraryEntry
from evidence_app.errors import EvidenceError, InputError
from evidence_app.gui.error_boundary import guarded
from evidence_app.gui.import_dialog import save_with_confirmation
from evidence_app.gui.metadata_form import DatasetMetadataForm


class EditDatasetDialog(QDialog):
    """On OK the edited dataset is validated and written atomically over the user's file."""

    def __init__(self, entry: LibraryEntry, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if entry.bundled:
            raise EvidenceError(
                f"'{entry.dataset.id}' is a bundled dataset and cannot be edited; "
                "export it, change the copy and import that instead."
            )
        self.setWindowTitle(f"Edit {entry.dataset.title}")
        self.setObjectName("editDatasetDialog")
        self.resize(640, 720)
        self.entry, self.library = entry, library
        self.saved_id: str | None = None
        self.form = DatasetMetadataForm(self)
        self.form.set_meta(meta_from_dataset(entry.dataset))
        self.form.arms.setRowCount(len(entry.dataset.arms))  # arms can be renamed, not added or removed
        note = QLabel(f"File: {entry.path}\nNumbers keep their sources; curve data are not changed here.")
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.form, 1)
        layout.addWidget(buttons)

    @guarded
    def accept(self) -> None:
        missing = self.form.missing()
        if missing:
            raise InputError("please fill in: " + "; ".join(missing))
        edited = apply_meta(self.entry.dataset, self.form.meta())
        if save_with_confirmation(self, edited, self.library, editing=self.entry) is None:
            return
        self.saved_id = edited.id
        super().accept()
