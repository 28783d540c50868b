"""Malformed dataset files: always one clear message naming the file, never a crash."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence_app.core.datasets.io import load_dataset, parse_dataset
from evidence_app.core.datasets.library import Library
from evidence_app.errors import DatasetValidationError
from tests.test_schema import minimal


def expect_clear_error(path: Path) -> str:
    with pytest.raises(DatasetValidationError) as info:
        load_dataset(path)
    text = str(info.value)
    assert str(path) in text and len(text) < 5000
    return text


@pytest.mark.parametrize(
    "content,fragment",
    [
        (b"", "not valid JSON"),
        (b'{"format_version": 1, "id": "x"', "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b"[1, 2, 3]", "expected a JSON object"),
        (b'"just a string"', "expected a JSON object"),
        (b"null", "expected a JSON object"),
        (b'{"format_version": 1, "id": "x", "arms": Infinity}', "Infinity is not allowed"),
        (b'{"format_version": 1, "id": "x", "arms": -Infinity}', "-Infinity is not allowed"),
    ],
)
def test_unreadable_content(tmp_path, count_case, content, fragment):
    count_case()
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    assert fragment in expect_clear_error(path)


@pytest.mark.parametrize(
    "mutate,fragment",
    [
        (lambda d: d["arms"][0]["n"].update(value=10**30), "arms[0].n.value"),
        (lambda d: d["comparison"]["hazard_ratio"].update(value=1e400), "finite"),
        (lambda d: d["arms"][0]["median"].update(value="NaN"), "arms[0].median"),
        (lambda d: d.update(arms="two arms"), "arms"),
        (lambda d: d.update(arms=[]), "arms"),
        (lambda d: d["trial"].update(name=12), "trial.name"),
        (lambda d: d.update(id="Ünïcödé id with spaces"), "id"),
        (lambda d: d["curve"]["arms"]["a"].update(points=[[0, 1], ["a", "b"]]), "curve.arms.a.points"),
        (lambda d: d["curve"]["arms"]["a"].update(at_risk=[[0, -5]]), "at-risk row 1"),
        (lambda d: d.update(sources=[]), "sources"),
        (lambda d: d["sources"][0].update(kind="blog"), "sources[0].kind"),
    ],
)
def test_wrong_values(tmp_path, count_case, mutate, fragment):
    count_case()
    data = minimal()
    mutate(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert fragment in expect_clear_error(path)


def test_unicode_text_is_fine(tmp_path, count_case):
    count_case()
    data = minimal()
    data["title"] = "Étude 🧪 — 試験, ελληνικά"
    path = tmp_path / "unicode.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert load_dataset(path).title == data["title"]


def test_fifty_megabyte_file_is_refused_quickly(tmp_path, count_case):
    count_case()
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:
        handle.write(b'{"pad": "')
        handle.write(b"x" * (50 * 1024 * 1024))
        handle.write(b'"}')
    assert "MB" in expect_clear_error(path)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=json_values)
def test_arbitrary_json_never_crashes(value, count_case):
    count_case()
    try:
        parse_dataset(value, "fuzz.json")
    except DatasetValidationError as exc:
        assert exc.problems and all(p.file == "fuzz.json" for p in exc.problems)


PATHS = [
    ("title",),
    ("trial", "population"),
    ("arms", 0, "n", "value"),
    ("arms", 1, "label"),
    ("comparison", "hazard_ratio", "lower"),
    ("comparison", "experimental_arm"),
    ("sources", 0, "id"),
    ("curve", "arms", "a", "points", 0),
    ("time_unit",),
    ("format_version",),
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), value=json_values)
def test_mutated_valid_dataset_never_crashes(path, value, count_case):
    count_case()
    data = copy.deepcopy(minimal())
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    try:
        parse_dataset(data, "mutated.json")
    except DatasetValidationError as exc:
        assert exc.problems
        assert all(str(p).startswith("mutated.json") for p in exc.problems)


def test_library_survives_a_folder_of_broken_files(tmp_path, count_case):
    contents = [b"", b"{", b"[]", json.dumps({"format_version": 1}).encode(), b"\x00" * 100]
    for i, content in enumerate(contents):
        (tmp_path / f"broken{i}.json").write_bytes(content)
        count_case()
    good = minimal()
    (tmp_path / "good.json").write_text(json.dumps(good), encoding="utf-8")
    library = Library()
    library.add_folder(tmp_path, bundled=False)
    assert list(library.entries) == ["demo-os"]
    files = {Path(p.file).name for p in library.problems}
    assert files == {f"broken{i}.json" for i in range(len(contents))}
