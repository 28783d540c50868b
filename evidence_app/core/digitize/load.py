"""Open a figure file: a PNG or JPEG image, or one page of a PDF rendered to pixels."""

from __future__ import annotations

from pathlib import Path

from evidence_app.core.digitize import pdf as digitize_pdf
from evidence_app.core.digitize.image import FigureImage, load_image
from evidence_app.errors import InputError


def load_figure(path: str | Path, page: int | None = None, dpi: float | None = None) -> FigureImage:
    """Read a PNG or JPEG figure, or render a page of a PDF, into RGB pixels.

    Parameters
    ----------
    path
        The image or PDF file. A file is read as a PDF when its name ends in ``.pdf`` or it
        starts with the PDF header (:func:`~evidence_app.core.digitize.pdf.looks_like_pdf`).
    page
        For a PDF, the page to render, from 1 (default 1). Must be None for an image.
    dpi
        For a PDF, the render resolution (default
        :data:`~evidence_app.core.digitize.pdf.DEFAULT_DPI`). Must be None for an image.

    Returns
    -------
    FigureImage
        The pixels, the file's SHA-256 and its format (and, for a PDF, the page and resolution).

    Raises
    ------
    InputError
        If the file is missing, empty, not a PNG/JPEG image or a PDF, truncated or corrupt, has a
        zero dimension, or declares more than :data:`~evidence_app.core.digitize.image.MAX_PIXELS`
        pixels; for a PDF, see :func:`~evidence_app.core.digitize.pdf.load_pdf_page`; a page or
        resolution given for an image.
    """
    file = Path(path)
    if digitize_pdf.looks_like_pdf(file):
        return digitize_pdf.load_pdf_page(
            file, 1 if page is None else page, digitize_pdf.DEFAULT_DPI if dpi is None else dpi
        )
    if page is not None or dpi is not None:
        given = "a page number" if page is not None else "a resolution"
        raise InputError(f"The file is an image, not a PDF: {given} applies to PDF files only.", file=file)
    return load_image(file)
