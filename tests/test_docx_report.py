"""The Word evidence report, read back with python-docx as a committee's Word would show it."""

from __future__ import annotations

import re

import docx
import pytest
from docx.enum.section import WD_ORIENT

from evidence_app import __version__
from evidence_app.core.datasets.catalog import dataset_flags
from evidence_app.core.datasets.labels import comparison_label
from evidence_app.core.datasets.published import published_hr_text, published_median_text
from evidence_app.errors import Cancelled, ExportError
from evidence_app.export.docx_report import export_docx
from evidence_app.export.docx_tables import sof_cells
from evidence_app.export.sheets_sources import References

ARCC = "arcc-os-tem-vs-ifn"
SUBSET = [ARCC, "arcc-pfs-tem-vs-ifn", "checkmate025-os", "aspen-pfs", "bolero1-pfs-kmdata", "meteor-os-interim"]
HEADERS = ["Trial (phase)", "Population", "Endpoint; analysis", "N exp / ctrl", "Events exp / ctrl"]


@pytest.fixture(scope="module")
def subset(library):
    return [library.get(i) for i in SUBSET]


@pytest.fixture(scope="module")
def report(subset, tmp_path_factory):
    path = tmp_path_factory.mktemp("docx") / "report.docx"
    summary = export_docx(subset, path, pool_methods=("REML", "fixed"), hk=True, workers=1)
    return summary, docx.Document(str(path))


def _plain(cell) -> str:
    """A cell's text without its superscript note letters."""
    return "".join(r.text for p in cell.paragraphs for r in p.runs if not r.font.superscript)


def _letters(cell) -> set[str]:
    return {x for p in cell.paragraphs for r in p.runs if r.font.superscript for x in r.text.split(",")}


def _sof_tables(document):
    return [t for t in document.tables if [c.text for c in t.rows[0].cells][:5] == HEADERS]


def _notes_after(document, table) -> dict[str, str]:
    """The lettered notes under ``table``: letter -> text."""
    body = list(document.element.body)
    notes = {}
    for element in body[body.index(table._tbl) + 1 :]:
        if not element.tag.endswith("}p"):
            break
        paragraph = docx.text.paragraph.Paragraph(element, document)
        runs = paragraph.runs
        if runs and runs[0].font.superscript:
            notes[runs[0].text] = paragraph.text[len(runs[0].text) :].strip()
    return notes


def _row_of(document, dataset):
    """The row of ``dataset``: in the table captioned with its comparison, the row whose trial,
    population and endpoint cells are the dataset's (located by these, checked by the tests)."""
    key = sof_cells(dataset, References([dataset]))
    body = list(document.element.body)
    for table in _sof_tables(document):
        title = "".join(body[body.index(table._tbl) - 1].itertext())
        if not title.endswith(f"Summary of findings: {comparison_label(dataset)}"):
            continue
        for row in table.rows[1:]:
            cells = row.cells
            if [_plain(c) for c in cells[:3]] == key[:3]:
                return table, cells
    raise AssertionError(f"no summary-of-findings row for {dataset.id}")


def _assert_row_is_dataset(cells, d) -> None:
    """N, events, medians and HR with its CI as the dataset has them (at their published precision)."""
    exp, ctl = d.experimental, d.control
    for index, field in ((3, "n"), (4, "events")):
        numbers = [int(x) for x in re.findall(r"\d+", _plain(cells[index]))]
        assert numbers == [getattr(a, field).value for a in (exp, ctl) if getattr(a, field) is not None], d.id
    assert _plain(cells[6]) == published_hr_text(d.comparison.hazard_ratio), d.id
    medians = f"{published_median_text(exp.median)} / {published_median_text(ctl.median)} {d.time_unit}"
    assert _plain(cells[5]) in (medians, "not reported"), d.id


def test_every_number_in_the_tables_is_the_dataset_value(report, subset):
    _, document = report
    for d in subset:
        _assert_row_is_dataset(_row_of(document, d)[1], d)
    _, arcc = _row_of(document, subset[0])
    assert (_plain(arcc[3]), _plain(arcc[6]), _plain(arcc[7])) == ("209 / 207", "0.73 (0.58–0.92)", "0.008")
    assert _plain(arcc[5]) == "10.9 / 7.3 months"
    _, checkmate = _row_of(document, subset[2])
    assert "98.5% CI" in _plain(checkmate[6])


def test_every_flag_is_a_lettered_note_under_its_table(report, subset):
    _, document = report
    for d in subset:
        table, cells = _row_of(document, d)
        notes = _notes_after(document, table)
        row_letters = set().union(*(_letters(c) for c in cells))
        for flag in dataset_flags(d):
            letter = next((k for k, text in notes.items() if text == flag.footnote), None)
            assert letter is not None, f"{d.id}: flag {flag.code} has no note"
            assert letter in row_letters, f"{d.id}: note {letter} ({flag.code}) not marked in the row"
    assert any(f.code == "interim" for f in dataset_flags(subset[0]))
    assert any(f.code == "non95" for f in dataset_flags(subset[2]))


