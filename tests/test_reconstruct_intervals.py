"""Reconstruction intervals of a dataset whose arms are digitized curves: HR, medians, landmarks, labelled."""

from __future__ import annotations

import json

import numpy as np
import pytest

from evidence_app.core.datasets.library import load_library
from evidence_app.core.datasets.schema import DigitizedArm, DigitizedCurve
from evidence_app.core.stats.analysis import analyze_dataset
from evidence_app.core.stats.analysis_report import analysis_to_dict
from evidence_app.core.stats.reconstruction_intervals import reconstruction_uncertainty


def digitized_copy(dataset_id: str, noise: float, seed: int):
    """The bundled patient-level dataset as a digitized curve (both ends of every drop, click noise)."""
    truth = analyze_dataset(load_library().get(dataset_id))
    rng = np.random.default_rng(seed)
    arms = {}
    for result in truth.arms:
        fit = result.fit
        t, s = fit.timeline[1:], fit.survival[1:]
        before = fit.survival[:-1]
        pts = [(0.0, 1.0)] + [p for i in range(len(t)) for p in ((t[i], before[i]), (t[i], s[i]))]
        arr = np.array(pts)
        arr[1:] += rng.normal(0, [noise * t.max(), noise], (len(arr) - 1, 2))
        arr[:, 0] = np.maximum(arr[:, 0], 0.0)
        arr[:, 1] = np.clip(arr[:, 1], 0.0, 1.0)
        times = np.arange(0, t.max(), 6.0)
        at_risk = [(float(x), int((result.data.time >= x).sum())) for x in times]
        arms[result.arm.id] = DigitizedArm(points=[tuple(p) for p in arr.tolist()], at_risk=at_risk)
    curve = DigitizedCurve(kind="digitized", arms=arms)
    return truth, truth.dataset.model_copy(update={"id": f"{dataset_id}-digitized", "curve": curve})


@pytest.fixture(scope="module")
def coarse_and_careful():
    out = {}
    for name, noise in (("careful", 0.003), ("coarse", 0.008)):
        truth, dataset = digitized_copy("bolero1-pfs-kmdata", noise, 5)
        analysis = analyze_dataset(dataset)
        out[name] = (truth, analysis, reconstruction_uncertainty(analysis, replicates=12))
    return out


def test_interval_contains_the_true_hr_and_is_wider_than_the_usual_ci(coarse_and_careful) -> None:
    for truth, _, u in coarse_and_careful.values():
        assert u is not None and u.hazard_ratio is not None
        hr = u.hazard_ratio
        assert hr.lower <= truth.comparison.hazard_ratio.hr <= hr.upper
        assert hr.lower <= hr.sampling_lower and hr.upper >= hr.sampling_upper
        assert hr.digitization_sd > 0
        assert {x.quantity for x in u.arms["eve"]} >= {"median"}
    assert (
        coarse_and_careful["coarse"][2].hazard_ratio.digitization_sd
        > coarse_and_careful["careful"][2].hazard_ratio.digitization_sd
    )


def test_analyze_json_carries_the_labelled_intervals(coarse_and_careful) -> None:
    _, analysis, _ = coarse_and_careful["coarse"]
    out = json.loads(json.dumps(analysis_to_dict(analysis, reconstruction_intervals=True)))
    block = out["reconstruction_uncertainty"]
    assert "sampling + digitization" in block["label"]
    lo, hi = block["hazard_ratio"]["reconstruction_interval"]
    assert lo < block["hazard_ratio"]["estimate"] < hi
    landmark_rows = [x for rows in block["arms"].values() for x in rows if x["quantity"].startswith("survival at")]
    assert landmark_rows and all(0 <= x["reconstruction_interval"][0] <= x["estimate"] for x in landmark_rows)
    assert "reconstruction_uncertainty" not in analysis_to_dict(analysis)


def test_patient_level_data_have_no_reconstruction_interval() -> None:
    analysis = analyze_dataset(load_library().get("bolero1-pfs-kmdata"))
    assert reconstruction_uncertainty(analysis) is None


def test_workbook_has_a_labelled_reconstruction_interval_sheet(tmp_path) -> None:
    from openpyxl import load_workbook

    from evidence_app.export.workbook import export_workbook

    _, dataset = digitized_copy("bolero1-pfs-kmdata", 0.008, 2)
    path = tmp_path / "book.xlsx"
    export_workbook([dataset], path)
    sheet = load_workbook(path)["Reconstruction intervals"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert any("sampling + digitization" in str(h) for h in header)
    hr_row = next(r for r in rows[1:] if r[2] == "hazard ratio")
    lower, upper = (
        hr_row[header.index(next(h for h in header if "interval lower" in h))],
        hr_row[header.index(next(h for h in header if "interval upper" in h))],
    )
    assert lower < hr_row[3] < upper
    assert "Derived" in hr_row[-1]
    plain = tmp_path / "plain.xlsx"
    export_workbook([load_library().get("bolero1-pfs-kmdata")], plain)
    assert "Reconstruction intervals" not in load_workbook(plain).sheetnames


def test_reconstruction_tab_shows_the_intervals_labelled(qtbot) -> None:
    from evidence_app.gui.reconstruction_tab import INTERVAL_TITLE, ReconstructionTab

    _, dataset = digitized_copy("bolero1-pfs-kmdata", 0.008, 3)
    tab = ReconstructionTab()
    qtbot.addWidget(tab)
    tab.set_analysis(analyze_dataset(dataset))
    assert "when this tab is shown" in tab.intervals.text_at(0, 1)  # no work for a hidden tab
    tab.show()
    qtbot.waitUntil(lambda: tab.intervals.rowCount() > 1, timeout=60_000)
    tab._runner.wait(60_000)
    assert "sampling + digitization" in INTERVAL_TITLE
    quantities = [tab.intervals.text_at(r, 1) for r in range(tab.intervals.rowCount())]
    assert "hazard ratio" in quantities and "median" in quantities
    row = quantities.index("hazard ratio")
    low, high = (float(x) for x in tab.intervals.text_at(row, 4).split(" – "))
    assert low < float(tab.intervals.text_at(row, 2)) < high
    tab.set_analysis(analyze_dataset(load_library().get("bolero1-pfs-kmdata")))
    assert "only for curves reconstructed" in tab.intervals.text_at(0, 4)


def test_a_digitized_arm_is_reconstructed_through_its_published_median() -> None:
    """The dataset's published median is a constraint of the reconstruction, as ``--median`` is on
    the command line: a coarse curve crossing 0.5 a little off it is bent through it, and said so."""
    from evidence_app.core.datasets.schema import ReportedMedian

    truth, dataset = digitized_copy("bolero1-pfs-kmdata", 0.008, 11)
    free = analyze_dataset(dataset)
    target = {}
    arms = []
    for arm, result in zip(dataset.arms, free.arms):
        target[arm.id] = round(result.fit.median + 0.6, 1)  # a published median 0.6 months later than the curve
        arms.append(arm.model_copy(update={"median": ReportedMedian(value=target[arm.id], sources=["primary"])}))
    bent = analyze_dataset(dataset.model_copy(update={"arms": arms}))
    for result in bent.arms:
        assert result.fit.median == pytest.approx(target[result.arm.id], abs=1e-6)
        assert "median" in result.data.reconstruction.method
