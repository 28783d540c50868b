"""The dataset format rejects broken files with one message per problem, naming the field."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from evidence_app.core.datasets.io import load_dataset, parse_dataset
from evidence_app.core.datasets.library import Library
from evidence_app.core.datasets.schema import parse_ci_level
from evidence_app.errors import DatasetValidationError


def minimal() -> dict:
    return {
        "format_version": 1,
        "id": "demo-os",
        "title": "Demo trial, overall survival",
        "trial": {"name": "Demo", "acronym": "DEMO", "setting": "first-line", "disease": "RCC", "population": "ITT"},
        "endpoint": {"name": "OS"},
        "time_unit": "months",
        "arms": [
            {
                "id": "a",
                "label": "Drug A",
                "agents": ["everolimus"],
                "n": {"value": 100, "sources": ["p"], "locator": "abstract"},
                "median": {"value": 10.0, "ci": [8.0, 12.0], "ci_level": 0.95, "sources": ["p"], "locator": "Table 2"},
            },
            {"id": "b", "label": "Drug B", "n": {"value": 98, "sources": ["p"], "locator": "abstract"}},
        ],
        "comparison": {
            "experimental_arm": "a",
            "control_arm": "b",
            "hazard_ratio": {
                "value": 0.8,
                "lower": 0.6,
                "upper": 0.95,
                "ci_level": "95%",
                "sources": ["p"],
                "locator": "text, Results",
            },
        },
        "curve": {"kind": "digitized", "arms": {"a": {"points": [[0, 1], [5, 0.7]], "at_risk": [[0, 100]]}}},
        "sources": [{"id": "p", "kind": "primary paper", "citation": "Demo et al. J Demo 2020"}],
    }


def problems_for(data: dict) -> list[str]:
    with pytest.raises(DatasetValidationError) as info:
        parse_dataset(data, "demo.json")
    return [str(p) for p in info.value.problems]


def test_minimal_dataset_is_valid():
    dataset = parse_dataset(minimal(), "demo.json")
    assert dataset.experimental.label == "Drug A"
    assert dataset.comparison.hazard_ratio.ci_level == pytest.approx(0.95)
    assert dataset.curve_kind == "digitized"


def test_missing_field_named_with_its_path():
    data = minimal()
    del data["trial"]["population"]
    assert problems_for(data) == ["demo.json: trial.population: required field is missing"]


def test_wrong_type_names_field_and_value():
    data = minimal()
    data["arms"][1]["n"]["value"] = "ninety-eight"
    (message,) = problems_for(data)
    assert message.startswith("demo.json: arms[1].n.value:")
    assert "integer" in message and "ninety-eight" in message


def test_negative_time_in_curve():
    data = minimal()
    data["curve"]["arms"]["a"]["points"][1] = [-2, 0.7]
    (message,) = problems_for(data)
    assert "curve.arms.a.points" in message and "negative time -2" in message


def test_survival_above_one():
    data = minimal()
    data["curve"]["arms"]["a"]["points"][1] = [5, 1.4]
    (message,) = problems_for(data)
    assert "survival 1.4" in message and "probability in [0, 1]" in message


def test_hr_ci_not_containing_hr():
    data = minimal()
    data["comparison"]["hazard_ratio"].update(value=1.2)
    (message,) = problems_for(data)
    assert "comparison.hazard_ratio" in message and "does not contain the HR 1.2" in message


def test_unknown_ci_level():
    data = minimal()
    data["comparison"]["hazard_ratio"]["ci_level"] = "ninety-five"
    (message,) = problems_for(data)
    assert "comparison.hazard_ratio.ci_level" in message and "unknown CI level" in message


@pytest.mark.parametrize("text,expected", [("95%", 0.95), (0.8, 0.8), ("98.5%", 0.985), (90, 0.9)])
def test_ci_levels_parse(text, expected):
    assert parse_ci_level(text) == pytest.approx(expected)


def test_several_problems_reported_together():
    data = minimal()
    del data["title"]
    data["time_unit"] = "fortnights"
    data["arms"][0]["n"]["value"] = -3
    messages = problems_for(data)
    assert len(messages) == 3
    assert any("title: required field is missing" in m for m in messages)
    assert any("time_unit" in m and "fortnights" in m for m in messages)
    assert any("arms[0].n.value" in m for m in messages)


def test_number_citing_unknown_source():
    data = minimal()
    data["arms"][0]["n"]["sources"] = ["nowhere"]
    (message,) = problems_for(data)
    assert "arms[0].n cites source 'nowhere'" in message


def test_number_without_source_is_rejected():
    data = minimal()
    data["arms"][0]["n"]["sources"] = []
    (message,) = problems_for(data)
    assert "arms[0].n.sources" in message


def test_unknown_field_is_rejected():
    data = minimal()
    data["arms"][0]["medain"] = 3
    (message,) = problems_for(data)
    assert "arms[0].medain: unknown field" in message


def test_comparison_arm_must_exist():
    data = minimal()
    data["comparison"]["control_arm"] = "zzz"
    (message,) = problems_for(data)
    assert "control_arm is 'zzz'" in message


def test_unsupported_format_version():
    data = minimal()
    data["format_version"] = 7
    (message,) = problems_for(data)
    assert "format_version 7 is not supported" in message


def test_truncated_json_file(tmp_path: Path):
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(minimal())[:200], encoding="utf-8")
    with pytest.raises(DatasetValidationError) as info:
        load_dataset(path)
    assert str(path) in str(info.value) and "not valid JSON" in str(info.value) and "line 1" in str(info.value)


def test_nan_is_rejected(tmp_path: Path):
    path = tmp_path / "nan.json"
    path.write_text(json.dumps(minimal()).replace('"value": 0.8', '"value": NaN'), encoding="utf-8")
    with pytest.raises(DatasetValidationError, match="NaN is not allowed"):
        load_dataset(path)


def test_duplicate_ids_in_a_library(tmp_path: Path):
    for name in ("one.json", "two.json"):
        (tmp_path / name).write_text(json.dumps(minimal()), encoding="utf-8")
    library = Library()
    library.add_folder(tmp_path, bundled=False)
    assert list(library.entries) == ["demo-os"]
    (problem,) = library.problems
    assert problem.file.endswith("two.json") and "duplicate dataset id 'demo-os'" in problem.message


def test_broken_file_does_not_stop_the_rest(tmp_path: Path):
    good = minimal()
    other = copy.deepcopy(good)
    other["id"] = "demo-pfs"
    (tmp_path / "a.json").write_text(json.dumps(good), encoding="utf-8")
    (tmp_path / "b.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "c.json").write_text(json.dumps(other), encoding="utf-8")
    library = Library()
    library.add_folder(tmp_path, bundled=False)
    assert sorted(library.entries) == ["demo-os", "demo-pfs"]
    assert len(library.problems) == 1 and library.problems[0].file.endswith("b.json")
