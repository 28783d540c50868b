"""The drawing objects of one PDF page: stroked paths with their colour and dash pattern, words
with their boxes and colour, and how much of the page is raster images (PDFium via pypdfium2).

A journal PDF usually draws a Kaplan–Meier figure as vector paths and prints its tick labels,
legend and numbers at risk as text. This module reads those objects into plain data in page
coordinates (points, origin at the bottom left, y upwards): everything the figure reader of
:mod:`~evidence_app.core.digitize.vector_figure` needs, with no rendering.

Why PDFium: it is already the page renderer (:mod:`~evidence_app.core.digitize.pdf`), it gives
path segments, the graphics state (stroke colour, width, dash array), form XObjects (which is how
markers such as censor ticks are often drawn) and text with per-character boxes and fill colour.
On the test corpus it reads a page in a few milliseconds (``benchmarks/vector_pdf_accuracy.py``
compares it with pdfplumber when that is installed).
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from evidence_app.core.digitize import pdf as pdf_module
from evidence_app.core.digitize.image import read_figure_file
from evidence_app.errors import InputError

#: Nesting of form XObjects followed (markers are one level deep; deeper nesting is rare).
MAX_FORM_DEPTH = 4
#: Largest form XObject, in points, read as a stamped marker from its bounds (see ``_marker_form``).
MAX_MARKER = 12.0
#: Characters farther apart than this fraction of the font size start a new word (the gap between
#: the advance boxes of two letters of a word is about 0; a space is 0.25-0.3 em).
WORD_GAP = 0.15
Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True, eq=False)
class PathItem:
    """One path object: its subpaths as point arrays in page coordinates and its graphics state.

    ``colour`` is the stroke colour as ``#rrggbb`` (``fill`` the fill colour); ``dash`` the dash
    array in points (empty for a solid line); ``in_form`` is true for paths drawn inside a form
    XObject (how many programs draw repeated markers).
    """

    subpaths: tuple[np.ndarray, ...]
    colour: str
    fill: str
    stroked: bool
    filled: bool
    width: float
    dash: tuple[float, ...]
    curved: bool
    in_form: bool

    @cached_property
    def bbox(self) -> tuple[float, float, float, float]:
        """``(x0, y0, x1, y1)`` over all points."""
        points = np.concatenate(self.subpaths)
        return (
            float(points[:, 0].min()),
            float(points[:, 1].min()),
            float(points[:, 0].max()),
            float(points[:, 1].max()),
        )

    @property
    def style(self) -> tuple[str, tuple[float, ...]]:
        """What tells curves apart: stroke colour and dash pattern."""
        return self.colour, self.dash


@dataclass(frozen=True)
class Word:
    """A run of characters on one baseline with no wide gap: ``text``, its box and fill colour."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    colour: str

    @property
    def cx(self) -> float:
        return 0.5 * (self.x0 + self.x1)

    @property
    def cy(self) -> float:
        return 0.5 * (self.y0 + self.y1)

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass(frozen=True)
class PageContent:
    """What one page draws: paths, words, and the share of the page covered by raster images."""

    number: int
    width: float
    height: float
    paths: tuple[PathItem, ...]
    words: tuple[Word, ...]
    image_area: float


def read_page_content(path: str | Path, page: int | None = None) -> list[PageContent]:
    """The drawing objects of page ``page`` (1-based), or of every page when ``page`` is None.

    Raises
    ------
    InputError
        For a file that is missing, not a PDF, damaged, protected by a password, or without the page.
    """
    file = Path(path)
    data = read_figure_file(file, "PDF")
    with pdf_module._PDFIUM:
        document = pdf_module._open(data, file)
        try:
            count = len(document)
            if page is not None and not 1 <= page <= count:
                pages = "1 page" if count == 1 else f"{count} pages"
                raise InputError(f"There is no page {page}: the PDF has {pages} (numbered from 1).", file=file)
            numbers = range(1, count + 1) if page is None else [page]
            return [_read(pdf_module._page(document, n, file), n, file) for n in numbers]
        finally:
            document.close()


def _read(pdf_page: Any, number: int, file: Path) -> PageContent:
    import pypdfium2 as pdfium

    try:
        width, height = pdf_page.get_size()
        paths: list[PathItem] = []
        image_area = _walk(pdf_page.raw, _IDENTITY, 0, paths, page_level=True)
        words = _words(pdf_page)
    except pdfium.PdfiumError as exc:
        raise InputError(f"Page {number} cannot be read; the PDF is damaged ({exc}).", file=file) from exc
    finally:
        pdf_page.close()
    area = max(width * height, 1e-9)
    return PageContent(number, float(width), float(height), tuple(paths), tuple(words), min(image_area / area, 1.0))


