"""The figure digitizer against Kaplan-Meier figures drawn here from known data.

Accuracy is measured as the sup distance between the digitised and the true KM curve where
a vertical difference counts only if no point of the other curve within 2 pixels
horizontally matches it: a drop cannot be placed more finely than the line drawing it.
"""

from __future__ import annotations

import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from scipy.ndimage import maximum_filter1d, minimum_filter1d

from evidence_app.core.digitize.calibrate import Calibration, calibration_from_frame, detect_plot_frame
from evidence_app.core.digitize.extract import (
    ALGORITHM_VERSION,
    detect_curve_colors,
    digitize_figure,
    extract_curve,
)
from evidence_app.core.digitize.image import downsample, file_sha256
from evidence_app.core.digitize.load import load_figure
from evidence_app.core.digitize.workflow import write_curves
from evidence_app.errors import Cancelled, InputError
from tests.figure_support import BLUE, ORANGE, km_steps, simulate

GREEN = "#2ca02c"


def digitize(path, *args, **kwargs):
    """Load a figure file and digitise it (what the CLI and the GUI do in two steps)."""
    return digitize_figure(load_figure(path), *args, **kwargs)


def draw(
    path: Path,
    arms,
    colors,
    *,
    styles=None,
    lw=1.5,
    ticks=False,
    grid=False,
    legend="upper right",
    y_top=1.0,
    y_scale=1.0,
    dpi=100,
    fmt="png",
    note=None,
) -> tuple[float, float, float, float]:
    """Draw KM curves; return the axes box (left, top, right, bottom) in pixel-centre coordinates."""
    fig = Figure(figsize=(6, 4), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for k, ((time, event), color) in enumerate(zip(arms, colors)):
        t, s = km_steps(time, event)
        ax.step(
            np.r_[t, time.max()],
            y_scale * np.r_[s, s[-1]],
            where="post",
            color=color,
            lw=lw,
            ls=(styles or ["-"] * 3)[k],
            label=f"arm {k}",
        )
        if ticks:
            ct = time[event == 0]
            ax.plot(ct, y_scale * s[np.searchsorted(t, ct, side="right") - 1], "|", color=color, ms=8)
    ax.set_xlim(0, 24)
    ax.set_ylim(0, y_top * y_scale)
    ax.grid(grid)
    if note:
        ax.text(0.35, 0.06, note, transform=ax.transAxes, fontsize=9)
    if legend:
        ax.legend(loc=legend)
    ax.set_xlabel("Months")
    fig.savefig(path, format=fmt)
    box = ax.get_window_extent()
    height = fig.bbox.height
    return box.x0 - 0.5, height - box.y1 - 0.5, box.x1 - 0.5, height - box.y0 - 0.5


def sup_error(curve, time: np.ndarray, event: np.ndarray, x_per_px: float, pixels: float = 2.0) -> float:
    grid = np.linspace(0, time.max(), 6000)
    t, s = km_steps(time, event)
    true = s[np.searchsorted(t, grid, side="right") - 1]
    est = curve.survival_at(grid)
    w = 2 * max(1, int(round(pixels * x_per_px / (grid[1] - grid[0])))) + 1

    def one_way(a, b):
        return np.maximum(
            np.maximum(minimum_filter1d(b, w, mode="nearest") - a, a - maximum_filter1d(b, w, mode="nearest")), 0
        )

    return float(np.maximum(one_way(true, est), one_way(est, true)).max())


@pytest.fixture(scope="module")
def two_arms():
    return [simulate(1, 0.06, n=150), simulate(2, 0.035, n=150)]


@pytest.fixture(scope="module")
def default_figure(tmp_path_factory, two_arms):
    path = tmp_path_factory.mktemp("fig") / "km.png"
    box = draw(path, two_arms, [BLUE, ORANGE])
    return path, box


def check_step_shape(curve) -> None:
    assert curve.time[0] == 0.0 and curve.survival[0] == 1.0
    assert np.all(np.diff(curve.time) >= 0)
    assert np.all(np.diff(curve.survival) <= 0)


def test_frame_detection_finds_the_axes_box(default_figure):
    path, box = default_figure
    frame = detect_plot_frame(load_figure(path).pixels)
    assert np.allclose(frame, box, atol=1.0)


def test_calibration_from_two_ticks_per_axis():
    cal = Calibration.from_ticks(((100, 0.0), (500, 24.0)), ((400, 0.0), (100, 1.0)))
    assert cal.x_to_data(300) == pytest.approx(12.0)
    assert cal.y_to_data(250) == pytest.approx(0.5)
    assert cal.x_to_px(cal.x_to_data(123.4)) == pytest.approx(123.4)
    assert cal.y_to_px(0.25) == pytest.approx(325.0)
    with pytest.raises(InputError, match="same pixel"):
        Calibration.from_ticks(((100, 0.0), (100, 24.0)), ((400, 0.0), (100, 1.0)))
    with pytest.raises(InputError, match="must differ"):
        calibration_from_frame((0, 0, 10, 10), (5, 5), (0, 1))


def test_extract_curve_with_calibration_from_ticks(default_figure, two_arms):
    path, (left, top, right, bottom) = default_figure
    x_px = lambda x: left + (right - left) * x / 24  # noqa: E731  where the axes put ticks

    def y_px(y):
        return bottom - (bottom - top) * y

    cal = Calibration.from_ticks(((x_px(6), 6.0), (x_px(18), 18.0)), ((y_px(0.2), 0.2), (y_px(0.8), 0.8)))
    pixels = load_figure(path).pixels
    curve = extract_curve(pixels, cal, ORANGE, other_colors=[BLUE])
    check_step_shape(curve)
    assert sup_error(curve, *two_arms[1], abs(cal.x_per_px)) <= 0.01


def test_large_images_are_reduced_before_digitising():
    pixels = np.arange(4 * 6 * 3, dtype=np.uint8).reshape(4, 6, 3)
    small = downsample(pixels, 2)
    assert small.shape == (2, 3, 3)
    assert small[0, 0, 0] == round(pixels[:2, :2, 0].mean())


def test_default_figure_is_digitized_within_one_percent(default_figure, two_arms):
    path, _ = default_figure
    result = digitize(path, (0, 24), (0, 1))
    assert set(c.color for c in result.curves) == {BLUE, ORANGE}
    assert result.image_sha256 == file_sha256(path)
    assert result.algorithm_version == ALGORITHM_VERSION
    by_color = {c.color: c for c in result.curves}
    for color, (time, event) in zip([BLUE, ORANGE], two_arms):
        curve = by_color[color]
        check_step_shape(curve)
        assert sup_error(curve, time, event, abs(result.calibration.x_per_px)) <= 0.01
        assert curve.time[-1] == pytest.approx(time.max(), abs=0.15)


def test_curve_colours_are_detected_in_colour_and_monochrome_figures(tmp_path, two_arms):
    three = two_arms + [simulate(3, 0.1, n=120)]
    path = tmp_path / "three.png"
    frame = draw(path, three, [BLUE, ORANGE, GREEN], lw=1.0)
    assert set(detect_curve_colors(load_figure(path).pixels, frame)) == {BLUE, ORANGE, GREEN}
    mono = tmp_path / "mono.png"
    frame = draw(mono, two_arms, ["#000000", "#888888"], styles=["-", "--"], legend="lower left")
    assert set(detect_curve_colors(load_figure(mono).pixels, frame)) == {"#000000", "#888888"}


def test_monochrome_dashed_curves_are_digitized_despite_grid_legend_and_text(tmp_path, two_arms):
    path = tmp_path / "mono.png"
    draw(
        path,
        two_arms,
        ["#000000", "#888888"],
        styles=["-", "--"],
        grid=True,
        legend="lower left",
        note="HR 0.62 (95% CI 0.45-0.86); log-rank p = 0.004",
    )
    result = digitize(path, (0, 24), (0, 1))
    by_color = {c.color: c for c in result.curves}
    for color, (time, event) in zip(["#000000", "#888888"], two_arms):
        check_step_shape(by_color[color])
        assert sup_error(by_color[color], time, event, abs(result.calibration.x_per_px)) <= 0.02
        assert by_color[color].time[-1] == pytest.approx(time.max(), abs=0.15)


def test_censor_ticks_do_not_become_drops(tmp_path):
    # Events only in the first 6 months; many censored afterwards, each with a tick mark.
    time = np.r_[np.linspace(0.5, 5.5, 30), np.linspace(7, 23, 60)]
    event = np.r_[np.ones(30, int), np.zeros(60, int)]
    path = tmp_path / "ticks.png"
    draw(path, [(time, event)], [BLUE], ticks=True)
    curve = digitize(path, (0, 24), (0, 1)).curves[0]
    late = curve.time > 6.5
    assert np.ptp(curve.survival[late]) == 0.0
    assert curve.survival[-1] == pytest.approx(60 / 90, abs=0.006)
    assert curve.time[-1] == pytest.approx(23, abs=0.15)


def test_a_curve_hidden_under_another_continues_along_it(tmp_path):
    shared = simulate(7, 0.05, n=100)
    early = shared[0] < 10
    other = (
        np.r_[shared[0][early], simulate(8, 0.12, n=60)[0] + 10],
        np.r_[shared[1][early], simulate(8, 0.12, n=60)[1]],
    )
    arms = [(shared[0], shared[1]), (np.minimum(other[0], 24), other[1])]
    path = tmp_path / "overlap.png"
    draw(path, arms, [BLUE, ORANGE], legend=None)
    result = digitize(path, (0, 24), (0, 1), colors=[BLUE, ORANGE])
    for curve, (time, event) in zip(result.curves, arms):
        check_step_shape(curve)
        assert sup_error(curve, time, event, abs(result.calibration.x_per_px)) <= 0.015


def test_percent_axis_and_jpeg(tmp_path, two_arms):
    path = tmp_path / "km.jpg"
    draw(path, two_arms, [BLUE, ORANGE], y_scale=100, fmt="jpeg")
    result = digitize(path, (0, 24), (0, 100))
    assert any("percent" in w for w in result.warnings)
    assert len(result.curves) == 2
    for color, arm in zip([BLUE, ORANGE], two_arms):
        # JPEG shifts colours: take the detected colour nearest to the drawn one.
        curve = min(result.curves, key=lambda c: np.linalg.norm(rgb(c.color) - rgb(color)))
        check_step_shape(curve)
        assert sup_error(curve, *arm, abs(result.calibration.x_per_px), pixels=3) <= 0.03


def rgb(color: str) -> np.ndarray:
    return np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)