def test_references_cited_in_tables_are_listed(report):
    _, document = report
    cited = {r for t in _sof_tables(document) for row in t.rows[1:] for r in re.findall(r"R\d+", _plain(row.cells[8]))}
    listed = {m.group(1) for p in document.paragraphs if (m := re.match(r"(R\d+)\. ", p.text))}
    assert cited and cited <= listed


def test_title_page_captions_and_sections(report, subset):
    summary, document = report
    text = "\n".join(p.text for p in document.paragraphs[:12])
    assert f"evidence-app {__version__}" in text and "Data version: dataset format 1" in text
    assert f"{len(subset)} datasets" in text
    assert document.paragraphs[0].style.name == "Title"
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[:2] == ["Summary of findings", "Pooled results"] and headings[-2:] == ["Methods", "References"]
    assert document.sections[1].orientation == WD_ORIENT.LANDSCAPE  # the wide tables
    assert document.sections[2].orientation == WD_ORIENT.PORTRAIT
    # Captions of the KM figures sit in the cells of the two-column figure grid.
    captions = [docx.text.paragraph.Paragraph(p, document) for p in document.element.body.xpath(".//w:p")]
    captions = [p for p in captions if p.style.name == "Caption"]
    fields = [p._p.xpath("./w:fldSimple/@w:instr") for p in captions]
    figures = [f for f in fields if f and "SEQ Figure" in f[0]]
    assert len(figures) == summary.figures == len(document.inline_shapes) > 0
    tables = [
        p._p.xpath("./w:fldSimple//w:t/text()")
        for p in captions
        if "SEQ Table" in str(p._p.xpath("./w:fldSimple/@w:instr"))
    ]
    assert [t[0] for t in tables] == [str(i) for i in range(1, len(tables) + 1)]


def test_methods_say_what_was_done(report):
    _, document = report
    text = "\n".join(p.text for p in document.paragraphs)
    methods = text[text.index("\nMethods\n") : text.index("\nReferences\n")]
    assert "restricted maximum likelihood" in methods and "Fixed effect (inverse variance)" in methods
    assert "Hartung" in methods
    assert "piecewise exponential" in methods  # ARCC has no curve data


def test_existing_file_kept_and_cancel_writes_nothing(library, tmp_path):
    path = tmp_path / "r.docx"
    path.write_bytes(b"mine")
    with pytest.raises(ExportError, match="already exists"):
        export_docx([library.get(ARCC)], path, with_figures=False)
    assert path.read_bytes() == b"mine"
    with pytest.raises(ExportError, match=r"must end in \.docx"):
        export_docx([library.get(ARCC)], tmp_path / "r.doc", with_figures=False)
    target = tmp_path / "c.docx"
    with pytest.raises(Cancelled):
        export_docx([library.get(ARCC)], target, with_figures=False, cancelled=lambda: True)
    assert not target.exists()


def test_a_network_passed_gets_its_section_and_methods(library, tmp_path):
    from pathlib import Path

    from evidence_app.core.synthesis.network import run_network
    from evidence_app.core.synthesis.network_input import prepare_network, read_contrast_csv

    data = Path(__file__).parent / "data" / "nma_synthetic_3.csv"
    result = run_network(prepare_network(read_contrast_csv(data)), "A")
    path = tmp_path / "network.docx"
    export_docx([library.get(ARCC)], path, network=result, with_figures=False, workers=1)
    document = docx.Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Network meta-analysis" in headings
    b_vs_a = result.compare("B", "A", "random")
    rows = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    b_row = next(r for r in rows if r[0] == "B")
    assert b_row[1] == f"{b_vs_a.hr:.2f}"
    text = "\n".join(p.text for p in document.paragraphs)
    assert "a lower HR is better" in text  # the network's methods, from the same source as the workbook


def test_every_bundled_dataset_row_matches_its_dataset(library, tmp_path, monkeypatch):
    """All 35 datasets, figures replaced by a blank picture to keep the test fast (the tables are checked)."""
    import io

    from PIL import Image

    import evidence_app.export.sheets_figures as figures

    blank = io.BytesIO()
    Image.new("RGB", (10, 10), "white").save(blank, format="PNG")
    monkeypatch.setattr(figures, "render_png", lambda *a, **k: (blank.getvalue(), 3.35, 3.4))
    path = tmp_path / "all.docx"
    export_docx(library.datasets, path, workers=1)
    document = docx.Document(str(path))
    for d in library.datasets:
        table, cells = _row_of(document, d)
        _assert_row_is_dataset(cells, d)
        notes = set(_notes_after(document, table).values())
        assert {f.footnote for f in dataset_flags(d)} <= notes, d.id