def _walk(container: Any, outer: Matrix, depth: int, paths: list[PathItem], page_level: bool) -> float:
    """Collect the paths of a page (or form) into ``paths``; return the area covered by images."""
    import pypdfium2.raw as c

    count = c.FPDFPage_CountObjects(container) if page_level else c.FPDFFormObj_CountObjects(container)
    image_area = 0.0
    for i in range(count):
        obj = c.FPDFPage_GetObject(container, i) if page_level else c.FPDFFormObj_GetObject(container, i)
        kind = c.FPDFPageObj_GetType(obj)
        if kind == c.FPDF_PAGEOBJ_PATH:
            item = _path(obj, _compose(_matrix(obj), outer), depth > 0)
            if item is not None:
                paths.append(item)
        elif kind == c.FPDF_PAGEOBJ_FORM and depth < MAX_FORM_DEPTH:
            marker = _marker_form(obj, outer)
            if marker is not None:
                paths.append(marker)
            else:
                image_area += _walk(obj, _compose(_matrix(obj), outer), depth + 1, paths, page_level=False)
        elif kind == c.FPDF_PAGEOBJ_IMAGE:
            box = [ctypes.c_float() for _ in range(4)]
            if c.FPDFPageObj_GetBounds(obj, *box):
                left, bottom, right, top = (v.value for v in box)
                image_area += max(right - left, 0.0) * max(top - bottom, 0.0)
    return image_area


def _marker_form(obj: Any, outer: Matrix) -> PathItem | None:
    """A small form of one or two paths (how programs stamp a censor mark at each place) read from
    its bounds alone: a vertical or horizontal tick or a cross at the right centre and size, in the
    stroke of its first path. Reading every segment of thousands of stamps would take seconds."""
    import pypdfium2.raw as c

    count = c.FPDFFormObj_CountObjects(obj)
    box = [ctypes.c_float() for _ in range(4)]
    if not 1 <= count <= 2 or not c.FPDFPageObj_GetBounds(obj, *box):
        return None
    left, bottom, right, top = (v.value for v in box)
    if max(right - left, top - bottom) > MAX_MARKER:
        return None
    children = [c.FPDFFormObj_GetObject(obj, k) for k in range(count)]
    if any(c.FPDFPageObj_GetType(child) != c.FPDF_PAGEOBJ_PATH for child in children):
        return None
    first = children[0]
    fill_mode, stroke, width = ctypes.c_int(), ctypes.c_int(), ctypes.c_float()
    c.FPDFPath_GetDrawMode(first, fill_mode, stroke)
    c.FPDFPageObj_GetStrokeWidth(first, width)
    line = float(width.value) if stroke.value else 0.0
    # PDFium's bounds reach one line width past the stroke's centre line on each side.
    cx, cy = 0.5 * (left + right), 0.5 * (bottom + top)
    half_w, half_h = max(right - left - 2 * line, 0.0) / 2, max(top - bottom - 2 * line, 0.0) / 2
    across = ((cx - half_w, cy), (cx + half_w, cy))
    upright = ((cx, cy - half_h), (cx, cy + half_h))
    shapes = (upright,) if half_w < 0.15 else (across,) if half_h < 0.15 else (across, upright)
    a, b, cc, d, e, f = outer
    subpaths = tuple(np.array([[x * a + y * cc + e, x * b + y * d + f] for x, y in shape]) for shape in shapes)
    return _item(first, subpaths, (fill_mode.value != 0, bool(stroke.value)), line, (), False, True)


