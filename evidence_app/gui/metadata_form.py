"""The dataset metadata form shared by the curve-import wizard and the Edit dialog."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from evidence_app.core.datasets.builder import ArmMeta, DatasetMeta, SourceMeta, suggest_id

HISTOLOGIES = ("not stated", "clear-cell", "non-clear-cell", "mixed")
SETTINGS = ("first-line", "second-line", "second-line or later", "not stated")
ENDPOINTS = ("OS", "PFS")
ANALYSES = ("not stated", "final", "interim")
TIME_UNITS = ("months", "weeks", "days", "years")
SOURCE_KINDS = ("primary paper", "congress abstract", "registry", "review", "secondary", "dataset")
ARM_COLUMNS = ("Arm label", "Drugs (comma-separated)", "Patients (N)")


def _combo(values: tuple[str, ...], editable: bool = False) -> QComboBox:
    box = QComboBox()
    box.addItems(list(values))
    box.setEditable(editable)
    return box


class DatasetMetadataForm(QWidget):
    """Trial, endpoint, arms and source. ``meta()`` reads it; ``missing()`` lists required gaps."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._id_edited = False
        self._title_edited = False
        self.acronym, self.trial_name, self.registry_id = QLineEdit(), QLineEdit(), QLineEdit()
        self.phase, self.disease, self.population = QLineEdit(), QLineEdit(), QLineEdit()
        self.setting, self.histology = _combo(SETTINGS, editable=True), _combo(HISTOLOGIES)
        self.endpoint, self.assessment = _combo(ENDPOINTS, editable=True), QLineEdit()
        self.analysis_kind, self.time_unit = _combo(ANALYSES), _combo(TIME_UNITS)
        self.dataset_id, self.title = QLineEdit(), QLineEdit()
        self.arms = QTableWidget(0, len(ARM_COLUMNS))
        self.arms.setHorizontalHeaderLabels(list(ARM_COLUMNS))
        self.arms.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.arms.verticalHeader().hide()
        self.arms.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.arms.setMinimumHeight(110)
        self.arms.setMaximumHeight(160)
        self.experimental, self.control = QComboBox(), QComboBox()
        self.source_kind, self.citation, self.url = _combo(SOURCE_KINDS), QPlainTextEdit(), QLineEdit()
        self.citation.setMaximumHeight(60)
        self.citation.setPlaceholderText("Authors. Title. Journal Year;Volume:Pages. (required)")
        self.url.setPlaceholderText("https://… (address where the figure was read)")
        self.notes = QPlainTextEdit()
        self.notes.setMaximumHeight(50)
        for widget, name in (
            (self.acronym, "acronym"),
            (self.trial_name, "trialName"),
            (self.citation, "citation"),
            (self.url, "url"),
            (self.dataset_id, "datasetId"),
            (self.title, "title"),
            (self.endpoint, "endpoint"),
            (self.time_unit, "timeUnit"),
            (self.arms, "armsTable"),
        ):
            widget.setObjectName(name)
        self.disease.setText("advanced renal cell carcinoma")
        self.population.setText("ITT")
        inner = QWidget()
        form = QFormLayout(inner)
        for label, widget in (
            ("Trial acronym*", self.acronym),
            ("Trial name*", self.trial_name),
            ("Registry id", self.registry_id),
            ("Phase", self.phase),
            ("Setting (line)*", self.setting),
            ("Disease*", self.disease),
            ("Population*", self.population),
            ("Histology", self.histology),
            ("Endpoint*", self.endpoint),
            ("Assessment", self.assessment),
            ("Analysis", self.analysis_kind),
            ("Time unit*", self.time_unit),
            ("Arms*", self.arms),
            ("Experimental arm", self.experimental),
            ("Control arm", self.control),
            ("Source kind", self.source_kind),
            ("Source citation*", self.citation),
            ("Source address", self.url),
            ("Dataset id*", self.dataset_id),
            ("Title*", self.title),
            ("Notes", self.notes),
        ):
            form.addRow(label, widget)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.acronym.textChanged.connect(self._suggest)
        self.endpoint.currentTextChanged.connect(self._suggest)
        self.arms.itemChanged.connect(self._arms_changed)
        self.experimental.currentIndexChanged.connect(self._suggest)
        self.control.currentIndexChanged.connect(self._suggest)
        self.dataset_id.textEdited.connect(lambda _t: setattr(self, "_id_edited", True))
        self.title.textEdited.connect(lambda _t: setattr(self, "_title_edited", True))

    # -- filling ---------------------------------------------------------------------------------
    def set_arms(self, arms: list[ArmMeta]) -> None:
        self.arms.blockSignals(True)
        self.arms.setRowCount(len(arms))
        for r, arm in enumerate(arms):
            for c, text in enumerate((arm.label, ", ".join(arm.agents), "" if arm.n is None else str(arm.n))):
                self.arms.setItem(r, c, QTableWidgetItem(text))
        self.arms.blockSignals(False)
        self._arms_changed()
        self.experimental.setCurrentIndex(0)
        self.control.setCurrentIndex(min(1, len(arms) - 1))

    def set_meta(self, meta: DatasetMeta) -> None:
        """Fill every field (the Edit dialog); id and title count as the user's own."""
        for edit, value in (
            (self.acronym, meta.acronym),
            (self.trial_name, meta.trial_name),
            (self.registry_id, meta.registry_id),
            (self.phase, meta.phase),
            (self.disease, meta.disease),
            (self.population, meta.population),
            (self.assessment, meta.assessment),
            (self.url, meta.source.url),
        ):
            edit.setText(value or "")
        for box, value in (
            (self.setting, meta.setting),
            (self.histology, meta.histology),
            (self.endpoint, meta.endpoint),
            (self.analysis_kind, meta.analysis_kind),
            (self.time_unit, meta.time_unit),
            (self.source_kind, meta.source.kind),
        ):
            box.setCurrentText(value)
        self.citation.setPlainText(meta.source.citation)
        self.notes.setPlainText(meta.notes or "")
        self.set_arms(meta.arms)
        self.experimental.setCurrentIndex(meta.experimental)
        self.control.setCurrentIndex(meta.control)
        self.dataset_id.setText(meta.id)
        self.title.setText(meta.title)
        self._id_edited = self._title_edited = True

    def _labels(self) -> list[str]:
        return [self._cell(r, 0) for r in range(self.arms.rowCount())]

    def _cell(self, row: int, column: int) -> str:
        item = self.arms.item(row, column)
        return item.text().strip() if item is not None else ""

    def _arms_changed(self, *_: object) -> None:
        labels = self._labels()
        for box in (self.experimental, self.control):
            index = box.currentIndex()
            box.blockSignals(True)
            box.clear()
            box.addItems(labels)
            box.setCurrentIndex(index if 0 <= index < len(labels) else -1)
            box.blockSignals(False)
        self._suggest()

    def _suggest(self, *_: object) -> None:
        acronym, endpoint = self.acronym.text().strip(), self.endpoint.currentText().strip()
        if not self._id_edited and acronym:
            self.dataset_id.setText(suggest_id(acronym, endpoint))
        if not self._title_edited and acronym:
            self.title.setText(
                f"{acronym}: {self.experimental.currentText()} vs {self.control.currentText()}, {endpoint}"
            )

    # -- reading ---------------------------------------------------------------------------------
    def meta(self) -> DatasetMeta:
        arms = []
        for r in range(self.arms.rowCount()):
            n_text = self._cell(r, 2)
            arms.append(
                ArmMeta(
                    self._cell(r, 0),
                    [a.strip() for a in self._cell(r, 1).split(",") if a.strip()],
                    int(n_text) if n_text.isdigit() else None,
                )
            )

        def text(edit: QLineEdit) -> str | None:
            return edit.text().strip() or None

        return DatasetMeta(
            id=self.dataset_id.text().strip(),
            title=self.title.text().strip(),
            trial_name=self.trial_name.text().strip() or self.acronym.text().strip(),
            acronym=self.acronym.text().strip(),
            setting=self.setting.currentText().strip(),
            disease=self.disease.text().strip(),
            population=self.population.text().strip(),
            histology=self.histology.currentText(),
            endpoint=self.endpoint.currentText().strip(),
            time_unit=self.time_unit.currentText(),
            arms=arms,
            experimental=self.experimental.currentIndex(),
            control=self.control.currentIndex(),
            source=SourceMeta(self.source_kind.currentText(), self.citation.toPlainText().strip(), text(self.url)),
            registry_id=text(self.registry_id),
            phase=text(self.phase),
            assessment=text(self.assessment),
            analysis_kind=self.analysis_kind.currentText(),
            notes=self.notes.toPlainText().strip() or None,
        )

    def missing(self) -> list[str]:
        """Plain descriptions of required fields left empty (checked before the schema)."""
        m = self.meta()
        gaps = [
            name
            for name, value in (
                ("trial acronym", m.acronym),
                ("endpoint", m.endpoint),
                ("dataset id", m.id),
                ("title", m.title),
                ("setting", m.setting),
                ("disease", m.disease),
                ("population", m.population),
                ("source citation (every dataset needs a source)", m.source.citation),
            )
            if not value
        ]
        gaps += [f"label of arm {i + 1}" for i, a in enumerate(m.arms) if not a.label]
        gaps += [
            f"a whole number for N of arm {r + 1} (found {self._cell(r, 2)!r})"
            for r in range(self.arms.rowCount())
            if self._cell(r, 2) and not self._cell(r, 2).isdigit()
        ]
        if m.experimental == m.control:
            gaps.append("different experimental and control arms")
        return gaps
