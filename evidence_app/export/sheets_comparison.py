"""The Comparison sheet: one row per dataset, published numbers beside the computed ones.

Missing published values read "not reported"; computed values that do not exist read
"no curve data" — never a blank that could be read as zero. Hazard ratios appear twice: as
numbers (for sorting and formulas) and as one "HR (CI)" text to paste into a document.
"""

from __future__ import annotations

from evidence_app.core.datasets.catalog import source_kinds
from evidence_app.core.datasets.published import published_hr_text, published_median_text
from evidence_app.core.datasets.schema import Arm, Dataset, ReportedInt
from evidence_app.core.formatting import NOT_REPORTED, fmt_hr, fmt_median, fmt_p
from evidence_app.core.reconstruction.kinds import KIND_APPROXIMATION, KIND_PATIENT, KIND_RECONSTRUCTED
from evidence_app.core.stats.analysis import DatasetAnalysis
from evidence_app.core.stats.derived import WITHHELD
from evidence_app.export.sheets import AnalyzedDataset, CellValue, Column, Table
from evidence_app.export.sheets_caveats import Footnotes, RowMarks, row_marks
from evidence_app.export.xlsx_format import HR_FORMAT, INT_FORMAT, LEVEL_FORMAT, TIME_FORMAT

NO_CURVE = "no curve data"
NOT_COMPUTED = "not computed"
CURVE_KINDS = {
    KIND_PATIENT: "patient-level",
    KIND_RECONSTRUCTED: "digitized",
    KIND_APPROXIMATION: "summary approximation",
}

COLUMNS = (
    Column("Dataset id", 18, wrap=True),
    Column("Trial", 12, wrap=True),
    Column("Registry id", 13),
    Column("Setting / line", 14, wrap=True),
    Column("Population", 28, wrap=True),
    Column("Histology", 13, wrap=True),
    Column("Endpoint", 9),
    Column("Assessment", 14, wrap=True),
    Column("Analysis", 16, wrap=True),
    Column("Experimental arm", 14, wrap=True),
    Column("Control arm", 14, wrap=True),
    Column("N exp", 7, INT_FORMAT),
    Column("N ctrl", 7, INT_FORMAT),
    Column("Events exp", 7, INT_FORMAT),
    Column("Events ctrl", 7, INT_FORMAT),
    Column("Median exp (CI)", 14, wrap=True),
    Column("Median ctrl (CI)", 14, wrap=True),
    Column("Time unit", 7),
    Column("HR", 7, HR_FORMAT),
    Column("HR lower", 7, HR_FORMAT),
    Column("HR upper", 7, HR_FORMAT),
    Column("HR CI level %", 7, LEVEL_FORMAT),
    Column("HR (CI)", 16, wrap=True),
    Column("p-value", 10, wrap=True),
    Column("Not reported", 16, wrap=True),
    Column("Curve kind", 14, wrap=True),
    Column("Computed HR", 8, HR_FORMAT),
    Column("Computed HR lower", 8, HR_FORMAT),
    Column("Computed HR upper", 8, HR_FORMAT),
    Column("Computed HR (95% CI)", 18, wrap=True),
    Column("Computed log-rank p", 9),
    Column("Computed median exp (95% CI)", 16, wrap=True),
    Column("Computed median ctrl (95% CI)", 16, wrap=True),
    Column("Computed RMST difference (95% CI)", 20, wrap=True),
    Column("RMST horizon", 8, TIME_FORMAT),
    Column("PH test p", 8),
    Column("Other reported values", 40, wrap=True),
    Column("Source kinds", 14, wrap=True),
    Column("Notes", 44, wrap=True),
    Column("Computed notes", 100, wrap=True),
)

#: The Computed sheet: the keys, then the numbers computed from curve data and the details the
#: Comparison sheet leaves out. The Comparison sheet (the published numbers, printed on one
#: landscape page width) has every other column, in the order of COLUMNS.
COMPUTED_ONLY = (
    "Curve kind",
    "Computed HR",
    "Computed HR lower",
    "Computed HR upper",
    "Computed HR (95% CI)",
    "Computed log-rank p",
    "Computed median exp (95% CI)",
    "Computed median ctrl (95% CI)",
    "Computed RMST difference (95% CI)",
    "RMST horizon",
    "PH test p",
    "Registry id",
    "Setting / line",
    "Histology",
    "Assessment",
    "Source kinds",
    "Other reported values",
    "Computed notes",
)
COMPUTED_HEADERS = ("Dataset id", "Trial", "Endpoint", *COMPUTED_ONLY)
PUBLISHED_HEADERS = tuple(c.header for c in COLUMNS if c.header not in COMPUTED_ONLY)


def signed(value: float, digits: int = 2) -> str:
    """A number with a typographic minus, so a spreadsheet never reads ``-1.2 (…)`` as a formula."""
    text = f"{value:.{digits}f}"
    return "−" + text[1:] if text.startswith("-") else text


def _count(value: ReportedInt | None) -> CellValue:
    return None if value is None else value.value


def _median(arm: Arm, marks: RowMarks) -> str:
    m = arm.median
    if m is None:
        return NOT_REPORTED
    return published_median_text(m) + marks.suffix(f"median:{arm.id}")