def _matrix(obj: Any) -> Matrix:
    import pypdfium2.raw as c

    m = c.FS_MATRIX()
    if not c.FPDFPageObj_GetMatrix(obj, m):
        return _IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _compose(inner: Matrix, outer: Matrix) -> Matrix:
    """The matrix applying ``inner`` first, then ``outer`` (PDF row-vector convention)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


_RGBA = [ctypes.c_uint() for _ in range(4)]  # reused: every PDFium call holds the one lock


def _colour(getter: Any, obj: Any) -> str:
    if not getter(obj, *_RGBA):
        return "#000000"
    return f"#{_RGBA[0].value & 255:02x}{_RGBA[1].value & 255:02x}{_RGBA[2].value & 255:02x}"


def _path(obj: Any, matrix: Matrix, in_form: bool) -> PathItem | None:
    import pypdfium2.raw as c

    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    if not c.FPDFPath_GetDrawMode(obj, fill_mode, stroke):
        return None
    n = c.FPDFPath_CountSegments(obj)
    if n < 2:
        return None
    raw = np.empty((n, 2))
    starts = []
    curved = False
    x, y = ctypes.c_float(), ctypes.c_float()
    for i in range(n):
        segment = c.FPDFPath_GetPathSegment(obj, i)
        c.FPDFPathSegment_GetPoint(segment, x, y)
        raw[i] = x.value, y.value
        kind = c.FPDFPathSegment_GetType(segment)
        if kind == c.FPDF_SEGMENT_MOVETO:
            starts.append(i)
        curved = curved or kind == c.FPDF_SEGMENT_BEZIERTO
    a, b, cc, d, e, f = matrix
    points = np.column_stack((raw[:, 0] * a + raw[:, 1] * cc + e, raw[:, 0] * b + raw[:, 1] * d + f))
    bounds = [*(s for s in starts if s > 0), n]
    first = starts[0] if starts and starts[0] == 0 else 0
    subpaths = tuple(points[lo:hi] for lo, hi in zip([first, *bounds[:-1]], bounds) if hi - lo >= 1)
    width = ctypes.c_float()
    c.FPDFPageObj_GetStrokeWidth(obj, width)
    scale = float(np.sqrt(abs(a * d - b * cc))) or 1.0
    dash_count = max(int(c.FPDFPageObj_GetDashCount(obj)), 0)
    dash: tuple[float, ...] = ()
    if dash_count:
        array = (ctypes.c_float * dash_count)()
        if c.FPDFPageObj_GetDashArray(obj, array, dash_count):
            dash = tuple(round(float(v) * scale, 2) for v in array)
        if not any(dash):
            dash = ()
    return _item(
        obj, subpaths, (fill_mode.value != 0, bool(stroke.value)), float(width.value) * scale, dash, curved, in_form
    )


def _item(
    obj: Any,
    subpaths: tuple[np.ndarray, ...],
    modes: tuple[bool, bool],
    width: float,
    dash: tuple[float, ...],
    curved: bool,
    in_form: bool,
) -> PathItem:
    """A :class:`PathItem` with the stroke and fill colours of ``obj``; ``modes`` is (filled, stroked)."""
    import pypdfium2.raw as c

    stroke, fill = _colour(c.FPDFPageObj_GetStrokeColor, obj), _colour(c.FPDFPageObj_GetFillColor, obj)
    return PathItem(subpaths, stroke, fill, modes[1], modes[0], width, dash, curved, in_form)


@dataclass(frozen=True)
class _Char:
    text: str
    left: float
    bottom: float
    right: float
    top: float
    baseline: float
    size: float
    colour: str


def _words(pdf_page: Any) -> list[Word]:
    """Characters grouped into words: one baseline, one colour, and a gap narrower than a space.

    Boxes are PDFium's loose character boxes (advance width, font ascent to descent), so a word's
    box is where the program placed the text: a centred label is centred on its anchor.
    """
    import pypdfium2.raw as c

    text_page = pdf_page.get_textpage()
    try:
        words: list[Word] = []
        current: list[_Char] = []
        rect = c.FS_RECTF()
        box = [ctypes.c_double() for _ in range(4)]
        origin = [ctypes.c_double() for _ in range(2)]
        rgba = [ctypes.c_uint() for _ in range(4)]
        raw = text_page.raw
        for i in range(c.FPDFText_CountChars(raw)):
            text = chr(c.FPDFText_GetUnicode(raw, i) or 32)
            if c.FPDFText_IsGenerated(raw, i) == 1 or text.isspace():
                _flush(current, words)
                continue
            if c.FPDFText_GetLooseCharBox(raw, i, rect):  # advance width by ascent to descent
                left, right, bottom, top = rect.left, rect.right, rect.bottom, rect.top
            else:
                c.FPDFText_GetCharBox(raw, i, box[0], box[1], box[2], box[3])
                left, right, bottom, top = (v.value for v in box)
            c.FPDFText_GetCharOrigin(raw, i, origin[0], origin[1])
            colour = "#000000"
            if c.FPDFText_GetFillColor(raw, i, *rgba):
                colour = "#{:02x}{:02x}{:02x}".format(*(v.value & 255 for v in rgba[:3]))
            size = float(c.FPDFText_GetFontSize(raw, i)) or max(top - bottom, 1.0)
            char = _Char(text, left, bottom, right, top, origin[1].value, size, colour)
            if current and not _same_word(current[-1], char):
                _flush(current, words)
            current.append(char)
        _flush(current, words)
        return words
    finally:
        text_page.close()


def _same_word(prev: _Char, char: _Char) -> bool:
    size = max(prev.size, char.size, 1.0)
    if char.colour != prev.colour or abs(char.baseline - prev.baseline) > 0.25 * size:
        return False
    return -0.5 * size < char.left - prev.right < WORD_GAP * size


def _flush(chars: list[_Char], words: list[Word]) -> None:
    if chars:
        text = "".join(ch.text for ch in chars)
        left, bottom = min(ch.left for ch in chars), min(ch.bottom for ch in chars)
        right, top = max(ch.right for ch in chars), max(ch.top for ch in chars)
        words.append(Word(text, left, bottom, right, top, chars[0].colour))
        chars.clear()
