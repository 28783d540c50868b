"""The Methods sheet: what each computed number means, versions, date and the numbered caveats."""

from __future__ import annotations

import platform
import sys
from collections.abc import Sequence
from datetime import datetime
from importlib import metadata

from evidence_app import __version__
from evidence_app.core.datasets.schema import FORMAT_VERSION
from evidence_app.core.results import KM_CI_METHOD
from evidence_app.core.stats.survival import COX_METHOD
from evidence_app.core.synthesis.methods import HK_DESCRIPTION, HK_LABEL, HK_REFERENCE, METHODS
from evidence_app.export.sheets import Column, Table
from evidence_app.export.sheets_caveats import Footnotes

COLUMNS = (Column("Section", 16, wrap=True), Column("Item", 22, wrap=True), Column("Description", 120, wrap=True))

SHEETS = (
    (
        "Comparison",
        "One row per dataset: the published numbers (HR, its bounds and CI level % as numbers, and "
        "as one 'HR (CI)' text to paste), N, events, medians, p, and footnote markers [n] explained below.",
    ),
    (
        "Computed",
        "The numbers computed from curve data (curve kind, HR, log-rank p, medians, RMST, PH test) and "
        "the dataset details the Comparison sheet leaves out (registry id, setting, histology, assessment).",
    ),
    (
        "Forest",
        "The hazard ratios used in the forest plot, oriented 'mTOR inhibitor vs comparator' (flipped "
        "rows are marked), with each row's weight per pooling method.",
    ),
    ("Pooled", "The pooled estimates per endpoint, group and method, with heterogeneity and prediction intervals."),
    (
        "Survival tables",
        "Per arm: Kaplan–Meier survival with 95% CI and the numbers at risk at 0, 6, 12, 24 "
        "months and at every published landmark; each row names its curve kind. The published "
        "columns are empty where nothing was published for that time.",
    ),
    (
        "Patient data",
        "Patient-level rows per arm (only when requested), flagged by how they were obtained; split over "
        "further sheets, or written to a CSV file beside the workbook, past Excel's row limit.",
    ),
    ("Forest plots, KM figures", "The forest plot per endpoint and a Kaplan–Meier figure per dataset with curve data."),
    ("Sources", "Every source cited, once, numbered R1, R2 … (as in the Word report), with the numbers read from it."),
)

CONVENTIONS = (
    (
        "Missing values",
        "'not reported' means the value was not published in the sources read; nothing is "
        "estimated to fill it. 'no curve data' means nothing could be computed because the dataset "
        "has no curve data and too few published numbers to approximate one. A column holds numbers "
        "or text, never both: a missing number is an empty cell, named in the row's 'Not reported' or "
        "'Notes' column, while the formatted text beside it (e.g. 'HR (CI)') reads 'not reported'.",
    ),
    (
        "Hazard ratio direction",
        "Comparison: experimental vs control as published (HR < 1 favours the "
        "experimental arm). Forest: mTOR inhibitor vs comparator; rows whose mTOR inhibitor "
        "was the control are inverted (1/HR, bounds swapped) and marked 'Flipped'.",
    ),
    (
        "CI levels",
        "Published intervals keep their published level (e.g. 80%, 90%, 98.5%); the level is shown "
        "whenever it is not 95%. Computed intervals are 95%.",
    ),
    (
        "p-values",
        "As printed in the source (text). Computed p-values are written as journals print them (<0.001, 0.008, 0.21).",
    ),
    (
        "Numbers at risk",
        "At risk at t = patients whose time is ≥ t (at risk just before t). Events and "
        "censorings are cumulative counts up to and including t.",
    ),
)

