"""The Reconstruction tab: how the patient-level rows behind the curves were obtained, and how well
they reproduce what was published (digitized points, numbers at risk, event totals, warnings).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QSplitter, QVBoxLayout, QWidget

from evidence_app.core.stats.derived import WITHHELD
from evidence_app.gui.column_fit import FitColumnsOnResize
from evidence_app.gui.copyable_table import CopyableTable
from evidence_app.gui.error_boundary import guarded
from evidence_app.gui.figure_panel import FigurePanel

DIAGNOSTIC_HEADERS = ("Arm", "Curve data", "Patients", "Events", "Reported events", "Max gap", "Mean gap", "Method")
AT_RISK_HEADERS = ("Arm", "Time", "Published at risk", "Reconstructed at risk", "Difference")
INTERVAL_HEADERS = ("Arm", "Quantity", "Estimate", "Usual 95% CI", "Reconstruction interval", "Digitization SD")
INTERVAL_TITLE = "Reconstruction intervals (sampling + digitization, derived)"
MIN_COLUMN_PX = 72


def explanation(analysis: Any) -> str:
    """What the curves are, in plain words, for each kind of curve data."""
    d = analysis.dataset
    kind = d.curve.kind
    if kind == "patient-level":
        return (
            f"Patient-level data ({d.curve.origin}). They are used as they are: nothing is reconstructed, "
            "so there is nothing to compare with digitized points here."
        )
    if kind == "digitized":
        return (
            "Digitized curve: patient-level rows were reconstructed from the digitized points and the "
            "published numbers at risk (Guyot-type algorithm). The figure shows the digitized points over "
            "the reconstructed Kaplan–Meier curve; the tables show how closely it matches."
        )
    if analysis.is_approximation:
        return (
            "No curve was published or digitized for this dataset. The curves are an APPROXIMATION built "
            "from the published summaries (median and landmark survival, piecewise exponential): they pass "
            "through the published points but say nothing about the curve's shape between them."
        )
    return "No curve data and no published summary to approximate one from."


def interval_cells(x: Any) -> tuple[str, str, str, str, str]:
    """Quantity, estimate, usual CI, reconstruction interval and digitization SD as table text."""

    def num(v: float | None) -> str:
        return "—" if v is None else f"{v:.3g}"

    return (
        x.quantity,
        num(x.estimate),
        f"{num(x.sampling_lower)} – {num(x.sampling_upper)}",
        f"{num(x.lower)} – {num(x.upper)}",
        f"{x.digitization_sd:.3g}" + (" (log)" if x.scale != "natural" else ""),
    )


class ReconstructionTab(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.explanation.setObjectName("reconstructionExplanation")
        self.panel = FigurePanel(self, toolbar=False, message="")
        self.diagnostics = CopyableTable(DIAGNOSTIC_HEADERS)
        self.diagnostics.setObjectName("reconstructionDiagnostics")
        self.at_risk = CopyableTable(AT_RISK_HEADERS)
        self.at_risk.setObjectName("atRiskAgreement")
        self.intervals = CopyableTable(INTERVAL_HEADERS)
        self.intervals.setObjectName("reconstructionIntervals")
        self.intervals.setToolTip(
            "Each estimate re-computed over perturbed digitizations (click noise estimated from the curve, some "
            "clicks left out); interval = estimate ± 1.96·√(SE² + digitization SD²). The HR's SD is on the log scale."
        )
        self._interval_job: Any = None
        self._intervals_pending: Any = None
        self._runner: Any = None  # a one-thread runner of its own: intervals never delay other jobs
        self.warnings = QPlainTextEdit()
        self.warnings.setReadOnly(True)
        self.warnings.setObjectName("reconstructionWarnings")
        self.provenance = CopyableTable(("Item", "How the digitized curve was made"))
        self.provenance.setObjectName("curveProvenance")
        # Columns fitted to the pane, one line a row (elided text; the tooltip has it whole), never
        # narrower than a short word: beside a figure on a narrow screen a wide table scrolls sideways
        # rather than become unreadable.
        tables = (self.diagnostics, self.at_risk, self.intervals, self.provenance)
        self._fits = [FitColumnsOnResize(table, 260, min_width=MIN_COLUMN_PX, resize_rows=False) for table in tables]
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        for title, widget in (
            ("Diagnostics", self.diagnostics),
            ("Numbers at risk: published vs reconstructed", self.at_risk),
            (INTERVAL_TITLE, self.intervals),
            ("Warnings", self.warnings),
            ("Provenance", self.provenance),
        ):
            heading = QLabel(f"<b>{title}</b>")
            heading.setWordWrap(True)  # a long heading must not set the window's minimum width
            column.addWidget(heading)
            column.addWidget(widget)
        splitter = self.splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.panel)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(self.explanation, 1)
        folder = QPushButton("Reconstruct a folder…")
        folder.setObjectName("reconstructFolder")
        folder.setToolTip("Reconstruct every <arm>.curve.csv of a folder with its <arm>.atrisk.csv in one go")
        folder.clicked.connect(self.open_batch)
        top.addWidget(folder, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        self._undrawn: Any = None

    def show_pending(self, text: str) -> None:
        self._undrawn = self._intervals_pending = None
        self.explanation.setText(text)
        self.panel.show_message("")
        for table in (self.diagnostics, self.at_risk, self.intervals, self.provenance):
            table.set_rows([])
        self.warnings.clear()

    @guarded
    def set_analysis(self, analysis: Any) -> None:
        self.explanation.setText(explanation(analysis))
        diagnostics, at_risk, warnings = [], [], list(analysis.notes)
        for result in analysis.arms:
            data = result.data
            if data is None:
                continue
            if not data.is_approximation:  # an approximation's warnings are among the analysis notes already
                warnings += [f"{result.arm.label}: {w}" for w in data.warnings]
            recon = data.reconstruction
            diag = getattr(recon, "diagnostics", None)
            diagnostics.append(
                (
                    result.arm.label,
                    data.kind,
                    str(len(data.time)),
                    str(int(data.event.sum())) if result.counts_are_data else WITHHELD,
                    "not reported" if diag is None or diag.reported_events is None else str(diag.reported_events),
                    "—" if diag is None else f"{diag.max_gap:.4f}",
                    "—" if diag is None else f"{diag.mean_gap:.4f}",
                    getattr(recon, "method", "patient-level data as given"),
                )
            )
            for t, published, rebuilt in diag.at_risk if diag is not None else ():
                at_risk.append((result.arm.label, f"{t:g}", str(published), str(rebuilt), f"{rebuilt - published:+d}"))
        self.diagnostics.set_rows(diagnostics)
        self.at_risk.set_rows(at_risk or [("—", "", "no numbers-at-risk table for this dataset", "", "")])
        self.warnings.setPlainText("\n".join(f"• {w}" for w in warnings) or "No warnings.")
        record = getattr(analysis.dataset.curve, "provenance", None)
        # Imported here: the digitizer's modules load scipy, which the first painted window must not wait for.
        from evidence_app.core.digitize.provenance import provenance_summary

        self.provenance.set_rows(
            provenance_summary(record) if record else [("—", "no digitizer record (not a digitized curve of ours)")]
        )
        self._intervals_pending = analysis
        if self.isVisible():
            self._start_intervals()
        else:
            self.intervals.set_rows([("…", "computed when this tab is shown", "", "", "", "")])
        drawable = any(r.fit is not None for r in analysis.arms)
        self._undrawn = analysis if drawable and analysis.dataset.curve.kind != "patient-level" else None
        # Nothing to draw (patient-level data as given, or no curve): the tables take the whole width;
        # the explanation above says why.
        self.panel.setVisible(self._undrawn is not None)
        if self._undrawn is None:
            self.panel.show_message("")
        elif self.isVisible():
            self._draw()
        else:
            self.panel.show_message("")  # drawn when the tab is first shown: opening a dataset stays quick

    def _start_intervals(self) -> None:
        """Reconstruction intervals off the GUI thread (a few dozen reconstructions); rows when they arrive."""
        from evidence_app.gui.workers import JobRunner, plain

        analysis, self._intervals_pending = self._intervals_pending, None
        if analysis is None:
            return
        if self._interval_job is not None:
            self._interval_job.cancel()
            self._interval_job = None
        if analysis.dataset.curve.kind != "digitized":
            self.intervals.set_rows([("—", "", "", "", "only for curves reconstructed from digitized points", "")])
            return
        from evidence_app.core.stats.reconstruction_intervals import reconstruction_uncertainty

        self.intervals.set_rows([("…", "computing", "", "", "", "")])
        if self._runner is None:
            self._runner = JobRunner(self, max_threads=1)
        job = self._runner.start(plain(reconstruction_uncertainty), analysis, name="reconstruction intervals")
        job.succeeded.connect(lambda result, a=analysis: self._show_intervals(a, result))
        job.failed.connect(lambda exc: self.intervals.set_rows([("—", "not computed", "", "", str(exc), "")]))
        self._interval_job = job

    def _show_intervals(self, analysis: Any, result: Any) -> None:
        self._interval_job = None
        if result is None:
            self.intervals.set_rows([])
            return
        labels = {r.arm.id: r.arm.label for r in analysis.arms}
        rows = [("comparison", result.hazard_ratio)] if result.hazard_ratio else []
        rows += [(labels.get(arm, arm), x) for arm, xs in result.arms.items() for x in xs]
        self.intervals.set_rows([(where, *interval_cells(x)) for where, x in rows])

    @guarded
    def open_batch(self) -> None:
        from evidence_app.gui.batch_reconstruct_dialog import BatchReconstructDialog

        self.batch_dialog = BatchReconstructDialog(self)
        self.batch_dialog.show()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._intervals_pending is not None:
            QTimer.singleShot(0, self._start_intervals)
        if self._undrawn is not None:
            QTimer.singleShot(0, self._draw)  # once the tab is laid out, so the figure fits it

    @guarded
    def _draw(self) -> None:
        from evidence_app.plots.km import KMOptions, draw_km

        analysis, self._undrawn = self._undrawn, None
        if analysis is None:
            return

        wanted = {
            "ci_bands": False,
            "censor_marks": False,
            "risk_table": False,
            "show_hr_box": False,
            "median_lines": False,
            "show_digitized": True,
            "show_published_medians": True,
        }
        known = {f.name for f in dataclasses.fields(KMOptions)}
        options = {k: v for k, v in wanted.items() if k in known}
        self.panel.redraw(lambda figure, width: draw_km(figure, analysis, KMOptions(**options, width=width)))  # type: ignore[arg-type]
