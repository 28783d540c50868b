"""The Word report's tables: a summary of findings per comparison, and any workbook table.

A summary-of-findings table has one row per dataset of the comparison (trial, phase, population,
endpoint and analysis, N, events and medians per arm, the HR with its CI at its published level,
p and the references the numbers were read from). Every flag the dataset carries
(:func:`evidence_app.core.datasets.catalog.dataset_flags`) becomes a lettered note under the
table, its letter in the cell it concerns. Numbers are printed as published
(:mod:`evidence_app.core.datasets.published`): 10.9 stays 10.9.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from docx.document import Document
from docx.shared import Mm
from docx.table import Table as DocxTable
from docx.table import _Row

from evidence_app.core.datasets.catalog import DatasetFlag, dataset_flags
from evidence_app.core.datasets.labels import analysis_label, comparison_label, endpoint_label
from evidence_app.core.datasets.published import published_hr_text, published_median_text
from evidence_app.core.datasets.references import iter_reported
from evidence_app.core.datasets.schema import Dataset, ReportedInt
from evidence_app.core.formatting import NOT_REPORTED
from evidence_app.export.docx_figures import Counter, caption, marker, repeat_header, set_widths, small
from evidence_app.export.sheets import Table, display_text
from evidence_app.export.sheets_sources import References

TABLE_STYLE = "Table Grid"
#: Summary-of-findings columns: header and width (mm) on a landscape A4 page with 20 mm margins.
SOF_COLUMNS = (
    ("Trial (phase)", 22.0),
    ("Population", 46.0),
    ("Endpoint; analysis", 34.0),
    ("N exp / ctrl", 17.0),
    ("Events exp / ctrl", 19.0),
    ("Median exp / ctrl (CI)", 42.0),
    ("HR (CI)", 32.0),
    ("p", 24.0),
    ("Sources", 20.0),
)
#: Which cell a flag's note letter goes to (by flag code); others (conflicting reports, judgement calls,
#: which may concern any number) go to the trial cell.
FLAG_CELL = {"interim": 2, "non95": 6, "assumed_ci": 6, "secondary": 8, "summary_only": 5}
LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass
class Notes:
    """Lettered notes of one table: one letter per distinct note text."""

    texts: dict[str, str] = field(default_factory=dict)  # text -> letter

    def letter(self, text: str) -> str:
        if text not in self.texts:
            n = len(self.texts)
            self.texts[text] = LETTERS[n % 26] * (n // 26 + 1)
        return self.texts[text]


def _count(value: ReportedInt | None) -> str:
    return NOT_REPORTED if value is None else str(value.value)


def pair(a: str, b: str) -> str:
    """``209 / 207``; two missing values read ``not reported`` once."""
    return NOT_REPORTED if a == b == NOT_REPORTED else f"{a} / {b}"


def _with_unit(text: str, unit: str) -> str:
    return text if text == NOT_REPORTED else f"{text} {unit}"


def sof_cells(d: Dataset, references: References) -> list[str]:
    """The text of a dataset's row, without note letters (tests compare these with the dataset)."""
    exp, ctl = d.experimental, d.control
    phase = f" (phase {d.trial.phase})" if d.trial.phase else ""
    analysis = analysis_label(d) + (f": {d.analysis.label}" if d.analysis.label else "")
    cited = sorted({sid for _, value in iter_reported(d) for sid in value.sources})
    refs = references.labels(d, cited)
    p = d.comparison.p_value
    return [
        f"{d.trial.acronym}{phase}",
        d.trial.population,
        f"{endpoint_label(d)}; {analysis}",
        pair(_count(exp.n), _count(ctl.n)),
        pair(_count(exp.events), _count(ctl.events)),
        _with_unit(pair(published_median_text(exp.median), published_median_text(ctl.median)), d.time_unit),
        published_hr_text(d.comparison.hazard_ratio),
        NOT_REPORTED if p is None else p.value,
        ", ".join(refs),
    ]


def _flag_cells(flags: list[DatasetFlag], notes: Notes) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for flag in flags:
        letter = notes.letter(flag.footnote)
        out.setdefault(FLAG_CELL.get(flag.code, 0), [])
        if letter not in out[FLAG_CELL.get(flag.code, 0)]:
            out[FLAG_CELL.get(flag.code, 0)].append(letter)
    return out


def new_table(document: Document, headers: list[str], widths_mm: list[float]) -> DocxTable:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = document.styles[TABLE_STYLE]
    for cell, header in zip(table.rows[0].cells, headers):
        cell.text = ""
        cell.paragraphs[0].add_run(header).bold = True
        small(cell.paragraphs[0])
    repeat_header(table)
    set_widths(table, widths_mm)
    return table


def add_notes(document: Document, notes: Notes, extra: Sequence[str] = ()) -> None:
    """The lettered notes under a table (and any plain notes), in the table-notes size."""
    for text, letter in notes.texts.items():
        paragraph = document.add_paragraph()
        paragraph.add_run(letter).font.superscript = True
        paragraph.add_run(f" {text}")
        paragraph.paragraph_format.space_after = 0
        small(paragraph)
    for text in extra:
        paragraph = document.add_paragraph(text)
        paragraph.paragraph_format.space_after = 0
        small(paragraph)


def sof_table(
    document: Document, title: str, datasets: list[Dataset], references: References, tables: Counter
) -> DocxTable:
    """One summary-of-findings table (caption above, notes below) for the datasets of a comparison."""
    caption(document, tables, title).paragraph_format.keep_with_next = True
    table = new_table(document, [h for h, _ in SOF_COLUMNS], [w for _, w in SOF_COLUMNS])
    notes = Notes()
    for d in datasets:
        letters = _flag_cells(dataset_flags(d), notes)
        row = table.add_row()
        set_widths_row(row, [w for _, w in SOF_COLUMNS])
        for i, (cell, text) in enumerate(zip(row.cells, sof_cells(d, references))):
            paragraph = cell.paragraphs[0]
            paragraph.add_run(text)
            marker(paragraph, letters.get(i, []))
            small(paragraph)
    add_notes(
        document,
        notes,
        [
            "HR: hazard ratio, experimental vs control as published (HR < 1 favours the experimental arm); "
            "CIs are 95% unless the level is given. exp: experimental arm; ctrl: control arm. Numbers as "
            "printed in the sources (R: see References)."
        ],
    )
    return table


def set_widths_row(row: _Row, widths_mm: list[float]) -> None:
    for cell, width in zip(row.cells, widths_mm):
        cell.width = Mm(width)


def by_comparison(datasets: list[Dataset]) -> dict[str, list[Dataset]]:
    """Datasets grouped by comparison (experimental vs control), in the order they first appear."""
    groups: dict[str, list[Dataset]] = {}
    for d in datasets:
        groups.setdefault(comparison_label(d), []).append(d)
    return groups


def generic_table(
    document: Document,
    table: Table,
    widths_mm: list[float] | None = None,
    keep: Callable[[tuple[object, ...]], bool] | None = None,
) -> DocxTable:
    """A workbook :class:`~evidence_app.export.sheets.Table` as a Word table (numbers as displayed)."""
    total = sum(c.width for c in table.columns)
    widths = widths_mm or [c.width / total * 170 for c in table.columns]
    out = new_table(document, table.headers, widths)
    for values in table.rows:
        if keep is not None and not keep(values):
            continue
        row = out.add_row()
        set_widths_row(row, widths)
        for cell, value, column in zip(row.cells, values, table.columns):
            text = display_text(value, column)
            cell.paragraphs[0].add_run(text if text else "—")
            small(cell.paragraphs[0])
    return out
