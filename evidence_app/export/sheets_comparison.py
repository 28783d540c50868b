"""The Comparison sheet: one row per dataset, published numbers beside the computed ones.

Missing published values read "not reported"; computed values that do not exist read
"no curve data" — never a blank that could be read as zero. Hazard ratios appear twice: as
numbers (for sorting and formulas) and as one "HR (CI)" text to paste into a document.
"""

from __future__ import annotations

from evidence_app.core.datasets.catalog import source_kinds
from evidence_app.core.datasets.published import published_hr_text, published_median_text
from evidence_app.core.datasets.schema import Arm, Dataset
from evidence_app.core.formatting import NOT_REPORTED, fmt_hr, fmt_median, fmt_p
from evidence_app.core.reconstruction.arm_data import KIND_APPROXIMATION, KIND_PATIENT, KIND_RECONSTRUCTED
from evidence_app.core.stats.analysis import DatasetAnalysis
from evidence_app.export.sheets import AnalyzedDataset, CellValue, Column, Table
from evidence_app.export.sheets_caveats import Footnotes, RowMarks, level_text, row_marks
from evidence_app.export.xlsx_format import HR_FORMAT, INT_FORMAT, TIME_FORMAT

NO_CURVE = "no curve data"
NOT_COMPUTED = "not computed"
CURVE_KINDS = {
    KIND_PATIENT: "patient-level",
    KIND_RECONSTRUCTED: "digitized",
    KIND_APPROXIMATION: "summary approximation",
}

COLUMNS = (
    Column("Dataset id", 28),
    Column("Trial", 12),
    Column("Registry id", 13),
    Column("Setting / line", 16, wrap=True),
    Column("Population", 40, wrap=True),
    Column("Histology", 13),
    Column("Endpoint", 9),
    Column("Assessment", 20, wrap=True),
    Column("Analysis", 24, wrap=True),
    Column("Experimental arm", 22, wrap=True),
    Column("Control arm", 22, wrap=True),
    Column("N experimental", 11, INT_FORMAT, wrap=True),
    Column("N control", 9, INT_FORMAT, wrap=True),
    Column("Events experimental", 11, INT_FORMAT, wrap=True),
    Column("Events control", 9, INT_FORMAT, wrap=True),
    Column("Median experimental (CI)", 20, wrap=True),
    Column("Median control (CI)", 20, wrap=True),
    Column("Time unit", 9),
    Column("HR", 9, HR_FORMAT, wrap=True),
    Column("HR lower", 9, HR_FORMAT, wrap=True),
    Column("HR upper", 9, HR_FORMAT, wrap=True),
    Column("HR CI level", 11, wrap=True),
    Column("HR (CI)", 24, wrap=True),
    Column("p-value", 14, wrap=True),
    Column("Curve kind", 18, wrap=True),
    Column("Computed HR", 10, HR_FORMAT, wrap=True),
    Column("Computed HR lower", 10, HR_FORMAT, wrap=True),
    Column("Computed HR upper", 10, HR_FORMAT, wrap=True),
    Column("Computed HR (95% CI)", 22, wrap=True),
    Column("Computed log-rank p", 11),
    Column("Computed median experimental (95% CI)", 20, wrap=True),
    Column("Computed median control (95% CI)", 20, wrap=True),
    Column("Computed RMST difference (95% CI)", 22, wrap=True),
    Column("RMST horizon", 9, TIME_FORMAT, wrap=True),
    Column("PH test p", 9),
    Column("Other reported values", 40, wrap=True),
    Column("Source kinds", 22, wrap=True),
    Column("Notes", 60, wrap=True),
)


def signed(value: float, digits: int = 2) -> str:
    """A number with a typographic minus, so a spreadsheet never reads ``-1.2 (…)`` as a formula."""
    text = f"{value:.{digits}f}"
    return "−" + text[1:] if text.startswith("-") else text


def _count(value: object) -> CellValue:
    return NOT_REPORTED if value is None else value.value  # type: ignore[attr-defined]


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
        hr_cells: list[CellValue] = [NOT_REPORTED] * 5
    else:
        hr_cells = [
            hr.value,
            NOT_REPORTED if hr.lower is None else hr.lower,
            NOT_REPORTED if hr.upper is None else hr.upper,
            level_text(hr.ci_level, hr.ci_level_assumed) if hr.lower is not None else NOT_REPORTED,
            published_hr_text(hr) + marks.suffix("hr"),
        ]
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
    ]


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
        return cells + [missing] * 10
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
        fmt_p(c.logrank_p),
        *medians,
        f"{signed(r.value)} ({signed(r.lower)} to {signed(r.upper)}){tag}",
        r.horizon,
        fmt_p(c.ph_test_p),
    ]


def _notes(item: AnalyzedDataset, marks: RowMarks) -> str:
    parts = [marks.notes_text()]
    a = item.analysis
    if item.problem:
        parts.append(f"computed values: {item.problem}")
    elif a is not None:
        # The approximation note (first when present) is already a footnote.
        parts.extend(a.notes[1:] if a.is_approximation else a.notes)
    return "; ".join(p.rstrip(".") for p in parts if p) or "none"


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
        _notes(item, marks),
    )


def comparison_table(items: list[AnalyzedDataset], notes: Footnotes) -> Table:
    """One row per dataset, in the order given; registers each row's caveats in ``notes``."""
    table = Table(COLUMNS)
    for item in items:
        table.add(*comparison_row(item, notes))
    return table
