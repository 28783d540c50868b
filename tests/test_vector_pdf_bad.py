"""Pages and files the vector reader cannot use give one clear message, never a crash."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from evidence_app.core.digitize.vector_figure import NO_VECTOR, read_vector_figures
from evidence_app.errors import InputError
from tests.pdf_support import one_page_pdf, password_pdf, text_figure, write_pdf


def only_note(path: Path) -> str:
    [page] = read_vector_figures(path, 1)
    assert page.figures == ()
    [note] = page.notes
    return note


def test_text_page_has_no_plot(tmp_path: Path) -> None:
    assert "no plot" in only_note(write_pdf(tmp_path / "text.pdf", text_figure()))


def test_blank_page(tmp_path: Path) -> None:
    path = tmp_path / "blank.pdf"
    path.write_bytes(one_page_pdf())
    assert "empty" in only_note(path)


def test_scanned_page_falls_back_to_pixels(tmp_path: Path) -> None:
    """A KM figure rendered to pixels and placed on a page as an image: no vector curves."""
    km = Figure(figsize=(4, 3), dpi=80)
    canvas = FigureCanvasAgg(km)
    ax = km.add_subplot()
    ax.step([0, 1, 2, 3], [1.0, 0.8, 0.5, 0.4], where="post")
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())
    page = Figure(figsize=(4, 3), dpi=80)
    page.figimage(pixels, 0, 0)
    assert only_note(write_pdf(tmp_path / "scan.pdf", page)) == NO_VECTOR


def test_bar_chart_is_not_a_survival_plot(tmp_path: Path) -> None:
    fig = Figure(figsize=(5, 4))
    ax = fig.add_subplot()
    ax.bar([1, 2, 3, 4], [0.9, 0.6, 0.3, 0.2], edgecolor="black")
    ax.set_ylim(0, 1)
    note = only_note(write_pdf(tmp_path / "bars.pdf", fig))
    assert "no Kaplan–Meier curves" in note and "bar chart" in note


def test_rising_line_chart_is_not_a_survival_plot(tmp_path: Path) -> None:
    fig = Figure(figsize=(5, 4))
    ax = fig.add_subplot()
    ax.plot([0, 1, 2, 3, 4], [0.0, 0.1, 0.3, 0.35, 0.5])
    note = only_note(write_pdf(tmp_path / "line.pdf", fig))
    assert "no Kaplan–Meier curves" in note


def test_rising_steps_are_read_as_cumulative_incidence(tmp_path: Path) -> None:
    fig = Figure(figsize=(5, 4))
    ax = fig.add_subplot()
    ax.step([0, 1, 2, 3, 4], [0.0, 0.1, 0.3, 0.35, 0.5], where="post")
    ax.set_xlim(0, 4)
    ax.set_ylim(0, 0.6)
    [page] = read_vector_figures(write_pdf(tmp_path / "incidence.pdf", fig), 1)
    [figure] = page.figures
    [curve] = figure.curves
    assert any("cumulative incidence" in n for n in figure.notes)
    assert np.allclose(curve.survival[[0, -1]], [1.0, 0.5], atol=1e-4)
    assert np.all(np.diff(curve.survival) <= 0)


def test_password_protected(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(password_pdf())
    with pytest.raises(InputError, match="password") as info:
        read_vector_figures(path)
    assert info.value.file == str(path)


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", b"", b"\x89PNG\r\n\x1a\n" + bytes(200)],
    ids=["cut", "empty", "png"],
)
def test_broken_file(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(data)
    with pytest.raises(InputError) as info:
        read_vector_figures(path)
    assert info.value.file == str(path)


def test_missing_page_and_file(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "text.pdf", text_figure())
    with pytest.raises(InputError, match="no page 3: the PDF has 1 page"):
        read_vector_figures(path, 3)
    with pytest.raises(InputError):
        read_vector_figures(tmp_path / "absent.pdf")


def test_every_page_when_none_given(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "two.pdf", text_figure(), text_figure())
    assert [p.page for p in read_vector_figures(path)] == [1, 2]


@pytest.mark.parametrize("seed", range(8))
def test_odd_drawings_never_crash(tmp_path: Path, seed: int) -> None:
    """Random mixes of step lines, markers, numbers, bars, lone axis lines, reversed or log axes:
    figures or notes, never an exception."""
    rng = np.random.default_rng(seed)
    fig = Figure(figsize=(5, 4))
    ax = fig.add_subplot()
    for _ in range(int(rng.integers(1, 6))):
        kind, n = int(rng.integers(0, 5)), int(rng.integers(1, 30))
        if kind == 0:
            ax.step(np.sort(rng.uniform(0, 10, n)), np.sort(rng.uniform(0, 1, n))[::-1], where="post")
        elif kind == 1:
            ax.plot(rng.uniform(0, 10, n), rng.uniform(0, 1, n), "+")
        elif kind == 2:
            for _ in range(n):
                ax.text(rng.uniform(0, 10), rng.uniform(-0.5, 1), str(rng.integers(0, 500)), fontsize=6)
        elif kind == 3:
            ax.bar(rng.uniform(0, 10, 3), rng.uniform(0, 1, 3))
        else:
            ax.plot([0, 0], [0, 1])
    if seed % 3 == 1:
        ax.set_xlim(10, 0)
    if seed % 4 == 2:
        ax.set_yscale("log")
    [page] = read_vector_figures(write_pdf(tmp_path / "odd.pdf", fig), 1)
    assert page.figures or page.notes