def _analysis_text(d: Dataset, marks: RowMarks) -> str:
    text = d.analysis.kind + (f": {d.analysis.label}" if d.analysis.label else "")
    return text + marks.suffix("analysis")


def _published(d: Dataset, marks: RowMarks) -> list[CellValue]:
    exp, ctl = d.experimental, d.control
    hr = d.comparison.hazard_ratio
    p = d.comparison.p_value
    if hr is None:
        hr_cells: list[CellValue] = [None, None, None, None, NOT_REPORTED]
    else:
        level = None if hr.lower is None or hr.ci_level is None else round(hr.ci_level * 100, 4)
        hr_cells = [hr.value, hr.lower, hr.upper, level, published_hr_text(hr)]
        hr_cells[-1] = f"{hr_cells[-1]}{' (level assumed)' if hr.ci_level_assumed else ''}{marks.suffix('hr')}"
    return [
        _count(exp.n),
        _count(ctl.n),
        _count(exp.events),
        _count(ctl.events),
        _median(exp, marks),
        _median(ctl, marks),
        d.time_unit,
        *hr_cells,
        NOT_REPORTED if p is None else p.value,
        _not_reported(d),
    ]


def _not_reported(d: Dataset) -> str:
    """The published numbers left empty in the numeric columns, named (or "none")."""
    exp, ctl = d.experimental, d.control
    hr = d.comparison.hazard_ratio
    missing = [
        name
        for name, absent in (
            ("N exp", exp.n is None),
            ("N ctrl", ctl.n is None),
            ("events exp", exp.events is None),
            ("events ctrl", ctl.events is None),
            ("HR", hr is None),
            ("HR CI", hr is not None and hr.lower is None),
        )
        if absent
    ]
    return ", ".join(missing) if missing else "none"


def curve_kind_text(a: DatasetAnalysis | None) -> str:
    if a is None or not a.curve_kinds:
        return "none"
    return " / ".join(sorted(CURVE_KINDS.get(k, k) for k in a.curve_kinds))


def _computed(item: AnalyzedDataset, marks: RowMarks) -> list[CellValue]:
    a = item.analysis
    missing = NO_CURVE if a is None or not a.curve_kinds else NOT_COMPUTED
    cells: list[CellValue] = [curve_kind_text(a) + marks.suffix("curve")]
    tag = marks.suffix("computed")
    if a is None or a.comparison is None:
        return cells + [None, None, None, missing, missing, missing, missing, missing, None, missing]
    c = a.comparison
    h = c.hazard_ratio
    exp_fit = a.arm_result(a.dataset.comparison.experimental_arm).fit
    ctl_fit = a.arm_result(a.dataset.comparison.control_arm).fit
    medians = [
        fmt_median(f.median, f.median_lower, f.median_upper, not_reached=f.median is None) + tag
        if f is not None
        else missing
        for f in (exp_fit, ctl_fit)
    ]
    r = c.rmst_difference
    return cells + [
        h.hr,
        h.lower,
        h.upper,
        fmt_hr(h.hr, h.lower, h.upper, h.ci_level) + tag,
        fmt_p(c.logrank_p) if a.counts_are_data else WITHHELD,
        *medians,
        f"{signed(r.value)} ({signed(r.lower)} to {signed(r.upper)}){tag}",
        r.horizon,
        fmt_p(c.ph_test_p) if a.counts_are_data else WITHHELD,
    ]


def _notes(marks: RowMarks) -> str:
    """The row's footnote markers with their short meaning (full texts on the Methods sheet)."""
    return marks.notes_text() or "none"


def _computed_notes(item: AnalyzedDataset) -> str:
    """What the analysis of the curve data noted (the Computed sheet)."""
    a = item.analysis
    if item.problem:
        return f"computed values: {item.problem}"
    if a is None:
        return "none"
    # The approximation note (first when present) is already a footnote.
    notes = a.notes[1:] if a.is_approximation else a.notes
    return "; ".join(n.rstrip(".") for n in notes) or "none"


def _other_reported(d: Dataset) -> str:
    items = [f"{o.label}: {o.text}" for o in d.flags.other_reported]
    return "; ".join(items) if items else "none"


def comparison_row(item: AnalyzedDataset, notes: Footnotes) -> tuple[CellValue, ...]:
    d = item.dataset
    marks = row_marks(d, item.analysis, notes)
    t = d.trial
    return (
        d.id,
        t.acronym,
        t.registry_id or NOT_REPORTED,
        t.setting,
        t.population,
        t.histology,
        d.endpoint.name,
        d.endpoint.assessment or NOT_REPORTED,
        _analysis_text(d, marks),
        d.experimental.label,
        d.control.label,
        *_published(d, marks),
        *_computed(item, marks),
        _other_reported(d),
        ", ".join(source_kinds(d)) + marks.suffix("sources"),
        _notes(marks),
        _computed_notes(item),
    )


def comparison_table(items: list[AnalyzedDataset], notes: Footnotes) -> Table:
    """One row per dataset, in the order given; registers each row's caveats in ``notes``."""
    table = Table(COLUMNS)
    for item in items:
        table.add(*comparison_row(item, notes))
    return table
