"""Curation decisions for the RCC records from ASPEN to Study 205 (see ``dataset_config.py``).

What the datasets of one trial share (acronym, phase, setting, histology, arms) is written once
per trial; each record adds what is its own.
"""

from __future__ import annotations

from tools import judgements as J

TEM = ["temsirolimus"]
EVE = ["everolimus"]
SUN = ["sunitinib"]
WHOLE_TRIAL = "whole trial (analysis set not stated)"
EVE_CONTROL = "Everolimus is the control arm."


def trial(acronym: str, phase: str, setting: str, histology: str, **shared: object) -> dict:
    return dict(acronym=acronym, phase=phase, setting=setting, histology=histology, **shared)


EVE_VS_SUN = dict(
    arms={"Everolimus": {"id": "eve", "agents": EVE}, "Sunitinib": {"id": "sun", "agents": SUN}},
    experimental="eve",
    control="sun",
)
ASPEN = trial("ASPEN", "2", "first-line", "non-clear-cell", population_label="ITT", **EVE_VS_SUN)
ESPN = trial("ESPN", "2", "first-line", "non-clear-cell", population_label="68 evaluable patients", **EVE_VS_SUN)
TEMPA = trial(
    "TemPa",
    "2",
    "first-line",
    "clear-cell",
    population_label=WHOLE_TRIAL,
    hr_adjusted=True,
    arms={"Temsirolimus": {"id": "tem", "agents": TEM}, "Pazopanib": {"id": "paz", "agents": ["pazopanib"]}},
    experimental="tem",
    control="paz",
    caveats=["Adjusted HR (prior nephrectomy, prior IL-2, IMDC score)."],
)
BEVACIZUMAB = {"id": "bev", "agents": ["bevacizumab"], "median_ci_level": 0.90}
BEST = trial(
    "BeST",
    "2",
    "first-line",
    "clear-cell",
    population_label="331 eligible treated",
    control="bev",
    caveats=["Medians are given with 90% CIs; per-arm N and HR CIs not reported in the sources read."],
)
CHECKMATE = trial(
    "CheckMate 025",
    "3",
    "second-line",
    "clear-cell",
    population_label="all randomized",
    arms={"Nivolumab": {"id": "niv", "agents": ["nivolumab"]}, "Everolimus": {"id": "eve", "agents": EVE}},
    experimental="niv",
    control="eve",
)
METEOR = trial(
    "METEOR",
    "3",
    "second-line",
    "clear-cell",
    arms={"Cabozantinib": {"id": "cabo", "agents": ["cabozantinib"]}, "Everolimus": {"id": "eve", "agents": EVE}},
    experimental="cabo",
    control="eve",
    caveats=[EVE_CONTROL],
)
STUDY205 = trial("Study 205", "2", "second-line", "clear-cell", population_label=WHOLE_TRIAL, record=28, control="eve")

