"""Sources for ``build_datasets.py``: one entry per address, its paper, its locator; published precision.

Every source entry's citation, PMID, DOI and address must name the same paper: the paper is
chosen per address (``PAPER_OF_ADDRESS``), PMIDs are read only from PubMed addresses, and an
address whose own identifier disagrees with the citation stops the build.
"""

from __future__ import annotations

import re
from typing import Any

from tools.source_config import PAPER_OF_ADDRESS, URL_KINDS

PUBMED_ID = re.compile(r"(?:pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/|/pubid)(\d{6,9})")


def url_info(url: str) -> tuple[str, str, str]:
    """(kind, citation text, locator) for an address."""
    for needle, kind, description, locator in URL_KINDS:
        if needle in url:
            return kind, description, locator
    raise SystemExit(f"unclassified source address: {url}")


def citation_text(cit: dict[str, Any] | None) -> str:
    if not cit or not cit.get("title"):
        raise SystemExit(f"a source needs a paper with a title, got {cit!r}")
    parts = [cit.get("authors"), cit.get("title")]
    journal = " ".join(str(x) for x in (cit.get("journal"), cit.get("year")) if x)
    if cit.get("volume"):
        journal += f";{cit['volume']}"
    if cit.get("pages"):
        journal += f":{cit['pages']}"
    parts.append(journal or None)
    return ". ".join(p.strip().rstrip(".") for p in parts if p) + "."


def paper_of(url: str, record: dict[str, Any], records: list[dict[str, Any]]) -> dict[str, Any]:
    for needle, index in PAPER_OF_ADDRESS.items():
        if needle in url:
            return records[index].get("citation") or {}
    return record.get("citation") or {}


def check_identifiers(source: dict[str, Any]) -> None:
    """Stop the build when an address's own PubMed id disagrees with the entry's PMID."""
    url = source.get("url") or ""
    match = PUBMED_ID.search(url)
    if match and source.get("pmid") not in (None, match.group(1)):
        raise SystemExit(f"{url}: the address shows PMID {match.group(1)} but the entry says {source['pmid']}")
    pmc = re.search(r"PMC(\d+)", url)
    if pmc and source.get("pmid") == pmc.group(1):
        raise SystemExit(f"{url}: {pmc.group(1)} is a PubMed Central id, not a PMID")


class SourceBook:
    """Collects the sources one dataset cites, giving each address a short stable id."""

    def __init__(self, record: dict[str, Any], records: list[dict[str, Any]]) -> None:
        self.record = record
        self.records = records
        self.by_url: dict[str, dict[str, Any]] = {}
        self.locators: dict[str, str] = {}

    def cite(self, entries: list[dict[str, Any]] | None) -> list[str]:
        ids = []
        for entry in entries or []:
            url = entry["url"]
            if url not in self.by_url:
                self.by_url[url] = self._make(url, entry.get("note"))
            ids.append(self.by_url[url]["id"])
        return list(dict.fromkeys(ids))

    def _make(self, url: str, note: str | None) -> dict[str, Any]:
        kind, description, locator = url_info(url)
        primary = kind == "primary paper" and description.startswith("{primary}")
        cit = paper_of(url, self.record, self.records) if primary else {}
        citation = citation_text(cit) + description.replace("{primary}", "") if primary else description
        is_url = url.startswith("http")
        match = PUBMED_ID.search(url)
        source = {
            "id": f"s{len(self.by_url) + 1}",
            "kind": kind,
            "citation": citation,
            "url": url if is_url else None,
            "pmid": cit.get("pmid") or (match.group(1) if match and primary else None),
            "doi": cit.get("doi"),
            "note": note if is_url else f"{url}" + (f"; {note}" if note else ""),
        }
        check_identifiers(source)
        self.locators[source["id"]] = locator
        return source

    def locator(self, ids: list[str]) -> str:
        """One place for all cited sources, or one per source when they differ."""
        places = [self.locators.get(i, "citation record") for i in ids]
        if len(set(places)) == 1:
            return places[0]
        return "; ".join(f"{i}: {p}" for i, p in zip(ids, places, strict=True))

    def all(self) -> list[dict[str, Any]]:
        return list(self.by_url.values())


def quotes(entries: list[dict[str, Any]] | None) -> list[str]:
    return [str(e.get("quote", "")).replace("·", ".") for e in entries or []]


def decimals_in(value: float | None, texts: list[str]) -> int | None:
    """The decimal places ``value`` is printed with in ``texts`` (the most that match), or None."""
    if value is None:
        return None
    found = None
    for places in range(5):
        text = f"{value:.{places}f}"
        if float(text) != value:
            continue
        pattern = re.compile(r"(?<![\d.])" + re.escape(text) + r"(?!\d|\.\d)")
        if any(pattern.search(t) for t in texts):
            found = places
    return found


def fallback_decimals(value: float) -> int:
    text = repr(float(value))
    return len(text.split(".")[1].rstrip("0")) if "." in text else 0


def published_decimals(values: list[float | None], texts: list[str], what: str) -> list[int]:
    """Decimals of (value, lower, upper) as printed in the quotes; the shortest form when not found."""
    out = []
    for v in values:
        if v is None:
            out.append(0)
            continue
        places = decimals_in(v, texts)
        if places is None:
            places = fallback_decimals(v)
            print(f"   ! {what}: {v} not found in the quotes; precision taken as {places} decimal(s)")
        out.append(places)
    return out
