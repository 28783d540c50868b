"""Malformed PDFs given to the digitizer: each is refused with one message naming the file, or (when
PDFium can repair it) rendered within the pixel guard; nothing else ever escapes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence_app.core.digitize import image as digitize_image
from evidence_app.core.digitize.load import load_figure
from evidence_app.core.digitize.pdf import pdf_page_count
from evidence_app.errors import InputError
from tests.figure_support import km_figure, simulate
from tests.pdf_support import (
    no_pages_pdf,
    one_page_pdf,
    password_pdf,
    raw_pdf,
    unknown_security_pdf,
    write_pdf,
)
from tests.robustness.test_bad_files import png_bytes

CATALOG, ONE_KID = b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"


@pytest.fixture(scope="module")
def good_pdf(tmp_path_factory) -> bytes:
    return write_pdf(tmp_path_factory.mktemp("good") / "km.pdf", km_figure([simulate(1, 0.06)])).read_bytes()


#: name -> (content, fragment of the message); None stands for the first half of a good PDF.
REFUSED: dict[str, tuple[bytes | None, str]] = {
    "empty.pdf": (b"", "empty"),
    "text.pdf": (b"hello, this is text", "not a readable PDF"),
    "png-named.pdf": (png_bytes(20, 10), "not a readable PDF"),
    "header-only.pdf": (b"%PDF-1.7\n", "not a readable PDF"),
    "junk-after-header.pdf": (b"%PDF-1.7\n" + bytes(range(256)) * 4, "not a readable PDF"),
    "first-half.pdf": (None, "not a readable PDF"),
    "no-catalogue.pdf": (
        raw_pdf([b"<< /Type /Pages /Kids [] /Count 0 >>"]).replace(b"/Root 1 0 R ", b""),
        "not a readable PDF",
    ),
    "no-pages.pdf": (no_pages_pdf(), "no pages"),
    "password.pdf": (password_pdf(), "password"),
    "unknown-encryption.pdf": (unknown_security_pdf(), "encrypted"),
    "page-tree-loop.pdf": (raw_pdf([CATALOG, b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"]), "damaged"),
    "pdf-named.png": (b"%PDF-1.4 this is not a png", "not a readable PDF"),
}

#: Files PDFium reads despite their faults (a default page size, a lying count, a bad stream).
REPAIRABLE: dict[str, bytes] = {
    "no-mediabox.pdf": raw_pdf([CATALOG, ONE_KID, b"<< /Type /Page /Parent 2 0 R >>"]),
    "zero-mediabox.pdf": one_page_pdf(0, 0),
    "negative-mediabox.pdf": one_page_pdf(-200, -100),
    "tiny-page.pdf": one_page_pdf(0.01, 0.01),
    "count-lies.pdf": raw_pdf(
        [
            CATALOG,
            b"<< /Type /Pages /Kids [3 0 R] /Count 1000000 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>",
        ]
    ),
    "broken-stream.pdf": raw_pdf(
        [
            CATALOG,
            ONE_KID,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R >>",
            b"<< /Length 999 /Filter /FlateDecode >>\nstream\nxxxxxxxx\nendstream",
        ]
    ),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_bad_pdfs_are_refused(tmp_path, count_case, good_pdf, name):
    content, fragment = REFUSED[name]
    count_case()
    path = tmp_path / name
    path.write_bytes(good_pdf[: len(good_pdf) // 2] if content is None else content)
    with pytest.raises(InputError) as info:
        load_figure(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and fragment in message and "\n" not in message


@pytest.mark.parametrize("name", sorted(REPAIRABLE))
def test_repairable_pdfs_render_within_the_guard(tmp_path, count_case, name):
    count_case()
    path = tmp_path / name
    path.write_bytes(REPAIRABLE[name])
    figure = load_figure(path)
    assert figure.page == 1 and 0 < figure.width * figure.height <= digitize_image.MAX_PIXELS
    with pytest.raises(InputError, match=f"{path.name}: (There is no page 7|Page 7 cannot be read)"):
        load_figure(path, page=7)


def test_poster_page_is_rendered_at_a_lower_resolution(tmp_path, count_case, monkeypatch):
    count_case()
    monkeypatch.setattr(digitize_image, "MAX_PIXELS", 4_000_000)  # the real guard, scaled down for speed
    path = tmp_path / "poster.pdf"
    path.write_bytes(one_page_pdf(14_400, 14_400))  # 200 x 200 inches, the largest page PDF allows
    figure = load_figure(path)
    assert (figure.width, figure.height, figure.dpi) == (2000, 2000, 10.0)


def test_a_file_that_disappears_or_cannot_be_read(tmp_path, count_case):
    count_case(2)
    with pytest.raises(InputError, match="does not exist"):
        pdf_page_count(tmp_path / "gone.pdf")
    folder = tmp_path / "folder.pdf"
    folder.mkdir()
    with pytest.raises(InputError, match="this is a folder"):
        load_figure(folder)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_damaged_copies_of_a_good_pdf_never_crash(tmp_path_factory, count_case, good_pdf, data):
    """Truncations and overwritten byte runs: an image within the guard, or an InputError."""
    count_case()
    content = bytearray(good_pdf)
    if data.draw(st.booleans(), label="truncate"):
        content = content[: data.draw(st.integers(1, len(content) - 1), label="length")]
    for _ in range(data.draw(st.integers(0, 4), label="edits")):
        start = data.draw(st.integers(0, len(content) - 1), label="at")
        junk = data.draw(st.binary(min_size=1, max_size=16), label="junk")
        content[start : start + len(junk)] = junk
    path = Path(tmp_path_factory.mktemp("fuzz")) / "damaged.pdf"
    path.write_bytes(bytes(content))
    try:
        figure = load_figure(path, dpi=72)
    except InputError as exc:
        assert str(exc).startswith(f"{path}: ") and "\n" not in str(exc)
    else:
        assert figure.pixels.dtype == np.uint8 and figure.width * figure.height <= digitize_image.MAX_PIXELS
