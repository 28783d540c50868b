"""The Network sheet of the workbook (only when a network meta-analysis is requested) and its Methods rows.

Stacked tables, each under a bold title: HRs vs the reference with P-scores, the league table, heterogeneity and
inconsistency (Q decomposition, design-by-treatment test), node-splitting, the studies used with their sources,
and the treatment names as normalised. The Methods sheet gets a "Network meta-analysis" section.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from evidence_app.export.sheets import Column, Table, write_rows
from evidence_app.export.xlsx_limits import LimitLog

if TYPE_CHECKING:
    from evidence_app.core.synthesis.network import NetworkResult

SHEET = "Network"
RATIO = "0.00"
P = "0.0000"
STAT = "0.000"


def _hr_text(log_hr: float, lower: float, upper: float) -> str:
    return f"{math.exp(log_hr):.2f} ({math.exp(lower):.2f}–{math.exp(upper):.2f})"


def estimates_table(result: NetworkResult) -> Table:
    pct = f"{result.level * 100:g}%"
    cols = [Column("Treatment", 26)]
    for model in ("random", "common"):
        cols += [
            Column(f"HR vs {result.reference} ({model})", 14, RATIO),
            Column(f"{pct} CI lower ({model})", 12, RATIO),
            Column(f"{pct} CI upper ({model})", 12, RATIO),
            Column(f"p ({model})", 10, P),
            Column(f"P-score ({model})", 12, STAT),
        ]
    cols += [Column("Prediction interval lower", 12, RATIO), Column("Prediction interval upper", 12, RATIO)]
    table = Table(tuple(cols))
    scores = {m: result.pscores(m) for m in ("random", "common")}
    for t in result.treatments:
        row: list[str | float | None] = [t]
        for model in ("random", "common"):
            if t == result.reference:
                row += [1.0, None, None, None, scores[model][t]]
                continue
            c = result.compare(t, result.reference, model)
            row += [c.hr, math.exp(c.lower), math.exp(c.upper), c.p, scores[model][t]]
        pi = result.prediction(t, result.reference) if t != result.reference else None
        row += [math.exp(pi[0]), math.exp(pi[1])] if pi else [None, None]
        table.add(*row)
    return table


def league_table(result: NetworkResult, model: str) -> Table:
    table = Table((Column("Row vs column", 26), *(Column(t, 18, center=True) for t in result.treatments)))
    for a in result.treatments:
        cells = []
        for b in result.treatments:
            c = result.compare(a, b, model) if a != b else None
            cells.append(a if c is None else _hr_text(c.log_hr, c.lower, c.upper))
        table.add(a, *cells)
    return table


def inconsistency_table(result: NetworkResult) -> Table:
    from evidence_app.core.synthesis.network_inconsistency import chi2_p

    d = result.decomposition
    table = Table(
        (Column("Statistic", 48, wrap=True), Column("Value", 12, STAT), Column("df", 6, "0"), Column("p", 10, P))
    )
    i2, lower, upper = result.i2()
    table.add(f"τ² ({result.tau_method})", result.tau2, None, None)
    table.add("I²", i2, None, None)
    if math.isfinite(lower):
        table.add("I² interval lower", lower, None, None)
        table.add("I² interval upper", upper, None, None)
    rows = [
        ("Q total", d.q_total),
        ("Q within designs (heterogeneity)", d.q_within),
        ("Q between designs (inconsistency: design-by-treatment interaction)", d.q_between),
        (f"Q between designs, random effects (τ within designs {math.sqrt(d.tau2_within):.3g})", d.q_between_random),
    ]
    for (name, q), df in zip(rows, (d.df_total, d.df_within, d.df_between, d.df_between)):
        table.add(name, q, df, chi2_p(q, df))
    for x in d.designs:
        if x.df > 0:
            table.add(f"Q within design {x.label} ({', '.join(x.studies)})", x.q, x.df, x.p)
    return table


def netsplit_table(result: NetworkResult, model: str) -> Table:
    table = Table(
        (
            Column("Comparison", 30),
            Column("Studies (direct)"),
            Column("Proportion direct", 12, STAT),
            Column("Network HR", 18),
            Column("Direct HR", 18),
            Column("Indirect HR", 18),
            Column("p (direct vs indirect)", 12, P),
        )
    )
    from evidence_app.core.synthesis.network import z_value

    z = z_value(result.level)
    for s in result.splits[model]:
        texts = [_hr_text(e, e - z * se, e + z * se) for e, se in (s.nma, s.direct, s.indirect)]
        label = f"{result.treatments[s.treat1]} vs {result.treatments[s.treat2]}"
        table.add(label, s.k_direct, s.prop_direct, *texts, s.difference[3])
    return table


def studies_table(result: NetworkResult) -> Table:
    table = Table(
        (
            Column("Study", 26),
            Column("Treatment 1", 22),
            Column("Treatment 2", 22),
            Column("HR (1 vs 2)", 10, RATIO),
            Column("log HR", 10, "0.0000"),
            Column("SE of log HR", 10, "0.0000"),
            Column("From", 24),
            Column("Source and derivation", 80, wrap=True),
        )
    )
    for c in result.data.contrasts:
        where = c.source + (f", row {c.row}" if c.row is not None else "")
        table.add(c.study, c.treat1, c.treat2, math.exp(c.log_hr), c.log_hr, c.se, where, c.note or None)
    return table


def names_table(result: NetworkResult) -> Table:
    table = Table((Column("Name given", 30), Column("Name used", 30)))
    for given, used in result.data.renamed().items():
        table.add(given, used)
    return table


def network_methods(result: NetworkResult) -> list[tuple[str, str]]:
    from evidence_app.core.synthesis.network import DIRECTION

    return [
        (
            "Model",
            "Contrast-based frequentist network meta-analysis of log hazard ratios by the graph-theoretical weighted "
            "least squares method (Rücker 2012, Res Synth Methods 3:312), as in the R package netmeta; multi-arm "
            "studies enter through their within-study covariance (reduced weights from the pseudo-inverse of each "
            "study's Laplacian, equal to generalised least squares with the block-diagonal covariance). Common- and "
            "random-effects models; the random model adds τ² to every pairwise variance.",
        ),
        (
            "τ²",
            f"{result.tau_method}: the generalised DerSimonian–Laird estimator for networks (Jackson, White & Riley "
            "2012), τ² = max(0, (Q − df)/tr(W(I − H)S)); or REML with the full block-diagonal within-study "
            "covariance (covariance τ²/2 between contrasts sharing an arm), by Fisher scoring.",
        ),
        (
            "Heterogeneity and inconsistency",
            "I² = (Q − df)/Q with the Higgins & Thompson (2002) interval. Q is split into within-design "
            "heterogeneity and between-design inconsistency (the design-by-treatment interaction test; Krahn, "
            "Binder & König 2013); node-splitting by back-calculation compares direct and indirect estimates "
            "(König, Krahn & Binder 2013).",
        ),
        (
            "Ranking",
            f"P-scores (Rücker & Schwarzer 2015, BMC Med Res Methodol 15:58): {DIRECTION}. Prediction intervals: "
            "estimate ± t(df of Q) × √(SE² + τ²).",
        ),
        (
            "Input",
            "Each study's log HR and SE: from the published HR and its CI at the published level (SE = width of "
            "the log CI / 2z), one estimate per trial comparison and endpoint by the pooling rules; treatment "
            "names matched ignoring case and spacing (the mapping is on the Network sheet). Derived numbers are "
            "computed, never published values.",
        ),
    ]


def add_network_sheet(book: Workbook, result: NetworkResult, log: LimitLog | None = None) -> None:
    """Write the Network sheet (before Methods, when there is one) and add the methods to the Methods sheet."""
    ws = book.create_sheet(SHEET)
    from evidence_app.core.synthesis.network import DIRECTION

    splits = result.splits["random"]
    split_title = "Node-splitting (back-calculation), random effects"
    blocks: list[tuple[str, Table | None]] = [
        (f"Hazard ratios vs {result.reference} and P-scores ({DIRECTION})", estimates_table(result)),
        (
            "League table, random effects: HR (CI) of the row treatment vs the column treatment",
            league_table(result, "random"),
        ),
        ("League table, common effect", league_table(result, "common")),
        ("Heterogeneity and inconsistency", inconsistency_table(result)),
        (split_title, netsplit_table(result, "random"))
        if splits
        else (f"{split_title}: no comparison has both direct and indirect evidence", None),
        ("Studies used", studies_table(result)),
    ]
    if result.data.renamed():
        blocks.append(("Treatment names as normalised", names_table(result)))
    row = 1
    widths: dict[int, float] = {}
    for title, table in blocks:
        ws.cell(row=row, column=1, value=title).font = Font(bold=True)
        if table is None:
            row += 2
            continue
        row = write_rows(ws, table, row + 1, log) + 2
        for i, column in enumerate(table.columns, start=1):
            widths[i] = max(widths.get(i, 0.0), min(column.width, 30.0))
    from openpyxl.utils import get_column_letter

    for i, width in widths.items():
        ws.column_dimensions[get_column_letter(i)].width = width
    if "Methods" in book.sheetnames:
        book.move_sheet(SHEET, offset=book.sheetnames.index("Methods") - book.sheetnames.index(SHEET))
        methods = book["Methods"]
        for item, text in network_methods(result):
            methods.append(("Network meta-analysis", item, text))
            methods.cell(row=methods.max_row, column=3).alignment = Alignment(wrap_text=True, vertical="top")
