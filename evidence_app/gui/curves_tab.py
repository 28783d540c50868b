"""The Curves tab: the Kaplan–Meier figure with a check box per drawing option, and figure export."""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from evidence_app.gui import settings
from evidence_app.gui.error_boundary import guarded
from evidence_app.gui.figure_export_dialog import FigureExport
from evidence_app.gui.figure_panel import FigurePanel
from evidence_app.gui.figure_snapshot import load_snapshot, save_snapshot, snapshot_key
from evidence_app.gui.flow_layout import flow_row
from evidence_app.gui.workers import JobRunner

#: KMOptions switches offered as check boxes, with their labels (in display order).
TOGGLES = {
    "ci_bands": "Confidence bands",
    "censor_marks": "Censoring marks",
    "median_lines": "Median lines",
    "risk_table": "Numbers at risk",
    "show_digitized": "Digitized points",
    "show_published_medians": "Published medians",
    "show_hr_box": "Hazard ratio box",
}


def km_defaults() -> dict[str, bool]:
    """The plotting module's own defaults for the toggles it knows (imports matplotlib)."""
    from evidence_app.plots.km import KMOptions

    defaults = KMOptions()
    return {f.name: bool(getattr(defaults, f.name)) for f in dataclasses.fields(KMOptions) if f.name in TOGGLES}


class CurvesTab(QWidget):
    """Draws ``draw_km(figure, analysis, options)``; toggles are remembered between sessions."""

    figureDrawn = Signal()
    snapshotShown = Signal()

    def __init__(self, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.analysis: Any = None
        self._export: FigureExport | None = None
        self.toggles: dict[str, QCheckBox] = {}
        self.panel = FigurePanel(self, message="Open a dataset to see its curves.")
        self.panel.drawn.connect(self.figureDrawn)
        self.panel.snapshotShown.connect(self.snapshotShown)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setObjectName("curvesCaption")
        for name, label in TOGGLES.items():
            box = QCheckBox(label)
            box.setObjectName(f"toggle_{name}")
            box.setEnabled(False)  # until the plotting module says which options it has
            box.toggled.connect(lambda checked, n=name: self._toggled(n, checked))
            self.toggles[name] = box
        row = QHBoxLayout()
        row.addWidget(flow_row(list(self.toggles.values())), 1)  # wraps on a narrow window
        self.export_button = QPushButton("Export figure…")
        self.export_button.setObjectName("exportCurvesFigure")
        self.export_button.setToolTip("Save this figure as PNG, SVG or PDF (Ctrl+Shift+E)")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.export_figure)
        row.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.panel, 1)
        layout.addWidget(self.caption)
        self._toggles_ready = False

    def _init_toggles(self) -> None:
        """Enable the check boxes the plotting module supports, with remembered or default states."""
        if self._toggles_ready:
            return
        defaults = km_defaults()
        for name, box in self.toggles.items():
            box.blockSignals(True)
            box.setVisible(name in defaults)
            box.setEnabled(name in defaults)
            box.setChecked(settings.read(f"km/{name}", defaults.get(name, False)))
            box.blockSignals(False)
        self._toggles_ready = True

    def options(self) -> Any:
        from evidence_app.plots.km import KMOptions

        known = {f.name for f in dataclasses.fields(KMOptions)}
        return KMOptions(**{n: box.isChecked() for n, box in self.toggles.items() if n in known})  # type: ignore[arg-type]

    def show_pending(self, text: str) -> None:
        self.analysis = None
        self.export_button.setEnabled(False)
        self.caption.clear()
        self.panel.show_message(text)

    def _snapshot_key(self, dataset: Any) -> str:
        # The remembered toggles, not KMOptions' defaults: reading those would import matplotlib.
        options = {name: settings.read(f"km/{name}", "") for name in TOGGLES}
        ratio = self.panel.devicePixelRatioF()
        return snapshot_key(dataset.model_dump_json(), options, self.panel.logical_dpi(), ratio)

    def show_snapshot(self, dataset: Any) -> bool:
        """Show the picture kept when this dataset's figure was last on screen, if it still matches."""
        kept = load_snapshot(dataset.id, self._snapshot_key(dataset))
        if kept is not None:
            self.panel.show_snapshot(*kept)
        return kept is not None

    def save_snapshot(self) -> bool:
        """Keep the figure on screen for the next start (on close)."""
        if self.analysis is None or not self.panel.has_figure:
            return False
        dataset = self.analysis.dataset
        key, place = self._snapshot_key(dataset), self.panel.canvas_place()
        return save_snapshot(self.panel.canvas.grab(), dataset.id, key, place=place)

    @guarded
    def set_analysis(self, analysis: Any) -> None:
        self.analysis = analysis
        if not any(a.fit is not None for a in analysis.arms):
            self.show_pending("No curve can be drawn for this dataset:\n" + "\n".join(analysis.notes))
            return
        self._init_toggles()
        reasons = _not_applicable(analysis)
        for name, box in self.toggles.items():
            box.setEnabled(name not in reasons and not box.isHidden())
            box.setToolTip(reasons.get(name, ""))
        self.caption.setText(_caption(analysis))
        self._redraw()
        self.export_button.setEnabled(True)

    def _toggled(self, name: str, checked: bool) -> None:
        settings.write(f"km/{name}", checked)
        if self.analysis is not None:
            self._redraw()

    @guarded
    def _redraw(self) -> None:
        from evidence_app.plots.km import draw_km

        analysis, options = self.analysis, self.options()
        self.panel.redraw(lambda figure, width: draw_km(figure, analysis, dataclasses.replace(options, width=width)))

    @guarded
    def export_figure(self) -> None:
        if self.analysis is None or self.panel.draw_function is None:
            return
        self._export = FigureExport(self, self.runner, self.panel.draw_function, f"{self.analysis.dataset.id}-km")


def _caption(analysis: Any) -> str:
    return "  ".join(analysis.notes)


def _not_applicable(analysis: Any) -> dict[str, str]:
    """Toggles that cannot change this figure, with the reason (shown as their tooltip)."""
    reasons = {}
    if analysis.dataset.curve.kind != "digitized":
        reasons["show_digitized"] = "Only digitized curves have digitized points."
    if analysis.is_approximation:
        reasons["risk_table"] = "Numbers at risk were not published; an approximation cannot estimate them."
        reasons["censor_marks"] = "An approximation's censoring is assumed, so it is not marked."
    return reasons
