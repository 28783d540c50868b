"""A page of a PDF as the digitizer's figure: page count, rendering at a resolution, every bad file
a one-line message naming it, provenance with the page, and ``evidence-app digitize --page``.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import date

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from evidence_app.cli import main
from evidence_app.core.digitize import image as digitize_image
from evidence_app.core.digitize.load import load_figure
from evidence_app.core.digitize.pdf import (
    DEFAULT_DPI,
    load_pdf_page,
    looks_like_pdf,
    pdf_page_count,
    render_dpi,
    rendered_size,
)
from evidence_app.core.digitize.provenance import ImageRecord, build_provenance, provenance_summary
from evidence_app.errors import InputError
from tests.figure_support import BLUE, ORANGE, km_figure, km_steps, survival_at, two_arms
from tests.pdf_support import (
    no_pages_pdf,
    one_page_pdf,
    password_pdf,
    text_figure,
    two_page_paper,
    unknown_security_pdf,
    write_pdf,
)


@pytest.fixture(scope="module")
def arms():
    return two_arms()


@pytest.fixture(scope="module")
def paper(tmp_path_factory, arms):
    return two_page_paper(tmp_path_factory.mktemp("pdf") / "paper.pdf", arms)


def test_pages_are_counted_and_rendered_at_the_resolution(paper):
    assert pdf_page_count(paper) == 2
    first, second = load_figure(paper, page=1), load_figure(paper, page=2)
    assert (first.width, first.height) == (2400, 900)  # 8 x 3 inches at the default 300 dpi
    assert (second.width, second.height) == (1800, 1200)
    assert (second.format, second.page, second.dpi) == ("PDF", 2, DEFAULT_DPI)
    assert second.pixels.dtype == np.uint8 and second.pixels.shape == (1200, 1800, 3)
    assert second.sha256 == hashlib.sha256(paper.read_bytes()).hexdigest() == first.sha256
    assert tuple(first.pixels[0, 0]) == (255, 255, 255)  # drawn on white
    low = load_figure(paper, page=2, dpi=100)
    assert (low.width, low.height, low.dpi) == (600, 400, 100.0)
    assert load_figure(paper).page == 1  # a PDF without a page number: its first page
    # the curves are there, in their colours
    colors = {tuple(c) for c in second.pixels.reshape(-1, 3)[::7]}
    assert (0x1F, 0x77, 0xB4) in colors and (0xFF, 0x7F, 0x0E) in colors


def test_page_out_of_range_names_the_file_and_the_page_count(paper):
    for page in (3, 0, -1):
        with pytest.raises(InputError) as info:
            load_figure(paper, page=page)
        assert str(info.value) == f"{paper}: There is no page {page}: the PDF has 2 pages (numbered from 1)."
        assert info.value.file == str(paper)
    with pytest.raises(InputError, match="whole number"):
        load_pdf_page(paper, page="2")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.pdf", b"These are my notes, not a PDF.", "not a readable PDF"),
        ("figure.pdf", None, "not a readable PDF"),  # a PNG saved with a .pdf name
        ("empty.pdf", b"", r"The PDF file is empty \(0 bytes\)\."),
        ("locked.pdf", password_pdf(), "protected by a password"),
        ("odd.pdf", unknown_security_pdf(), "encrypted in a way that cannot be read"),
        ("blank.pdf", no_pages_pdf(), "The PDF has no pages."),
    ],
)
def test_bad_pdfs_give_one_line_naming_the_file(tmp_path, name, content, message):
    path = tmp_path / name
    if content is None:
        Image.new("RGB", (20, 10), "white").save(path, format="PNG")
    else:
        path.write_bytes(content)
    for call in (pdf_page_count, load_figure):
        with pytest.raises(InputError, match=message) as info:
            call(path)
        text = str(info.value)
        assert text.startswith(f"{path}: ") and "\n" not in text


def test_pdf_content_is_recognised_whatever_the_name(tmp_path, paper):
    renamed = tmp_path / "figure.png"
    renamed.write_bytes(paper.read_bytes())
    assert looks_like_pdf(renamed) and load_figure(renamed, page=2).width == 1800
    assert looks_like_pdf(tmp_path / "missing.PDF") and not looks_like_pdf(tmp_path / "missing.png")
    with pytest.raises(InputError, match="PDF file does not exist"):
        load_figure(tmp_path / "missing.pdf")


def test_a_page_or_resolution_for_an_image_is_refused(tmp_path):
    png = tmp_path / "fig.png"
    Image.new("RGB", (20, 10), "white").save(png)
    assert load_figure(png).page is None and load_figure(png).dpi is None
    with pytest.raises(InputError, match="image, not a PDF: a page number applies to PDF files only"):
        load_figure(png, page=1)
    with pytest.raises(InputError, match="image, not a PDF: a resolution applies"):
        load_figure(png, dpi=300)


@pytest.mark.parametrize("dpi", [0, -300, 10, 5000, float("nan"), "high"])
def test_resolution_out_of_range_is_refused(paper, dpi):
    with pytest.raises(InputError, match="resolution must be from 36 to 1200 dpi"):
        load_figure(paper, page=2, dpi=dpi)


def test_the_pixel_guard_lowers_the_resolution_of_a_huge_page(tmp_path, monkeypatch):
    # A 200 x 200 inch poster at 300 dpi would be 3.6 gigapixels: rendered at 35 dpi instead (50 Mpx guard).
    assert render_dpi(14_400, 14_400, 300) == 35.0
    assert rendered_size(14_400, 14_400, 35) == (7_000, 7_000)
    assert render_dpi(612, 792, 300) == 300.0  # US letter fits
    for width, height, dpi in ((612, 792, 1200), (14_400, 1, 1200), (100_000, 100_000, 300), (1e6, 1e6, 36)):
        used = render_dpi(width, height, dpi)
        cols, rows = rendered_size(width, height, used)
        assert 0 < used <= dpi and cols * rows <= digitize_image.MAX_PIXELS
    # The guard applies to the real rendering too (a small guard keeps the test fast).
    monkeypatch.setattr(digitize_image, "MAX_PIXELS", 50_000)
    path = tmp_path / "page.pdf"
    path.write_bytes(one_page_pdf(600, 400))  # 2500 x 1667 pixels at 300 dpi
    figure = load_figure(path)
    assert (figure.width, figure.height, figure.dpi) == (267, 178, 32.0)  # 72 * sqrt(50000 / 240000) = 32.9


def test_renders_from_several_threads_at_once_are_correct(paper):
    expected = load_figure(paper, page=2, dpi=100).pixels
    results: list[object] = []

    def render() -> None:
        try:
            results.append(load_figure(paper, page=2, dpi=100).pixels)
        except Exception as exc:
            results.append(exc)

    threads = [threading.Thread(target=render) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 4 and all(isinstance(r, np.ndarray) and np.array_equal(r, expected) for r in results)


def test_provenance_records_the_page_and_resolution():
    image = ImageRecord("paper.pdf", "ab" * 32, 1800, 1200, page=2, dpi=300.0)
    prov = build_provenance(
        image, {"method": "axis ticks"}, None, {}, {"times": [], "table": {}}, today=date(2024, 1, 2)
    )
    assert prov["image"] == {
        "file_name": "paper.pdf",
        "sha256": "ab" * 32,
        "width": 1800,
        "height": 1200,
        "page": 2,
        "dpi": 300.0,
    }
    summary = dict(provenance_summary(prov))
    assert summary["Page"] == "2" and summary["Page rendered at"] == "300 dpi"
    png = build_provenance(ImageRecord("fig.png", "cd" * 32, 600, 400), {}, None, {}, {})
    assert png["image"]["page"] is None and png["image"]["dpi"] is None
    assert "Page rendered at" not in dict(provenance_summary(png))


# -- the command line ------------------------------------------------------------------------------
def cli(*args: str) -> int:
    return main(["digitize", *args, "--x-range", "0,24", "--y-range", "0,1"])


def test_digitize_page_two_of_a_pdf(paper, arms, tmp_path, capsys):
    out = tmp_path / "curves"
    assert cli("--image", str(paper), "--page", "2", "--out", str(out)) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and len(captured.out.splitlines()) == 2
    for color, (time, event) in zip((BLUE, ORANGE), arms):
        curve = pd.read_csv(out / f"curve_{color.lstrip('#')}.csv")
        t, s = km_steps(time, event)
        for x in (6.0, 12.0, 18.0):
            digitized = survival_at(curve["time"].to_numpy(), curve["survival"].to_numpy(), x)
            assert digitized == pytest.approx(survival_at(t, s, x), abs=0.03)


def test_digitize_a_pdf_without_page_reads_page_one_and_says_so(tmp_path, arms, capsys):
    single = write_pdf(tmp_path / "single.pdf", km_figure(arms))
    assert cli("--image", str(single), "--dpi", "150", "--out", str(tmp_path / "a")) == 0
    assert capsys.readouterr().err == ""  # one page: nothing to say
    double = write_pdf(tmp_path / "double.pdf", km_figure(arms), text_figure())
    assert cli("--image", str(double), "--out", str(tmp_path / "b")) == 0
    assert capsys.readouterr().err.strip() == (
        f"note: {double} has 2 pages; reading page 1 (choose another with --page)"
    )
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["curve_1f77b4.csv", "curve_ff7f0e.csv"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--page", "3"], "paper.pdf: There is no page 3: the PDF has 2 pages (numbered from 1)."),
        (["--page", "2", "--dpi", "5"], "error: --dpi: The resolution must be from 36 to 1200 dpi, found 5.0."),
    ],
)
def test_bad_page_or_resolution_is_one_line(paper, tmp_path, capsys, args, message):
    assert cli("--image", str(paper), *args, "--out", str(tmp_path / "o")) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].endswith(message)
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("option", ["--page", "--dpi"])
def test_page_or_dpi_for_an_image_is_refused(tmp_path, capsys, option):
    png = tmp_path / "fig.png"
    Image.new("RGB", (20, 10), "white").save(png)
    assert cli("--image", str(png), option, "2" if option == "--page" else "300", "--out", str(tmp_path / "o")) == 1
    assert capsys.readouterr().err.strip() == (
        f"error: {option}: {png} is an image, not a PDF; {option} is for PDF files only"
    )
