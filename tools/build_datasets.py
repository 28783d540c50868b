"""Build the bundled datasets in ``datasets/`` from the team's curated source files.

Developer tool, run by hand when the curated facts change (a user's clone does not need it):

    python tools/build_datasets.py ../shared/sources

It reads ``rcc-published.json`` (published RCC trial facts, each with the addresses they were
read from) and ``kmdata-mtor/`` (patient-level curve data from the MIT-licensed kmdata package),
and writes one validated dataset file per comparison. Quoted sentences are NOT copied: every
number keeps only its source ids, a locator written by the team (where in the source it stands,
from ``tools/source_config.py``) and the decimals it was printed with (read from the quote), and
each source keeps its citation and address (one paper per entry, checked by
``tools/dataset_sources.py``). Curation decisions live in ``tools/dataset_config.py`` and its
companions; judgement calls, with their reasons, in ``tools/judgements.py``.
Every decision the script makes (CI level read from the source text or assumed, fallbacks) is
printed so it can be reviewed.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evidence_app.core.datasets.io import dataset_to_json, parse_dataset
from tools.build_kmdata import build_kmdata, write_kmdata_licence
from tools.dataset_config import KMDATA, RECORDS
from tools.dataset_sources import SourceBook, citation_text, published_decimals, quotes

KIND_ORDER = ["primary paper", "registry", "congress abstract", "review", "secondary", "dataset"]
LEVEL_RE = re.compile(r"(\d{2}(?:\.\d+)?)\s*%\s*(?:CI|confidence)", re.IGNORECASE)


def level_from(entries: list[dict[str, Any]] | None) -> float | None:
    for entry in entries or []:
        match = LEVEL_RE.search(entry.get("quote", "").replace("·", "."))
        if match:
            return float(match.group(1)) / 100
    return None


def reported(
    value: Any, ids: list[str], what: str, fallback: list[str], book: SourceBook, locator: str | None = None
) -> dict[str, Any] | None:
    """A published value with its sources and where in them it stands."""
    if value is None:
        return None
    if not ids:
        print(f"   ! {what}: no field-level source; citing the record's citation sources {fallback}")
        ids = fallback
    if not ids:
        raise SystemExit(f"{what} has a value but no source at all")
    return {"value": value, "sources": ids, "locator": locator or book.locator(ids)}


def build_arm(
    book: SourceBook, arm: dict[str, Any], cfg: dict[str, Any], fallback: list[str], tag: str
) -> dict[str, Any]:
    src = arm.get("sources", {})
    out: dict[str, Any] = {"id": cfg["id"], "label": arm["name"], "agents": cfg["agents"]}
    if cfg.get("regimen"):
        out["regimen"] = cfg["regimen"]
    out["n"] = reported(arm.get("n"), book.cite(src.get("n")), f"{tag} n", fallback, book)
    out["events"] = reported(arm.get("events"), book.cite(src.get("events")), f"{tag} events", fallback, book)
    if arm.get("median_months") is not None:
        value_ids, ci_ids = book.cite(src.get("median_months")), book.cite(src.get("median_ci"))
        ids = list(dict.fromkeys(value_ids + ci_ids))
        median = reported(arm["median_months"], ids, f"{tag} median", fallback, book)
        assert median is not None
        if ci_ids and set(ci_ids) != set(value_ids):
            median["ci_sources"] = ci_ids
        ci = list(arm.get("median_ci") or [])
        texts = quotes(src.get("median_months")) + quotes(src.get("median_ci"))
        median["decimals"] = published_decimals([arm["median_months"], *ci], texts, f"{tag} median")
        if ci:
            level = cfg.get("median_ci_level") or level_from(src.get("median_ci") or src.get("median_months"))
            median["ci"] = ci
            median["ci_level"] = level
            if level is None:
                median["note"] = "CI level not stated in the source read"
            print(f"   {tag} median CI level: {level}")
        out["median"] = median
    landmarks = []
    for time, pct in (arm.get("landmarks") or {}).items():
        ids = book.cite(src.get("landmarks")) or fallback
        landmarks.append(
            {
                "time": float(time),
                "survival": pct / 100,
                "sources": ids,
                "locator": book.locator(ids),
                "note": f"published as {pct}%",
            }
        )
    out["landmarks"] = landmarks
    return out


def build_hr(record: dict[str, Any], cfg: dict[str, Any], book: SourceBook, fallback: list[str]) -> dict[str, Any]:
    tag, src = cfg["id"], record.get("sources", {})
    value_ids, ci_ids = book.cite(src.get("hr")), book.cite(src.get("hr_ci"))
    hr = reported(record["hr"], list(dict.fromkeys(value_ids + ci_ids)), f"{tag} hr", fallback, book)
    assert hr is not None
    if ci_ids and value_ids and set(ci_ids) != set(value_ids):
        hr["ci_sources"] = ci_ids
    texts = quotes(src.get("hr")) + quotes(src.get("hr_ci"))
    hr["decimals"] = published_decimals([record["hr"], *(record.get("hr_ci") or [])], texts, f"{tag} hr")
    if record.get("hr_ci"):
        level = record.get("hr_ci_level") or level_from(src.get("hr_ci")) or level_from(src.get("hr"))
        hr["lower"], hr["upper"] = record["hr_ci"]
        if isinstance(level, str):
            hr["ci_level"] = level
        elif level is None:
            hr["ci_level"], hr["ci_level_assumed"] = 0.95, True
            hr["note"] = cfg.get("hr_level_note", "CI level not stated in the source read; 95% assumed")
        else:
            hr["ci_level"] = level
        print(f"   {tag} HR CI level: {hr['ci_level']}{' (assumed)' if level is None else ''}")
    if cfg.get("hr_adjusted"):
        hr["adjusted"] = True
    return hr


def build_record(record: dict[str, Any], cfg: dict[str, Any], records: list[dict[str, Any]]) -> dict[str, Any]:
    tag = cfg["id"]
    print(f"-- {tag}")
    book = SourceBook(record, records)
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
        comparison["hazard_ratio"] = build_hr(record, cfg, book, fallback)
    if cfg.get("p", True) and record.get("p_value") is not None:
        ids = book.cite(src.get("p_value"))
        comparison["p_value"] = reported(str(record["p_value"]), ids, f"{tag} p", fallback, book)
    if record.get("total_events") is not None:
        ids = book.cite(src.get("total_events"))
        comparison["total_events"] = reported(record["total_events"], ids, f"{tag} total events", fallback, book)
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
            "population_label": cfg["population_label"],
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


OTHER_KEYS = (
    ("total_events_all_three_arms", "Deaths across all three ARCC arms"),
    ("subgroup_total_n", "Patients in the subgroup"),
    ("subgroup_papillary_n", "Papillary RCC patients in the subgroup"),
    ("total_n", "Patients randomized (all arms)"),
)


def other_reported(record: dict[str, Any], cfg: dict[str, Any], book: SourceBook, fallback: list[str]) -> list[dict]:
    src = record.get("sources", {})
    other = []

    def add(label: str, text: str, ids: list[str], note: str | None = None) -> None:
        other.append({"label": label, "text": text, "sources": ids, "locator": book.locator(ids), "note": note})

    for key, label in OTHER_KEYS:
        if record.get(key) is not None and key in cfg.get("other", [key]):
            add(label, str(record[key]), book.cite(src.get(key)) or fallback)
    if record.get("rpsft_survival_ratio") is not None:
        lo, hi = record["rpsft_survival_ratio_ci"]
        text = f"{record['rpsft_survival_ratio']} (95% CI {lo}–{hi})"
        add("RPSFT-corrected survival ratio (crossover-adjusted)", text, book.cite(src.get("rpsft_survival_ratio")))
    if record.get("hr_95ci_from_review") is not None:
        lo, hi = record["hr_95ci_from_review"]
        add(
            "HR with a 95% CI as tabulated in a review",
            f"{record['hr']} ({lo}–{hi})",
            book.cite(src.get("hr_95ci_from_review")),
        )
    for key, label in (("earlier_analysis", "Earlier analysis"), ("later_analysis", "Later analysis")):
        extra = record.get(key)
        if extra:
            text = cfg.get(f"{key}_text") or json.dumps({k: v for k, v in extra.items() if k != "sources"})
            add(label, text, book.cite(extra.get("sources")))
    for item in record.get("other_values") or []:
        add("Other reported value", cfg.get("other_values_text", "see source"), book.cite([item]))
    return other


def conflicting_values(record: dict[str, Any], cfg: dict[str, Any], book: SourceBook) -> list[dict]:
    """Reports that disagree: from the record's own list, or written in the config with their address."""
    out = []
    if not ("conflict_text" in cfg and cfg["conflict_text"] is None):
        for c in record.get("conflicting_values") or []:
            ids = book.cite([c])
            conflict = {"description": cfg.get("conflict_text", "a different value is reported"), "sources": ids}
            out.append(conflict | cfg.get("conflict_detail", {}) | {"locator": book.locator(ids)})
    for c in cfg.get("conflicts", []):
        ids = book.cite([{"url": c["url"]}])
        out.append({k: v for k, v in c.items() if k != "url"} | {"sources": ids, "locator": book.locator(ids)})
    return out


def build_flags(
    record: dict[str, Any], cfg: dict[str, Any], book: SourceBook, fallback: list[str], src: dict[str, Any]
) -> dict[str, Any]:
    return {
        "secondary_source_only": bool(record.get("secondary_source_only") or cfg.get("secondary")),
        "conflicting_values": conflicting_values(record, cfg, book),
        "other_reported": other_reported(record, cfg, book, fallback),
        "caveats": list(cfg.get("caveats", [])),
        "judgements": list(cfg.get("judgements", [])),
    }


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
