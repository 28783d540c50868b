"""One dataset in four tabs — Curves, Numbers, Reconstruction, Sources.

Published numbers and sources show at once; the analysis (reconstruction, Kaplan–Meier, Cox)
runs in a worker and fills in the rest when it arrives. Analyses are cached per dataset object,
so switching back and forth is instant and a reloaded (edited) dataset is analysed again.
"""

from __future__ import annotations

import importlib
from html import escape
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from evidence_app.core.datasets.catalog import dataset_flags
from evidence_app.core.datasets.labels import dataset_label
from evidence_app.core.datasets.library import Library, LibraryEntry
from evidence_app.errors import EvidenceError
from evidence_app.gui.curves_tab import CurvesTab
from evidence_app.gui.error_boundary import show_error
from evidence_app.gui.library_model import entry_badges
from evidence_app.gui.numbers_tab import NumbersTab
from evidence_app.gui.reconstruction_tab import ReconstructionTab
from evidence_app.gui.sources_tab import SourcesTab
from evidence_app.gui.workers import Job, JobRunner

#: What drawing the first Kaplan–Meier figure imports (matplotlib and its Qt canvas).
DRAWING_MODULES = ("matplotlib.backends.backend_qtagg", "evidence_app.plots.km")


def analyze(dataset: Any, *, progress: Any = None, cancelled: Any = None) -> Any:
    """The worker side: :func:`evidence_app.core.stats.analysis.analyze_dataset`, then the drawing
    modules the Curves tab needs next (imported here, off the GUI thread, while the window paints)."""
    from evidence_app.core.stats.analysis import analyze_dataset

    analysis = analyze_dataset(dataset, progress=progress, cancelled=cancelled)
    import_drawing_modules()
    return analysis


def import_drawing_modules(*, progress: Any = None, cancelled: Any = None) -> None:
    """Import what drawing a Kaplan–Meier figure needs (a worker job, so the GUI thread stays free)."""
    for module in DRAWING_MODULES:
        importlib.import_module(module)


class DatasetView(QWidget):
    """Emits ``analysisReady(analysis)`` when the shown dataset's analysis is on screen."""

    analysisReady = Signal(object)
    analysisFailed = Signal(str)

    def __init__(self, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.entry: LibraryEntry | None = None
        self.analysis: Any = None
        self._job: Job | None = None
        self._cache: dict[int, Any] = {}
        self.title = QLabel("<i>Select a dataset in the library (click, or arrow keys) to open it.</i>")
        self.title.setObjectName("datasetTitle")
        self.title.setWordWrap(True)
        self.status = QLabel()
        self.status.setObjectName("datasetStatus")
        self.tabs = QTabWidget()
        self.tabs.setObjectName("datasetTabs")
        self.curves = CurvesTab(runner)
        self.numbers = NumbersTab()
        self.reconstruction = ReconstructionTab()
        self.sources = SourcesTab()
        for widget, name in (
            (self.curves, "&Curves"),
            (self.numbers, "&Numbers"),
            (self.reconstruction, "&Reconstruction"),
            (self.sources, "&Sources"),
        ):
            self.tabs.addTab(widget, name)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.status)
        layout.addWidget(self.tabs, 1)

    @property
    def dataset_id(self) -> str | None:
        return self.entry.dataset.id if self.entry is not None else None

    def show_entry(self, entry: LibraryEntry) -> None:
        """Show ``entry``: published parts now, computed parts when the worker is done."""
        if self._job is not None:
            self._job.cancel()
            self._job = None
        self.entry, self.analysis = entry, None
        d = entry.dataset
        badges = entry_badges(entry)
        self.title.setText(
            f"<b>{escape(dataset_label(d))}</b>"
            + (f"  <span style='color:#8a5a00'>[{escape(', '.join(badges))}]</span>" if badges else "")
        )
        self.title.setToolTip("\n".join(f"• {f.label}: {f.footnote}" for f in dataset_flags(d)))
        self.numbers.show_dataset(d)
        self.sources.show_dataset(d)
        cached = self._cache.get(id(d))
        if cached is not None:
            self._show_analysis(cached)
            return
        self.status.setText("Computing curves and numbers…")
        self.curves.show_pending("Computing…")
        self.reconstruction.show_pending("Computing…")
        job = self.runner.start(analyze, d, name=f"analyze {d.id}")
        # Bound methods (not lambdas): Qt drops the connection if this view is destroyed first.
        job.progressed.connect(self._progress)
        job.succeeded.connect(self._finished)
        job.failed.connect(self._failed)
        self._job = job

    def clear(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self._job = None
        self.entry, self.analysis = None, None
        self.title.setText("<i>Select a dataset in the library (click, or arrow keys) to open it.</i>")
        self.status.clear()
        self.curves.show_pending("Open a dataset to see its curves.")

    def retain_cache(self, library: Library) -> None:
        """After a reload keep the analyses of datasets that did not change (edited ones are redone)."""
        kept = {}
        for analysis in self._cache.values():
            entry = library.entries.get(analysis.dataset.id)
            if entry is not None and entry.dataset == analysis.dataset:
                kept[id(entry.dataset)] = analysis
        self._cache = kept

    def cached_analyses(self) -> dict[str, Any]:
        """Analyses already computed, by dataset id (the workbook export reuses them)."""
        return {a.dataset.id: a for a in self._cache.values()}

    def _progress(self, fraction: float, message: str) -> None:
        if self.sender() is self._job:
            self.status.setText(f"{message} ({fraction:.0%})")

    def _finished(self, analysis: Any) -> None:
        self._cache[id(analysis.dataset)] = analysis
        if self.sender() is not self._job:
            return  # the user moved on to another dataset
        self._job = None
        self._show_analysis(analysis)

    def _show_analysis(self, analysis: Any) -> None:
        self.analysis = analysis
        self.status.setText(
            f"Curve data: {analysis.curve_label}"
            + ("  —  not evidence beyond the published summaries" if analysis.is_approximation else "")
        )
        self.numbers.show_dataset(analysis.dataset, analysis)
        self.curves.set_analysis(analysis)
        self.reconstruction.set_analysis(analysis)
        self.analysisReady.emit(analysis)

    def _failed(self, exc: BaseException) -> None:
        if self.sender() is not self._job or self.entry is None:
            return
        self._job = None
        reason = exc.message if isinstance(exc, EvidenceError) else f"{type(exc).__name__}: {exc}"
        self.status.setText(f"Computed numbers are not available: {reason}")
        self.numbers.show_dataset(self.entry.dataset, failed=reason)
        self.curves.show_pending(f"No curves: {reason}")
        self.reconstruction.show_pending(f"Nothing to show: {reason}")
        self.analysisFailed.emit(reason)
        if not isinstance(exc, EvidenceError):
            show_error(self, exc)  # a bug, not a limit of the data: show the details
