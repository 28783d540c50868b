"""Write a figure to PNG, SVG or PDF, atomically, with its fonts embedded.

Font choices (all text is DejaVu Sans, which ships with matplotlib, so nothing is downloaded):

* **PDF: TrueType (Type 42) embedding** (``pdf.fonttype = 42``). Journals reject the Type 3
  fonts matplotlib writes by default; Type 42 keeps the text selectable and searchable and
  editable in Illustrator/Inkscape, and the subset of glyphs is inside the file.
* **SVG: text as paths** (``svg.fonttype = "path"``). SVG cannot embed a font portably; with
  ``"none"`` the viewer substitutes whatever sans-serif it has, which changes text widths and can
  re-create the overlaps the layout carefully avoided (and the superscript footnote letters may
  be missing). Paths render identically everywhere; the cost is that text in the SVG is not
  editable as text — use the PDF for that.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

import matplotlib
from matplotlib.figure import Figure

from evidence_app.core.atomic import write_atomic
from evidence_app.errors import ExportError

FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
SAVE_RC: dict[str, Any] = {
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.fonttype": "path",
    "svg.hashsalt": "evidence-app",  # stable ids: the same figure gives the same SVG file
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
}


def figure_format(path: str | Path) -> str:
    """``png``, ``svg`` or ``pdf`` from the file extension, or an :class:`ExportError`."""
    suffix = Path(path).suffix.lower()
    try:
        return FORMATS[suffix]
    except KeyError:
        given = f"'{suffix}'" if suffix else "no extension"
        raise ExportError(
            f"Cannot save a figure as {Path(path).name}: {given} is not a figure format; use .png, .svg or .pdf."
        ) from None


def save_figure(fig: Figure, path: str | Path, *, dpi: int = 300, overwrite: bool = False) -> Path:
    """Save ``fig`` to ``path`` (format from the extension), written atomically.

    Parameters
    ----------
    dpi
        Resolution of PNG files (ignored by the vector formats except for embedded images).
    overwrite
        Replace an existing file; otherwise an existing ``path`` is an :class:`ExportError`.

    Raises
    ------
    ExportError
        Unknown extension, a dpi outside 50–1200, an existing file without ``overwrite``, or a
        folder that does not exist or cannot be written.
    """
    fmt = figure_format(path)
    if not 50 <= dpi <= 1200:
        raise ExportError(f"dpi {dpi} is outside 50–1200; journals usually ask for 300 (600 for line art).")
    # A None value tells matplotlib to leave the key out of the file.
    metadata: dict[str, str | None] = {"Creator": "evidence-app"} if fmt != "png" else {"Software": "evidence-app"}
    if fmt == "pdf":
        metadata["CreationDate"] = None  # reproducible files: no timestamp
    elif fmt == "svg":
        metadata["Date"] = None

    def render(handle: BinaryIO) -> None:
        with matplotlib.rc_context(SAVE_RC):
            fig.savefig(handle, format=fmt, dpi=dpi, facecolor="white", metadata=metadata)

    return write_atomic(path, render, overwrite=overwrite)
