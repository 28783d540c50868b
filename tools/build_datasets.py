"""Build the bundled datasets in ``datasets/`` from the team's curated source files.

Developer tool, run by hand when the curated facts change (a user's clone does not need it):

    python tools/build_datasets.py ../shared/sources

It reads ``rcc-published.json`` (published RCC trial facts, each with the addresses they were
read from) and ``kmdata-mtor/`` (patient-level curve data from the MIT-licensed kmdata package),
and writes one validated dataset file per comparison. Quoted sentences are NOT copied: every
number keeps only its source ids, and each source keeps its citation and address.
Every decision the script makes (CI level read from the source text or assumed, fallbacks) is
printed so it can be reviewed.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evidence_app.core.datasets.io import dataset_to_json, parse_dataset
from tools.dataset_config import KMDATA, RECORDS, URL_KINDS

KIND_ORDER = ["primary paper", "registry", "congress abstract", "review", "secondary", "dataset"]
LEVEL_RE = re.compile(r"(\d{2}(?:\.\d+)?)\s*%\s*(?:CI|confidence)", re.IGNORECASE)


def url_info(url: str) -> tuple[str, str]:
    for needle, kind, description in URL_KINDS:
        if needle in url:
            return kind, description
    raise SystemExit(f"unclassified source address: {url}")


def citation_text(cit: dict[str, Any] | None) -> str:
    if not cit:
        return "citation not recorded"
    parts = [cit.get("authors"), cit.get("title")]
    journal = " ".join(str(x) for x in (cit.get("journal"), cit.get("year")) if x)
    if cit.get("volume"):
        journal += f";{cit['volume']}"
    if cit.get("pages"):
        journal += f":{cit['pages']}"
    parts.append(journal or None)
    return ". ".join(p.strip().rstrip(".") for p in parts if p) + "."


class SourceBook:
    """Collects the sources one dataset cites, giving each address a short stable id."""

    def __init__(self, record: dict[str, Any]) -> None:
        self.record = record
        self.by_url: dict[str, dict[str, Any]] = {}

    def cite(self, entries: list[dict[str, Any]] | None) -> list[str]:
        ids = []
        for entry in entries or []:
            url = entry["url"]
            if url not in self.by_url:
                self.by_url[url] = self._make(url, entry.get("note"))
            ids.append(self.by_url[url]["id"])
        return list(dict.fromkeys(ids))

    def _make(self, url: str, note: str | None) -> dict[str, Any]:
        kind, description = url_info(url)
        cit = self.record.get("citation") or {}
        primary = kind == "primary paper" and description.startswith("{primary}")
        citation = citation_text(cit) + description.replace("{primary}", "") if primary else description
        is_url = url.startswith("http")
        source = {
            "id": f"s{len(self.by_url) + 1}",
            "kind": kind,
            "citation": citation,
            "url": url if is_url else None,
            "pmid": cit.get("pmid") if primary else None,
            "doi": cit.get("doi") if primary else None,
            "note": note if is_url else f"{url}" + (f"; {note}" if note else ""),
        }
        if "pubmed" in url and "togows" not in url:
            match = re.search(r"(\d{6,9})", url)
            if match:
                source["pmid"] = match.group(1)
        return source

    def all(self) -> list[dict[str, Any]]:
        return list(self.by_url.values())


def level_from(entries: list[dict[str, Any]] | None) -> float | None:
    for entry in entries or []:
        match = LEVEL_RE.search(entry.get("quote", "").replace("·", "."))
        if match:
            return float(match.group(1)) / 100
    return None


def reported(value: Any, ids: list[str], what: str, fallback: list[str]) -> dict[str, Any] | None:
    if value is None:
        return None
    if not ids:
        print(f"   ! {what}: no field-level source; citing the record's citation sources {fallback}")
        ids = fallback
    if not ids:
        raise SystemExit(f"{what} has a value but no source at all")
    return {"value": value, "sources": ids}


def build_arm(
    book: SourceBook, arm: dict[str, Any], cfg: dict[str, Any], fallback: list[str], tag: str
) -> dict[str, Any]:
    src = arm.get("sources", {})
    out: dict[str, Any] = {"id": cfg["id"], "label": arm["name"], "agents": cfg["agents"]}
    if cfg.get("regimen"):
        out["regimen"] = cfg["regimen"]
    out["n"] = reported(arm.get("n"), book.cite(src.get("n")), f"{tag} n", fallback)
    out["events"] = reported(arm.get("events"), book.cite(src.get("events")), f"{tag} events", fallback)
    if arm.get("median_months") is not None:
        ids = book.cite(src.get("median_months")) + book.cite(src.get("median_ci"))
        median = reported(arm["median_months"], list(dict.fromkeys(ids)), f"{tag} median", fallback)
        if arm.get("median_ci"):
            level = cfg.get("median_ci_level") or level_from(src.get("median_ci") or src.get("median_months"))
            median["ci"] = list(arm["median_ci"])
            median["ci_level"] = level
            if level is None:
                median["note"] = "CI level not stated in the source read"
            print(f"   {tag} median CI level: {level}")
        out["median"] = median
    landmarks = []
    for time, pct in (arm.get("landmarks") or {}).items():
        ids = book.cite(src.get("landmarks"))
        landmarks.append(
            {"time": float(time), "survival": pct / 100, "sources": ids or fallback, "note": f"published as {pct}%"}
        )
    out["landmarks"] = landmarks
    return out


def build_record(record: dict[str, Any], cfg: dict[str, Any], records: list[dict[str, Any]]) -> dict[str, Any]:
    tag = cfg["id"]
    print(f"-- {tag}")
    book = SourceBook(record)
    fallback = book.cite((record.get("citation") or {}).get("sources"))
    arms_by_name = {a["name"]: a for a in record["arms"]}
    arms = [build_arm(book, arms_by_name[name], acfg, fallback, f"{tag} {name}") for name, acfg in cfg["arms"].items()]
    src = record.get("sources", {})
    comparison: dict[str, Any] = {
        "experimental_arm": cfg["experimental"],
        "control_arm": cfg["control"],
        "description": cfg.get("comparison", record.get("comparison")),
    }
    if cfg.get("hr", True) and record.get("hr") is not None:
        hr_ids = list(dict.fromkeys(book.cite(src.get("hr")) + book.cite(src.get("hr_ci"))))
        hr = reported(record["hr"], hr_ids, f"{tag} hr", fallback)
        if record.get("hr_ci"):
            level = record.get("hr_ci_level") or level_from(src.get("hr_ci")) or level_from(src.get("hr"))
            hr["lower"], hr["upper"] = record["hr_ci"]
            if isinstance(level, str):
                hr["ci_level"] = level
            elif level is None:
                hr["ci_level"], hr["ci_level_assumed"] = 0.95, True
                hr["note"] = "CI level not stated in the source read; 95% assumed"
            else:
                hr["ci_level"] = level
            print(f"   {tag} HR CI level: {hr['ci_level']}{' (assumed)' if level is None else ''}")
        if cfg.get("hr_adjusted"):
            hr["adjusted"] = True
        comparison["hazard_ratio"] = hr
    if cfg.get("p", True) and record.get("p_value") is not None:
        comparison["p_value"] = reported(str(record["p_value"]), book.cite(src.get("p_value")), f"{tag} p", fallback)
    if record.get("total_events") is not None:
        comparison["total_events"] = reported(
            record["total_events"], book.cite(src.get("total_events")), f"{tag} total events", fallback
        )
    flags = build_flags(record, cfg, book, fallback, src)
    assessment = record.get("assessment")
    return {
        "format_version": 1,
        "id": cfg["id"],
        "title": cfg["title"],
        "trial": {
            "name": record["trial"],
            "acronym": cfg["acronym"],
            "registry_id": cfg.get("nct", record.get("nct")),
            "phase": cfg.get("phase"),
            "setting": cfg["setting"],
            "disease": "advanced renal cell carcinoma",
            "population": _population(record, cfg, records),
            "histology": cfg["histology"],
        },
        "endpoint": {"name": cfg.get("endpoint", record["endpoint"]), "assessment": assessment},
        "analysis": cfg.get("analysis", {"kind": "not stated"}),
        "time_unit": "months",
        "arms": arms,
        "comparison": comparison,
        "curve": {"kind": "none"},
        "sources": sorted(
            book.all() + primary_citation_source(record, book), key=lambda s: KIND_ORDER.index(s["kind"])
        ),
        "flags": flags,
        "notes": record.get("notes"),
    }


def _population(record: dict[str, Any], cfg: dict[str, Any], records: list[dict[str, Any]]) -> str:
    """Records that say "As above" or just "ITT" borrow the companion record's description."""
    if "population_from" in cfg:
        other = records[cfg["population_from"]]["population"]
        own = record["population"].removeprefix("As above").strip(" ;")
        return other + (f"; {own}" if own and own != "ITT" else "")
    return record["population"]


