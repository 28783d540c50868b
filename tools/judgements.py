"""Judgement calls the sources do not settle by themselves, written into the datasets with their reasons.

Each is a team decision (topic, decision, reason, and the field it settles); the build copies
them into ``flags.judgements`` so every view and ``evidence-app audit`` can show them.
"""

from __future__ import annotations

HR = "comparison.hazard_ratio"

ASPEN_OS_LEVEL = dict(
    topic="HR CI level",
    field=HR,
    decision="95%, assumed (flagged as assumed wherever the HR is shown)",
    reason=(
        "The review table that gives this HR does not state a level. For ASPEN's PFS the same table "
        "lists 1.41 (0.88–2.27), while the trial's abstract gives 1.41 with an 80% CI of 1.03–1.92; "
        "widening that 80% interval to 95% on the log scale gives about 0.88–2.26, so the table's "
        "intervals are read as 95% intervals."
    ),
)

ASPEN_PFS_LEVEL = dict(
    topic="HR CI level",
    field=HR,
    decision="80%, as the trial's abstract states",
    reason=(
        "The trial reports 80% intervals. Pooling derives the standard error from the 80% level, "
        "which gives the same standard error as the 95% interval a review tabulates (kept under "
        "'Also reported')."
    ),
)

STUDY205_LEN_HR = dict(
    topic="HR not recorded",
    field=HR,
    decision="published in the primary paper, left empty here",
    reason=(
        "The primary publication compares lenvatinib alone with everolimus, but the text read for "
        "this dataset (the publisher's summary) breaks off before that result, and numbers are never "
        "filled in from memory. Look the HR up in the paper's summary (Findings) before using this "
        "comparison."
    ),
)

CHECKMATE_OS_INTERIM = dict(
    topic="analysis (interim or final)",
    field="analysis.kind",
    decision="interim",
    reason=(
        "The OS HR is published with a 98.5% CI, the narrower significance level a pre-planned "
        "interim analysis spends, and it comes from the trial's first report (N Engl J Med 2015). "
        "No later OS analysis is in the sources read."
    ),
)

CHECKMATE_PFS_INTERIM = dict(
    topic="analysis (interim or final)",
    field="analysis.kind",
    decision="interim (same report and data cut-off as the interim OS analysis)",
    reason="The PFS numbers come from the same first report as the interim OS analysis.",
)

ESPN_PFS_INTERIM = dict(
    topic="analysis (interim or final)",
    field="analysis.kind",
    decision="interim (the analysis that closed the trial early)",
    reason=(
        "The publication says an interim analysis of 68 patients led to early closure and gives "
        "PFS for those 68 patients (35 + 33); only the OS analysis is called final."
    ),
)

ESPN_OS_FINAL = dict(
    topic="analysis (interim or final)",
    field="analysis.kind",
    decision="final",
    reason=(
        "The publication calls this OS analysis final; the interim OS result it also reports is "
        "kept under 'Earlier analysis'."
    ),
)

BOLERO2_POPULATION = dict(
    topic="population (N 720 or 724)",
    field="curve",
    decision="the 724 patients in the curve data (485 everolimus, 239 placebo), as drawn in figure 1",
    reason=(
        "No source read gives N except the kmdata curators' key, which records 720; the patient-level "
        "data reconstructed from figure 1 hold 724. The 720 is kept as a conflicting report and not "
        "used; no per-arm N is recorded as published."
    ),
)

BOLERO2_CONFLICT = dict(
    description="The kmdata curators' key records a sample size of 720",
    quantity="sample size",
    value="720",
    resolution="not used: the curve data (figure 1) hold 724 patients, 485 + 239",
)

METEOR_COSA_CONFLICT = dict(
    url="https://cosa-2017.p.asnevents.com.au/days/2017-11-13/abstract/47518",
    description="A congress abstract (COSA 2017) reports this analysis as HR 0.67 (95% CI 0.53–0.83), P = 0.0003",
    quantity=HR,
    value="0.67 (95% CI 0.53–0.83), p = 0.0003",
    resolution=(
        "The dataset uses 0.66 (0.53–0.83), p = 0.00026 from the full paper's abstract; the congress "
        "abstract's value is shown beside it."
    ),
)

ARCC_PFS_CONFLICT = dict(
    quantity="arms[].median",
    value="3.7 vs 1.9 months",
    resolution=(
        "The dataset uses 5.5 vs 3.1 months, given by two other sources; the 2007 review does not "
        "say which analysis its numbers come from."
    ),
)


def review_table_level(trial: str) -> dict[str, str]:
    """The Eur Urol 2017 review table's intervals read as 95% (the ASPEN reasoning), for another trial's row."""
    return dict(
        topic="HR CI level",
        field=HR,
        decision="95%, assumed (flagged as assumed wherever the HR is shown)",
        reason=(
            f"The review table that gives {trial}'s HR does not state a level; its ASPEN row matches the "
            "trial's 80% interval widened to 95%, so the table's intervals are read as 95% intervals."
        ),
    )
