"""The Survival tables and Patient data sheets: per-arm numbers computed from curve data.

Convention (as :mod:`evidence_app.core.stats.survival`): *at risk at t* counts patients whose time
is ≥ t (at risk just before t); events and censorings are cumulative up to and including t.
Every row names its curve kind, and rows from a summary-based approximation say so; their numbers
at risk, events and censorings are not data and read "— (approximation)" (``core.stats.derived``).
"""

from __future__ import annotations

from evidence_app.core.results import AtRiskRow
from evidence_app.core.stats.analysis import ArmResult
from evidence_app.core.stats.derived import WITHHELD
from evidence_app.core.stats.survival import landmark_survival
from evidence_app.export.sheets import AnalyzedDataset, CellValue, Column, Table
from evidence_app.export.sheets_comparison import CURVE_KINDS, NO_CURVE
from evidence_app.export.xlsx_format import INT_FORMAT, PROB_FORMAT, TIME_FORMAT

BEYOND = "beyond follow-up"
#: Why an approximation's at-risk, event and censoring cells are empty (``core.stats.derived.WITHHELD``).
COUNTS_WITHHELD = "counts " + WITHHELD.lstrip("— ")

#: Headers are short words so the columns stay narrow: the sheet prints in portrait.
SURVIVAL_COLUMNS = (
    Column("Dataset id", 30),
    Column("Arm", 26),
    Column("Curve kind", 22),
    Column("Time", 7, TIME_FORMAT),
    Column("Time unit", 7),
    Column("Survival", 8, PROB_FORMAT),
    Column("Survival lower 95% CI", 8, PROB_FORMAT),
    Column("Survival upper 95% CI", 8, PROB_FORMAT),
    Column("At risk just before t", 7, INT_FORMAT),
    Column("Events up to t", 7, INT_FORMAT),
    Column("Censored up to t", 8, INT_FORMAT),
    Column("Published survival at t", 10, PROB_FORMAT),
    Column("Published at risk at t", 10, INT_FORMAT),
    Column("Notes", 42, wrap=True),  # one line: "beyond follow-up; counts (approximation)"
)

#: Kept to what a re-analysis needs: the kind says how the rows were obtained (an approximation
#: says so in every row), and every extra column costs seconds on large exports.
PATIENT_COLUMNS = (
    Column("Dataset id", 28),
    Column("Arm", 24),
    Column("Time", 9),
    Column("Time unit", 8),
    Column("Event (1 = event, 0 = censored)", 12),
    Column("Kind", 36),
)
#: Columns of :data:`PATIENT_COLUMNS` that hold numbers (the table is written unstyled, for speed).
PATIENT_NUMERIC = ("Time", "Event (1 = event, 0 = censored)")


def _match(pairs: list[tuple[float, float]], t: float) -> float | None:
    for time, value in pairs:
        if abs(time - t) < 1e-6:
            return value
    return None


def _kind(result: ArmResult) -> str:
    """How the arm's rows were obtained; "summary approximation" marks rows that are not trial data."""
    return "none" if result.data is None else CURVE_KINDS.get(result.data.kind, result.data.kind)


def _counts(result: ArmResult, row: AtRiskRow) -> tuple[CellValue, ...]:
    """At risk, events and censored at t: data for reconstructed or patient-level curves only."""
    return (row.n_at_risk, row.events, row.censored) if result.counts_are_data else (None,) * 3


def _row_notes(result: ArmResult, beyond: bool) -> str:
    """Why numeric cells of a row are empty (a numeric column holds no text)."""
    notes = [BEYOND] if beyond else []
    if not result.counts_are_data:
        notes.append(COUNTS_WITHHELD)
    return "; ".join(notes) or "none"


def _arm_rows(item: AnalyzedDataset, result: ArmResult) -> list[tuple[CellValue, ...]]:
    d = item.dataset
    head: tuple[CellValue, ...] = (d.id, result.arm.label, _kind(result))
    if result.fit is None:
        reason = item.problem or NO_CURVE
        return [head + (None, d.time_unit) + (None,) * 8 + (reason,)]
    published = [(lm.time, lm.survival) for lm in result.arm.landmarks]
    published_at_risk = list(result.data.published_at_risk) if result.data else []
    times = [row.time for row in result.at_risk]
    estimates = landmark_survival(result.fit, times)
    rows = []
    for row, est in zip(result.at_risk, estimates):
        survival: tuple[CellValue, ...] = (None,) * 3 if est.survival is None else (est.survival, est.lower, est.upper)
        pub_s = _match(published, row.time)
        pub_n = _match([(t, float(n)) for t, n in published_at_risk], row.time)
        rows.append(
            head
            + (
                row.time,
                d.time_unit,
                *survival,
                *_counts(result, row),
                pub_s,
                None if pub_n is None else int(pub_n),
                _row_notes(result, est.survival is None),
            )
        )
    return rows


def survival_table(items: list[AnalyzedDataset]) -> Table:
    """Survival with CI and the numbers-at-risk table at 0 and each landmark, per arm."""
    table = Table(SURVIVAL_COLUMNS)
    for item in items:
        if item.analysis is None:
            d = item.dataset
            reason = item.problem or NO_CURVE
            table.rows.extend((d.id, arm.label, "none", None, d.time_unit) + (None,) * 8 + (reason,) for arm in d.arms)
            continue
        for result in item.analysis.arms:
            table.rows.extend(_arm_rows(item, result))
    return table


def patient_table(items: list[AnalyzedDataset]) -> Table:
    """One row per patient of every arm with curve data, flagged by how the rows were obtained."""
    table = Table(PATIENT_COLUMNS)
    for item in items:
        if item.analysis is None:
            continue
        unit = item.dataset.time_unit
        for result in item.analysis.arms:
            data = result.data
            if data is None:
                continue
            table.rows.extend(
                (item.dataset.id, result.arm.label, t, unit, e, data.kind)
                for t, e in zip(data.time.tolist(), data.event.astype(int).tolist())
            )
    return table