def primary_citation_source(record: dict[str, Any], book: SourceBook) -> list[dict[str, Any]]:
    """Keep the trial's own citation visible even when no number was read from it directly."""
    cit = record.get("citation") or {}
    if not cit.get("title") or any(s["kind"] == "primary paper" for s in book.all()):
        return []
    return [
        {
            "id": "citation",
            "kind": "primary paper",
            "citation": citation_text(cit),
            "url": None,
            "pmid": cit.get("pmid"),
            "doi": cit.get("doi"),
            "note": cit.get("note") or "trial publication (no number in this dataset was read from it directly)",
        }
    ]


def build_flags(
    record: dict[str, Any], cfg: dict[str, Any], book: SourceBook, fallback: list[str], src: dict[str, Any]
) -> dict[str, Any]:
    other = []
    for key, label in (
        ("total_events_all_three_arms", "Deaths across all three ARCC arms"),
        ("subgroup_total_n", "Patients in the subgroup"),
        ("subgroup_papillary_n", "Papillary RCC patients in the subgroup"),
        ("total_n", "Patients randomized (all arms)"),
    ):
        if record.get(key) is not None and key in cfg.get("other", [key]):
            other.append({"label": label, "text": str(record[key]), "sources": book.cite(src.get(key)) or fallback})
    if record.get("rpsft_survival_ratio") is not None:
        lo, hi = record["rpsft_survival_ratio_ci"]
        other.append(
            {
                "label": "RPSFT-corrected survival ratio (crossover-adjusted)",
                "text": f"{record['rpsft_survival_ratio']} (95% CI {lo}–{hi})",
                "sources": book.cite(src.get("rpsft_survival_ratio")) or fallback,
            }
        )
    if record.get("hr_95ci_from_review") is not None:
        lo, hi = record["hr_95ci_from_review"]
        other.append(
            {
                "label": "HR with a 95% CI as tabulated in a review",
                "text": f"{record['hr']} ({lo}–{hi})",
                "sources": book.cite(src.get("hr_95ci_from_review")),
            }
        )
    for key, label in (("earlier_analysis", "Earlier analysis"), ("later_analysis", "Later analysis")):
        extra = record.get(key)
        if extra:
            text = cfg.get(f"{key}_text") or json.dumps({k: v for k, v in extra.items() if k != "sources"})
            other.append({"label": label, "text": text, "sources": book.cite(extra.get("sources"))})
    for item in record.get("other_values") or []:
        other.append(
            {
                "label": "Other reported value",
                "text": cfg.get("other_values_text", "see source"),
                "sources": book.cite([item]),
            }
        )
    conflicts = []
    if not ("conflict_text" in cfg and cfg["conflict_text"] is None):
        conflicts = [
            {"description": cfg.get("conflict_text", "a different value is reported"), "sources": book.cite([c])}
            for c in record.get("conflicting_values") or []
        ]
    caveats = list(cfg.get("caveats", []))
    return {
        "secondary_source_only": bool(record.get("secondary_source_only") or cfg.get("secondary")),
        "conflicting_values": conflicts,
        "other_reported": other,
        "caveats": caveats,
    }


