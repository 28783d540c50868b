"""What the forest plot's table says: one :class:`Item` per line (group heading, study, subtotal,
heterogeneity ...) with its cells as text, lettered footnotes, the title and the notes under it.

Nothing here is measured or drawn; :mod:`evidence_app.plots.forest_table` lays the cells out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from evidence_app.core.formatting import NOT_REPORTED, fmt_hr, fmt_p
from evidence_app.core.results import PooledEstimate
from evidence_app.core.synthesis.forest_data import ForestData, ForestRow
from evidence_app.core.synthesis.methods import method_label
from evidence_app.plots.km_text import endpoint_name

if TYPE_CHECKING:
    from evidence_app.plots.forest_options import ForestOptions

COLUMNS = ("trial", "comparison", "setting", "endpoint", "N", "HR [CI]", "weight", "p")
HEADERS = {
    "trial": "Trial",
    "comparison": "Comparison",
    "setting": "Setting",
    "endpoint": "Endpoint",
    "N": "N",
    "HR [CI]": "HR (95% CI)",
    "weight": "Weight",
    "p": "p",
}
SUPERSCRIPTS = "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ"
NBSP = "\u00a0"


@dataclass
class Item:
    """One line of the table; ``y`` and ``height`` (inches) are set when the lines are stacked."""

    kind: str  # group, study, pooled, overall, pi, het, test
    cells: dict[str, str]
    span: str = ""  # text running across the left columns (group names, heterogeneity ...)
    row: ForestRow | None = None
    pooled: PooledEstimate | None = None
    key: str = ""
    lines: int = 1
    y: float = 0.0
    height: float = 0.0


def _hr_cell(hr: float | None, lower: float | None, upper: float | None, level: float | None) -> str:
    """:func:`fmt_hr` (``1.41 (1.03–1.92; 80% CI)``) with line breaks allowed only before the level."""
    return _hr_breaks(fmt_hr(hr, lower, upper, level))


def _hr_breaks(text: str) -> str:
    """An HR with its interval, breakable only before the CI level."""
    return text.replace(" (", f"{NBSP}(").replace("% CI", f"%{NBSP}CI").replace("CI not", f"CI{NBSP}not")


def _p_cell(p: str) -> tuple[str, str | None]:
    """The p-value as printed, and any remark after it (moved to a footnote)."""
    head, _, rest = p.partition(" (")
    return head.strip(), (rest.rstrip(")").strip() or None) if rest else None


def _footnote_key(note: str) -> tuple[str, str | None]:
    if " (published " in note:
        key, _, detail = note.partition(" (published ")
        if len(detail) > 1 and detail[1].islower():
            detail = detail[0].lower() + detail[1:]
        return key, "published " + detail.removesuffix(")")
    return note, None


class Footnotes:
    """Distinct notes lettered in order of first use; details (published values) listed per row."""

    def __init__(self) -> None:
        self.keys: dict[str, list[str]] = {}

    def mark(self, trial: str, notes: list[str]) -> str:
        marks = []
        for note in notes:
            key, detail = _footnote_key(note)
            details = self.keys.setdefault(key, [])
            if detail:
                details.append(f"{trial}: {detail}")
            marks.append(self.letter(list(self.keys).index(key)))
        return "".join(dict.fromkeys(marks))

    @staticmethod
    def letter(index: int) -> str:
        n = len(SUPERSCRIPTS)
        return SUPERSCRIPTS[index % n] * (index // n + 1)

    def lines(self) -> list[str]:
        return [
            f"{self.letter(i)} {key[:1].upper()}{key[1:]}" + (f" ({'; '.join(d)})" if d else "") + "."
            for i, (key, d) in enumerate(self.keys.items())
        ]


#: How the footnote of a row printed inverted (1/HR, bounds swapped) rather than as published begins.
INVERTED = "Inverted"


def _study_item(row: ForestRow, notes: Footnotes) -> Item:
    p, remark = _p_cell(row.p)
    row_notes = list(row.notes) + ([f"p-value as published: {row.p}"] if remark else [])
    marks = notes.mark(row.trial, row_notes)
    hr = _hr_breaks(row.hr_text)  # as published (its precision) unless the row is inverted
    cells = {
        "trial": row.trial + marks,
        "comparison": row.comparison,
        "setting": row.setting,
        "endpoint": row.endpoint,
        "N": _nr(row.n_total),
        "HR [CI]": hr,
        "weight": f"{row.weight:.1f}%" if row.weight is not None else "",
        "p": _nr(p),
    }
    return Item("study", cells, row=row, key=row.dataset_id)


def _nr(text: str) -> str:
    """Narrow columns (N, p) write "NR"; the footnotes spell it out."""
    return "NR" if text == NOT_REPORTED else text


def _pooled_items(label: str, pooled: PooledEstimate, key: str, kind: str) -> list[Item]:
    cells = {
        "HR [CI]": _hr_cell(pooled.estimate, pooled.lower, pooled.upper, pooled.ci_level),
        "weight": f"{sum(pooled.weights):.0f}%" if kind == "overall" else "",
        "p": fmt_p(pooled.p),
    }
    het = _heterogeneity(pooled)
    items = [Item(kind, cells, span=f"{label} (k{NBSP}={NBSP}{pooled.k})", pooled=pooled, key=key)]
    return items + ([Item("het", {}, span=het)] if het else [])


def _p_text(p: str) -> str:
    """``p = 0.02`` / ``p < 0.001``, kept on one line."""
    if p[:1] in "<>":
        return f"p{NBSP}{p[0]}{NBSP}{p[1:]}"
    return f"p{NBSP}={NBSP}{p}"


def _heterogeneity(p: PooledEstimate) -> str:
    if p.k < 2:
        return ""
    i2 = "not estimable" if p.i2 is None else f"{p.i2:.0f}%"
    return (
        f"Heterogeneity: I²{NBSP}={NBSP}{i2}, τ²{NBSP}={NBSP}{p.tau2:.3f}, "
        f"Q{NBSP}={NBSP}{p.q:.2f} (df{NBSP}={NBSP}{p.q_df}), {_p_text(fmt_p(p.q_p))}"
    )


def _endpoint_sections(rows: tuple[ForestRow, ...], notes: Footnotes, mixed: bool) -> list[Item]:
    """The rows; when they mix endpoints, one section per endpoint under its name (no row left unnamed)."""
    if not mixed:
        return [_study_item(r, notes) for r in rows]
    items: list[Item] = []
    for endpoint in dict.fromkeys(r.endpoint for r in rows):
        items.append(Item("group", {}, span=endpoint_name(endpoint)))
        items += [_study_item(r, notes) for r in rows if r.endpoint == endpoint]
    return items


def build_items(data: ForestData, options: ForestOptions, notes: Footnotes) -> list[Item]:
    """The table's lines, top to bottom, with cells only in ``options.columns``; notes go to ``notes``."""
    columns = tuple(c for c in options.columns if c in COLUMNS)
    items: list[Item] = []
    for group in data.groups:
        if group.name is not None:
            items.append(Item("group", {}, span=group.name[:1].upper() + group.name[1:]))
        items += _endpoint_sections(group.rows, notes, len(data.endpoints) > 1 and data.group_by != "endpoint")
        if options.show_pooled and group.pooled is not None and data.group_by is not None:
            items += _pooled_items("Subtotal", group.pooled, str(group.name), "pooled")
        items.append(Item("gap", {}))
    if options.show_pooled and data.overall is not None:
        items += _pooled_items("Overall", data.overall, "overall", "overall")
        o = data.overall
        if options.show_prediction_interval and o.k >= 3:
            items.append(
                Item(
                    "pi",
                    {"HR [CI]": f"{o.pi_lower:.2f}–{o.pi_upper:.2f}"},
                    span=f"{o.ci_level * 100:g}% prediction interval",
                    pooled=o,
                    key="prediction",
                )
            )
    if options.show_pooled and data.subgroup_test is not None:
        t = data.subgroup_test
        items.append(
            Item(
                "test",
                {},
                span=f"Test for subgroup differences: Q{NBSP}={NBSP}{t.q_between:.2f} "
                f"(df{NBSP}={NBSP}{t.df_between}), {_p_text(fmt_p(t.p_between))}",
            )
        )
    while items and items[-1].kind == "gap":
        items.pop()
    for item in items:
        item.cells = {c: t for c, t in item.cells.items() if c in columns}
    return items


