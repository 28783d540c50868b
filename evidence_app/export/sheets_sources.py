"""The Sources sheet: every source cited by the exported datasets and the numbers read from it."""

from __future__ import annotations

from evidence_app.core.datasets.catalog import SECONDARY_KINDS
from evidence_app.core.datasets.references import numbers_from_source
from evidence_app.core.datasets.schema import Dataset, Source
from evidence_app.core.formatting import NOT_REPORTED
from evidence_app.export.sheets import CellValue, Column, Link, Table

PUBMED = "https://pubmed.ncbi.nlm.nih.gov/{}/"
DOI = "https://doi.org/{}"

COLUMNS = (
    Column("Dataset id", 28),
    Column("Trial", 11),
    Column("Source id", 10),
    Column("Kind", 16, wrap=True),
    Column("Citation", 60, wrap=True),
    Column("DOI", 22, wrap=True),
    Column("PMID", 11),
    Column("Address", 40, wrap=True),
    Column("Numbers from this source", 50, wrap=True),
    Column("Source note", 40, wrap=True),
)


def _link(text: str | None, template: str | None = None) -> CellValue:
    if not text:
        return NOT_REPORTED
    url = template.format(text) if template else text
    if not url.lower().startswith(("http://", "https://")):
        return text  # only web addresses become links
    return Link(text, url)


def _kind(source: Source) -> str:
    return source.kind + (" (secondary)" if source.kind in SECONDARY_KINDS else "")


def source_rows(dataset: Dataset) -> list[tuple[CellValue, ...]]:
    rows: list[tuple[CellValue, ...]] = []
    for source in dataset.sources:
        numbers = numbers_from_source(dataset, source.id)
        rows.append(
            (
                dataset.id,
                dataset.trial.acronym,
                source.id,
                _kind(source),
                source.citation,
                _link(source.doi, DOI),
                _link(source.pmid, PUBMED),
                _link(source.url),
                "; ".join(numbers) if numbers else "no number (cited for context)",
                source.note or "none",
            )
        )
    return rows


def sources_table(datasets: list[Dataset]) -> Table:
    """One row per (dataset, source), in the datasets' order and each dataset's source order."""
    table = Table(COLUMNS)
    for dataset in datasets:
        table.rows.extend(source_rows(dataset))
    return table
