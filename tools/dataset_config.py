"""Curation decisions for ``build_datasets.py``: ids, titles, setting, histology, arm roles.

The RCC records are split over this module (ARCC to RECORD-3) and ``dataset_config_later.py``
(ASPEN to Study 205); the kmdata datasets are in ``kmdata_config.py``.

What the datasets of one trial share is written once per trial (``trial``); each record adds what
is its own. These are classifications made by the team from each record's population text (not published
numbers); every number still comes from the source files with its addresses.
"""

from __future__ import annotations

from tools import judgements as J
from tools.dataset_config_later import EVE, LATER_RECORDS, SUN, TEM, trial
from tools.kmdata_config import KMDATA

IFN = ["interferon alfa"]
ARCC_CAVEAT = "Interim analysis: the primary publication reports the second interim analysis."
HR_CI_NOT_REPORTED = "HR CI not reported in the sources read."

ARCC = trial("ARCC", "3", "first-line", "mixed", population_label="ITT", control="ifn", caveats=[ARCC_CAVEAT])
ARCC_SECOND_INTERIM = {"kind": "interim", "label": "second interim analysis"}
TEM_VS_IFN = {"Temsirolimus": {"id": "tem", "agents": TEM}, "Interferon alfa": {"id": "ifn", "agents": IFN}}
RECORD1 = trial(
    "RECORD-1",
    "3",
    "second-line or later",
    "clear-cell",
    population_label="ITT",
    arms={"Everolimus": {"id": "eve", "agents": EVE}, "Placebo": {"id": "pbo", "agents": ["placebo"]}},
    experimental="eve",
    control="pbo",
)
INTORSECT = trial(
    "INTORSECT",
    "3",
    "second-line",
    "mixed",
    population_label="ITT",
    analysis={"kind": "final", "label": "final analysis"},
    arms={"Temsirolimus": {"id": "tem", "agents": TEM}, "Sorafenib": {"id": "sor", "agents": ["sorafenib"]}},
    experimental="tem",
    control="sor",
)
INTORACT = trial(
    "INTORACT",
    "3b",
    "first-line",
    "clear-cell",
    population_label="ITT",
    arms={
        "Temsirolimus + bevacizumab": {"id": "tem-bev", "agents": TEM + ["bevacizumab"]},
        "Interferon alfa + bevacizumab": {"id": "ifn-bev", "agents": IFN + ["bevacizumab"]},
    },
    experimental="tem-bev",
    control="ifn-bev",
)
RECORD3 = trial(
    "RECORD-3",
    "2",
    "first-line",
    "mixed",
    population_label="ITT",
    arms={
        "Everolimus -> sunitinib": {"id": "eve-sun", "agents": EVE + SUN},
        "Sunitinib -> everolimus": {"id": "sun-eve", "agents": SUN + EVE},
    },
    experimental="eve-sun",
    control="sun-eve",
)

