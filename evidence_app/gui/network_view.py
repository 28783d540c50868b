"""The Network view: pick datasets (or every dataset of one endpoint), see the network graph with the forest
plot vs a chosen reference, the league table and the inconsistency checks. The analysis runs in a worker job.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from evidence_app.core.datasets.labels import dataset_label
from evidence_app.core.datasets.library import Library
from evidence_app.gui.copyable_table import CopyableTable
from evidence_app.gui.error_boundary import guarded, show_error
from evidence_app.gui.figure_panel import FigurePanel
from evidence_app.gui.workers import Job, JobRunner

MODELS = {"Random effects": "random", "Common effect": "common"}
TAU_METHODS = {"DerSimonian–Laird (network)": "DL", "REML (full within-study covariance)": "REML"}
PICK_MESSAGE = "Tick datasets of one endpoint (or press “All of this endpoint”)."
INCONSISTENCY_HEADERS = ("Check", "Statistic", "df", "p", "Detail")


def network_job(
    datasets: list[Any],
    reference: str | None,
    tau: str,
    part: int | None,
    *,
    progress: Any = None,
    cancelled: Any = None,
) -> tuple[Any, list[str]]:
    """Contrasts from the datasets (by the pooling rules), checked, then the network fitted."""
    from evidence_app.core.synthesis.network import resolve_treatment, run_network
    from evidence_app.core.synthesis.network_datasets import contrasts_from_datasets
    from evidence_app.core.synthesis.network_input import prepare_network
    from evidence_app.errors import InputError

    contrasts, notes = contrasts_from_datasets(datasets)
    data = prepare_network(contrasts, part=part)
    try:
        ref = resolve_treatment(data, reference) if reference else None
    except InputError:
        ref = None
    if ref is None:  # the common comparator: the treatment in most studies
        counts = {t: sum(t in (c.treat1, c.treat2) for c in data.contrasts) for t in data.treatments}
        ref = max(data.treatments, key=lambda t: counts[t])
    result = run_network(data, ref, tau_method=tau, progress=progress, cancelled=cancelled)
    return result, notes


def inconsistency_rows(result: Any, model: str) -> list[tuple[str, ...]]:
    from evidence_app.core.synthesis.network_inconsistency import chi2_p

    d = result.decomposition
    i2, lower, upper = result.i2()

    def p_text(q: float, df: int) -> str:
        p = chi2_p(q, df)
        return "—" if p is None else f"{p:.3g}"

    interval = f" ({lower * 100:.1f}%–{upper * 100:.1f}%)" if math.isfinite(lower) else ""
    rows: list[tuple[str, ...]] = [
        ("τ²", f"{result.tau2:.4g}", "", "", f"{result.tau_method}; I² {i2 * 100:.1f}%{interval}"),
        ("Q total", f"{d.q_total:.3f}", str(d.df_total), p_text(d.q_total, d.df_total), ""),
        ("Q within designs", f"{d.q_within:.3f}", str(d.df_within), p_text(d.q_within, d.df_within), "heterogeneity"),
        (
            "Q between designs",
            f"{d.q_between:.3f}",
            str(d.df_between),
            p_text(d.q_between, d.df_between),
            "inconsistency (design-by-treatment interaction)",
        ),
        (
            "Q between designs (random)",
            f"{d.q_between_random:.3f}",
            str(d.df_between),
            p_text(d.q_between_random, d.df_between),
            f"τ within designs {math.sqrt(d.tau2_within):.3g}",
        ),
    ]
    for s in result.splits[model]:
        t1, t2 = result.treatments[s.treat1], result.treatments[s.treat2]
        diff, _, z, p = s.difference
        detail = f"direct HR {math.exp(s.direct[0]):.2f}, indirect {math.exp(s.indirect[0]):.2f}"
        rows.append((f"Node-split {t1} vs {t2}", f"z = {z:.2f}", "", f"{p:.3g}", detail))
    if not result.splits[model]:
        rows.append(("Node-splitting", "—", "", "", "no comparison has both direct and indirect evidence"))
    return rows


class NetworkView(QWidget):
    """Datasets in, network out; ``networkUpdated(result)`` is emitted after each redraw."""

    networkUpdated = Signal(object)

    def __init__(self, library: Library, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.library = library
        self._job: Job | None = None
        self.result: Any = None
        self.notes: list[str] = []
        self._export: Any = None
        self._part: int | None = None
        self._shown: list[str] = []
        self._checked: set[str] = set()
        self._timer = QTimer(self, singleShot=True, interval=60)
        self._timer.timeout.connect(self._update)
        self.endpoint_box = QComboBox()
        self.endpoint_box.setObjectName("networkEndpoint")
        self.endpoint_box.currentTextChanged.connect(lambda _t: self._fill_list())
        self.all_button = QPushButton("All of this endpoint")
        self.all_button.setObjectName("networkAllEndpoint")
        self.all_button.clicked.connect(self.check_all_of_endpoint)
        self.datasets = QListWidget()
        self.datasets.setObjectName("networkDatasets")
        # Long labels are elided (full text in the tooltip) so the list never widens the controls' column.
        self.datasets.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.datasets.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.datasets.itemChanged.connect(self._ticked)
        self.reference_box = QComboBox()
        self.reference_box.setObjectName("networkReference")
        self.reference_box.activated.connect(lambda _i: self.schedule_update())
        self.model_box, self.tau_box = QComboBox(), QComboBox()
        self.model_box.addItems(list(MODELS))
        self.tau_box.addItems(list(TAU_METHODS))
        self.model_box.currentTextChanged.connect(lambda _t: self._redraw())
        self.tau_box.currentTextChanged.connect(lambda _t: self.schedule_update())
        self.part_box = QComboBox()
        self.part_box.setObjectName("networkPart")
        self.part_box.activated.connect(self._part_chosen)
        self.panel = FigurePanel(self, message=PICK_MESSAGE)
        self.league = CopyableTable(["Row vs column"])
        self.league.setObjectName("networkLeague")
        self.inconsistency = CopyableTable(INCONSISTENCY_HEADERS)
        self.inconsistency.setObjectName("networkInconsistency")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setObjectName("networkNotes")
        self.tabs = QTabWidget()
        self._layout()
        self.set_library(library)

    def _layout(self) -> None:
        left = QWidget()
        column = QVBoxLayout(left)
        form = QFormLayout()
        form.addRow("Endpoint:", self.endpoint_box)
        column.addLayout(form)
        column.addWidget(self.all_button)
        column.addWidget(self.datasets, 1)
        self._options = options = QFormLayout()
        choices = (("Reference:", self.reference_box), ("Model:", self.model_box), ("τ²:", self.tau_box))
        for label, box in (*choices, ("Part:", self.part_box)):
            options.addRow(label, box)
        column.addLayout(options)
        options.setRowVisible(self.part_box, False)
        self.tabs.addTab(self.panel, "Graph and forest")
        self.tabs.addTab(self.league, "League table")
        self.tabs.addTab(self.inconsistency, "Inconsistency")
        right = QWidget()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        right_column.addWidget(self.tabs, 1)
        right_column.addWidget(self.message)
        for box in (self.endpoint_box, self.reference_box, self.model_box, self.tau_box, self.part_box):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(12)
        left.setMinimumWidth(240)
        left.setMaximumWidth(460)  # the results keep most of a laptop screen's width
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 800])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)

    # -- choosing datasets ----------------------------------------------------------------------------
    def set_library(self, library: Library) -> None:
        self.library = library
        endpoints = sorted({e.dataset.endpoint.name for e in library.entries.values()})
        current = self.endpoint_box.currentText()
        self.endpoint_box.blockSignals(True)
        self.endpoint_box.clear()
        self.endpoint_box.addItems(endpoints)
        if current in endpoints:
            self.endpoint_box.setCurrentText(current)
        self.endpoint_box.blockSignals(False)
        self._fill_list()

    def _fill_list(self) -> None:
        """The datasets of the chosen endpoint, by title; ticks are kept in ``_checked`` across endpoints."""
        endpoint = self.endpoint_box.currentText()
        shown = [e.dataset for e in self.library.entries.values() if e.dataset.endpoint.name == endpoint]
        labels = {d.id: dataset_label(d) for d in shown}
        shown.sort(key=lambda d: labels[d.id].lower())
        self._shown = [d.id for d in shown]
        self.datasets.blockSignals(True)
        self.datasets.clear()
        self.datasets.addItems([labels[d.id] for d in shown])
        for row, d in enumerate(shown):
            self.datasets.item(row).setToolTip(f"{labels[d.id]}\n{d.title}\n{d.id}")
        self._show_ticks()
        self.datasets.blockSignals(False)
        self._selection_changed()

    def _show_ticks(self) -> None:
        for row, dataset_id in enumerate(self._shown):
            item = self.datasets.item(row)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            ticked = dataset_id in self._checked
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    def _ticked(self, item: QListWidgetItem) -> None:
        dataset_id = self._shown[self.datasets.row(item)]
        if item.checkState() == Qt.CheckState.Checked:
            self._checked.add(dataset_id)
        else:
            self._checked.discard(dataset_id)
        self._selection_changed()

    def checked_ids(self) -> list[str]:
        """The ticked datasets of the endpoint shown, in list order."""
        return [i for i in self._shown if i in self._checked]

    def set_checked(self, ids: list[str]) -> None:
        """Tick exactly ``ids``, showing the endpoint of the first of them."""
        known = [i for i in ids if i in self.library]
        self._checked = set(known)
        if known and self.endpoint_box.currentText() != self.library.get(known[0]).endpoint.name:
            self.endpoint_box.setCurrentText(self.library.get(known[0]).endpoint.name)  # refills the list
            return
        self.datasets.blockSignals(True)
        self._show_ticks()
        self.datasets.blockSignals(False)
        self._selection_changed()

    def check_all_of_endpoint(self) -> None:
        self.set_checked(list(self._shown))

    def _part_chosen(self, index: int) -> None:
        self._part = index + 1
        self.schedule_update()

    def _selection_changed(self) -> None:
        """Other datasets: a part chosen earlier no longer applies."""
        self._part = None
        self._options.setRowVisible(self.part_box, False)
        self.schedule_update()

    def schedule_update(self) -> None:
        self._timer.start()

    # -- computing and showing ----------------------------------------------------------------------
    @guarded
    def _update(self) -> None:
        previous, self._job = self._job, None
        if previous is not None:
            previous.cancel()  # its outcome is ignored: only the latest job is shown
        chosen = [self.library.get(i) for i in self.checked_ids()]
        if not chosen:
            self.result = None
            self.panel.show_message(PICK_MESSAGE)
            return
        self.panel.show_message("Computing the network…")
        reference = self.reference_box.currentText() or None
        tau = TAU_METHODS[self.tau_box.currentText()]
        self._job = self.runner.start(network_job, chosen, reference, tau, self._part, name="network")
        self._job.finished.connect(self._job_done)

    def _job_done(self) -> None:
        job = self.sender()
        if not isinstance(job, Job) or job is not self._job:
            return
        self._job = None
        if job.error is not None:
            self._explain(job.error)
        elif job.result is not None:
            self._show(job.result)

    def _explain(self, exc: BaseException) -> None:
        """A disconnected network lists its parts to choose from; other bad input is said in the view."""
        from evidence_app.core.synthesis.network_input import DisconnectedNetwork
        from evidence_app.errors import EvidenceError

        self.result = None
        if isinstance(exc, DisconnectedNetwork):
            self.part_box.clear()
            self.part_box.addItems([f"{i}: {', '.join(p)}" for i, p in enumerate(exc.parts, 1)])
            self._options.setRowVisible(self.part_box, True)
            self.panel.show_message("\n".join(str(p.message) for p in exc.problems) + "\nChoose a part below.")
        elif isinstance(exc, EvidenceError):
            self._part = None
            self.panel.show_message("\n".join(p.message for p in exc.problems) or exc.message)
        else:
            self.panel.show_message("The network could not be analysed.")
            show_error(self, exc)

    @guarded
    def _show(self, outcome: tuple[Any, list[str]]) -> None:
        self.result, self.notes = outcome
        if self._part is None:
            self._options.setRowVisible(self.part_box, False)
        self.reference_box.blockSignals(True)
        self.reference_box.clear()
        self.reference_box.addItems(list(self.result.treatments))
        self.reference_box.setCurrentText(self.result.reference)
        self.reference_box.blockSignals(False)
        renamed = self.result.data.renamed()
        names = ["Names matched: " + "; ".join(f"{k} → {v}" for k, v in renamed.items())] if renamed else []
        self.message.setText("\n".join(names + self.notes))
        self._redraw()

    def export_figure(self) -> None:
        """The graph and forest as PNG, SVG or PDF at a journal width (drawn afresh in a worker)."""
        from evidence_app.gui.figure_export_dialog import FigureExport

        if self.result is not None and self.panel.draw_function is not None:
            self._export = FigureExport(self, self.runner, self.panel.draw_function, "network")

    def model(self) -> str:
        return MODELS[self.model_box.currentText()]

    def _redraw(self) -> None:
        if self.result is None:
            return
        from evidence_app.plots.network import draw_network_summary

        result, model = self.result, self.model()
        self.panel.redraw(lambda fig, width: _draw(fig, width, result, model, draw_network_summary))
        names = list(result.treatments)
        self.league.setColumnCount(len(names) + 1)
        self.league.setHorizontalHeaderLabels(["Row vs column", *names])
        rows = []
        for a in names:
            cells = [a]
            for b in names:
                c = result.compare(a, b, model) if a != b else None
                cells.append(a if c is None else f"{c.hr:.2f} ({math.exp(c.lower):.2f}–{math.exp(c.upper):.2f})")
            rows.append(cells)
        self.league.set_rows(rows)
        self.inconsistency.set_rows(inconsistency_rows(result, model))
        self.networkUpdated.emit(result)


def _draw(fig: Any, width: str, result: Any, model: str, draw: Any) -> None:
    from evidence_app.plots.style import fonts_for, mm, width_mm

    fig.set_size_inches(mm(width_mm(width)), fig.get_figheight())
    draw(fig, result, model, fonts_for(width).base)
