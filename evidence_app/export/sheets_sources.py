"""The Sources sheet and the numbered reference list: every source cited, once, with the
datasets that cite it and the numbers read from it.

Datasets name their sources by their own ids; the same paper cited by two datasets (OS and PFS
of one trial) is one reference here, matched by DOI, PMID, address or citation text. The
numbers ``R1``, ``R2`` … are given in the order the datasets are exported, and the Word report
cites them in its tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from evidence_app.core.datasets.catalog import SECONDARY_KINDS
from evidence_app.core.datasets.references import numbers_from_source
from evidence_app.core.datasets.schema import Dataset, Source
from evidence_app.core.formatting import NOT_REPORTED
from evidence_app.export.sheets import CellValue, Column, Link, Table

PUBMED = "https://pubmed.ncbi.nlm.nih.gov/{}/"
DOI = "https://doi.org/{}"
#: Addresses longer than this show their start and "…"; the link opens the whole address.
SHOWN_ADDRESS_CHARS = 48

COLUMNS = (
    Column("Ref", 5),
    Column("Kind", 12, wrap=True),
    Column("Citation", 44, wrap=True),
    Column("DOI", 20, wrap=True),
    Column("PMID", 10),
    Column("Address", 24),
    Column("Cited by: dataset (source id): numbers read from it", 120, wrap=True),
    Column("Source note", 30, wrap=True),
)


@dataclass
class Reference:
    """One source, numbered, with every (dataset, source id) that cites it."""

    number: int
    source: Source
    citing: list[tuple[Dataset, str]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"R{self.number}"


def _key(source: Source) -> str:
    if source.doi:
        return "doi:" + source.doi.lower()
    if source.pmid:
        return "pmid:" + source.pmid
    if source.url:
        return "url:" + source.url.rstrip("/").lower()
    return "citation:" + " ".join(source.citation.lower().split())


class References:
    """The numbered reference list of an export."""

    def __init__(self, datasets: list[Dataset]) -> None:
        self._by_key: dict[str, Reference] = {}
        for dataset in datasets:
            for source in dataset.sources:
                ref = self._by_key.get(_key(source))
                if ref is None:
                    ref = self._by_key[_key(source)] = Reference(len(self._by_key) + 1, source)
                ref.citing.append((dataset, source.id))

    def __iter__(self) -> Iterator[Reference]:
        return iter(self._by_key.values())

    def __len__(self) -> int:
        return len(self._by_key)

    def of(self, source: Source) -> Reference:
        return self._by_key[_key(source)]

    def labels(self, dataset: Dataset, source_ids: list[str]) -> list[str]:
        """``R`` numbers of the given source ids of ``dataset``, in number order, each once."""
        numbers = sorted({self.of(dataset.source(i)).number for i in source_ids})
        return [f"R{n}" for n in numbers]


def _link(text: str | None, template: str | None = None) -> CellValue:
    if not text:
        return NOT_REPORTED
    url = template.format(text) if template else text
    if not url.lower().startswith(("http://", "https://")):
        return text  # only web addresses become links
    shown = text if len(text) <= SHOWN_ADDRESS_CHARS else text[: SHOWN_ADDRESS_CHARS - 1] + "…"
    return Link(shown, url)


def _kind(source: Source) -> str:
    return source.kind + (" (secondary)" if source.kind in SECONDARY_KINDS else "")


def _cited_by(ref: Reference) -> str:
    parts = []
    for dataset, source_id in ref.citing:
        numbers = numbers_from_source(dataset, source_id)
        parts.append(f"{dataset.id} ({source_id}): {'; '.join(numbers) if numbers else 'cited for context'}")
    return "\n".join(parts)


def sources_table(datasets: list[Dataset], references: References | None = None) -> Table:
    """One row per reference, in reference-number order."""
    table = Table(COLUMNS)
    for ref in references or References(datasets):
        s = ref.source
        notes = dict.fromkeys(d.source(i).note for d, i in ref.citing if d.source(i).note)
        table.add(
            ref.label,
            _kind(s),
            s.citation,
            _link(s.doi, DOI),
            _link(s.pmid, PUBMED),
            _link(s.url),
            _cited_by(ref),
            " ".join(n for n in notes if n) or "none",
        )
    return table
