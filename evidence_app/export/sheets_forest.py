"""The Forest sheet: the effects used (oriented, flips noted) and the pooled results per method.

Pooling follows :func:`evidence_app.core.synthesis.forest_data.build_forest` exactly as the forest plot
does: one forest per endpoint (OS and PFS are never pooled together), rows grouped by setting,
HRs oriented "mTOR inhibitor vs comparator", one analysis per trial.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from evidence_app.core.datasets.schema import Dataset
from evidence_app.core.formatting import fmt_hr, fmt_p
from evidence_app.core.results import PooledEstimate
from evidence_app.core.synthesis.forest_data import ForestData, GroupBy, Orientation, build_forest
from evidence_app.core.synthesis.methods import method_label, normalise_method
from evidence_app.export.sheets import CellValue, Column, Table
from evidence_app.export.xlsx_format import HR_FORMAT, LEVEL_FORMAT, STAT_FORMAT, TAU2_FORMAT

GROUP_BY: GroupBy = "setting"
ORIENT: Orientation = "mtor"


@dataclass(frozen=True)
class EndpointForest:
    """The forests of one endpoint, one per pooling method (same rows, different pools)."""

    endpoint: str
    by_method: dict[str, ForestData]

    @property
    def first(self) -> ForestData:
        return next(iter(self.by_method.values()))


def build_forests(datasets: Sequence[Dataset], methods: Sequence[str], hk: bool) -> list[EndpointForest]:
    """One :class:`EndpointForest` per endpoint, in the order endpoints first appear."""
    endpoints = list(dict.fromkeys(d.endpoint.name for d in datasets))
    out = []
    for endpoint in endpoints:
        members = [d for d in datasets if d.endpoint.name == endpoint]
        out.append(
            EndpointForest(
                endpoint,
                {
                    normalise_method(m): build_forest(members, orient=ORIENT, group_by=GROUP_BY, method=m, hk=hk)
                    for m in methods
                },
            )
        )
    return out


def _num(value: float | None) -> CellValue:
    return None if value is None or not math.isfinite(value) else value


def _level(level: float | None) -> CellValue:
    return None if level is None else round(level * 100, 4)


def effects_table(forests: list[EndpointForest]) -> Table:
    methods = list(forests[0].by_method) if forests else []
    table = Table(
        (
            Column("Endpoint", 9),
            Column("Group (setting)", 14, wrap=True),
            Column("Dataset id", 18, wrap=True),
            Column("Trial", 12, wrap=True),
            Column("Comparison (as used)", 22, wrap=True),
            Column("Flipped", 8),
            Column("HR", 7, HR_FORMAT),
            Column("Lower", 7, HR_FORMAT),
            Column("Upper", 7, HR_FORMAT),
            Column("CI level %", 7, LEVEL_FORMAT),
            Column("HR (CI)", 18, wrap=True),
            Column("log HR", 7, "0.000"),
            Column("SE (log HR)", 7, "0.000"),
            Column("Pooled", 7),
            *(Column(f"Weight % ({m})", 8, "0.0") for m in methods),
            Column("Notes", 40, wrap=True),
        )
    )
    for forest in forests:
        for i, row in enumerate(forest.first.rows):
            weights = [forest.by_method[m].rows[i].weight for m in methods]
            table.add(
                forest.endpoint,
                row.group or "all",
                row.dataset_id,
                row.trial,
                row.comparison,
                "yes" if row.flipped else "no",
                _num(row.hr),
                _num(row.lower),
                _num(row.upper),
                _level(row.ci_level) if row.lower is not None else None,
                row.hr_text,
                _num(row.effect.log_hr) if row.effect else None,
                _num(row.effect.se) if row.effect else None,
                "yes" if row.pooled else "no",
                *weights,
                row.note or "none",
            )
    return table


POOLED_COLUMNS = (
    Column("Endpoint", 9),
    Column("Group (setting)", 14, wrap=True),
    Column("Method", 20, wrap=True),
    Column("k", 5, "0", center=True),
    Column("HR", 7, HR_FORMAT),
    Column("Lower", 7, HR_FORMAT),
    Column("Upper", 7, HR_FORMAT),
    Column("CI level %", 7, LEVEL_FORMAT),
    Column("HR (CI)", 18, wrap=True),
    Column("p", 8),
    Column("Heterogeneity", 30, wrap=True),
    Column("I² %", 7, "0.0"),
    Column("τ²", 8, TAU2_FORMAT),
    Column("Q", 7, STAT_FORMAT),
    Column("Q p", 8),
    Column("Prediction interval (95%)", 12, wrap=True),
    Column("Note", 40, wrap=True),
)
FIXED_NA = "n/a (fixed effect)"
NA = "n/a"


def _range(lo: float | None, hi: float | None, digits: int) -> str:
    if lo is None or hi is None:
        return "not estimable"
    return f"{lo:.{digits}f}–{hi:.{digits}f}"


def heterogeneity_text(p: PooledEstimate) -> str:
    """``I² = 92.1% (70.4–99.8); τ² = 0.1424 (0.0292–6.1718); Q = 23.62, df 2, p <0.001``."""
    q = f"Q = {p.q:.2f}, df {p.q_df}, p {fmt_p(p.q_p)}"
    i2 = "not estimable" if p.i2 is None else f"{p.i2:.1f}%"
    if p.model == "fixed":
        return f"I² = {i2}; {q}"
    return (
        f"I² = {i2} ({_range(p.i2_lower, p.i2_upper, 1)}); "
        f"τ² = {p.tau2:.4f} ({_range(p.tau2_lower, p.tau2_upper, 4)}); {q}"
    )


def _pooled_row(endpoint: str, group: str, p: PooledEstimate) -> tuple[CellValue, ...]:
    # Under a fixed-effect model tau² is 0 by assumption: its CI and a prediction interval
    # (equal to the CI) would only mislead.
    fixed = p.model == "fixed"
    return (
        endpoint,
        group,
        method_label(p.method, p.hk),
        p.k,
        p.estimate,
        p.lower,
        p.upper,
        _level(p.ci_level),
        fmt_hr(p.estimate, p.lower, p.upper, p.ci_level),
        fmt_p(p.p),
        heterogeneity_text(p),
        _num(p.i2),
        None if fixed else p.tau2,
        p.q,
        fmt_p(p.q_p),
        FIXED_NA if fixed else _range(p.pi_lower, p.pi_upper, 2),
        "; ".join(n for n in (p.note, "τ² is 0 by assumption (fixed effect)" if fixed else None) if n) or "none",
    )


def pooled_table(forests: list[EndpointForest]) -> Table:
    """Per-group and overall pooled estimates per endpoint and method, and what was not pooled."""
    table = Table(POOLED_COLUMNS)
    for forest in forests:
        for method, data in forest.by_method.items():
            label = method_label(method, data.hk)
            for group in data.groups:
                if group.pooled is not None:
                    table.add(*_pooled_row(forest.endpoint, str(group.name), group.pooled))
            if data.overall is not None:
                table.add(*_pooled_row(forest.endpoint, "overall", data.overall))
            test = data.subgroup_test
            if test is not None:
                table.add(
                    forest.endpoint,
                    "test for subgroup differences",
                    label,
                    len(test.groups),
                    *(None,) * 4,
                    NA,
                    fmt_p(test.p_between),
                    f"Q = {test.q_between:.2f}, df {test.df_between}, p {fmt_p(test.p_between)}",
                    None,
                    None,
                    test.q_between,
                    fmt_p(test.p_between),
                    NA,
                    "Cochran's Q across the group estimates",
                )
        for warning in forest.first.warnings:  # the same for every method
            table.add(
                forest.endpoint, "note", "all methods", *(None,) * 5, NA, NA, NA, None, None, None, NA, NA, warning
            )
    return table


def forest_warnings(forests: list[EndpointForest]) -> list[str]:
    return [f"{f.endpoint} forest: {w}" for f in forests for w in f.first.warnings]
