"""The Forest view: choose comparisons, grouping, pooling method and orientation; see the forest
plot and the pooled estimates. ``build_forest`` runs in the worker; drawing happens on screen.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from evidence_app.core.datasets.catalog import badges
from evidence_app.core.datasets.labels import dataset_label
from evidence_app.core.datasets.library import Library
from evidence_app.core.formatting import fmt_hr, fmt_p
from evidence_app.core.synthesis.methods import DEFAULT_METHOD, HK_LABEL, get_method, method_label
from evidence_app.core.synthesis.methods import METHODS as POOLING_METHODS
from evidence_app.gui import settings
from evidence_app.gui.column_fit import FitColumnsOnResize, fit_columns
from evidence_app.gui.copyable_table import CopyableTable
from evidence_app.gui.error_boundary import guarded, show_error
from evidence_app.gui.figure_export_dialog import FigureExport
from evidence_app.gui.figure_panel import FigurePanel
from evidence_app.gui.workers import Job, JobRunner

METHODS = {m.label: m.key for m in POOLING_METHODS}
GROUPS = {
    "No grouping": None,
    "Setting (line)": "setting",
    "Histology": "histology",
    "Endpoint": "endpoint",
    "Trial": "trial",
}
ORIENTATIONS = {"mTOR inhibitor vs comparator": "mtor", "As published": "as published"}
#: What to do with comparisons of one trial sharing an arm (core/synthesis/rules.py, step 4).
MULTI_ARM = {"Pool one comparison": "one", "Split the shared arm": "split"}
#: First width of the comparison list (px); the figure gets the rest, and the divider is remembered.
LIST_WIDTH = 210
POOLED_HEADERS = ("Estimate", "k", "Pooled HR (95% CI)", "p", "I²", "τ²", "95% PI", "Method")
#: Header tips for the abbreviated columns (a 1366-px screen has no room for the words).
POOLED_TIPS = {"95% PI": "95% prediction interval: where the effect of a new trial is expected (random effects)"}


def pooled_rows(data: Any) -> list[tuple[str, ...]]:
    """One row per pooled estimate (each group, then overall), plus the subgroup test."""

    def row(name: str, p: Any) -> tuple[str, ...]:
        i2 = "—" if p.i2 is None else f"{p.i2:.1f}%"
        method = method_label(p.method, p.hk, short=True)
        return (
            name,
            str(p.k),
            fmt_hr(p.estimate, p.lower, p.upper, p.ci_level),
            fmt_p(p.p),
            i2,
            f"{p.tau2:.4f}",
            f"{p.pi_lower:.2f}–{p.pi_upper:.2f}" if p.model == "random" else "—",
            method,
        )

    rows = [row(f"Group: {g.name}", g.pooled) for g in data.groups if g.pooled is not None]
    if data.overall is not None:
        rows.append(row("Overall", data.overall))
    if data.subgroup_test is not None:
        t = data.subgroup_test
        rows.append(
            (
                "Test for subgroup differences",
                "",
                f"Q = {t.q_between:.2f}, df {t.df_between}",
                fmt_p(t.p_between),
                "",
                "",
                "",
                "",
            )
        )
    return rows or [("No pooled estimate", "", "", "", "", "", "", "fewer than two poolable comparisons")]


def forest_options(width: str) -> Any:
    """ForestOptions for a column width (the plotting module sets the figure size from it)."""
    from evidence_app.plots.forest import ForestOptions

    return ForestOptions(width=width)


def forest_job(datasets: list[Any], options: dict[str, Any], *, progress: Any = None, cancelled: Any = None) -> Any:
    from evidence_app.core.synthesis.forest_data import build_forest

    return build_forest(datasets, **options)


class ForestView(QWidget):
    """Emits ``forestUpdated(forest_data)`` each time the figure and pooled table are redrawn."""

    forestUpdated = Signal(object)

    def __init__(self, library: Library, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library, self.runner = library, runner
        self.data: Any = None
        self._export: FigureExport | None = None
        self._job: Job | None = None
        self._timer = QTimer(self, singleShot=True, interval=60)
        self._timer.timeout.connect(self._update)
        self.comparisons = QListWidget()
        self.comparisons.setObjectName("forestComparisons")
        # Elided in the middle, so a narrow list still shows the trial and the end of the label (analysis,
        # population) that tells a trial's datasets apart; the whole label is the item's tooltip.
        self.comparisons.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.comparisons.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.comparisons.itemChanged.connect(self.schedule_update)
        self.group_box, self.method_box, self.orient_box = (
            self._combo(GROUPS, "forest/group", "Setting (line)"),
            self._combo(METHODS, "forest/method", get_method(DEFAULT_METHOD).label),
            self._combo(ORIENTATIONS, "forest/orient", "mTOR inhibitor vs comparator"),
        )
        self.multi_arm_box = self._combo(MULTI_ARM, "forest/multi_arm", "Pool one comparison")
        self.multi_arm_box.setToolTip(
            "Comparisons of one trial that share an arm (e.g. ARCC's interferon arm) are not independent: pool "
            "one of them, or each with the shared arm's patients split between them (Cochrane Handbook 23.3.4)."
        )
        self.hk_box = QCheckBox(HK_LABEL)
        self.hk_box.setChecked(settings.read("forest/hk", False))
        self.hk_box.toggled.connect(self.schedule_update)
        self.panel = FigurePanel(self, message="Tick at least one comparison.")
        self.pooled = CopyableTable(POOLED_HEADERS)
        self.pooled.setObjectName("pooledTable")
        for column, name in enumerate(POOLED_HEADERS):
            if name in POOLED_TIPS and (item := self.pooled.horizontalHeaderItem(column)) is not None:
                item.setToolTip(POOLED_TIPS[name])
        self._pooled_fit = FitColumnsOnResize(self.pooled, 220)
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.export_button = QPushButton("Export figure…")
        self.export_button.setObjectName("exportForestFigure")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.export_figure)
        self._layout()
        self.set_library(library)

    def _combo(self, choices: dict[str, Any], key: str, default: str) -> QComboBox:
        box = QComboBox()
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        box.setMinimumContentsLength(8)  # long choices elide, so the comparison list can stay narrow
        box.addItems(list(choices))
        box.setCurrentText(settings.read(key, default))
        box.currentTextChanged.connect(lambda text: self._choice_changed(key, text))
        return box

    def _choice_changed(self, key: str, text: str) -> None:
        settings.write(key, text)
        self.schedule_update()

    def _layout(self) -> None:
        left = QWidget()
        column = QVBoxLayout(left)
        column.addWidget(QLabel("<b>Comparisons</b>"))
        column.addWidget(self.comparisons, 1)
        buttons = QHBoxLayout()
        for text, state in (("All", Qt.CheckState.Checked), ("None", Qt.CheckState.Unchecked)):
            button = QPushButton(text)
            button.clicked.connect(lambda _=False, s=state: self._check_all(s))
            buttons.addWidget(button)
        column.addLayout(buttons)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)  # labels above: the list column stays narrow
        form.addRow("Group by:", self.group_box)
        form.addRow("Pooling:", self.method_box)
        form.addRow("", self.hk_box)
        form.addRow("Orientation:", self.orient_box)
        form.addRow("Multi-arm trials:", self.multi_arm_box)
        column.addLayout(form)
        right = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        top_column = QVBoxLayout(top)
        top_column.setContentsMargins(0, 0, 0, 0)
        top_column.addWidget(self.panel, 1)
        row = QHBoxLayout()
        row.addWidget(self.warnings, 1)
        row.addWidget(self.export_button)
        top_column.addLayout(row)
        right.addWidget(top)
        right.addWidget(self.pooled)
        right.setStretchFactor(0, 3)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 0)  # the figure takes the width the window gains
        splitter.setStretchFactor(1, 1)
        splitter.setCollapsible(1, False)
        self.splitters = {"forest/splitter": splitter, "forest/right_splitter": right}
        self._restored = False
        for key, part in self.splitters.items():
            if isinstance(state := QSettings().value(key), QByteArray):
                part.restoreState(state)
                self._restored = True
            part.splitterMoved.connect(lambda _pos, _index, k=key, p=part: QSettings().setValue(k, p.saveState()))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._restored:  # first time on screen: the comparison list narrow, the figure the rest
            self._restored = True
            splitter = self.splitters["forest/splitter"]
            splitter.setSizes([LIST_WIDTH, max(splitter.width() - LIST_WIDTH, LIST_WIDTH)])

    def set_library(self, library: Library) -> None:
        checked = set(self.checked_ids())
        self.library = library
        self.comparisons.blockSignals(True)
        self.comparisons.clear()
        labels = {dataset_id: dataset_label(entry.dataset) for dataset_id, entry in library.entries.items()}
        for dataset_id, label in sorted(labels.items(), key=lambda kv: kv[1].lower()):
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, dataset_id)
            flags = ", ".join(badges(library.entries[dataset_id].dataset))
            item.setToolTip(f"{label}\n{dataset_id}" + (f"\nflags: {flags}" if flags else ""))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if dataset_id in checked else Qt.CheckState.Unchecked)
            self.comparisons.addItem(item)
        self.comparisons.blockSignals(False)
        self.schedule_update()

    def _items(self) -> list[QListWidgetItem]:
        return [self.comparisons.item(i) for i in range(self.comparisons.count())]

    def checked_ids(self) -> list[str]:
        return [i.data(Qt.ItemDataRole.UserRole) for i in self._items() if i.checkState() == Qt.CheckState.Checked]

    def set_checked(self, ids: list[str]) -> None:
        """Tick exactly ``ids`` (e.g. the library selection)."""
        wanted = set(ids)
        self.comparisons.blockSignals(True)
        for item in self._items():
            on = item.data(Qt.ItemDataRole.UserRole) in wanted
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.comparisons.blockSignals(False)
        self.schedule_update()

    def _check_all(self, state: Qt.CheckState) -> None:
        self.set_checked(
            [i.data(Qt.ItemDataRole.UserRole) for i in self._items()] if state == Qt.CheckState.Checked else []
        )

    def options(self) -> dict[str, Any]:
        settings.write("forest/hk", self.hk_box.isChecked())
        return {
            "group_by": GROUPS[self.group_box.currentText()],
            "method": METHODS[self.method_box.currentText()],
            "hk": self.hk_box.isChecked(),
            "orient": ORIENTATIONS[self.orient_box.currentText()],
            "multi_arm": MULTI_ARM[self.multi_arm_box.currentText()],
        }

    def schedule_update(self) -> None:
        self._timer.start()

    @guarded
    def _update(self) -> None:
        if self._job is not None:
            self._job.cancel()
        ids = [i for i in self.checked_ids() if i in self.library]
        if not ids:
            self._job, self.data = None, None
            self.panel.show_message("Tick at least one comparison.")
            self.pooled.set_rows([])
            self.export_button.setEnabled(False)
            return
        datasets = [self.library.get(i) for i in ids]
        job = self.runner.start(forest_job, datasets, self.options(), name="forest")
        job.succeeded.connect(self._show)
        job.failed.connect(self._failed)
        self._job = job

    def _failed(self, exc: BaseException) -> None:
        if self.sender() is self._job:
            self._job = None
            self.panel.show_message("The forest plot could not be built.")
            show_error(self, exc)

    @guarded
    def _show(self, data: Any) -> None:
        if self.sender() is not self._job:
            return
        from evidence_app.plots.forest import draw_forest

        self._job, self.data = None, data
        self.panel.redraw(lambda figure, width: draw_forest(figure, data, forest_options(width)))
        self.pooled.set_rows(pooled_rows(data))
        fit_columns(self.pooled, 220)
        self.warnings.setText("\n".join(data.warnings))
        self.export_button.setEnabled(True)
        self.forestUpdated.emit(data)

    @guarded
    def export_figure(self) -> None:
        if self.data is None or self.panel.draw_function is None:
            return
        self._export = FigureExport(self, self.runner, self.panel.draw_function, "forest-plot")
