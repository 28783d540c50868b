"""PDFs made at test time for the digitizer's PDF tests (this module holds no tests itself).

Kaplan–Meier figures are drawn by matplotlib's PDF backend (vector curves, as in a paper); the odd
files (encrypted, without pages, damaged) are written by hand, object by object.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from tests.figure_support import km_figure

#: The other page of the two-page PDF: a wide 8 x 3 inch text page.
TEXT_SIZE_IN = (8.0, 3.0)


def two_page_paper(path: Path, arms: list) -> Path:
    """A two-page PDF at ``path``: a text page (8 x 3 in), then the KM figure of ``arms`` (6 x 4 in)."""
    return write_pdf(path, text_figure(), km_figure(arms))


def text_figure() -> Figure:
    """A page of text only, as the page before a figure in a paper."""
    fig = Figure(figsize=TEXT_SIZE_IN)
    fig.text(0.1, 0.5, "Results: the figure is on the next page.", fontsize=14)
    return fig


def write_pdf(path: Path, *figures: Figure) -> Path:
    """One page per figure, in order."""
    with PdfPages(path) as pages:
        for fig in figures:
            pages.savefig(fig)
    return path


def raw_pdf(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A PDF of the numbered ``objects`` (object 1 is the catalogue), with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R " % (len(objects) + 1) + trailer + b">>\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _page_objects(width: float, height: float) -> list[bytes]:
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %g %g] >>" % (width, height),
    ]


_PAGE_OBJECTS = _page_objects(200, 100)


def one_page_pdf(width: float = 200, height: float = 100) -> bytes:
    """A blank page of ``width`` x ``height`` points."""
    return raw_pdf(_page_objects(width, height))


def no_pages_pdf() -> bytes:
    """A well-formed PDF whose page tree is empty."""
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])


def password_pdf() -> bytes:
    """A PDF under the standard security handler that no password (the empty one included) opens:
    its /U and /O entries match no key, which is what a reader sees without the right password."""
    objects = [
        *_PAGE_OBJECTS,
        b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> /P -4 >>",
    ]
    return raw_pdf(objects, b"/Encrypt 4 0 R /ID [<" + b"ab" * 16 + b"> <" + b"ab" * 16 + b">] ")


def unknown_security_pdf() -> bytes:
    """A PDF encrypted by a security handler no reader knows."""
    return raw_pdf([*_PAGE_OBJECTS, b"<< /Filter /NoSuchHandler /V 9 /R 9 >>"], b"/Encrypt 4 0 R ")
