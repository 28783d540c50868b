"""Figure → curves → patient-level data: the one digitize/reconstruct flow of the CLI and the GUI.

``evidence-app digitize`` and the GUI digitizer (in worker jobs, off the GUI thread) call these
same steps: :func:`open_figure` (an image, or a PDF page; a PDF of several pages without a page
asks for one), :func:`find_frame`, :func:`find_colors`, :func:`extract` (trace each curve by
colour) and :func:`preview` (reconstruct each arm's patient-level data and its KM curve). Each
follows the core convention ``run(inputs, *, progress=None, cancelled=None) -> result`` and takes
immutable inputs, so a worker never shares state with the widgets.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evidence_app.core.atomic import write_text_atomic
from evidence_app.core.digitize.calibrate import Calibration, PlotFrame, detect_plot_frame
from evidence_app.core.digitize.colors import detect_curve_colors, estimate_background, format_color
from evidence_app.core.digitize.extract import DigitizeResult, digitize_figure
from evidence_app.core.digitize.image import FigureImage
from evidence_app.core.digitize.load import load_figure
from evidence_app.core.digitize.pdf import looks_like_pdf, pdf_page_count
from evidence_app.core.progress import CancelCheck, ProgressCallback, check_cancelled, report
from evidence_app.errors import EvidenceError, ExportError, InputError

#: The start of the message when no curve colour is found (the CLI and the GUI add their own hint).
NO_COLORS = "No curve colours were found inside the plot frame"
#: A picked pixel must differ at least this much (RGB distance) from the background to be ink.
MIN_PICK_DISTANCE = 40.0


@dataclass(frozen=True)
class PageChoice:
    """A PDF of several pages was opened without a page number: the user picks one of ``pages``."""

    path: str
    pages: int


def open_figure(
    path: str | Path, page: int | None = None, *, progress: ProgressCallback = None, cancelled: CancelCheck = None
) -> FigureImage | PageChoice:
    """The figure in ``path``: an image, or page ``page`` of a PDF rendered at the default resolution.

    Without a page, a one-page PDF gives its page and a longer one a :class:`PageChoice`.
    """
    if page is None and looks_like_pdf(path):
        report(progress, 0.0, "Counting the pages")
        pages = pdf_page_count(path)
        if pages > 1:
            return PageChoice(str(path), pages)
        page = 1
    check_cancelled(cancelled)
    report(progress, 0.1, f"Rendering page {page}" if page is not None else "Reading the image")
    return load_figure(path, page=page)


def find_frame(figure: FigureImage, *, progress: ProgressCallback = None, cancelled: CancelCheck = None) -> PlotFrame:
    report(progress, 0.0, "Finding the plot frame")
    return detect_plot_frame(figure.pixels)


@dataclass(frozen=True)
class ColorsFound:
    frame: PlotFrame
    frame_detected: bool
    colors: tuple[str, ...]


def find_colors(
    figure: FigureImage,
    frame: Sequence[float] | None,
    max_colors: int,
    *,
    progress: ProgressCallback = None,
    cancelled: CancelCheck = None,
) -> ColorsFound:
    """The curve colours inside ``frame`` (detected first when None)."""
    report(progress, 0.0, "Finding the plot frame")
    box = PlotFrame(*frame) if frame is not None else detect_plot_frame(figure.pixels)
    check_cancelled(cancelled)
    report(progress, 0.4, "Finding the curve colours")
    colors = detect_curve_colors(figure.pixels, box, max_colors=max_colors)
    if not colors:
        raise InputError(f"{NO_COLORS}; pick them on the figure.")
    return ColorsFound(box, frame is None, tuple(colors))


@dataclass(frozen=True)
class ExtractionRequest:
    """What to extract: a tick calibration, or (``calibration`` None) a frame spanning the ranges."""

    calibration: Calibration | None
    x_range: tuple[float, float] | None
    y_range: tuple[float, float] | None
    frame: tuple[float, float, float, float] | None
    colors: tuple[str, ...] | None
    tolerance: float


@dataclass(frozen=True)
class Extraction:
    """The traced curves; ``frame_detected`` is None when the request gave the frame."""

    result: DigitizeResult
    frame_detected: bool | None
    notes: tuple[str, ...] = ()


def extract(
    figure: FigureImage, request: ExtractionRequest, *, progress: ProgressCallback = None, cancelled: CancelCheck = None
) -> Extraction:
    """Trace the curves with :func:`~evidence_app.core.digitize.extract.digitize_figure`.

    A tick calibration is turned into the axis values at the plot frame's edges (the map is
    linear, so this is the same calibration); without axis lines the frame is the box spanned by
    the ticks.
    """
    frame, notes = request.frame, []
    detected = None if frame is not None else True
    cal = request.calibration
    if cal is None:
        if request.x_range is None or request.y_range is None:
            raise InputError("Type the x and y axis ranges first.", location="calibration")
        x_range, y_range = request.x_range, request.y_range
    else:
        if frame is None:
            try:
                frame = detect_plot_frame(figure.pixels)
            except InputError:
                frame = (min(cal.x_px), min(cal.y_px), max(cal.x_px), max(cal.y_px))
                detected = False
                notes.append("No axis lines were found: curves were read inside the box spanned by the ticks.")
        left, top, right, bottom = frame
        x_range = (float(cal.x_to_data(left)), float(cal.x_to_data(right)))
        y_range = (float(cal.y_to_data(bottom)), float(cal.y_to_data(top)))
    result = digitize_figure(
        figure,
        x_range,
        y_range,
        list(request.colors) if request.colors else None,
        frame=frame,
        tolerance=request.tolerance,
        progress=progress,
        cancelled=cancelled,
    )
    return Extraction(result, detected, tuple(notes))


def pick_color(pixels: np.ndarray, col: float, row: float, radius: int = 3) -> str:
    """The ink colour under a click: the pixel near it that differs most from the background."""
    height, width = pixels.shape[:2]
    r, c = int(round(row)), int(round(col))
    if not (0 <= r < height and 0 <= c < width):
        raise InputError("The click is outside the image.")
    around = pixels[max(r - 15, 0) : r + 16, max(c - 15, 0) : c + 16, :3]
    background = estimate_background(around).astype(float)
    near = pixels[max(r - radius, 0) : r + radius + 1, max(c - radius, 0) : c + radius + 1, :3].reshape(-1, 3)
    distance = np.linalg.norm(near.astype(float) - background, axis=1)
    if distance.max(initial=0.0) < MIN_PICK_DISTANCE:
        raise InputError("There is no curve under the click; click on a curve's line (zoom in to aim).")
    return format_color(near[int(distance.argmax())])


@dataclass(frozen=True)
class PreviewArm:
    points: tuple[tuple[float, float], ...]
    at_risk: tuple[tuple[float, int], ...]
    n: int | None
    total_events: int | None


@dataclass(frozen=True)
class PreviewCurve:
    """The reconstructed Kaplan–Meier curve as step vertices, or why there is none."""

    time: np.ndarray | None = None
    survival: np.ndarray | None = None
    max_gap: float | None = None
    message: str = ""


def preview(
    arms: Sequence[PreviewArm], *, progress: ProgressCallback = None, cancelled: CancelCheck = None
) -> list[PreviewCurve]:
    """Reconstruct every arm and return its Kaplan–Meier curve, for drawing over the figure.

    Problems the user is still fixing (no N yet, too few points) become the arm's message
    rather than an error, so the preview never interrupts typing.
    """
    import pandas as pd

    from evidence_app.core.reconstruction.reconstruct import km_steps, reconstruct_ipd

    curves = []
    for k, arm in enumerate(arms):
        check_cancelled(cancelled)
        report(progress, k / max(len(arms), 1), f"Reconstructing arm {k + 1}")
        if len(arm.points) < 2:
            curves.append(PreviewCurve(message="fewer than two points"))
            continue
        table = pd.DataFrame(list(arm.at_risk), columns=["time", "n_at_risk"]) if arm.at_risk else None
        try:
            ipd = reconstruct_ipd(
                np.asarray(arm.points, float), table, n=arm.n, total_events=arm.total_events, cancelled=cancelled
            )
        except EvidenceError as exc:
            check_cancelled(cancelled)
            curves.append(PreviewCurve(message=str(exc)))
            continue
        t, s = km_steps(ipd.time, ipd.event)
        end = float(ipd.time.max()) if len(ipd.time) else 0.0
        steps_t = np.r_[0.0, np.repeat(t, 2), end]
        steps_s = np.r_[1.0, 1.0, np.repeat(s, 2)[:-1], s[-1] if len(s) else 1.0] if len(t) else np.r_[1.0, 1.0]
        curves.append(PreviewCurve(steps_t, steps_s, ipd.diagnostics.max_gap))
    report(progress, 1.0, "Done")
    return curves


def write_curves(result: DigitizeResult, out_dir: str | Path) -> list[Path]:
    """Write one ``time,survival`` CSV per curve, named by colour (``curve_1f77b4.csv``).

    Each file is written atomically (temporary file, then rename). The folder is created if
    needed. Returns the paths written.
    """
    folder = Path(out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"Cannot create the folder {folder}: {exc.strerror}.") from exc
    paths = []
    for curve in result.curves:
        buffer = io.StringIO()
        curve.to_frame().to_csv(buffer, index=False, float_format="%.6g", lineterminator="\n")
        paths.append(write_text_atomic(folder / f"curve_{curve.color.lstrip('#')}.csv", buffer.getvalue()))
    return paths
