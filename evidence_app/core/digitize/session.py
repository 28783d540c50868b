"""The digitizer's document model (no Qt): the figure, its calibration, the arms and their points.

Widgets read and change a :class:`DigitizerSession`; the session turns clicks (pixels) into data
and back, keeps an undo history of point edits, and knows what goes into the saved dataset and
its provenance. Pixel coordinates follow the core convention: ``col`` to the right, ``row``
down, whole numbers at pixel centres.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evidence_app.core.datasets.builder import DatasetMeta, DigitizedArmInput, arm_ids, digitized_dataset
from evidence_app.core.datasets.io import parse_dataset
from evidence_app.core.datasets.schema import Dataset
from evidence_app.core.digitize.calibrate import Calibration, PlotFrame, calibration_from_frame
from evidence_app.core.digitize.extract import DEFAULT_TOLERANCE, DigitizeResult
from evidence_app.core.digitize.image import FigureImage
from evidence_app.core.digitize.provenance import (
    ImageRecord,
    build_provenance,
    frame_calibration,
    tick_calibration,
)
from evidence_app.core.reconstruction.tidy import tidy_points
from evidence_app.errors import InputError, Problem

TICKS = ("x1", "x2", "y1", "y2")
#: Colours for arms added by hand (matplotlib's first four, familiar from many figures).
DEFAULT_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728")
EDIT_KINDS = ("added", "moved", "deleted")


@dataclass
class ArmState:
    """One curve: its label, colour, published N and events, and its points in data units."""

    label: str
    color: str
    color_origin: str = "chosen"  # "detected", "picked from the figure" or "chosen"
    n: int | None = None
    total_events: int | None = None
    points: list[tuple[float, float]] = field(default_factory=list)
    extracted: list[tuple[float, float]] | None = None  # None: every point clicked by hand
    edits: dict[str, int] = field(default_factory=lambda: dict.fromkeys(EDIT_KINDS, 0))

    @property
    def edited(self) -> bool:
        return self.extracted is None or self.points != self.extracted

    def how(self) -> str:
        if self.extracted is None:
            return "clicked by hand"
        return "extracted, then edited by hand" if self.points != self.extracted else "extracted"


class DigitizerSession:
    """Everything the user has done to one figure."""

    def __init__(self) -> None:
        self.figure: FigureImage | None = None
        self.path: Path | None = None
        self.mode = "ticks"  # or "frame"
        self.tick_pixels: dict[str, float | None] = dict.fromkeys(TICKS)
        self.tick_values: dict[str, float | None] = dict.fromkeys(TICKS)
        self.frame: PlotFrame | None = None
        self.frame_detected = False
        self.x_range: tuple[float, float] | None = None
        self.y_range: tuple[float, float] | None = None
        self.tolerance = DEFAULT_TOLERANCE
        self.arms: list[ArmState] = []
        self.extraction: dict[str, Any] | None = None
        self._history: list[list[tuple[list[tuple[float, float]], dict[str, int]]]] = []

    # -- figure and calibration ------------------------------------------------------------------
    def load(self, figure: FigureImage, path: str | Path) -> None:
        """Start over on a new figure (the typed tick values and ranges are kept)."""
        self.figure, self.path = figure, Path(path)
        self.tick_pixels = dict.fromkeys(TICKS)
        self.frame, self.frame_detected = None, False
        self.arms, self.extraction, self._history = [], None, []

    def calibration(self) -> Calibration:
        """The pixel <-> data map; :class:`InputError` says what is still missing."""
        if self.mode == "frame":
            if self.frame is None:
                raise InputError("Detect the plot frame first (Calibrate ▸ Detect frame).", location="calibration")
            if self.x_range is None or self.y_range is None:
                raise InputError("Type the x and y axis ranges, e.g. 0, 24 and 0, 1.", location="calibration")
            return calibration_from_frame(self.frame, self.x_range, self.y_range)
        missing = [k for k in TICKS if self.tick_pixels[k] is None]
        if missing:
            raise InputError(f"Click the tick(s) {', '.join(missing)} on the figure.", location="calibration")
        unset = [k for k in TICKS if self.tick_values[k] is None]
        if unset:
            raise InputError(f"Type the value of tick(s) {', '.join(unset)}.", location="calibration")
        px = {k: v for k, v in self.tick_pixels.items() if v is not None}
        val = {k: v for k, v in self.tick_values.items() if v is not None}
        cal = Calibration.from_ticks(
            ((px["x1"], val["x1"]), (px["x2"], val["x2"])),
            ((px["y1"], val["y1"]), (px["y2"], val["y2"])),
        )
        if cal.x_per_px <= 0:
            raise InputError("The x ticks' values must increase to the right.", location="calibration")
        if cal.y_per_px >= 0:
            raise InputError("The y ticks' values must increase upwards.", location="calibration")
        return cal

    def is_calibrated(self) -> bool:
        try:
            self.calibration()
        except InputError:
            return False
        return True

    @property
    def percent_axis(self) -> bool:
        """A y axis running above 1.5 shows percent (the extraction's rule); points are proportions."""
        values = list(self.y_range or ()) if self.mode == "frame" else [self.tick_values["y1"], self.tick_values["y2"]]
        return max((abs(v) for v in values if v is not None), default=0.0) > 1.5

    def to_data(self, col: float, row: float) -> tuple[float, float]:
        """A clicked pixel as (time, survival), kept inside time >= 0 and 0 <= survival <= 1."""
        cal = self.calibration()
        scale = 100.0 if self.percent_axis else 1.0
        t, s = float(cal.x_to_data(col)), float(cal.y_to_data(row)) / scale
        return max(t, 0.0), min(max(s, 0.0), 1.0)

    def to_pixel(self, t: float, s: float) -> tuple[float, float]:
        cal = self.calibration()
        scale = 100.0 if self.percent_axis else 1.0
        return float(cal.x_to_px(t)), float(cal.y_to_px(s * scale))

    # -- arms and points ---------------------------------------------------------------------------
    def add_arm(self, color: str | None = None, origin: str = "chosen") -> ArmState:
        used = {a.color for a in self.arms}
        color = color or next((c for c in DEFAULT_COLORS if c not in used), "#000000")
        arm = ArmState(f"Arm {len(self.arms) + 1}", color, origin)
        self.arms.append(arm)
        return arm

    def remove_arm(self, index: int) -> None:
        del self.arms[index]
        self._history.clear()  # snapshots are per arm position

    def add_detected(self, colors: tuple[str, ...], frame: PlotFrame, frame_detected: bool) -> None:
        """Detected curve colours become arms (colours already in use are skipped)."""
        if self.frame is None:
            self.frame, self.frame_detected = frame, frame_detected
        for color in colors:
            if color not in {a.color for a in self.arms}:
                self.add_arm(color, "detected")

    def apply_extraction(self, result: DigitizeResult, origins: dict[str, str], frame_detected: bool | None) -> None:
        """Put the extracted curves into the arms of their colours (new arms for new colours)."""
        by_color = {a.color: a for a in self.arms}
        for curve in result.curves:
            arm = by_color.get(curve.color) or self.add_arm(curve.color, origins.get(curve.color, "detected"))
            arm.points = [(float(t), float(s)) for t, s in zip(curve.time, curve.survival)]
            arm.extracted = list(arm.points)
            arm.edits = dict.fromkeys(EDIT_KINDS, 0)
        self.frame = result.frame
        if frame_detected is not None:  # else the frame was given, as detected or not before
            self.frame_detected = frame_detected
        settings = dict(result.settings)
        detected = settings.pop("colors_detected") or all(a.color_origin == "detected" for a in self.arms)
        del settings["frame_detected"]  # the calibration record says how the frame was found
        self.extraction = {
            "colors": settings.pop("colors"),
            "colors_detected": detected,
            "tolerance": settings.pop("tolerance"),
            "x_at_frame_edges": settings.pop("x_range"),
            "y_at_frame_edges": settings.pop("y_range"),
            **settings,
            "warnings": list(result.warnings),
            "algorithm_version": result.algorithm_version,
        }
        self._history.clear()

    def _snapshot(self) -> None:
        self._history.append([(list(a.points), dict(a.edits)) for a in self.arms])
        del self._history[:-200]

    def add_point(self, arm: int, t: float, s: float) -> None:
        self._snapshot()
        target = self.arms[arm]
        target.points = _ordered([*target.points, (t, s)])
        target.edits["added"] += 1

    def move_points(self, moves: list[tuple[int, int, float, float]]) -> None:
        """``moves``: (arm, point index, new time, new survival)."""
        self._snapshot()
        for arm in {m[0] for m in moves}:
            points = list(self.arms[arm].points)
            for _, index, t, s in (m for m in moves if m[0] == arm):
                points[index] = (t, s)
            self.arms[arm].points = _ordered(points)
            self.arms[arm].edits["moved"] += sum(m[0] == arm for m in moves)

    def delete_points(self, points: list[tuple[int, int]]) -> None:
        self._snapshot()
        for arm in {p[0] for p in points}:
            gone = {i for a, i in points if a == arm}
            self.arms[arm].points = [p for i, p in enumerate(self.arms[arm].points) if i not in gone]
            self.arms[arm].edits["deleted"] += len(gone)

    def points_state(self) -> list[tuple[list[tuple[float, float]], dict[str, int]]]:
        """Every arm's points and edit counts (a copy), for an undo stack or to tell unsaved work."""
        return [(list(a.points), dict(a.edits)) for a in self.arms]

    def restore_points(self, state: list[tuple[list[tuple[float, float]], dict[str, int]]]) -> None:
        """Put back a :meth:`points_state` (arms added since keep their points)."""
        for arm, (points, edits) in zip(self.arms, state):
            arm.points, arm.edits = list(points), dict(edits)

    def can_undo(self) -> bool:
        return bool(self._history)

    def undo(self) -> None:
        for arm, (points, edits) in zip(self.arms, self._history.pop()):
            arm.points, arm.edits = points, edits

    # -- saving ------------------------------------------------------------------------------------
    def arm_inputs(self, at_risk: list[list[tuple[float, int]]]) -> list[DigitizedArmInput]:
        """The saved points and numbers at risk of every arm (points sorted, as drawn)."""
        empty = [a.label for a in self.arms if len(a.points) < 2]
        if not self.arms or empty:
            raise InputError(
                "Every arm needs at least two points; extract or click them first"
                + (f" (arm {', '.join(empty)})." if empty else "."),
                location="points",
            )
        problems: list[Problem] = []
        cleaned: list[list[tuple[float, float]]] = []
        for arm in self.arms:  # the cleaning step shared with the import wizard and the CLI
            try:
                cleaned.append(tidy_points(arm.points, curve=f"arm '{arm.label}'", percent=False).points)
            except InputError as exc:
                problems.extend(exc.problems)
        if problems:
            raise InputError(f"{len(problems)} problem(s) in the points", problems=problems)
        return [DigitizedArmInput(points, rows, a.total_events) for a, points, rows in zip(self.arms, cleaned, at_risk)]

    def provenance(self, arm_ids: list[str], times: list[float], grid: list[list[int | None]]) -> dict[str, Any]:
        """``curve.provenance`` for the dataset whose arms get ``arm_ids`` (in arm order)."""
        figure, path = self.figure, self.path
        if figure is None or path is None:
            raise InputError("Open a figure first.")
        cal, frame = self.calibration(), self.frame
        record = (
            frame_calibration(frame, self.frame_detected, self.x_range, self.y_range)  # type: ignore[arg-type]
            if self.mode == "frame"
            else tick_calibration(cal, frame, self.frame_detected)
        )
        record["percent_axis"] = self.percent_axis
        arms = {
            i: {
                "label": a.label,
                "color": a.color,
                "color_origin": a.color_origin,
                "points": a.how(),
                "edited": a.edited,
                "edits": dict(a.edits),
                "n_points": len(a.points),
                "n_points_extracted": None if a.extracted is None else len(a.extracted),
            }
            for i, a in zip(arm_ids, self.arms)
        }
        image = ImageRecord(path.name, figure.sha256, figure.width, figure.height, figure.page, figure.dpi)
        extraction = None if self.extraction is None else dict(self.extraction)
        table = {i: list(row) for i, row in zip(arm_ids, grid)}
        return build_provenance(image, record, extraction, arms, {"times": list(times), "table": table})

    def dataset(self, meta: DatasetMeta, doi: str | None, times: list[float], grid: list[list[int | None]]) -> Dataset:
        """The digitized dataset ``meta`` describes (its arm labels and N become the arms'), with
        the points, the numbers at risk (``grid``: per arm, a count or None per time) and provenance."""
        for arm, typed in zip(self.arms, meta.arms):
            arm.label, arm.n = typed.label, typed.n
        rows = [[(t, n) for t, n in zip(times, counts) if n is not None] for counts in grid]
        provenance = self.provenance(arm_ids([a.label for a in meta.arms]), times, grid)
        dataset = digitized_dataset(meta, self.arm_inputs(rows), provenance)
        if doi is None:
            return dataset
        data = dataset.model_dump(mode="json")
        data["sources"][0]["doi"] = doi
        return parse_dataset(data, "new dataset")


def n_at_zero(times: list[float], counts: list[int | None]) -> int | None:
    """N read from the number at risk printed at time 0, if any."""
    return counts[0] if times and times[0] == 0 and counts and counts[0] is not None else None


def _ordered(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Points along a step curve: by time, and at one time from the top of a drop down."""
    return sorted(points, key=lambda p: (p[0], -p[1]))
