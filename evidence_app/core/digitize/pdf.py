"""Render one page of a PDF as a figure image, safely (PDFium through pypdfium2).

Users digitize Kaplan–Meier figures from the PDFs of papers. A page is rasterized at a chosen
resolution (:data:`DEFAULT_DPI`) into the same :class:`~evidence_app.core.digitize.image.FigureImage`
a PNG gives, carrying the page number and the resolution for provenance. Page numbers are 1-based,
as a PDF viewer shows them.

Every way the file can be wrong ends in an :class:`~evidence_app.errors.InputError` naming it: not
a PDF or damaged, protected by a password, without pages, no such page. The image guard of
:mod:`~evidence_app.core.digitize.image` applies to rendered pages: the resolution is lowered so a
page never exceeds :data:`~evidence_app.core.digitize.image.MAX_PIXELS`.

PDFium is not thread-safe, so every call into it holds one process-wide lock.
"""

from __future__ import annotations

import hashlib
import math
import os
import stat
import threading
from pathlib import Path
from typing import Any

import numpy as np

from evidence_app.core.digitize import image as digitize_image
from evidence_app.core.digitize.image import FigureImage, read_figure_file
from evidence_app.errors import InputError

#: Render resolution of a page, in dots per inch. A 6 x 4 inch figure becomes 1800 x 1200 pixels.
DEFAULT_DPI = 300.0
#: Resolutions a user may ask for (a page may still be rendered below ``MIN_DPI`` to fit the guard).
MIN_DPI, MAX_DPI = 36.0, 1200.0
#: PDF units per inch (PDF user space).
POINTS_PER_INCH = 72.0
#: Scale factor shaved by a billionth, so a page of 432 points at 300 dpi is 1800 pixels wide and
#: not 1801 (432 * 300 / 72 is 1800.0000000000002 in floating point; PDFium rounds sizes up).
_SHAVE = 1.0 - 1e-9
_MAGIC = b"%PDF-"
_PDFIUM = threading.Lock()
_DAMAGED = "The file is not a readable PDF (is it damaged, or another format with a .pdf name?)."


def looks_like_pdf(path: str | Path) -> bool:
    """True for a ``.pdf`` file name, or a file whose first kilobyte holds the PDF header.

    A missing or unreadable file counts by its name only; loading it then reports the problem.
    """
    file = Path(path)
    if file.suffix.lower() == ".pdf":
        return True
    try:
        if not stat.S_ISREG(os.stat(file).st_mode):
            return False  # a FIFO or device is never opened here (it could block or never end)
        with open(file, "rb") as handle:
            return _MAGIC in handle.read(1024)
    except (OSError, ValueError):
        return False


def pdf_page_count(path: str | Path) -> int:
    """Number of pages of a PDF.

    Parameters
    ----------
    path
        The PDF file.

    Returns
    -------
    int
        At least 1.

    Raises
    ------
    InputError
        If the file is missing, empty, too big, not a readable PDF, protected by a password or
        without pages.
    """
    file = Path(path)
    data = read_figure_file(file, "PDF")
    with _PDFIUM:
        document = _open(data, file)
        try:
            return len(document)
        finally:
            document.close()


def load_pdf_page(path: str | Path, page: int = 1, dpi: float = DEFAULT_DPI) -> FigureImage:
    """Render page ``page`` (1-based) of a PDF into RGB pixels.

    Parameters
    ----------
    path
        The PDF file.
    page
        The page number, from 1.
    dpi
        Resolution, between :data:`MIN_DPI` and :data:`MAX_DPI`. It is lowered (to a whole
        number of dpi) when the page would exceed the image guard.

    Returns
    -------
    FigureImage
        Format ``"PDF"``, the SHA-256 of the whole file, ``page`` and the ``dpi`` actually used.

    Raises
    ------
    InputError
        For the problems of :func:`pdf_page_count`, a page that does not exist (the message
        gives the number of pages), a page of zero size, a resolution out of range or a page
        that cannot be rendered.
    """
    file = Path(path)
    if isinstance(page, bool) or not isinstance(page, (int, np.integer)):
        raise InputError(f"The page number must be a whole number, found {page!r}.", file=file)
    wanted = check_dpi(dpi, file)
    data = read_figure_file(file, "PDF")
    with _PDFIUM:
        document = _open(data, file)
        try:
            count = len(document)
            if not 1 <= page <= count:
                raise InputError(f"There is no page {page}: the PDF has {_pages(count)} (numbered from 1).", file=file)
            pdf_page = _page(document, int(page), file)
            try:
                width, height = pdf_page.get_size()
                if not (width > 0 and height > 0):
                    raise InputError(f"Page {page} has zero size ({width:g} x {height:g} points).", file=file)
                used = render_dpi(width, height, wanted)
                pixels = _render(pdf_page, used, file, int(page))
            finally:
                pdf_page.close()
        finally:
            document.close()
    return FigureImage(pixels, hashlib.sha256(data).hexdigest(), str(file), "PDF", page=int(page), dpi=used)