COMPUTED = (
    (
        "Kaplan–Meier curve",
        f"Product-limit estimate per arm; pointwise 95% CI from the Greenwood variance on the {KM_CI_METHOD} scale.",
    ),
    (
        "Median and its CI",
        "First time the KM curve is ≤ 0.5; 'not reached' when it never is. CI by inverting the "
        "pointwise band: from where the lower to where the upper band crosses 0.5 (as R's "
        "survfit); 'NR' when a band never crosses.",
    ),
    (
        "Landmark survival",
        "KM survival (with its pointwise 95% CI) read off the step function at the landmark; "
        "'beyond follow-up' after the last observed time.",
    ),
    (
        "RMST",
        "Restricted mean survival time: area under the KM curve from 0 to the horizon (default: the "
        "shorter arm's last follow-up). SE: Greenwood-type estimator (Klein & Moeschberger 2003, "
        "eq. 4.5.2, as R's survRM2); CI = RMST ± 1.96·SE. Difference = experimental − control, "
        "SE = √(SE₁² + SE₂²).",
    ),
    ("Hazard ratio (computed)", f"{COX_METHOD}: exp(β ± 1.96·SE), arm as the only covariate."),
    ("Log-rank test", "Two-sided, unweighted log-rank test (as lifelines logrank_test)."),
    (
        "Proportional hazards",
        "Schoenfeld residual test against rank-transformed time (Grambsch & Therneau "
        "1994, lifelines proportional_hazard_test); p < 0.05 raises a footnote.",
    ),
    (
        "Software",
        "Kaplan–Meier, Cox and log-rank for two arms run in numpy code that repeats lifelines' "
        "algorithms step for step (agreement with lifelines is tested to about 1e-10 on every bundled "
        "dataset and on random data); other fits call lifelines directly. Versions: see below.",
    ),
    (
        "Digitized curves",
        "Patient-level data reconstructed from digitized points and the published numbers at "
        "risk (interval-constrained algorithm extending Guyot et al. 2012).",
    ),
    (
        "Summary-based approximation",
        "For summary-only datasets with N and a median or landmark: a piecewise-"
        "exponential curve through (0, 1), (median, 0.5) and each published landmark, "
        "pseudo-patients at its mid-quantiles, uniform censoring from the published "
        "follow-up or event count. It reproduces the published summaries, not the "
        "trial's curve shape or censoring: computed values from it are flagged in "
        "every row and are not evidence beyond the published numbers.",
    ),
)

POOLING = (
    (
        "Effect sizes",
        "log HR from the published HR; SE = (ln U − ln L) / (2·z), z at the published CI level "
        "((1 + level)/2 normal quantile). HRs without a CI are shown but never pooled; a p-value "
        "alone is not used.",
    ),
    *((m.label, f"{m.description} {m.reference}.") for m in METHODS),
    (HK_LABEL, f"{HK_DESCRIPTION} {HK_REFERENCE}."),
    (
        "Heterogeneity",
        "Cochran's Q (χ², k − 1 df); I² = τ²/(τ² + s²) with s² the typical within-study "
        "variance (metafor); for the fixed-effect model I² = (Q − df)/Q. CIs for τ² and I² by the "
        "Q-profile method (Viechtbauer 2007), shown for random-effects models.",
    ),
    (
        "Prediction interval",
        "95% interval for the effect in a new study: μ ± c·√(SE(μ)² + τ²), c the normal "
        "quantile (t with k − 1 df under Hartung–Knapp), as metafor's predict().",
    ),
    (
        "What is pooled",
        "One forest per endpoint (never OS with PFS), grouped by setting, under the one pooling rule set "
        "(core/synthesis/rules.py): one estimate per trial comparison and endpoint (the final analysis "
        "over an interim one, independent review over the investigator's, the whole population over a "
        "subgroup); a multi-arm trial's shared arm counted once (one comparison pooled, or the shared "
        "arm split, Cochrane Handbook 23.3.4), with a warning; rows where both or neither arm holds an "
        "mTOR inhibitor are shown but not pooled. A group with one row is not pooled.",
    ),
)


def _versions() -> list[tuple[str, str]]:
    rows = [("python", f"{sys.version.split()[0]} ({platform.platform()})"), ("evidence_app", __version__)]
    for name in ("numpy", "pandas", "scipy", "lifelines", "matplotlib", "openpyxl"):
        try:
            rows.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            rows.append((name, "not installed"))
    return rows


def _algorithms() -> list[tuple[str, str]]:
    from evidence_app.core.reconstruction import reconstruct, summary_curve

    return [
        ("Dataset format", f"version {FORMAT_VERSION}"),
        ("Curve reconstruction", f"{reconstruct.METHOD}, version {reconstruct.ALGORITHM_VERSION}"),
        ("Summary-based approximation", f"piecewise exponential, version {summary_curve.ALGORITHM_VERSION}"),
    ]


def methods_table(
    notes: Footnotes, dataset_ids: Sequence[str], when: datetime, extra: Sequence[tuple[str, str]] = ()
) -> Table:
    """The Methods sheet; ``notes`` must already hold every footnote used in the other sheets."""
    table = Table(COLUMNS)
    table.add("Export", "Date", when.isoformat(timespec="seconds"))
    table.add("Export", "Datasets", f"{len(dataset_ids)}: {', '.join(dataset_ids)}")
    for item, text in extra:
        table.add("Export", item, text)
    for section, rows in (
        ("Sheets", SHEETS),
        ("Conventions", CONVENTIONS),
        ("Computed numbers", COMPUTED),
        ("Pooling", POOLING),
        ("Algorithm versions", _algorithms()),
        ("Software", _versions()),
    ):
        for item, text in rows:
            table.add(section, item, text)
    for note in notes:
        table.add("Caveats (footnotes)", note.marker, f"{note.text} Applies to: {', '.join(note.datasets)}.")
    if not len(notes):
        table.add("Caveats (footnotes)", "none", "No caveat applies to the exported datasets.")
    return table
