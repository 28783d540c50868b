"""Reconstruct a whole folder of digitized curves in one go.

The folder holds ``<arm>.curve.csv`` files, each with its ``<arm>.atrisk.csv``; every arm is
reconstructed off the GUI thread (``core.reconstruction.batch``) and written as ``<arm>.ipd.csv``
to the chosen output folder. The table lists every arm with its result, or the one-line reason it
failed; the others still run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from evidence_app.core.reconstruction.batch import AT_RISK_SUFFIX, CURVE_SUFFIX, OUTPUT_SUFFIX
from evidence_app.gui import settings
from evidence_app.gui.copyable_table import CopyableTable
from evidence_app.gui.error_boundary import guarded

HEADERS = ("Arm", "Result", "Patients", "Events", "Warnings", "Output or problem")


class BatchReconstructDialog(QDialog):
    """Choose a folder of digitized curves and an output folder; reconstruct every arm."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Reconstruct a folder of digitized curves")
        self.folder = QLineEdit(settings.last_folder("curves"))
        self.folder.setObjectName("batchFolder")
        self.output = QLineEdit()
        self.output.setObjectName("batchOutput")
        self.output.setPlaceholderText("the same folder")
        self.force = QCheckBox("Replace existing outputs")
        self.table = CopyableTable(HEADERS)
        self.table.setObjectName("batchResults")
        self.status = QLabel(
            f"Each <tt>&lt;arm&gt;{CURVE_SUFFIX}</tt> is read with its <tt>&lt;arm&gt;{AT_RISK_SUFFIX}</tt>; "
            f"patient-level data are written as <tt>&lt;arm&gt;{OUTPUT_SUFFIX}</tt>."
        )
        self.status.setWordWrap(True)
        self.status.setObjectName("batchStatus")
        self.run_button = QPushButton("Reconstruct all")
        self.run_button.setObjectName("batchRun")
        self.run_button.clicked.connect(self.start)
        layout = QVBoxLayout(self)
        for label, edit in (("Folder of digitized curves", self.folder), ("Output folder", self.output)):
            row = QHBoxLayout()
            browse = QPushButton("Browse…")
            browse.clicked.connect(lambda _=False, e=edit: self._browse(e))
            row.addWidget(QLabel(label))
            row.addWidget(edit, 1)
            row.addWidget(browse)
            layout.addLayout(row)
        layout.addWidget(self.force)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.run_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.job: Any = None
        self.resize(820, 480)

    def _browse(self, edit: QLineEdit) -> None:
        path = QFileDialog.getExistingDirectory(self, "Choose a folder", edit.text() or settings.last_folder("curves"))
        if path:
            edit.setText(path)
            settings.remember_folder("curves", path)

    @guarded
    def start(self) -> None:
        from evidence_app.core.reconstruction.batch import folder_jobs, run_jobs
        from evidence_app.errors import EvidenceError
        from evidence_app.gui.workers import shared_runner

        folder = Path(self.folder.text().strip())
        output = Path(self.output.text().strip() or folder)
        try:
            jobs, notes = folder_jobs(folder, output, force=self.force.isChecked())
            output.mkdir(parents=True, exist_ok=True)
        except EvidenceError as exc:
            self.status.setText(str(exc))
            return
        except OSError as exc:
            self.status.setText(f"Cannot create the output folder {output}: {exc.strerror or exc}")
            return
        self.notes = notes
        self.run_button.setEnabled(False)
        self.status.setText(f"Reconstructing {len(jobs)} arm(s)…")
        self.job = shared_runner().start(run_jobs, jobs, name="reconstruct folder")
        self.job.progressed.connect(lambda fraction, message: self.status.setText(message))
        self.job.succeeded.connect(self._show)
        self.job.failed.connect(lambda exc: self.status.setText(f"Stopped: {exc}"))
        self.job.finished.connect(lambda: self.run_button.setEnabled(True))

    def _show(self, outcomes: list[Any]) -> None:
        rows = []
        for o in outcomes:
            if o.ok:
                rows.append((o.where, "ok", str(o.patients), str(o.events), str(len(o.warnings)), o.output))
            else:
                rows.append((o.where, "FAILED", "", "", "", o.message))
        rows += [("—", "left out", "", "", "", note) for note in self.notes]
        self.table.set_rows(rows)
        done = sum(o.ok for o in outcomes)
        self.status.setText(f"{done} of {len(outcomes)} arm(s) reconstructed.")
