"""The kmdata part of ``build_datasets.py``: patient-level curves from the MIT-licensed kmdata package."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any


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
    key_locator = "kmdata_key table, row for this figure"
    other = []
    if key.get("hazard_ratio") is not None:
        other.append(
            {
                "label": "Published HR as recorded by the kmdata curators (no CI recorded)",
                "text": str(key["hazard_ratio"]),
                "sources": ["kmdata"],
                "locator": key_locator,
                "note": "secondary record of the published value; not used for pooling (no CI)",
            }
        )
    if key.get("sample_size") is not None and not cfg.get("conflicts"):
        other.append(
            {
                "label": "Reported sample size (kmdata key)",
                "text": str(int(key["sample_size"])),
                "sources": ["kmdata"],
                "locator": key_locator,
            }
        )
    conflicts = [c | {"sources": ["kmdata"], "locator": key_locator} for c in cfg.get("conflicts", [])]
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
            "population_label": cfg["population_label"],
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
            "conflicting_values": conflicts,
            "other_reported": other,
            "caveats": [
                "Patient-level data are a reconstruction from the published figure (kmdata), not the trial's own data."
            ],
            "judgements": cfg.get("judgements", []),
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
