"""Curation decisions for the kmdata patient-level datasets (see ``build_datasets.py``)."""

from __future__ import annotations

from tools import judgements as J

EVE = ["everolimus"]

#: The arms of the everolimus-vs-placebo figures (the kmdata arm names as keys).
EVE_VS_PLACEBO = dict(
    arms={
        "everolimus": {"id": "eve", "label": "Everolimus", "agents": EVE},
        "placebo": {"id": "pbo", "label": "Placebo", "agents": ["placebo"]},
    },
    experimental="eve",
    control="pbo",
)
RADIANT4 = dict(
    EVE_VS_PLACEBO,
    trial="RADIANT-4",
    acronym="RADIANT-4",
    pmid="26703889",
    setting="advanced, progressive",
    disease="non-functional neuroendocrine tumours of the lung or gastrointestinal tract",
    comparison="Everolimus vs placebo",
)

KMDATA: dict[str, dict] = {
    "BOLERO1_2B.csv": dict(
        EVE_VS_PLACEBO,
        id="bolero1-pfs-kmdata",
        population_label="as in figure 2B",
        title="BOLERO-1: everolimus vs placebo (+ trastuzumab, paclitaxel), PFS (figure 2B)",
        trial="BOLERO-1",
        acronym="BOLERO-1",
        pmid="26092818",
        setting="first-line",
        disease="HER2-positive advanced breast cancer",
        endpoint="PFS",
        population="as shown in figure 2B of the primary publication",
        comparison="Everolimus vs placebo, both with trastuzumab and paclitaxel",
    ),
    "BOLERO2_1.csv": dict(
        id="bolero2-os-kmdata",
        population_label="as in figure 1",
        title="BOLERO-2: everolimus + exemestane vs placebo + exemestane, overall survival",
        trial="BOLERO-2",
        acronym="BOLERO-2",
        pmid="25231953",
        setting="after non-steroidal aromatase inhibitor",
        disease="HR-positive, HER2-negative advanced breast cancer",
        endpoint="OS",
        population="as shown in figure 1 of the overall-survival publication",
        arms={
            "eve_exe": {"id": "eve-exe", "label": "Everolimus + exemestane", "agents": EVE + ["exemestane"]},
            "pbo_exe": {"id": "pbo-exe", "label": "Placebo + exemestane", "agents": ["exemestane"]},
        },
        experimental="eve-exe",
        control="pbo-exe",
        comparison="Everolimus + exemestane vs placebo + exemestane",
        judgements=[J.BOLERO2_POPULATION],
        conflicts=[J.BOLERO2_CONFLICT],
    ),
    "BOLERO3_2.csv": dict(
        id="bolero3-pfs-kmdata",
        population_label="as in figure 2",
        title="BOLERO-3: everolimus vs placebo (+ trastuzumab, vinorelbine), PFS",
        trial="BOLERO-3",
        acronym="BOLERO-3",
        pmid="24742739",
        setting="trastuzumab-resistant",
        disease="HER2-positive advanced breast cancer",
        endpoint="PFS",
        population="as shown in figure 2 of the primary publication",
        arms={
            "eve_exe": {
                "id": "eve",
                "label": "Everolimus",
                "agents": EVE,
                "regimen": "everolimus + trastuzumab + vinorelbine (kmdata arm label 'eve_exe')",
            },
            "placebo": {"id": "pbo", "label": "Placebo", "agents": ["placebo"]},
        },
        experimental="eve",
        control="pbo",
        comparison="Everolimus vs placebo, both with trastuzumab and vinorelbine",
    ),
    "RADIANT4_2A.csv": dict(
        RADIANT4,
        id="radiant4-pfs-kmdata",
        population_label="as in figure 2A",
        title="RADIANT-4: everolimus vs placebo, PFS",
        endpoint="PFS",
        population="as shown in figure 2A of the primary publication",
    ),
    "RADIANT4_2C.csv": dict(
        RADIANT4,
        id="radiant4-os-kmdata",
        population_label="as in figure 2C",
        title="RADIANT-4: everolimus vs placebo, overall survival",
        endpoint="OS",
        population="as shown in figure 2C of the primary publication",
    ),
}
