"""Export the comparison workbook (.xlsx) or the Word evidence report (.docx): options, file name,
and the export in the worker behind a progress dialog that can cancel (a cancelled export writes
nothing). One dialog serves both: the report always has its figures and no patient data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QProgressDialog,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from evidence_app.core.datasets.library import Library
from evidence_app.core.synthesis.methods import DEFAULT_METHOD, HK_LABEL, METHODS
from evidence_app.gui import settings
from evidence_app.gui.error_boundary import guarded, show_error
from evidence_app.gui.figure_export_dialog import show_status
from evidence_app.gui.workers import Job, JobRunner

#: What each kind of export is called and written as.
KINDS = {
    "xlsx": ("Export workbook", "Writing the workbook…", "Excel workbook (*.xlsx)", "evidence-comparison.xlsx"),
    "docx": ("Export to Word", "Writing the Word report…", "Word document (*.docx)", "evidence-report.docx"),
}


def add_export_actions(window: Any) -> None:
    """File menu actions: Export workbook (Ctrl+E) and Export to Word (Ctrl+Shift+W)."""
    window._action(
        "export_workbook",
        "Export &workbook…",
        lambda: window.export_workbook("xlsx"),
        "Ctrl+E",
        "Write the comparison workbook (.xlsx) (Ctrl+E)",
    )
    window._action(
        "export_word",
        "Export to Wo&rd…",
        lambda: window.export_workbook("docx"),
        "Ctrl+Shift+W",
        "Write the Word evidence report: summary-of-findings tables, pooled results, figures, methods (Ctrl+Shift+W)",
    )


class WorkbookExportDialog(QDialog):
    """Which datasets, which pooling methods, and (workbook) whether to add patient data and figures."""

    def __init__(self, counts: dict[str, int], parent: QWidget | None = None, kind: str = "xlsx") -> None:
        super().__init__(parent)
        self.kind = kind
        self.setWindowTitle(KINDS[kind][0])
        self.setObjectName("workbookExportDialog" if kind == "xlsx" else "wordExportDialog")
        scope_box = QGroupBox("Datasets")
        scope_column = QVBoxLayout(scope_box)
        self.scope = QButtonGroup(self)
        labels = {
            "selected": "Selected in the library",
            "shown": "Shown in the library (after filters)",
            "all": "All datasets",
        }
        self.scope_buttons: dict[str, QRadioButton] = {}
        for key, label in labels.items():
            button = QRadioButton(f"{label} ({counts.get(key, 0)})")
            button.setObjectName(f"scope_{key}")
            button.setEnabled(counts.get(key, 0) > 0)
            self.scope.addButton(button)
            self.scope_buttons[key] = button
            scope_column.addWidget(button)
        remembered = settings.read("export/workbook_scope", "selected")
        usable = [k for k in (remembered, "selected", "shown", "all") if counts.get(k, 0) > 0]
        if usable:
            self.scope_buttons[usable[0]].setChecked(True)
        methods_box = QGroupBox("Pooling methods (Forest sheet)" if kind == "xlsx" else "Pooling methods")
        methods_row = QHBoxLayout(methods_box)
        chosen = settings.read_list("export/workbook_methods", [DEFAULT_METHOD])
        self.method_boxes: dict[str, QCheckBox] = {}
        for method in METHODS:
            key = method.key
            box = QCheckBox(method.label)
            box.setObjectName(f"method_{key}")
            box.setChecked(key in chosen)
            self.method_boxes[key] = box
            methods_row.addWidget(box)
        self.hk = QCheckBox(HK_LABEL)
        self.hk.setChecked(settings.read("export/workbook_hk", False))
        self.with_ipd = QCheckBox("Add patient-level data (reconstructed or approximated, flagged)")
        self.with_ipd.setObjectName("withIpd")
        self.with_ipd.setChecked(settings.read("export/workbook_ipd", False))
        self.with_figures = QCheckBox("Embed figures (one Kaplan–Meier figure per dataset, forest plots)")
        self.with_figures.setObjectName("withFigures")
        self.with_figures.setChecked(settings.read("export/workbook_figures", False))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (scope_box, methods_box, self.hk, self.with_ipd, self.with_figures, self.buttons):
            layout.addWidget(widget)
        if kind == "docx":  # the report always has its figures, never patient rows
            self.with_ipd.hide()
            self.with_figures.hide()

    def scope_key(self) -> str:
        return next((k for k, b in self.scope_buttons.items() if b.isChecked()), "all")

    def methods(self) -> list[str]:
        return [k for k, box in self.method_boxes.items() if box.isChecked()] or [DEFAULT_METHOD]

    def accept(self) -> None:
        settings.write("export/workbook_scope", self.scope_key())
        settings.write("export/workbook_methods", self.methods())
        settings.write("export/workbook_hk", self.hk.isChecked())
        if self.kind == "xlsx":
            settings.write("export/workbook_ipd", self.with_ipd.isChecked())
            settings.write("export/workbook_figures", self.with_figures.isChecked())
        super().accept()

    def options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"pool_methods": tuple(self.methods()), "hk": self.hk.isChecked()}
        if self.kind == "xlsx":
            options.update(with_ipd=self.with_ipd.isChecked(), with_figures=self.with_figures.isChecked())
        return options


def export_job(
    datasets: list[Any], path: str, options: dict[str, Any], *, progress: Any = None, cancelled: Any = None
) -> Any:
    from evidence_app.export.workbook import export_workbook

    return export_workbook(datasets, path, progress=progress, cancelled=cancelled, **options)


def word_job(
    datasets: list[Any], path: str, options: dict[str, Any], *, progress: Any = None, cancelled: Any = None
) -> Any:
    from evidence_app.export.docx_report import export_docx

    return export_docx(datasets, path, progress=progress, cancelled=cancelled, **options)


class WorkbookExport(QObject):
    """One export from dialog to file. Emits ``done(path or None)`` when over (None: nothing written)."""

    done = Signal(object)

    def __init__(
        self,
        parent: QWidget,
        runner: JobRunner,
        library: Library,
        ids: dict[str, list[str]],
        analyses: dict[str, Any] | None = None,
        kind: str = "xlsx",
    ) -> None:
        super().__init__(parent)
        self.kind = kind
        self.parent_widget, self.runner, self.library, self.ids = parent, runner, library, ids
        self.analyses = analyses or {}
        self.job: Job | None = None
        self.path: str | None = None
        self.progress: QProgressDialog | None = None
        self.dialog = WorkbookExportDialog({k: len(v) for k, v in ids.items()}, parent, kind)
        self.dialog.accepted.connect(self._chosen)
        self.dialog.rejected.connect(lambda: self.done.emit(None))
        self.dialog.open()
        from evidence_app.export.figure_pool import prepare_workers

        self.runner.start(prepare_workers, name="start figure workers")  # while the options are chosen

    @guarded
    def _chosen(self) -> None:
        d = self.dialog
        title, busy, file_filter, name = KINDS[self.kind]
        suggested = str(Path(settings.last_folder("workbooks")) / name)
        path, _ = QFileDialog.getSaveFileName(self.parent_widget, title, suggested, file_filter)
        if not path:
            self.done.emit(None)
            return
        if not path.lower().endswith("." + self.kind):
            path += "." + self.kind
        settings.remember_folder("workbooks", path)
        datasets = [self.library.get(i) for i in self.ids[d.scope_key()]]
        options = d.options()
        options["overwrite"] = True  # the file dialog asked
        options["analyses"] = {k: v for k, v in self.analyses.items() if k in self.ids[d.scope_key()]}
        job = export_job if self.kind == "xlsx" else word_job
        self.job = self.runner.start(job, datasets, path, options, name=title.lower())
        self.progress = QProgressDialog(busy, "Cancel", 0, 100, self.parent_widget)
        self.progress.setObjectName("workbookProgress")
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(400)
        self.progress.setAutoClose(False)
        self.progress.canceled.connect(self.job.cancel)
        self.job.progressed.connect(self._progressed)
        self.path = path
        self.job.succeeded.connect(self._succeeded)
        self.job.cancelled.connect(self._cancelled)
        self.job.failed.connect(self._failed)

    def _progressed(self, fraction: float, message: str) -> None:
        dialog = self.progress
        if dialog is not None and not dialog.wasCanceled():
            if message:
                dialog.setLabelText(message)
            # A window-modal progress dialog processes events in setValue: the job may finish
            # (and this dialog close) inside the call, so nothing may follow it.
            dialog.setValue(int(fraction * 100))

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.canceled.disconnect()
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None

    def _succeeded(self, _summary: Any) -> None:
        self._finish(self.path, f"Saved {self.path}")

    def _cancelled(self) -> None:
        self._finish(None, "Export cancelled; nothing was written.")

    def _finish(self, path: str | None, text: str) -> None:
        self._close_progress()
        show_status(self.parent_widget, text)
        self.done.emit(path)

    def _failed(self, exc: BaseException) -> None:
        self._close_progress()
        show_error(self.parent_widget, exc)
        self.done.emit(None)
