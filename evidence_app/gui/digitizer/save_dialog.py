"""Save the digitized curves as a dataset in the user library: trial, endpoint, time unit, arms with
N, and the source the figure was read from (required), using the import wizard's metadata form.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from evidence_app.core.datasets.builder import ArmMeta, DatasetMeta
from evidence_app.core.datasets.library import Library
from evidence_app.core.datasets.schema import Dataset
from evidence_app.errors import InputError
from evidence_app.gui.error_boundary import show_error
from evidence_app.gui.import_dialog import save_with_confirmation
from evidence_app.gui.metadata_form import DatasetMetadataForm

NOTE = (
    "The dataset keeps the full provenance of the digitization: the image's file name and SHA-256 (and "
    "for a PDF the page and render resolution), the calibration, the extraction settings, which points you "
    "edited, the numbers at risk as typed and the algorithm versions."
)
_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?(10\.\S+/\S+)$", re.IGNORECASE)

Builder = Callable[[DatasetMeta, "str | None"], Dataset]


def parse_doi(text: str) -> str | None:
    """``10.xxxx/yyy`` from a DOI as typed or pasted (also as a doi.org address); None when empty."""
    text = text.strip()
    if not text:
        return None
    match = _DOI.match(text)
    if not match:
        raise InputError(f"{text!r} is not a DOI; a DOI looks like 10.1056/NEJMoa066838", location="doi")
    return match.group(1)


class SaveDigitizedDialog(QDialog):
    """``build(meta, doi)`` makes the dataset; Save validates, writes it (asking before replacing
    anything) and accepts with ``saved_id`` set."""

    def __init__(
        self,
        library: Library,
        build: Builder,
        arms: list[ArmMeta],
        time_unit: str = "months",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Save as dataset")
        self.setObjectName("saveDigitizedDialog")
        self.resize(640, 720)
        self.library, self.build = library, build
        self.saved_id: str | None = None
        self.form = DatasetMetadataForm(self)
        self.form.set_arms(arms)
        self.form.time_unit.setCurrentText(time_unit)
        self.doi = QLineEdit()
        self.doi.setObjectName("doi")
        self.doi.setPlaceholderText("10.1056/… (optional)")
        extra = QFormLayout()
        extra.addRow("Source DOI", self.doi)
        note = QLabel(NOTE)
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setObjectName("saveDataset")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form, 1)
        layout.addLayout(extra)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def save(self) -> None:
        try:
            missing = self.form.missing()
            if missing:
                raise InputError("please fill in: " + "; ".join(missing))
            dataset = self.build(self.form.meta(), parse_doi(self.doi.text()))
            if save_with_confirmation(self, dataset, self.library) is None:
                return
        except Exception as exc:
            show_error(self, exc)
            return
        self.saved_id = dataset.id
        self.accept()
