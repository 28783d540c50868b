"""The bundled evidence library: its size, key numbers, and that every number names a source."""

from __future__ import annotations

import json

import pytest

from evidence_app.core.datasets.catalog import badges, is_secondary_only
from evidence_app.resources import datasets_dir


def test_library_loads_without_problems(library):
    assert library.problems == []
    assert len(library) >= 25


def test_arcc_os(library):
    d = library.get("arcc-os-tem-vs-ifn")
    hr = d.comparison.hazard_ratio
    assert (hr.value, hr.lower, hr.upper, hr.ci_level) == (0.73, 0.58, 0.92, 0.95)
    assert d.experimental.median.value == 10.9 and d.control.median.value == 7.3
    assert d.experimental.agents == ["temsirolimus"] and d.endpoint.name == "OS"
    assert d.experimental.events is None  # per-arm deaths are not reported: stays null
    assert "interim analysis" in badges(d)


def test_record1_interim_pfs(library):
    d = library.get("record1-pfs-interim")
    hr = d.comparison.hazard_ratio
    assert (hr.value, hr.lower, hr.upper) == (0.30, 0.22, 0.40)
    assert d.analysis.kind == "interim"
    assert d.endpoint.assessment and "independent" in d.endpoint.assessment


def test_arcc_non_clear_cell_subgroup_is_secondary(library):
    d = library.get("arcc-os-nccrcc-subgroup")
    assert d.experimental.median.value == 11.6 and d.control.median.value == 4.3
    assert d.trial.histology == "non-clear-cell"
    assert is_secondary_only(d) and "secondary source" in badges(d)
    assert d.comparison.hazard_ratio is None


def test_non_95_levels_kept(library):
    assert library.get("aspen-pfs").comparison.hazard_ratio.ci_level == pytest.approx(0.80)
    assert library.get("checkmate025-os").comparison.hazard_ratio.ci_level == pytest.approx(0.985)
    assert "98.5% CI" in badges(library.get("checkmate025-os"))


def test_kmdata_patient_level_datasets(library):
    ids = [d.id for d in library.datasets if d.curve.kind == "patient-level"]
    assert len(ids) == 5
    bolero3 = library.get("bolero3-pfs-kmdata")
    assert bolero3.time_unit == "weeks"
    assert sum(len(a.time) for a in bolero3.curve.arms.values()) == 569
    assert (datasets_dir() / "LICENSE.kmdata").read_text().startswith("YEAR")


def _walk(node, path=""):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}[{i}]")


NUMBER_KEYS = {"value", "text", "survival"}


def test_every_published_number_names_an_existing_source():
    """Read the raw files (not through the schema) so a schema bug cannot hide a missing source."""
    files = sorted(datasets_dir().glob("*.json"))
    assert files
    checked = 0
    for file in files:
        data = json.loads(file.read_text(encoding="utf-8"))
        source_ids = {s["id"] for s in data["sources"]}
        for s in data["sources"]:
            assert s["citation"] and (s["url"] or s["pmid"] or s["doi"] or s["note"]), f"{file.name}: {s['id']}"
        for path, node in _walk(data):
            if NUMBER_KEYS & node.keys() and not path.startswith("curve"):
                assert node.get("sources"), f"{file.name}: {path} has no source"
                missing = set(node["sources"]) - source_ids
                assert not missing, f"{file.name}: {path} cites unknown {missing}"
                checked += 1
        if data["curve"]["kind"] != "none":
            assert set(data["curve"]["sources"]) <= source_ids
    assert checked > 150
