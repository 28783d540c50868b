"""Files written from a figure read out of a vector PDF: CSVs per arm, the report, patient-level data
and a draft dataset; existing files are refused before anything is written."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evidence_app.core.datasets.io import load_dataset
from evidence_app.core.digitize.vector_figure import VectorFigure, read_vector_figures
from evidence_app.core.digitize.vector_output import figure_files, reconstruction_files, write_files
from evidence_app.errors import ExportError
from tests.pdf_corpus import CorpusPage, PageSpec, draw_page


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> CorpusPage:
    return draw_page(PageSpec("lancet", 11, percent=True), tmp_path_factory.mktemp("out") / "paper.pdf")


@pytest.fixture(scope="module")
def figure(page: CorpusPage) -> VectorFigure:
    return read_vector_figures(page.path)[0].figures[0]


def test_arm_files_and_report(tmp_path: Path, page: CorpusPage, figure: VectorFigure) -> None:
    written = write_files(tmp_path, figure_files(figure, page.path), overwrite=False)
    names = {p.name for p in written}
    truth = page.figures[0]
    for arm in truth.arms:
        stem = arm.label.lower()
        assert {f"{stem}_curve.csv", f"{stem}_at_risk.csv", f"{stem}_censor_times.csv"} <= names
        at_risk = pd.read_csv(tmp_path / f"{stem}_at_risk.csv")
        assert list(at_risk.columns) == ["time", "n_at_risk"]
        assert tuple(at_risk["n_at_risk"]) == arm.at_risk
        assert tuple(at_risk["time"]) == truth.x_ticks
        curve = pd.read_csv(tmp_path / f"{stem}_curve.csv")
        assert curve["survival"].iloc[0] == 1.0 and curve["survival"].min() == pytest.approx(arm.step_s[-1], abs=1e-5)
        censored = pd.read_csv(tmp_path / f"{stem}_censor_times.csv")["time"].to_numpy()
        assert np.allclose(np.sort(censored), np.sort(arm.censor_times), atol=1e-3)
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["page"] == 1 and report["y_axis"]["percent"] is True and report["time_unit"] == "months"
    assert {a["label"] for a in report["arms"]} == {a.label for a in truth.arms}
    text = (tmp_path / "report.txt").read_text()
    assert "percent" in text and "matched by label" in text


def test_existing_files_are_refused_before_writing(tmp_path: Path, page: CorpusPage, figure: VectorFigure) -> None:
    (tmp_path / "report.txt").write_text("mine")
    with pytest.raises(ExportError, match="report.txt already exists; use --force"):
        write_files(tmp_path, figure_files(figure, page.path), overwrite=False)
    assert [p.name for p in tmp_path.iterdir()] == ["report.txt"]
    assert (tmp_path / "report.txt").read_text() == "mine"
    write_files(tmp_path, figure_files(figure, page.path), overwrite=True)
    assert (tmp_path / "report.txt").read_text() != "mine"


def test_patient_level_data_and_draft_dataset(tmp_path: Path, page: CorpusPage, figure: VectorFigure) -> None:
    files, warnings = reconstruction_files(figure, page.path)
    write_files(tmp_path, files, overwrite=False)
    for arm in page.figures[0].arms:
        ipd = pd.read_csv(tmp_path / f"{arm.label.lower()}_ipd.csv")
        assert len(ipd) == arm.at_risk[0]
        assert abs(int(ipd["event"].sum()) - int(arm.event.sum())) <= max(2, 0.02 * arm.event.sum())
    dataset = load_dataset(tmp_path / "dataset.json")
    assert [a.label for a in dataset.arms] == [c.label for c in figure.curves]
    assert dataset.time_unit == "months"
    assert "page 1" in dataset.sources[0].citation and "draft" in dataset.sources[0].citation
    assert not any("time unit" in w for w in warnings)