RECORDS: list[dict] = [
    dict(
        ARCC,
        record=0,
        id="arcc-os-tem-vs-ifn",
        title="ARCC: temsirolimus vs interferon alfa, overall survival",
        analysis={"kind": "interim", "label": "second interim analysis (446 deaths, all three arms)"},
        arms={
            "Temsirolimus": {"id": "tem", "agents": TEM, "regimen": "temsirolimus 25 mg IV weekly"},
            "Interferon alfa": {"id": "ifn", "agents": IFN},
        },
        experimental="tem",
    ),
    dict(
        ARCC,
        record=1,
        id="arcc-os-combo-vs-ifn",
        title="ARCC: temsirolimus + interferon alfa vs interferon alfa, overall survival",
        analysis=ARCC_SECOND_INTERIM,
        arms={
            "Temsirolimus + interferon alfa": {
                "id": "tem-ifn",
                "agents": TEM + IFN,
                "regimen": "temsirolimus 15 mg + interferon alfa 6 MU",
            },
            "Interferon alfa": {"id": "ifn", "agents": IFN},
        },
        experimental="tem-ifn",
    ),
    dict(
        ARCC,
        record=2,
        id="arcc-pfs-tem-vs-ifn",
        title="ARCC: temsirolimus vs interferon alfa, progression-free survival",
        analysis=ARCC_SECOND_INTERIM,
        comparison="Temsirolimus vs interferon alfa",
        arms=TEM_VS_IFN,
        experimental="tem",
        conflict_text="A 2007 review table lists PFS 3.7 vs 1.9 months for this comparison (analysis not stated)",
        conflict_detail=J.ARCC_PFS_CONFLICT,
        caveats=[ARCC_CAVEAT, "Assessment method for PFS not stated in the sources read; no PFS HR found."],
    ),
    dict(
        ARCC,
        record=2,
        id="arcc-pfs-combo-vs-ifn",
        title="ARCC: temsirolimus + interferon alfa vs interferon alfa, progression-free survival",
        analysis=ARCC_SECOND_INTERIM,
        p=False,
        comparison="Temsirolimus + interferon alfa vs interferon alfa",
        arms={
            "Temsirolimus + interferon alfa": {"id": "tem-ifn", "agents": TEM + IFN},
            "Interferon alfa": {"id": "ifn", "agents": IFN},
        },
        experimental="tem-ifn",
        conflict_text=None,
        caveats=[ARCC_CAVEAT, "No PFS HR or p-value for this comparison in the sources read."],
    ),
    dict(
        ARCC,
        record=3,
        id="arcc-os-nccrcc-subgroup",
        population_label="non-clear-cell subgroup",
        title="ARCC non-clear-cell subgroup: temsirolimus vs interferon alfa, overall survival",
        histology="non-clear-cell",
        secondary=True,
        analysis={"kind": "not stated", "label": "histology subgroup analysis (Dutcher et al.)"},
        arms=TEM_VS_IFN,
        experimental="tem",
        caveats=[
            "Medians from a secondary source only (guideline overview); the subgroup paper was not read.",
            "Per-arm N, CIs and HR not reported in the sources read.",
        ],
    ),
    dict(
        RECORD1,
        record=5,
        id="record1-pfs-interim",
        title="RECORD-1 (interim): everolimus vs placebo, PFS",
        analysis={"kind": "interim", "label": "second interim analysis (191 events); trial halted early"},
        arms={
            "Everolimus": {"id": "eve", "agents": EVE, "regimen": "everolimus 10 mg/day + BSC"},
            "Placebo": {"id": "pbo", "agents": ["placebo"], "regimen": "placebo + BSC"},
        },
        caveats=["Interim analysis; a final analysis exists (separate dataset)."],
    ),
    dict(
        RECORD1,
        record=6,
        id="record1-pfs-final-central",
        title="RECORD-1 (final): everolimus vs placebo, PFS by central review",
        analysis={"kind": "final", "label": "final analysis (end of double-blind treatment)"},
        caveats=["HR CI from a secondary source (2009 review); the final-paper abstract gives no CI."],
    ),
    dict(
        RECORD1,
        record=7,
        id="record1-pfs-final-investigator",
        title="RECORD-1 (final): everolimus vs placebo, PFS by investigator",
        analysis={"kind": "final", "label": "final analysis"},
        caveats=[HR_CI_NOT_REPORTED],
    ),
    dict(
        RECORD1,
        record=8,
        id="record1-os-final",
        title="RECORD-1 (final): everolimus vs placebo, overall survival",
        analysis={"kind": "final", "label": "final analysis"},
        caveats=[
            "80% of placebo patients crossed over to everolimus: the OS HR is diluted by crossover.",
            HR_CI_NOT_REPORTED,
        ],
    ),
    dict(INTORSECT, record=9, id="intorsect-pfs", title="INTORSECT: temsirolimus vs sorafenib, PFS"),
    dict(
        INTORSECT,
        record=10,
        id="intorsect-os",
        population_from=9,
        title="INTORSECT: temsirolimus vs sorafenib, overall survival",
    ),
    dict(
        INTORACT,
        record=11,
        id="intoract-pfs",
        title="INTORACT: temsirolimus + bevacizumab vs interferon alfa + bevacizumab, PFS",
        caveats=[HR_CI_NOT_REPORTED],
    ),
    dict(
        INTORACT,
        record=12,
        id="intoract-os",
        population_from=11,
        title="INTORACT: temsirolimus + bevacizumab vs interferon alfa + bevacizumab, overall survival",
        caveats=["OS results not found in the sources read."],
    ),
    dict(
        RECORD3,
        record=13,
        id="record3-pfs",
        title="RECORD-3: first-line everolimus vs sunitinib, first-line PFS",
        endpoint="PFS",
        analysis={"kind": "not stated", "label": "primary analysis (first-line PFS)"},
        caveats=["Non-inferiority design; the primary end point was not met."],
    ),
    dict(
        RECORD3,
        record=14,
        id="record3-os-final",
        title="RECORD-3 (final): everolimus then sunitinib vs sunitinib then everolimus, OS",
        analysis={"kind": "final", "label": "final OS analysis"},
        earlier_analysis_text="Earlier (2014) OS report: median 22.4 vs 32.0 months, HR 1.2 (95% CI 0.9–1.6)",
    ),
    dict(
        RECORD3,
        record=15,
        id="record3-pfs-nccrcc-subgroup",
        population_label="non-clear-cell subgroup",
        title="RECORD-3 non-clear-cell subgroup: everolimus vs sunitinib, first-line PFS",
        histology="non-clear-cell",
        endpoint="PFS",
        secondary=True,
        analysis={"kind": "not stated", "label": "non-clear-cell subgroup"},
        arms={"Everolimus": {"id": "eve", "agents": EVE}, "Sunitinib": {"id": "sun", "agents": SUN}},
        experimental="eve",
        control="sun",
        caveats=["Values from a review table (secondary source); per-arm N not given."],
        judgements=[J.review_table_level("the RECORD-3 non-clear-cell subgroup")],
    ),
]
RECORDS += LATER_RECORDS

__all__ = ["KMDATA", "RECORDS"]
