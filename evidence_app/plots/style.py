"""The look shared by every figure: palette, fonts, journal sizes and text measurement.

Colours are the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"), safe for the
common colour-vision deficiencies. The first two arm colours (blue and orange) also differ
clearly in lightness, so two-arm curves stay apart when printed in greyscale; each arm also
has its own censor-mark shape. Figures are sized in millimetres to journal columns (85 mm
single, 175 mm double) and all text is DejaVu Sans, which ships with matplotlib, so nothing
is downloaded and every machine renders the same glyph widths.

Plots never use ``pyplot``: :func:`new_figure` builds a bare :class:`~matplotlib.figure.Figure`
with an Agg canvas, and the GUI may attach its own canvas to a figure instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import matplotlib
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

MM_PER_INCH = 25.4
SINGLE_COLUMN_MM = 85.0
DOUBLE_COLUMN_MM = 175.0
FONT_FAMILY = "DejaVu Sans"

#: Okabe–Ito colours by name.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}
INK = "#1a1a1a"  # text and axes: near-black prints crisper than pure black on screens
MUTED = "#5f5f5f"  # secondary text (notes, counting conventions)
GRID = "#d9d9d9"


@dataclass(frozen=True)
class ArmStyle:
    """How one arm is drawn: colour, censor-mark shape and the line pattern of an approximation."""

    color: str
    censor_marker: str
    approximation_dashes: tuple[float, float]


#: Arms in dataset order. Blue/orange first: distinct hue for colour-blind readers *and*
#: distinct lightness in greyscale; later arms add further hues and marker shapes.
ARM_STYLES = (
    ArmStyle(OKABE_ITO["blue"], "|", (5.0, 2.0)),
    ArmStyle(OKABE_ITO["orange"], "+", (2.0, 1.5)),
    ArmStyle(OKABE_ITO["bluish green"], "x", (6.0, 1.5)),
    ArmStyle(OKABE_ITO["reddish purple"], "1", (3.0, 3.0)),
    ArmStyle(OKABE_ITO["vermillion"], "2", (8.0, 2.0)),
    ArmStyle(OKABE_ITO["black"], "|", (1.0, 1.0)),
)


def arm_style(index: int) -> ArmStyle:
    return ARM_STYLES[index % len(ARM_STYLES)]


MIN_FONT = 5.5


@dataclass(frozen=True)
class FontSizes:
    """Point sizes at the printed size (journals ask for 6–8 pt at column width); ``minimum`` is the
    smallest size a layout may shrink text to when space is short."""

    base: float
    small: float
    title: float
    minimum: float = MIN_FONT


SINGLE_FONTS = FontSizes(base=7.0, small=6.0, title=8.0)
DOUBLE_FONTS = FontSizes(base=8.0, small=7.0, title=9.5)
#: On screen a figure is drawn at the screen's own dpi, so points are screen points: 8 pt is the least
#: that reads comfortably at 100 % scaling (a layout wraps, elides or drops columns rather than shrink).
SCREEN_FONTS = FontSizes(base=9.0, small=8.0, title=10.5, minimum=8.0)
SCREEN_PREFIX = "screen:"


def screen_width(width_in_mm: float) -> str:
    """The width spec of a figure drawn for a screen pane ``width_in_mm`` wide (screen fonts)."""
    return f"{SCREEN_PREFIX}{min(max(width_in_mm, 40.0), 400.0):.1f}"


def width_mm(width: str | float | int) -> float:
    """``"single"`` (85 mm), ``"double"`` (175 mm), a width in millimetres (40–400), or
    ``"screen:<mm>"`` (:func:`screen_width`)."""
    if isinstance(width, str):
        key = width.strip().lower().removeprefix(SCREEN_PREFIX)
        if key == "single":
            return SINGLE_COLUMN_MM
        if key == "double":
            return DOUBLE_COLUMN_MM
        try:
            width = float(key.removesuffix("mm"))
        except ValueError:
            raise ValueError(f"unknown figure width {width!r}: use 'single', 'double' or millimetres") from None
    value = float(width)
    if not 40 <= value <= 400:
        raise ValueError(f"figure width {value:g} mm is outside 40–400 mm")
    return value


def fonts_for(width: str | float | int) -> FontSizes:
    if isinstance(width, str) and width.strip().lower().startswith(SCREEN_PREFIX):
        return SCREEN_FONTS
    return SINGLE_FONTS if width_mm(width) < 130 else DOUBLE_FONTS


def mm(value: float) -> float:
    """Millimetres to inches."""
    return value / MM_PER_INCH


def new_figure(width: str | float | int = "single", height_mm: float | None = None, *, dpi: float = 150) -> Figure:
    """A bare figure of a journal width (``"single"``, ``"double"`` or mm) with an Agg canvas.

    ``height_mm`` defaults to 0.75 × the width; drawing functions may grow it to fit.
    """
    w = width_mm(width)
    h = height_mm if height_mm is not None else 0.75 * w
    fig = Figure(figsize=(mm(w), mm(h)), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    return fig


RC: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT_FAMILY],
    "mathtext.fontset": "dejavusans",
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "axes.linewidth": 0.6,
    "xtick.color": INK,
    "ytick.color": INK,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.major.size": 2.5,
    "ytick.major.size": 2.5,
    "text.color": INK,
    "lines.solid_capstyle": "butt",
    "hatch.linewidth": 0.5,
}


@contextmanager
def figure_style() -> Iterator[None]:
    """Our fonts and line weights while artists are created (the global rcParams are untouched)."""
    with matplotlib.rc_context(RC):
        yield


FontStyle = Literal["normal", "italic", "oblique"]


def font(size: float, weight: str = "normal", style: FontStyle = "normal") -> FontProperties:
    return FontProperties(family=FONT_FAMILY, size=size, weight=weight, style=style)


def renderer(fig: Figure) -> RendererBase:
    """The renderer text extents are measured with (the figure's own canvas when it has one)."""
    get = getattr(fig.canvas, "get_renderer", None)
    if get is not None:
        return get()
    # A bare Figure (the GUI's save worker draws on one) has no canvas renderer; matplotlib's own
    # private helper finds the one a save would use. Private, so not declared in its type stubs.
    return fig._get_renderer()  # type: ignore[attr-defined]


#: Rendered text differs from the font's true width by a few percent, depending on the dpi (Agg
#: hints glyphs to pixels: 5 pt text at 150 dpi draws 6% narrower, at 300 dpi 1.3% wider). Layout
#: uses the larger of the width drawn at the figure's dpi and the true width plus this margin, so
#: text fits on screen and in 200-600 dpi PNG, SVG and PDF files alike.
HINTING_MARGIN = 1.03


@lru_cache(maxsize=8)
def _agg_renderer(dpi: float) -> RendererAgg:
    return RendererAgg(8, 8, dpi)


@lru_cache(maxsize=20000)
def _measure(text: str, size: float, weight: str, dpi: float) -> tuple[float, float]:
    prop = font(size, weight)
    w, h, _ = _agg_renderer(dpi).get_text_width_height_descent(text, prop, ismath=False)
    true_w, true_h, _ = TextToPath().get_text_width_height_descent(text, prop, ismath=False)  # points
    return max(w / dpi, true_w / 72 * HINTING_MARGIN), max(h / dpi, true_h / 72)


def text_size(fig: Figure, text: str, size: float, weight: str = "normal") -> tuple[float, float]:
    """Width and height of one line of ``text`` in inches, as Agg draws it at the figure's dpi."""
    if not text:
        return 0.0, 0.0
    return _measure(text, float(size), weight, float(fig.dpi))


def text_width(fig: Figure, text: str, size: float, weight: str = "normal") -> float:
    return max((text_size(fig, line, size, weight)[0] for line in text.split("\n")), default=0.0)


def wrap_to_width(fig: Figure, text: str, size: float, max_width_in: float, weight: str = "normal") -> list[str]:
    """Greedy word wrap measured with the renderer (words are measured once and cached); a word
    wider than the line is split. Non-breaking spaces keep phrases such as ``p = 0.01`` together."""
    space = text_size(fig, "a a", size, weight)[0] - text_size(fig, "aa", size, weight)[0]
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current, current_w = "", 0.0
        for word in paragraph.split(" "):
            word_w = text_size(fig, word, size, weight)[0]
            while word_w > max_width_in and len(word) > 4:  # split an over-long word
                cut = _longest_fitting_prefix(fig, word, size, max_width_in, weight)
                if current:
                    lines.append(current)
                lines.append(word[:cut])
                current, current_w = "", 0.0
                word = word[cut:]
                word_w = text_size(fig, word, size, weight)[0]
            if current and current_w + space + word_w > max_width_in:
                lines.append(current)
                current, current_w = word, word_w
            else:
                current_w = current_w + space + word_w if current else word_w
                current = f"{current} {word}" if current else word
        lines.append(current)
    return lines


def _longest_fitting_prefix(fig: Figure, text: str, size: float, width: float, weight: str) -> int:
    low, high = 1, len(text) - 1
    while low < high:
        mid = (low + high + 1) // 2
        if text_width(fig, text[:mid], size, weight) <= width:
            low = mid
        else:
            high = mid - 1
    return max(low, 1)


def line_height(size: float, spacing: float = 1.25) -> float:
    """Height of one text line in inches."""
    return size * spacing / 72.0
