"""`forest --all` (error 10 of issue 15): rows sit under their endpoint, and the HR column prints the published
value or the row is footnoted as inverted, so the sentence under the figure is true."""

from __future__ import annotations

import pytest

from evidence_app.core.datasets.published import published_hr_text
from evidence_app.core.synthesis.forest_data import build_forest
from evidence_app.export.forest_csv import forest_csv_text
from evidence_app.plots.forest import ForestOptions
from evidence_app.plots.forest_rows import INVERTED, Footnotes, build_items, footnote_lines


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ")


def test_every_row_of_a_mixed_forest_names_its_endpoint_and_prints_the_published_direction(library):
    datasets = [d for d in library.datasets if library.entries[d.id].bundled and "renal" in d.trial.disease.lower()]
    data = build_forest(datasets)
    assert len(data.endpoints) == 2
    notes = Footnotes()
    items = [i for i in build_items(data, ForestOptions(), notes) if i.kind == "study"]
    assert len(items) == len(datasets)
    flipped = 0
    for item in items:
        row = item.row
        hr = _plain(item.cells["HR [CI]"])
        published = library.get(row.dataset_id).comparison.hazard_ratio
        if published is None:
            continue
        if row.flipped:
            flipped += 1
            assert float(hr.split(" (")[0]) == pytest.approx(1 / published.value, abs=0.006), row.dataset_id
            assert row.notes[0].startswith("inverted: flipped"), row.dataset_id  # its footnote says so
        else:
            assert hr == published_hr_text(published), row.dataset_id  # as published, at its precision
    assert flipped >= 4  # CheckMate 025 OS and PFS, METEOR OS and PFS
    lines = [_plain(x) for x in footnote_lines(data, notes)]
    assert f"except rows footnoted '{INVERTED}': 1/HR" in lines[0]
    inverted = [x for x in lines if x.split(" ", 1)[-1].startswith(f"{INVERTED}: flipped")]
    assert len(inverted) == 1 and "published nivolumab vs everolimus: HR 0.73" in inverted[0]
    sections = [i.span for i in build_items(data, ForestOptions(), Footnotes()) if i.kind == "group"]
    assert sections == ["Overall survival", "Progression-free survival"]


def test_one_endpoint_and_no_inverted_row_keep_the_plain_wording(library):
    data = build_forest([library.get(i) for i in ("arcc-os-tem-vs-ifn", "aspen-os", "tempa-os")])
    notes = Footnotes()
    assert not [i for i in build_items(data, ForestOptions(), notes) if i.kind == "group"]
    assert INVERTED not in footnote_lines(data, notes)[0]


def test_forest_csv_gives_every_rows_published_hr_and_direction(library):
    import csv
    import io

    datasets = [d for d in library.datasets if library.entries[d.id].bundled and "renal" in d.trial.disease.lower()]
    text = forest_csv_text(build_forest(datasets))
    rows = [r for r in csv.DictReader(io.StringIO(text)) if r["kind"] == "comparison"]
    assert len(rows) == len(datasets)
    for r in rows:
        hr = library.get(r["dataset id"]).comparison.hazard_ratio
        assert r["HR as published"] == published_hr_text(hr), r["dataset id"]
        assert r["endpoint"] == library.get(r["dataset id"]).endpoint.name
        if r["direction"] == "as published":
            assert r["HR (as shown)"] == r["HR as published"], r["dataset id"]
