"""Dataset-level analysis: the numbers `evidence-app analyze` prints for every bundled dataset."""

from __future__ import annotations

import json
import math

import pytest

from evidence_app.cli import main
from evidence_app.core.datasets.catalog import dataset_flags
from evidence_app.core.datasets.labels import dataset_label
from evidence_app.core.reconstruction.kinds import KIND_APPROXIMATION, KIND_PATIENT
from evidence_app.core.stats.analysis import analyze_dataset, default_landmarks, published_effect


def test_patient_level_dataset_matches_its_own_data(library):
    d = library.get("radiant4-pfs-kmdata")
    a = analyze_dataset(d)
    assert a.curve_kinds == {KIND_PATIENT} and not a.is_approximation
    exp = a.arm_result("eve")
    rows = d.curve.arms["eve"]
    assert exp.fit.n == len(rows.time) and exp.fit.events == sum(rows.event)
    assert a.comparison is not None and a.comparison.hazard_ratio.hr < 1  # everolimus better (RADIANT-4)
    # counting convention: the at-risk row at 0 is the whole arm
    assert exp.at_risk[0].time == 0 and exp.at_risk[0].n_at_risk == len(rows.time)


def test_landmarks_follow_the_time_unit():
    assert default_landmarks("months") == (6.0, 12.0, 24.0)
    weeks = default_landmarks("weeks")
    assert weeks[1] == pytest.approx(52.18, abs=0.01)


def test_published_effect_uses_the_ci_level(library):
    e95 = published_effect(library.get("arcc-os-tem-vs-ifn"))
    assert e95.hr == 0.73 and e95.se == pytest.approx((math.log(0.92) - math.log(0.58)) / (2 * 1.959964), rel=1e-4)
    e80 = published_effect(library.get("aspen-pfs"))
    assert e80.se == pytest.approx((math.log(1.92) - math.log(1.03)) / (2 * 1.281552), rel=1e-4)
    assert published_effect(library.get("record1-os-final")) is None  # HR without CI: not poolable


def test_summary_only_dataset_is_flagged_as_approximation(library):
    a = analyze_dataset(library.get("arcc-os-tem-vs-ifn"))
    assert a.is_approximation and a.curve_kinds == {KIND_APPROXIMATION}
    assert all(r.data.approximation == "summary-based" for r in a.arms)
    assert any("approximation" in n.lower() for n in a.notes)
    tem = a.arm_result("tem")
    assert tem.fit.n == 209
    assert tem.fit.median == pytest.approx(10.9, abs=0.6)  # honours the published median


def test_dataset_without_n_gets_no_curve_and_says_why(library):
    a = analyze_dataset(library.get("arcc-os-nccrcc-subgroup"))
    assert a.comparison is None
    assert any("N not reported" in n for n in a.notes)


def test_analyze_runs_for_every_bundled_dataset(library, capsys):
    for d in library.datasets:
        assert main(["analyze", d.id]) == 0, d.id
        out = capsys.readouterr().out
        assert out.startswith(dataset_label(d))  # trial, comparison, endpoint, analysis, population
        assert all(f"[{f.label}]" in out for f in dataset_flags(d))
        if d.curve.kind == "none":
            assert "not reported" in out or "approximation" in out.lower()


def test_analyze_json(capsys):
    assert main(["analyze", "record1-pfs-interim", "--json", "--horizon", "4"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["approximation"] == "summary-based"
    assert data["published_hr"]["hr"] == 0.3 and data["published_hr"]["lower"] == 0.22
    assert data["computed"]["rmst_difference"]["horizon"] == 4
    assert main(["analyze", "record1-pfs-interim", "--json", "--horizon", "600"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["computed"]["rmst_difference"]["horizon"] < 600
    assert any("beyond the shorter arm's follow-up" in n for n in data["notes"])


def test_analyze_unknown_id(capsys):
    assert main(["analyze", "arcc"]) == 1
    err = capsys.readouterr().err
    assert "No dataset with id 'arcc'" in err and "arcc-os-tem-vs-ifn" in err