def default_title(data: ForestData) -> str:
    """Endpoints, what the HRs compare and the grouping, e.g. "Overall survival: hazard ratios, ..."."""
    endpoints = " and ".join(endpoint_name(e).lower() for e in data.endpoints)
    endpoints = endpoints[:1].upper() + endpoints[1:]
    by = f", by {data.group_by}" if data.group_by else ""
    return f"{endpoints}: hazard ratios, {data.favours_experimental} vs {data.favours_control}{by}"


def footnote_lines(data: ForestData, notes: Footnotes) -> list[str]:
    """The notes under the figure: how to read it, the lettered footnotes, then the data's warnings."""
    method = method_label(data.method, data.hk, in_sentence=True)
    inverted = (
        f", except rows footnoted '{INVERTED}': 1/HR with the bounds swapped, so the "
        f"{data.favours_experimental} reads as experimental (published values in that footnote)"
        if any(r.flipped and r.hr is not None for r in data.rows)
        else ""
    )
    lines = [
        f"Pooled: {method}. Squares: sized by weight; open squares are shown but not pooled. Lines: 95% CIs "
        "(derived from the published interval where another level was published; the HR column prints the "
        f"published values{inverted}). Arrows: the interval continues beyond the axis. NR: not reported."
    ]
    lines += notes.lines()
    lines += [f"Note: {w}." for w in data.warnings]
    return lines
