"""Importing the user's own dataset file, and saving or deleting user datasets with confirmation.

A dataset file is validated in the worker; :class:`~evidence_app.errors.DatasetValidationError`
lists every problem, and the user sees them all in the error dialog.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from evidence_app.core.datasets.io import load_dataset
from evidence_app.core.datasets.library import Library, LibraryEntry
from evidence_app.core.datasets.schema import Dataset
from evidence_app.core.datasets.user_library import delete_user_dataset, plan_save, save_user_dataset
from evidence_app.gui import settings
from evidence_app.gui.error_boundary import guarded, show_error
from evidence_app.gui.workers import Job, JobRunner

DATASET_FILTER = "Dataset files (*.json);;All files (*)"


def choose_dataset_file(parent: QWidget) -> str | None:
    path, _ = QFileDialog.getOpenFileName(
        parent, "Import a dataset file", settings.last_folder("datasets"), DATASET_FILTER
    )
    if not path:
        return None
    settings.remember_folder("datasets", path)
    return path


def confirm_replace(parent: QWidget, what: str) -> bool:
    answer = QMessageBox.question(
        parent,
        "Replace dataset?",
        f"This would replace {what}.\n\nReplace it?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def save_with_confirmation(
    parent: QWidget, dataset: Dataset, library: Library, editing: LibraryEntry | None = None
) -> Path | None:
    """Save into the user library; ask before replacing anything. None when the user declined."""
    plan = plan_save(dataset, library, editing=editing)
    if plan.replaces is not None and not confirm_replace(parent, plan.replaces):
        return None
    return save_user_dataset(dataset, plan, replace_ok=plan.replaces is not None, editing=editing)


def validate_dataset_file(path: str, *, progress: Any = None, cancelled: Any = None) -> Dataset:
    """The worker side: read and validate (a large patient-level file takes a moment)."""
    return load_dataset(path)


class DatasetFileImport(QObject):
    """Validate a dataset file in the worker, then copy it into the user library (asking before
    replacing anything). Emits ``imported(id)``; every problem goes to the error dialog."""

    imported = Signal(str)

    def __init__(self, parent: QWidget, runner: JobRunner, library: Library, path: str | None = None) -> None:
        super().__init__(parent)
        self.parent_widget, self.library = parent, library
        self.job: Job | None = None
        path = path or choose_dataset_file(parent)
        if path is None:
            return
        self.job = runner.start(validate_dataset_file, path, name="validate dataset")
        self.job.succeeded.connect(self._validated)
        self.job.failed.connect(self._failed)

    @guarded
    def _validated(self, dataset: Dataset) -> None:
        if save_with_confirmation(self.parent_widget, dataset, self.library) is not None:
            self.imported.emit(dataset.id)

    def _failed(self, exc: BaseException) -> None:
        show_error(self.parent_widget, exc)  # lists every problem found in the file


def confirm_and_delete(parent: QWidget, entry: LibraryEntry) -> bool:
    """Delete a user dataset after the user confirms. Bundled datasets raise (read-only)."""
    if entry.bundled:
        delete_user_dataset(entry)  # raises the read-only message
    answer = QMessageBox.question(
        parent,
        "Delete dataset?",
        f"Delete your dataset “{entry.dataset.title}”?\n\nThe file {entry.path} will be removed. "
        "This cannot be undone.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    if answer != QMessageBox.StandardButton.Yes:
        return False
    delete_user_dataset(entry)
    return True
