"""``evidence-app digitize PAPER.pdf --auto``: files per arm, the report, --reconstruct, several
figures, refusals and clear messages for pages and files it cannot read."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from evidence_app.cli.entry import main
from tests.pdf_corpus import CorpusPage, PageSpec, draw_page
from tests.pdf_support import password_pdf, text_figure, write_pdf


@pytest.fixture(scope="module")
def paper(tmp_path_factory: pytest.TempPathFactory) -> CorpusPage:
    return draw_page(PageSpec("nejm", 61), tmp_path_factory.mktemp("cli") / "paper.pdf")


def test_auto_writes_arm_files_and_report(
    tmp_path: Path, paper: CorpusPage, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["digitize", str(paper.path), "--auto", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "matched by label" in printed and f"to {out}" in printed
    for arm in paper.figures[0].arms:
        stem = arm.label.lower()
        at_risk = pd.read_csv(out / f"{stem}_at_risk.csv")
        assert tuple(at_risk["n_at_risk"]) == arm.at_risk
        curve = pd.read_csv(out / f"{stem}_curve.csv")
        assert curve["survival"].iloc[-1] == pytest.approx(arm.step_s[-1], abs=1e-5)
        censored = pd.read_csv(out / f"{stem}_censor_times.csv")["time"]
        assert len(censored) == len(arm.censor_times)
    report = json.loads((out / "report.json").read_text())
    assert report["file"] == "paper.pdf" and len(report["arms"]) == 2
    assert not (out / "dataset.json").exists()


def test_reconstruct_and_refuse_to_overwrite(
    tmp_path: Path, paper: CorpusPage, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["digitize", "--image", str(paper.path), "--page", "1", "--auto", "--reconstruct", "--out", str(tmp_path)]
    assert main(args) == 0
    for arm in paper.figures[0].arms:
        ipd = pd.read_csv(tmp_path / f"{arm.label.lower()}_ipd.csv")
        assert len(ipd) == arm.at_risk[0] and set(ipd["event"]) <= {0, 1}
    assert json.loads((tmp_path / "dataset.json").read_text())["curve"]["kind"] == "digitized"
    before = (tmp_path / "report.json").stat().st_mtime_ns
    capsys.readouterr()
    assert main(args) == 1
    assert "already exist" in capsys.readouterr().err and (tmp_path / "report.json").stat().st_mtime_ns == before
    assert main([*args, "--force"]) == 0


def test_two_figures_go_to_their_own_folders(tmp_path: Path) -> None:
    page = draw_page(PageSpec("lancet", 62, panels=2), tmp_path / "two.pdf")
    assert main(["digitize", str(page.path), "--auto", "--out", str(tmp_path / "out")]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["page1_figure1", "page1_figure2"]
    assert main(["digitize", str(page.path), "--auto", "--figure", "2", "--out", str(tmp_path / "b")]) == 0
    labels = {a["label"] for a in json.loads((tmp_path / "b" / "report.json").read_text())["arms"]}
    assert labels == {a.label for a in page.figures[1].arms}
    assert main(["digitize", str(page.path), "--auto", "--figure", "3", "--out", str(tmp_path / "c")]) == 1


def _scanned(path: Path) -> Path:
    page = Figure(figsize=(3, 2), dpi=50)
    page.figimage(np.random.default_rng(1).integers(0, 255, (100, 150, 3), dtype=np.uint8), 0, 0)
    return write_pdf(path, page)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: write_pdf(p, text_figure()), "no Kaplan–Meier figure drawn as vector curves"),
        (_scanned, "no Kaplan–Meier figure drawn as vector curves"),
        (lambda p: p.write_bytes(password_pdf()) and p, "password"),
        (lambda p: p.write_bytes(b"%PDF-1.4 nothing else") and p, "not a readable PDF"),
    ],
    ids=["text", "scanned", "password", "broken"],
)
def test_pages_it_cannot_read(tmp_path: Path, capsys: pytest.CaptureFixture[str], make, expected: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.pdf"
    make(path)
    assert main(["digitize", str(path), "--auto", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert expected in err and str(path) in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()


def test_scanned_page_says_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _scanned(tmp_path / "scan.pdf")
    assert main(["digitize", str(path), "--auto", "--out", str(tmp_path / "out")]) == 1
    assert "no vector curves (it looks like a scanned image)" in capsys.readouterr().err


def test_usage_mistakes(tmp_path: Path, paper: CorpusPage, capsys: pytest.CaptureFixture[str]) -> None:
    png = tmp_path / "fig.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n")
    assert main(["digitize", str(png), "--auto", "--out", str(tmp_path)]) == 1
    assert "--auto reads the vector drawing of a PDF" in capsys.readouterr().err
    assert main(["digitize", "--auto", "--out", str(tmp_path)]) == 1
    assert "give the PDF" in capsys.readouterr().err
    assert main(["digitize", "--image", str(paper.path), "--out", str(tmp_path)]) == 1
    assert "--x-range" in capsys.readouterr().err