LATER_RECORDS: list[dict] = [
    dict(
        ASPEN,
        record=16,
        id="aspen-pfs",
        title="ASPEN: everolimus vs sunitinib in non-clear-cell RCC, PFS",
        caveats=[
            "The primary publication reports 80% confidence intervals (HR and medians); a review "
            "tabulates a 95% CI for the HR (see other reported values)."
        ],
        judgements=[J.ASPEN_PFS_LEVEL],
    ),
    dict(
        ASPEN,
        record=17,
        id="aspen-os",
        title="ASPEN: everolimus vs sunitinib in non-clear-cell RCC, overall survival",
        secondary=True,
        caveats=["OS values from a review table (secondary source)."],
        judgements=[J.ASPEN_OS_LEVEL],
        hr_level_note="CI level not stated in the review table; 95% assumed (see the judgement call)",
    ),
    dict(
        ESPN,
        record=18,
        id="espn-pfs",
        title="ESPN: everolimus vs sunitinib in non-clear-cell RCC, first-line PFS",
        endpoint="PFS",
        analysis={"kind": "interim", "label": "interim analysis of 68 patients that closed the trial"},
        judgements=[J.ESPN_PFS_INTERIM, J.review_table_level("ESPN")],
        caveats=["HR and median CIs come only from a review table (secondary source)."],
    ),
    dict(
        ESPN,
        record=19,
        id="espn-os-final",
        population_from=18,
        title="ESPN (final): everolimus vs sunitinib in non-clear-cell RCC, overall survival",
        analysis={"kind": "final", "label": "final OS analysis"},
        earlier_analysis_text=(
            "Interim report: median OS not reached with sunitinib vs 10.5 months with everolimus (p = 0.014)"
        ),
        judgements=[J.ESPN_OS_FINAL],
    ),
    dict(
        TEMPA,
        record=20,
        id="tempa-pfs",
        title="TemPa: temsirolimus vs pazopanib in poor-risk RCC, first-line PFS",
        endpoint="PFS",
    ),
    dict(
        TEMPA,
        record=21,
        id="tempa-os",
        title="TemPa: temsirolimus vs pazopanib in poor-risk RCC, overall survival",
    ),
    dict(
        BEST,
        record=22,
        id="best-pfs-bev-tem",
        title="BeST: bevacizumab + temsirolimus vs bevacizumab, PFS",
        median_ci_level=0.90,
        arms={
            "Bevacizumab + temsirolimus": {"id": "bev-tem", "agents": ["bevacizumab"] + TEM, "median_ci_level": 0.90},
            "Bevacizumab": BEVACIZUMAB,
        },
        experimental="bev-tem",
    ),
    dict(
        BEST,
        record=23,
        id="best-pfs-sor-tem",
        title="BeST: sorafenib + temsirolimus vs bevacizumab, PFS",
        arms={
            "Sorafenib + temsirolimus": {"id": "sor-tem", "agents": ["sorafenib"] + TEM, "median_ci_level": 0.90},
            "Bevacizumab": BEVACIZUMAB,
        },
        experimental="sor-tem",
    ),
    dict(
        CHECKMATE,
        record=24,
        id="checkmate025-os",
        title="CheckMate 025: nivolumab vs everolimus, overall survival",
        analysis={"kind": "interim", "label": "pre-planned interim analysis of OS (first report)"},
        judgements=[J.CHECKMATE_OS_INTERIM],
        caveats=[EVE_CONTROL, "The HR is published with a 98.5% CI."],
    ),
    dict(
        CHECKMATE,
        record=25,
        id="checkmate025-pfs",
        population_from=24,
        title="CheckMate 025: nivolumab vs everolimus, PFS",
        analysis={"kind": "interim", "label": "first report, data cut-off of the interim OS analysis"},
        judgements=[J.CHECKMATE_PFS_INTERIM],
        caveats=[EVE_CONTROL],
    ),
    dict(
        METEOR,
        record=26,
        id="meteor-os-interim",
        population_label="all 658 randomized",
        title="METEOR (interim): cabozantinib vs everolimus, overall survival",
        analysis={"kind": "interim", "label": "second interim analysis of OS"},
        later_analysis_text="Long-term follow-up: 430 deaths (198 vs 232), median 21.4 vs 17.1 months, "
        "HR 0.70 (95% CI 0.58–0.85), P = 0.0002",
        conflicts=[J.METEOR_COSA_CONFLICT],
    ),
    dict(
        METEOR,
        record=27,
        id="meteor-pfs",
        population_label="first 375 randomized",
        title="METEOR: cabozantinib vs everolimus, PFS (first 375 patients)",
        analysis={"kind": "not stated", "label": "primary PFS analysis (first 375 randomized)"},
        other_values_text="Final report: PFS HR 0.51 (95% CI 0.41–0.62) in all randomized patients",
    ),
    dict(
        STUDY205,
        id="study205-pfs-len-eve-vs-eve",
        title="Study 205: lenvatinib + everolimus vs everolimus, PFS",
        arms={
            "Lenvatinib + everolimus": {"id": "len-eve", "agents": ["lenvatinib"] + EVE},
            "Everolimus": {"id": "eve", "agents": EVE},
        },
        experimental="len-eve",
        caveats=["Both arms contain everolimus: the comparison isolates the effect of adding lenvatinib."],
    ),
    dict(
        STUDY205,
        id="study205-pfs-len-vs-eve",
        title="Study 205: lenvatinib vs everolimus, PFS",
        hr=False,
        p=False,
        comparison="Lenvatinib vs everolimus",
        arms={"Lenvatinib": {"id": "len", "agents": ["lenvatinib"]}, "Everolimus": {"id": "eve", "agents": EVE}},
        experimental="len",
        caveats=[
            "The primary paper reports an HR for lenvatinib vs everolimus, but it was not in the text read: "
            "left empty, not filled in from memory (see the judgement call)."
        ],
        judgements=[J.STUDY205_LEN_HR],
    ),
]
