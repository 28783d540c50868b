"""The live preview: a short while after the points or the numbers at risk change, every arm is
reconstructed in the worker and its Kaplan–Meier curve is drawn (dashed) over the figure.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel

from evidence_app.core.digitize import workflow
from evidence_app.core.digitize.session import DigitizerSession
from evidence_app.errors import InputError
from evidence_app.gui.digitizer.at_risk_table import AtRiskTable
from evidence_app.gui.digitizer.job_queue import DigitizerJobs
from evidence_app.gui.digitizer.point_overlay import PointOverlay

DELAY_MS = 400  # after the last edit: typing a number at risk does not start a job per digit


class ReconstructionPreview(QObject):
    """Emits ``updated()`` when new preview curves are on screen."""

    updated = Signal()

    def __init__(
        self, session: DigitizerSession, overlay: PointOverlay, at_risk: AtRiskTable, worker: DigitizerJobs
    ) -> None:
        super().__init__(overlay)
        self.session, self.overlay, self.at_risk, self.worker = session, overlay, at_risk, worker
        self.curves: list[workflow.PreviewCurve] = []
        self.label = QLabel()
        self.label.setObjectName("previewStatus")
        self.label.setWordWrap(True)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DELAY_MS)
        self.timer.timeout.connect(self.run)

    def schedule(self) -> None:
        self.timer.start()

    def clear(self) -> None:
        self.timer.stop()
        self.worker.cancel("preview")
        self.curves = []
        self.overlay.set_previews([])
        self.label.clear()

    def run(self) -> None:
        arms = self.session.arms
        if not any(len(a.points) >= 2 for a in arms):
            self.clear()
            return
        note = ""
        try:
            rows = self.at_risk.rows()
        except InputError as exc:
            rows, note = [[] for _ in arms], f"Numbers at risk left out until fixed: {exc.message}"
        rows = rows + [[] for _ in range(len(arms) - len(rows))]
        inputs = tuple(workflow.PreviewArm(tuple(a.points), tuple(r), a.n, a.total_events) for a, r in zip(arms, rows))
        self.label.setText("Reconstructing…")
        self.worker.start("preview", workflow.preview, inputs, done=lambda curves: self._show(curves, note), quiet=True)

    def _show(self, curves: list[workflow.PreviewCurve], note: str) -> None:
        self.curves = curves
        self.redraw()
        lines = []
        for arm, curve in zip(self.session.arms, curves):
            name = escape(arm.label)
            if curve.time is None:
                lines.append(f"<b>{name}</b>: no preview — {escape(curve.message)}")
            else:
                lines.append(f"<b>{name}</b>: reconstructed curve within {curve.max_gap:.3f} of the points")
        if note:
            lines.append(f"<i>{escape(note)}</i>")
        self.label.setText("<br>".join(["<b>Preview</b> (dashed):", *lines]))
        self.updated.emit()

    def redraw(self) -> None:
        """Draw the last preview with the current calibration (nothing while uncalibrated)."""
        session = self.session
        if not session.is_calibrated():
            self.overlay.set_previews([])
            return
        self.overlay.set_previews(
            [
                None
                if curve.time is None or curve.survival is None
                else (arm.color, [session.to_pixel(float(t), float(s)) for t, s in zip(curve.time, curve.survival)])
                for arm, curve in zip(session.arms, self.curves)
            ]
        )