def test_write_curves_writes_one_csv_per_colour(tmp_path, default_figure):
    result = digitize(default_figure[0], (0, 24), (0, 1), colors=[BLUE, ORANGE])
    paths = write_curves(result, tmp_path / "out")
    assert [p.name for p in paths] == ["curve_1f77b4.csv", "curve_ff7f0e.csv"]
    table = pd.read_csv(paths[0])
    assert list(table.columns) == ["time", "survival"]
    assert np.allclose(table["survival"], result.curves[0].survival, atol=1e-5)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["curve_1f77b4.csv", "curve_ff7f0e.csv"]


def test_progress_is_reported_and_cancel_stops(default_figure):
    seen: list[float] = []
    digitize(default_figure[0], (0, 24), (0, 1), progress=lambda f, _m: seen.append(f))
    assert 0.0 <= seen[0] < 1.0 and seen[-1] == 1.0 and seen == sorted(seen)
    with pytest.raises(Cancelled):
        digitize(default_figure[0], (0, 24), (0, 1), cancelled=lambda: True)


def test_bad_ranges_and_colours_are_input_errors(default_figure):
    with pytest.raises(InputError, match="x-range"):
        digitize(default_figure[0], (24, 0), (0, 1))
    with pytest.raises(InputError, match="not a colour"):
        digitize(default_figure[0], (0, 24), (0, 1), colors=["blue-ish"])
    with pytest.raises(InputError, match="No curve in colour #2ca02c"):
        digitize(default_figure[0], (0, 24), (0, 1), colors=[GREEN])


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_start(width: int, height: int) -> bytes:
    """A PNG signature, header and the first bytes of pixel data: enough to open, not to decode."""
    header = png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + png_chunk(b"IDAT", zlib.compress(b"\x00" * 40)[:20])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"time,survival\n0,1\n", "not a readable PNG or JPEG"),
        (png_start(12_000, 10_000), r"too large \(12000 x 10000 pixels\)"),
        (png_start(40_000, 40_000), "too large"),
        (png_start(10, 10), "truncated or corrupt"),
    ],
    ids=["zero-size", "not-an-image", "huge-declared-size", "decompression-bomb", "header-only"],
)
def test_bad_images_are_refused_with_a_message(tmp_path, content, message):
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as info:
        load_figure(path)
    assert info.value.file == str(path)


def test_truncated_png_is_refused(tmp_path, default_figure):
    data = default_figure[0].read_bytes()
    path = tmp_path / "cut.png"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated or corrupt"):
        digitize(path, (0, 24), (0, 1))
    with pytest.raises(InputError, match="does not exist"):
        load_figure(tmp_path / "missing.png")


def test_digitizer_core_imports_no_matplotlib_or_qt():
    code = (
        "import sys, evidence_app.core.digitize.extract; "
        "print(any(m.split('.')[0] in ('matplotlib', 'PySide6') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
