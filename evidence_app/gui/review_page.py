"""Wizard page 3: reconstruct every arm in the worker, then review the curve and its diagnostics.

The preview analyses a *draft* dataset (placeholder metadata) with the same engine the library
uses, so what the user reviews is exactly what the saved dataset will show.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Protocol, cast

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWizardPage

from evidence_app import __version__
from evidence_app.core.datasets.builder import DigitizedArmInput, digitized_dataset, draft_meta
from evidence_app.gui.at_risk_page import AtRiskPage
from evidence_app.gui.curve_files_page import CurveFilesPage
from evidence_app.gui.dataset_view import analyze
from evidence_app.gui.error_boundary import show_error
from evidence_app.gui.reconstruction_tab import ReconstructionTab
from evidence_app.gui.workers import Job, JobRunner


class _Pages(Protocol):
    """What this page reads from the wizard that holds it (the two pages before it)."""

    @property
    def files_page(self) -> CurveFilesPage: ...

    @property
    def at_risk_page(self) -> AtRiskPage: ...

    @property
    def runner(self) -> JobRunner: ...


class ReviewPage(QWizardPage):
    """Emits ``reviewReady(analysis)`` once the preview is on screen."""

    reviewReady = Signal(object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setTitle("Review the reconstruction")
        self.setSubTitle("Digitized points over the reconstructed curve; the numbers at risk it reproduces.")
        self.analysis: Any = None
        self.inputs: list[DigitizedArmInput] = []
        self._job: Job | None = None
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.preview = ReconstructionTab(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addWidget(self.preview, 1)

    def import_wizard(self) -> _Pages:
        return cast(_Pages, self.wizard())

    def initializePage(self) -> None:
        wizard = self.import_wizard()
        counts = wizard.at_risk_page.arm_counts()
        curves = wizard.files_page.curves
        self.inputs = [
            DigitizedArmInput(
                [(float(t), float(s)) for t, s in c.points.itertuples(index=False)], a.at_risk, a.total_events
            )
            for c, a in zip(curves, counts, strict=True)
        ]
        labels = wizard.files_page.labels()
        unit = wizard.files_page.time_unit.currentText()
        self.analysis = None
        self.completeChanged.emit()
        self.message.setText("Reconstructing patient-level data…")
        self.progress.setValue(0)
        try:
            draft = digitized_dataset(draft_meta(labels, [a.n for a in counts], unit), self.inputs, self.provenance())
        except Exception as exc:
            self.message.setText("The curves cannot be used; see the message.")
            show_error(self, exc)
            return
        if self._job is not None:
            self._job.cancel()
        job = wizard.runner.start(analyze, draft, name="reconstruct import")
        job.progressed.connect(self._progressed)
        job.succeeded.connect(self._done)
        job.failed.connect(self._failed)
        self._job = job

    def provenance(self) -> dict[str, Any]:
        files = sorted({Path(c.file).name for c in self.import_wizard().files_page.curves})
        return {
            "method": "digitized by the user; imported with the curve-import wizard",
            "files": files,
            "imported": date.today().isoformat(),
            "app_version": __version__,
        }

    def _progressed(self, fraction: float, _message: str) -> None:
        if self.sender() is self._job:
            self.progress.setValue(int(fraction * 100))

    def _done(self, analysis: Any) -> None:
        if self.sender() is not self._job:
            return
        self._job, self.analysis = None, analysis
        self.progress.setValue(100)
        lost = [note for note in analysis.notes]
        self.message.setText(
            "Check that the reconstructed curve follows the points and that the numbers at risk "
            "agree." + (" " + " ".join(lost) if lost else "")
        )
        self.preview.set_analysis(analysis)
        self.completeChanged.emit()
        self.reviewReady.emit(analysis)

    def _failed(self, exc: BaseException) -> None:
        if self.sender() is self._job:
            self._job = None
            self.message.setText("The reconstruction failed; go back and check the curves and numbers at risk.")
            show_error(self, exc)

    def isComplete(self) -> bool:
        return self.analysis is not None and all(a.fit is not None for a in self.analysis.arms)

    def cleanupPage(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self._job = None
