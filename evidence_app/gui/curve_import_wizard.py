"""New dataset from a digitized Kaplan–Meier figure: curves → numbers at risk → review → metadata → save.

The result is a user dataset with curve kind "digitized", its provenance and a required source,
written atomically into the user library (never replacing a file without asking).
"""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget, QWizard, QWizardPage

from evidence_app.core.datasets.builder import ArmMeta, digitized_dataset
from evidence_app.core.datasets.library import Library
from evidence_app.errors import InputError
from evidence_app.gui.at_risk_page import AtRiskPage
from evidence_app.gui.curve_files_page import CurveFilesPage
from evidence_app.gui.error_boundary import show_error
from evidence_app.gui.geometry import resize_to_fit
from evidence_app.gui.import_dialog import save_with_confirmation
from evidence_app.gui.metadata_form import DatasetMetadataForm
from evidence_app.gui.review_page import ReviewPage
from evidence_app.gui.workers import JobRunner


class MetadataPage(QWizardPage):
    """Wizard page 4: trial, endpoint, arms and source; Finish validates and saves."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("Trial and source")
        self.setSubTitle("A source is required: every number in the library names where it was read.")
        self.form = DatasetMetadataForm(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)

    def import_wizard(self) -> CurveImportWizard:
        return cast("CurveImportWizard", self.wizard())

    def initializePage(self) -> None:
        wizard = self.import_wizard()
        counts = wizard.at_risk_page.arm_counts()
        # An arm named after its drug is the common case; the user corrects the rest.
        self.form.set_arms(
            [ArmMeta(label, [label.lower()], c.n) for label, c in zip(wizard.files_page.labels(), counts, strict=True)]
        )
        self.form.time_unit.setCurrentText(wizard.files_page.time_unit.currentText())

    def validatePage(self) -> bool:
        try:
            return self.import_wizard().save(self.form)
        except Exception as exc:
            show_error(self, exc)
            return False


class CurveImportWizard(QWizard):
    """Emits ``datasetSaved(id)`` after the dataset file was written."""

    datasetSaved = Signal(str)

    def __init__(self, library: Library, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New dataset from a digitized curve")
        self.setObjectName("curveImportWizard")
        resize_to_fit(self, 900, 700)
        self.library, self.runner = library, runner
        self.saved_id: str | None = None
        self.files_page, self.at_risk_page = CurveFilesPage(), AtRiskPage()
        self.review_page, self.metadata_page = ReviewPage(), MetadataPage()
        for page in (self.files_page, self.at_risk_page, self.review_page, self.metadata_page):
            self.addPage(page)

    def save(self, form: DatasetMetadataForm) -> bool:
        missing = form.missing()
        if missing:
            raise InputError("please fill in: " + "; ".join(missing))
        meta = form.meta()
        dataset = digitized_dataset(meta, self.review_page.inputs, self.review_page.provenance())
        if save_with_confirmation(self, dataset, self.library) is None:
            return False
        self.saved_id = dataset.id
        self.datasetSaved.emit(dataset.id)
        return True

    def reject(self) -> None:
        self.review_page.cleanupPage()
        super().reject()