def read_kmdata_csv(path: Path) -> dict[str, dict[str, list]]:
    arms: dict[str, dict[str, list]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            arm = arms.setdefault(row["arm"], {"time": [], "event": []})
            arm["time"].append(round(float(row["time"]), 6))
            arm["event"].append(int(row["event"]))
    return arms


def build_kmdata(folder: Path, entry: dict[str, Any], cfg: dict[str, Any]) -> dict[str, Any]:
    print(f"-- {cfg['id']}")
    data = read_kmdata_csv(folder / entry["file"])
    key = entry.get("reported_in_kmdata_key") or {}
    sources = [
        {
            "id": "primary",
            "kind": "primary paper",
            "citation": entry["source"],
            "url": None,
            "pmid": cfg["pmid"],
            "doi": None,
            "note": f"Kaplan–Meier figure: {entry['title']}",
        },
        {
            "id": "kmdata",
            "kind": "dataset",
            "citation": "kmdata R package (raredd/kmdata), patient-level data reconstructed from the published "
            f"Kaplan–Meier figure ({entry['title']}); MIT licence, see datasets/LICENSE.kmdata",
            "url": "https://github.com/raredd/kmdata",
            "pmid": None,
            "doi": None,
            "note": None,
        },
    ]
    other = []
    if key.get("hazard_ratio") is not None:
        other.append(
            {
                "label": "Published HR as recorded by the kmdata curators (no CI recorded)",
                "text": str(key["hazard_ratio"]),
                "sources": ["kmdata"],
                "note": "secondary record of the published value; not used for pooling (no CI)",
            }
        )
    if key.get("sample_size") is not None:
        other.append(
            {"label": "Reported sample size (kmdata key)", "text": str(int(key["sample_size"])), "sources": ["kmdata"]}
        )
    arms = [
        {"id": acfg["id"], "label": acfg["label"], "agents": acfg["agents"], "regimen": acfg.get("regimen")}
        for name, acfg in cfg["arms"].items()
    ]
    return {
        "format_version": 1,
        "id": cfg["id"],
        "title": cfg["title"],
        "trial": {
            "name": cfg["trial"],
            "acronym": cfg["acronym"],
            "registry_id": cfg.get("nct"),
            "phase": "3",
            "setting": cfg["setting"],
            "disease": cfg["disease"],
            "population": cfg["population"],
            "histology": "not stated",
        },
        "endpoint": {"name": cfg["endpoint"], "assessment": None},
        "analysis": {"kind": "not stated", "label": entry["title"]},
        "time_unit": entry["time_unit"],
        "arms": arms,
        "comparison": {
            "experimental_arm": cfg["experimental"],
            "control_arm": cfg["control"],
            "description": cfg["comparison"],
        },
        "curve": {
            "kind": "patient-level",
            "origin": "reconstructed from the published Kaplan–Meier figure by the kmdata curators",
            "arms": {cfg["arms"][name]["id"]: data[name] for name in cfg["arms"]},
            "sources": ["kmdata", "primary"],
        },
        "sources": sources,
        "flags": {
            "secondary_source_only": False,
            "conflicting_values": [],
            "other_reported": other,
            "caveats": [
                "Patient-level data are a reconstruction from the published figure (kmdata), not the trial's own data."
            ],
        },
        "notes": entry.get("description"),
    }


MIT_TEXT = """
kmdata (https://github.com/raredd/kmdata) is distributed under the MIT License:

Copyright (c) {year} {holder}

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the "Software"), to deal in the Software without restriction,
including without limitation the rights to use, copy, modify, merge, publish, distribute,
sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT
NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT
OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.

The datasets bolero1-pfs-kmdata, bolero2-os-kmdata, bolero3-pfs-kmdata, radiant4-pfs-kmdata and
radiant4-os-kmdata contain patient-level data from kmdata, reconstructed by its authors from the
published Kaplan-Meier figures cited in each dataset.
"""


def write_kmdata_licence(src: Path, dest: Path) -> None:
    header = src.read_text(encoding="utf-8")
    fields = dict(line.split(": ", 1) for line in header.strip().splitlines() if ": " in line)
    text = (
        header.rstrip() + "\n" + MIT_TEXT.format(year=fields.get("YEAR", ""), holder=fields.get("COPYRIGHT HOLDER", ""))
    )
    dest.write_text(text, encoding="utf-8")


def main(shared_sources: Path) -> None:
    out_dir = ROOT / "datasets"
    records = json.loads((shared_sources / "rcc-published.json").read_text(encoding="utf-8"))
    written = []
    for cfg in RECORDS:
        data = build_record(records[cfg["record"]], cfg, records)
        dataset = parse_dataset(data, cfg["id"])
        written.append(dataset.id)
        (out_dir / f"{dataset.id}.json").write_text(dataset_to_json(dataset), encoding="utf-8")
    index = json.loads((shared_sources / "kmdata-mtor" / "index.json").read_text(encoding="utf-8"))
    for entry in index:
        cfg = KMDATA[entry["file"]]
        dataset = parse_dataset(build_kmdata(shared_sources / "kmdata-mtor", entry, cfg), cfg["id"])
        written.append(dataset.id)
        (out_dir / f"{dataset.id}.json").write_text(dataset_to_json(dataset), encoding="utf-8")
    write_kmdata_licence(shared_sources / "kmdata-mtor" / "LICENSE.kmdata", out_dir / "LICENSE.kmdata")
    print(f"wrote {len(written)} datasets to {out_dir}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "sources")