def check_dpi(dpi: Any, file: str | Path | None = None) -> float:
    """``dpi`` as a float between :data:`MIN_DPI` and :data:`MAX_DPI`, or :class:`InputError`."""
    try:
        value = float(dpi)
    except (TypeError, ValueError):
        value = math.nan
    if not MIN_DPI <= value <= MAX_DPI:
        raise InputError(f"The resolution must be from {MIN_DPI:g} to {MAX_DPI:g} dpi, found {dpi!r}.", file=file)
    return value


def rendered_size(width_pt: float, height_pt: float, dpi: float) -> tuple[int, int]:
    """``(width, height)`` in pixels of a ``width_pt`` x ``height_pt`` page rendered at ``dpi``:
    ``points * dpi / 72`` per side, rounded up."""
    scale = dpi / POINTS_PER_INCH * _SHAVE
    return math.ceil(width_pt * scale), math.ceil(height_pt * scale)


def render_dpi(width_pt: float, height_pt: float, dpi: float, max_pixels: int | None = None) -> float:
    """The resolution to render a ``width_pt`` x ``height_pt`` page at: ``dpi``, or less when the
    page would exceed ``max_pixels`` (default :data:`~evidence_app.core.digitize.image.MAX_PIXELS`).

    A lowered resolution is a whole number of dpi where possible (see :func:`rendered_size`).
    """
    limit = digitize_image.MAX_PIXELS if max_pixels is None else max_pixels

    def pixels(d: float) -> int:
        cols, rows = rendered_size(width_pt, height_pt, d)
        return cols * rows

    if pixels(dpi) <= limit:
        return float(dpi)
    capped = POINTS_PER_INCH * math.sqrt(limit / (width_pt * height_pt))
    capped = float(math.floor(capped)) if capped >= 2 else capped
    while capped > 0 and pixels(capped) > limit:
        capped = math.floor(capped - 1) if capped >= 2 else capped * 0.9
    return float(capped)


# -- PDFium ----------------------------------------------------------------------------------------
def _open(data: bytes, file: Path) -> Any:
    """Open ``data`` (which the caller keeps alive until the document is closed), under the lock."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    handle = pdfium_c.FPDF_LoadMemDocument64(data, len(data), None)
    if not handle:
        code = pdfium_c.FPDF_GetLastError()
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            message = (
                "The PDF is protected by a password; save a copy without the password "
                "(e.g. print it to a new PDF) and open that."
            )
        elif code == pdfium_c.FPDF_ERR_SECURITY:
            message = "The PDF is encrypted in a way that cannot be read; save an unencrypted copy and open that."
        else:
            message = _DAMAGED
        raise InputError(message, file=file)
    document = pdfium.PdfDocument(handle)
    if len(document) < 1:
        document.close()
        raise InputError("The PDF has no pages.", file=file)
    return document


def _page(document: Any, number: int, file: Path) -> Any:
    """Page ``number`` (1-based) of an open document, under the lock."""
    import pypdfium2 as pdfium

    try:
        return document[number - 1]
    except pdfium.PdfiumError as exc:
        raise InputError(f"Page {number} cannot be read; the PDF is damaged ({_reason(exc)}).", file=file) from exc


def _render(pdf_page: Any, dpi: float, file: Path, number: int) -> np.ndarray:
    """The page drawn on white at ``dpi`` as an ``(h, w, 3)`` ``uint8`` RGB array."""
    import pypdfium2 as pdfium

    try:
        bitmap = pdf_page.render(scale=dpi / POINTS_PER_INCH * _SHAVE, rev_byteorder=True, may_draw_forms=False)
    except (pdfium.PdfiumError, MemoryError, ValueError) as exc:
        raise InputError(f"Page {number} could not be rendered at {dpi:g} dpi ({_reason(exc)}).", file=file) from exc
    try:
        array = bitmap.to_numpy()
        if array.ndim == 2:  # a greyscale bitmap
            array = np.repeat(array[:, :, None], 3, axis=2)
        return np.array(array[:, :, :3], dtype=np.uint8, order="C", copy=True)  # the bitmap's memory is freed
    finally:
        bitmap.close()


def _reason(exc: BaseException) -> str:
    return str(exc).rstrip(".") or type(exc).__name__


def _pages(count: int) -> str:
    return "1 page" if count == 1 else f"{count} pages"
