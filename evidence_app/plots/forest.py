"""Forest plot of :class:`~evidence_app.core.forest_data.ForestData`: a table with a plot column.

Every piece of text is measured before anything is placed: columns take their widest cell,
long cells wrap (comparison, trial, setting, then the HR column) and the font shrinks only when
wrapping is not enough, so nothing overlaps whatever the number of rows; the figure's height is
set from the rows. Lines show 95% CIs on a log axis (derived from the published interval when
another level was published, whose own values the HR column prints); a CI running off the
axis ends in an arrow. Notes on rows become lettered footnotes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from matplotlib import transforms
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon
from matplotlib.text import Text
from matplotlib.ticker import FixedLocator, NullLocator
from scipy import stats

from evidence_app.core.forest_data import ForestData, ForestRow
from evidence_app.core.formatting import NOT_REPORTED, fmt_hr, fmt_p
from evidence_app.core.results import PooledEstimate
from evidence_app.plots.style import (
    INK, MIN_FONT, MUTED, figure_style, fonts_for, line_height, mm, text_width, width_mm,
    wrap_to_width,
)

COLUMNS = ("trial", "comparison", "setting", "endpoint", "N", "HR [CI]", "weight", "p")
RIGHT_COLUMNS = ("HR [CI]", "weight", "p")
HEADERS = {"trial": "Trial", "comparison": "Comparison", "setting": "Setting", "endpoint": "Endpoint",
           "N": "N", "HR [CI]": "HR (95% CI)", "weight": "Weight", "p": "p"}
ALIGN = {"N": "right", "weight": "right"}
#: Columns that may wrap, in the order they give up width, with the narrowest they may become (mm).
WRAP_ORDER = (("comparison", 30.0), ("trial", 22.0), ("setting", 18.0), ("endpoint", 12.0), ("HR [CI]", 24.0))
#: Columns left out, in this order, when the figure is too narrow for them.
DROP_ORDER = ("weight", "setting", "endpoint", "N", "p", "comparison")
METHOD_TEXT = {"fixed": "fixed effect (inverse variance)", "DL": "random effects (DerSimonian–Laird τ²)",
               "REML": "random effects (REML τ²)", "PM": "random effects (Paule–Mandel τ²)"}
SUPERSCRIPTS = "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ"
NBSP = "\u00a0"


@dataclass(frozen=True)
class ForestOptions:
    """Columns from :data:`COLUMNS`; ``xlim`` on the HR scale (None: fitted to the intervals)."""

    columns: tuple[str, ...] = ("trial", "comparison", "N", "HR [CI]", "weight", "p")
    show_pooled: bool = True
    show_prediction_interval: bool = True
    xlim: tuple[float, float] | None = None
    width: str | float = "double"
    title: str | None = None
    extra_notes: tuple[str, ...] = ()  # printed under the figure, e.g. which comparisons were left out


@dataclass(eq=False)
class ForestArtists:
    """Handles to what was drawn; study rows are keyed by dataset id, pooled rows by group name
    (``"overall"`` for the overall estimate)."""

    ax: Axes
    row_y: dict[str, float] = field(default_factory=dict)
    row_texts: dict[str, list[Text]] = field(default_factory=dict)
    markers: dict[str, Line2D] = field(default_factory=dict)
    ci_lines: dict[str, Line2D] = field(default_factory=dict)
    arrows: dict[str, list[Line2D]] = field(default_factory=dict)
    diamonds: dict[str, Polygon] = field(default_factory=dict)
    prediction: Line2D | None = None
    headers: list[Text] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    favours: tuple[Text, ...] = ()
    footnotes: list[Text] = field(default_factory=list)
    font_size: float = 0.0

    def all_texts(self) -> list[Text]:
        """Every visible, non-empty text in the figure (for overlap checks)."""
        fig = self.ax.figure
        return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


@dataclass
class _Item:
    kind: str  # group, study, pooled, overall, pi, het, test
    cells: dict[str, str]
    span: str = ""  # text running across the left columns (group names, heterogeneity ...)
    row: ForestRow | None = None
    pooled: PooledEstimate | None = None
    key: str = ""
    lines: int = 1
    y: float = 0.0
    height: float = 0.0


# --- content --------------------------------------------------------------------------------

def _hr_cell(hr: float | None, lower: float | None, upper: float | None, level: float | None) -> str:
    """:func:`fmt_hr` (``1.41 (1.03–1.92; 80% CI)``) with line breaks allowed only before the level."""
    return fmt_hr(hr, lower, upper, level).replace(" (", f"{NBSP}(").replace("% CI", f"%{NBSP}CI") \
        .replace("CI not", f"CI{NBSP}not")


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


class _Footnotes:
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
        return [f"{self.letter(i)} {key[:1].upper()}{key[1:]}" + (f" ({'; '.join(d)})" if d else "") + "."
                for i, (key, d) in enumerate(self.keys.items())]


def _study_item(row: ForestRow, notes: _Footnotes, columns: tuple[str, ...]) -> _Item:
    p, remark = _p_cell(row.p)
    row_notes = list(row.notes) + ([f"p-value as published: {row.p}"] if remark else [])
    marks = notes.mark(row.trial, row_notes)
    cells = {"trial": row.trial + marks, "comparison": row.comparison, "setting": row.setting,
             "endpoint": row.endpoint, "N": _nr(row.n_total),
             "HR [CI]": _hr_cell(row.hr, row.lower, row.upper, row.ci_level),
             "weight": f"{row.weight:.1f}%" if row.weight is not None else "", "p": _nr(p)}
    return _Item("study", cells, row=row, key=row.dataset_id)


def _nr(text: str) -> str:
    """Narrow columns (N, p) write "NR"; the footnotes spell it out."""
    return "NR" if text == NOT_REPORTED else text


def _pooled_items(label: str, pooled: PooledEstimate, key: str, kind: str) -> list[_Item]:
    cells = {"HR [CI]": _hr_cell(pooled.estimate, pooled.lower, pooled.upper, pooled.ci_level),
             "weight": f"{sum(pooled.weights):.0f}%" if kind == "overall" else "", "p": fmt_p(pooled.p)}
    het = _heterogeneity(pooled)
    items = [_Item(kind, cells, span=f"{label} (k{NBSP}={NBSP}{pooled.k})", pooled=pooled, key=key)]
    return items + ([_Item("het", {}, span=het)] if het else [])


def _p_text(p: str) -> str:
    """``p = 0.02`` / ``p < 0.001``, kept on one line."""
    if p[:1] in "<>":
        return f"p{NBSP}{p[0]}{NBSP}{p[1:]}"
    return f"p{NBSP}={NBSP}{p}"


def _heterogeneity(p: PooledEstimate) -> str:
    if p.k < 2:
        return ""
    i2 = "not estimable" if p.i2 is None else f"{p.i2:.0f}%"
    return (f"Heterogeneity: I²{NBSP}={NBSP}{i2}, τ²{NBSP}={NBSP}{p.tau2:.3f}, "
            f"Q{NBSP}={NBSP}{p.q:.2f} (df{NBSP}={NBSP}{p.q_df}), {_p_text(fmt_p(p.q_p))}")


def _items(data: ForestData, options: ForestOptions, notes: _Footnotes) -> list[_Item]:
    columns = tuple(c for c in options.columns if c in COLUMNS)
    items: list[_Item] = []
    for group in data.groups:
        if group.name is not None:
            items.append(_Item("group", {}, span=group.name[:1].upper() + group.name[1:]))
        items += [_study_item(r, notes, columns) for r in group.rows]
        if options.show_pooled and group.pooled is not None and data.group_by is not None:
            items += _pooled_items("Subtotal", group.pooled, str(group.name), "pooled")
        items.append(_Item("gap", {}))
    if options.show_pooled and data.overall is not None:
        items += _pooled_items("Overall", data.overall, "overall", "overall")
        o = data.overall
        if options.show_prediction_interval and o.k >= 3:
            items.append(_Item("pi", {"HR [CI]": f"{o.pi_lower:.2f}–{o.pi_upper:.2f}"},
                               span=f"{o.ci_level * 100:g}% prediction interval", pooled=o, key="prediction"))
    if options.show_pooled and data.subgroup_test is not None:
        t = data.subgroup_test
        items.append(_Item("test", {}, span=f"Test for subgroup differences: Q{NBSP}={NBSP}{t.q_between:.2f} "
                                             f"(df{NBSP}={NBSP}{t.df_between}), {_p_text(fmt_p(t.p_between))}"))
    while items and items[-1].kind == "gap":
        items.pop()
    for item in items:
        item.cells = {c: t for c, t in item.cells.items() if c in columns}
    return items


# --- layout ---------------------------------------------------------------------------------

@dataclass
class _Table:
    size: float
    columns: tuple[str, ...]
    widths: dict[str, float]
    cells: list[dict[str, str]]  # wrapped text per item and column
    plot_left: float
    plot_width: float
    x: dict[str, float]  # left edge of each column (inches)


def _measure(fig: Figure, items: list[_Item], columns: tuple[str, ...], width: float, size: float,
             limits: dict[str, float]) -> _Table:
    pad, gap = mm(2.0), mm(3.0)
    cells: list[dict[str, str]] = []
    widths = {c: text_width(fig, HEADERS[c], size, "bold") for c in columns}
    for item in items:
        wrapped = {}
        for c, text in item.cells.items():
            lines = wrap_to_width(fig, text, size, limits.get(c, math.inf)) if c in limits else [text]
            wrapped[c] = "\n".join(lines)
            widths[c] = max(widths[c], max(text_width(fig, ln, size) for ln in lines))
        cells.append(wrapped)
    left_cols = [c for c in columns if c not in RIGHT_COLUMNS]
    right_cols = [c for c in columns if c in RIGHT_COLUMNS]
    labels = [it.span for it in items if it.kind in ("pooled", "overall", "pi")]
    left_w = sum(widths[c] for c in left_cols) + gap * max(len(left_cols) - 1, 0)
    left_w = max(left_w, max((text_width(fig, s, size, "bold") for s in labels), default=0.0))
    right_w = sum(widths[c] for c in right_cols) + gap * max(len(right_cols) - 1, 0)
    plot_left = pad + left_w + gap
    plot_width = width - plot_left - gap - right_w - pad
    x, pos = {}, pad
    for c in left_cols:
        x[c], pos = pos, pos + widths[c] + gap
    pos = plot_left + plot_width + gap
    for c in right_cols:
        x[c], pos = pos, pos + widths[c] + gap
    return _Table(size, columns, widths, cells, plot_left, plot_width, x)


def _fit(fig: Figure, items: list[_Item], columns: tuple[str, ...], width: float, size: float) -> _Table:
    """The largest font (down to :data:`MIN_FONT`) at which the columns leave the plot its minimum
    width with few wrapped lines; failing that, the largest font at which the plot fits at all."""
    min_plot = max(mm(30), 0.22 * width)
    rows = max(1, sum(1 for it in items if it.cells))
    fallback: _Table | None = None
    while True:
        table = _wrap_until_fits(fig, items, columns, width, size, min_plot)
        extra = sum(max(c.count("\n") for c in cells.values()) for cells in table.cells if cells)
        fits = table.plot_width >= min_plot - 1e-6
        if fits and extra <= max(4, 0.8 * rows):
            return table
        if fits and fallback is None:
            fallback = table
        if size - 0.5 < MIN_FONT - 1e-9:
            return fallback or table
        size -= 0.5


def _wrap_until_fits(fig: Figure, items: list[_Item], columns: tuple[str, ...], width: float, size: float,
                     min_plot: float) -> _Table:
    """Narrow wrappable columns one line break at a time until the plot gets ``min_plot``, each
    time taking the step that frees the most room per extra table line."""
    limits: dict[str, float] = {}
    wrap = _Wrapper(fig, size)
    while True:
        table = _measure(fig, items, columns, width, size, limits)
        if table.plot_width >= min_plot:
            return table
        lines_now = wrap.table_lines(items, limits)
        best: tuple[float, str, float] | None = None
        for column, narrowest in WRAP_ORDER:
            current = table.widths.get(column, 0.0)
            if column not in columns or current <= mm(narrowest) + 1e-4:
                continue
            trial = {**limits, column: max(mm(narrowest), current - 1e-3)}
            saved = current - wrap.column_width(items, column, trial[column])
            if saved <= 1e-4:
                continue
            added = wrap.table_lines(items, trial) - lines_now
            score = saved / (max(added, 0) + 0.2)
            if best is None or score > best[0]:
                best = (score, column, trial[column])
        if best is None:
            return table
        limits[best[1]] = best[2]


class _Wrapper:
    """Cached wrapping of cells at a font size (the column fitting tries many widths)."""

    def __init__(self, fig: Figure, size: float) -> None:
        self.fig, self.size = fig, size
        self.cache: dict[tuple[str, float], list[str]] = {}

    def lines(self, text: str, limit: float) -> list[str]:
        key = (text, round(limit, 5))
        if key not in self.cache:
            self.cache[key] = wrap_to_width(self.fig, text, self.size, limit)
        return self.cache[key]

    def table_lines(self, items: list[_Item], limits: dict[str, float]) -> int:
        return sum(max((len(self.lines(t, limits.get(c, math.inf))) for c, t in it.cells.items()), default=1)
                   for it in items if it.cells)

    def column_width(self, items: list[_Item], column: str, limit: float) -> float:
        header = text_width(self.fig, HEADERS[column], self.size, "bold")
        return max([header] + [text_width(self.fig, ln, self.size) for it in items if column in it.cells
                               for ln in self.lines(it.cells[column], limit)])


def _default_xlim(data: ForestData, options: ForestOptions) -> tuple[float, float]:
    lows, highs = [], []
    for row in data.rows:
        if row.effect is not None:
            lo, hi = _ci95(row)
            lows.append(lo)
            highs.append(hi)
    pools = [g.pooled for g in data.groups if g.pooled is not None] + ([data.overall] if data.overall else [])
    for p in pools if options.show_pooled else []:
        lows.append(p.lower)
        highs.append(p.upper)
        if options.show_prediction_interval and p is data.overall and p.k >= 3:
            lows.append(p.pi_lower)
            highs.append(p.pi_upper)
    lo = max(min(lows, default=0.5), 0.1)
    hi = min(max(highs, default=2.0), 10.0)
    # End on a power of two unless that adds more than half a doubling of empty axis; keep 1 inside.
    lo_pow, hi_pow = 2.0 ** math.floor(math.log2(lo) + 1e-9), 2.0 ** math.ceil(math.log2(hi) - 1e-9)
    lo = lo_pow if math.log2(lo / lo_pow) <= 0.5 else lo / 1.06
    hi = hi_pow if math.log2(hi_pow / hi) <= 0.5 else hi * 1.06
    return min(lo, 0.5), max(hi, 2.0)


def _ci95(row: ForestRow) -> tuple[float, float]:
    e = row.effect
    assert e is not None
    z = float(stats.norm.ppf(0.975))
    return math.exp(e.log_hr - z * e.se), math.exp(e.log_hr + z * e.se)


def default_title(data: ForestData) -> str:
    from evidence_app.plots.km import endpoint_name

    endpoints = " and ".join(endpoint_name(e).lower() for e in data.endpoints)
    endpoints = endpoints[:1].upper() + endpoints[1:]
    by = f", by {data.group_by}" if data.group_by else ""
    return f"{endpoints}: hazard ratios, {data.favours_experimental} vs {data.favours_control}{by}"


def _footnote_lines(data: ForestData, notes: _Footnotes) -> list[str]:
    method = METHOD_TEXT.get(data.method, data.method) + (", Hartung–Knapp adjustment" if data.hk else "")
    lines = [f"Pooled: {method}. Squares: sized by weight; open squares are shown but not pooled. Lines: 95% CIs "
             "(derived from the published interval where another level was published; the HR column prints the "
             "published values). Arrows: the interval continues beyond the axis. NR: not reported."]
    lines += notes.lines()
    lines += [f"Note: {w}." for w in data.warnings]
    return lines


# --- drawing --------------------------------------------------------------------------------

def draw_forest(fig: Figure, data: ForestData, options: ForestOptions | None = None) -> ForestArtists:
    """Draw ``data`` as a forest plot on ``fig`` (cleared; its size is set from the rows)."""
    options = options or ForestOptions()
    unknown = [c for c in options.columns if c not in COLUMNS]
    if unknown:
        raise ValueError(f"unknown forest-plot column(s) {', '.join(unknown)}; choose from {', '.join(COLUMNS)}")
    with figure_style():
        fig.clear()
        return _draw(fig, data, options)


def _draw(fig: Figure, data: ForestData, options: ForestOptions) -> ForestArtists:
    fonts = fonts_for(options.width)
    width = mm(width_mm(options.width))
    notes = _Footnotes()
    items = _items(data, options, notes)
    columns, dropped = tuple(c for c in options.columns if c in COLUMNS), []
    while True:  # too narrow even with wrapping and the smallest font: leave out columns, and say so
        table = _fit(fig, items, columns, width, fonts.base)
        expendable = [c for c in DROP_ORDER if c in columns]
        if table.plot_width >= mm(20) or not expendable:
            break
        dropped.append(HEADERS[expendable[0]])
        columns = tuple(c for c in columns if c != expendable[0])
        for item in items:
            item.cells.pop(expendable[0], None)
    if table.plot_width < mm(20):
        raise ValueError(f"a forest plot does not fit in {width_mm(options.width):g} mm; choose a wider figure")
    size = table.size
    small = min(fonts.small, size - 0.5)
    lh = line_height(size, 1.2)
    pad = mm(2.0)
    inner = width - 2 * pad
    label_width = table.plot_left - pad - mm(3.0)  # running text stays clear of the plot column
    y = 0.0
    for item, cells in zip(items, table.cells):
        if item.kind == "gap":
            item.height = 0.5 * lh
        else:
            item.span = "\n".join(wrap_to_width(fig, item.span, size, label_width)) if item.span else ""
            item.lines = max([item.span.count("\n") + 1 if item.span else 1]
                             + [c.count("\n") + 1 for c in cells.values()])
            item.height = item.lines * lh + 0.35 * lh
        item.y = y + item.height / 2
        y += item.height
    table_h = y
    title = options.title if options.title is not None else default_title(data)
    title_lines = wrap_to_width(fig, title, fonts.title, inner, "bold")
    left_out = (f"Columns left out for lack of width: {', '.join(dropped)}.",) if dropped else ()
    foot = [ln for text in [*_footnote_lines(data, notes), *options.extra_notes, *left_out]
            for ln in wrap_to_width(fig, text, small, inner)]
    header_h = lh + mm(1.5)
    top = pad + len(title_lines) * line_height(fonts.title, 1.2) + mm(2.5) + header_h
    axis_h = 5 / 72 + line_height(size, 1.0) + mm(1.5) + 2 * line_height(size, 1.2) + line_height(size, 1.1)
    foot_h = mm(2.5) + len(foot) * line_height(small, 1.25)
    height = top + table_h + axis_h + foot_h + pad
    fig.set_size_inches(width, height)
    ax = fig.add_axes((table.plot_left / width, (height - top - table_h) / height,
                       table.plot_width / width, table_h / height))
    art = ForestArtists(ax=ax, font_size=size)
    xlim = options.xlim or _default_xlim(data, options)
    _format_axis(ax, _hr_ticks(fig, xlim, table.plot_width, size), xlim, table_h, size)
    row_trans = transforms.blended_transform_factory(fig.transFigure, ax.transData)
    _draw_header(fig, ax, art, table, row_trans, width, header_h, size)
    ref_top, ref_bottom = None, None
    for item, cells in zip(items, table.cells):
        if item.kind == "gap":
            continue
        texts = _draw_cells(ax, item, cells, table, row_trans, width, size)
        art.texts += texts
        if item.row is not None:
            art.row_texts[item.row.dataset_id] = texts
            art.row_y[item.row.dataset_id] = item.y
            _draw_study(ax, art, item, xlim, lh, data)
        elif item.pooled is not None:
            art.row_y[item.key] = item.y
            if item.kind == "pi":
                _draw_prediction(ax, art, item, xlim, lh)
            else:
                art.diamonds[item.key] = _diamond(ax, item, xlim, lh)
        if item.kind in ("study", "pooled", "overall", "pi"):
            ref_top = item.y - item.height / 2 if ref_top is None else ref_top
            ref_bottom = item.y + item.height / 2
    if ref_top is not None:
        ax.plot([1, 1], [ref_top, ref_bottom], color=INK, lw=0.6, zorder=1)
    art.favours = _favours(fig, ax, data, xlim, height, top + table_h, size)
    fig_y = lambda inches: 1 - inches / height  # noqa: E731 - inches from the top -> figure fraction
    art.headers.append(fig.text(pad / width, fig_y(pad), "\n".join(title_lines), fontsize=fonts.title,
                                fontweight="bold", va="top", ha="left", linespacing=1.2))
    art.footnotes = [fig.text(pad / width, fig_y(height - pad - foot_h + mm(2.5)), "\n".join(foot),
                              fontsize=small, color=MUTED, va="top", ha="left", linespacing=1.25)]
    return art


def _hr_ticks(fig: Figure, xlim: tuple[float, float], plot_width: float, size: float) -> list[float]:
    """Powers of two inside ``xlim``; every second (or third ...) one, always keeping 1, when the
    labels would otherwise touch."""
    lo, hi = math.ceil(math.log2(xlim[0]) - 1e-9), math.floor(math.log2(xlim[1]) + 1e-9)
    per_doubling = plot_width / max(math.log2(xlim[1] / xlim[0]), 1e-9)
    widest = max(text_width(fig, f"{2.0 ** k:g}", size) for k in range(lo, hi + 1))
    step = 1
    while step * per_doubling < widest + mm(1.5) and step < 4:
        step += 1
    return [2.0 ** k for k in range(lo, hi + 1) if k % step == 0]


def _format_axis(ax: Axes, ticks: list[float], xlim: tuple[float, float], table_h: float, size: float) -> None:
    ax.set_xscale("log")
    ax.set_xlim(*xlim)
    ax.set_ylim(table_h, 0)
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels([f"{t:g}" for t in ticks])
    ax.tick_params(axis="x", labelsize=size, length=2.5, pad=2.5)
    ax.set_yticks([])
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.patch.set_visible(False)


def _draw_header(fig: Figure, ax: Axes, art: ForestArtists, table: _Table, trans, width: float,  # noqa: ANN001
                 header_h: float, size: float) -> None:
    y = -header_h / 2 - mm(0.5)
    for c in table.columns:
        right = ALIGN.get(c) == "right"
        x = (table.x[c] + (table.widths[c] if right else 0)) / width
        art.headers.append(ax.text(x, y, HEADERS[c], transform=trans, ha="right" if right else "left",
                                   va="center", fontsize=size, fontweight="bold", color=INK))
    rule_y = -mm(0.4)
    ax.add_line(Line2D([mm(2.0) / width, 1 - mm(2.0) / width], [rule_y, rule_y], transform=trans, color=INK,
                       lw=0.5, clip_on=False))


def _draw_cells(ax: Axes, item: _Item, cells: dict[str, str], table: _Table, trans, width: float,  # noqa: ANN001
                size: float) -> list[Text]:
    texts = []
    bold = item.kind in ("group", "overall")
    style = "italic" if item.kind in ("het", "test", "pi") else "normal"
    colour = MUTED if item.row is not None and item.row.status != "reported" else INK
    if item.span:
        texts.append(ax.text(mm(2.0) / width, item.y, item.span, transform=trans, ha="left", va="center",
                             fontsize=size, fontweight="bold" if bold or item.kind == "pooled" else "normal",
                             fontstyle=style, color=INK, linespacing=1.2))
    for c, text in cells.items():
        if not text:
            continue
        right = ALIGN.get(c) == "right"
        x = (table.x[c] + (table.widths[c] if right else 0)) / width
        texts.append(ax.text(x, item.y, text, transform=trans, ha="right" if right else "left", va="center",
                             fontsize=size, fontweight="bold" if bold else "normal", fontstyle=style,
                             color=colour, linespacing=1.2))
    return texts


def _clip(lo: float, hi: float, xlim: tuple[float, float]) -> tuple[float, float, bool, bool]:
    return max(lo, xlim[0]), min(hi, xlim[1]), lo < xlim[0] * (1 - 1e-9), hi > xlim[1] * (1 + 1e-9)


def _arrows(ax: Axes, xlim: tuple[float, float], y: float, left: bool, right: bool) -> list[Line2D]:
    out = []
    for on, x, marker in ((left, xlim[0], "<"), (right, xlim[1], ">")):
        if on:
            out.append(ax.plot([x], [y], marker=marker, ms=3.5, color=INK, ls="none", clip_on=False, zorder=3)[0])
    return out


def _draw_study(ax: Axes, art: ForestArtists, item: _Item, xlim: tuple[float, float], lh: float,
                data: ForestData) -> None:
    row = item.row
    assert row is not None
    if row.effect is None:
        return
    lo, hi = _ci95(row)
    a, b, left, right = _clip(lo, hi, xlim)
    key = row.dataset_id
    if a < b:
        art.ci_lines[key] = ax.plot([a, b], [item.y, item.y], color=INK, lw=0.8, solid_capstyle="butt", zorder=2)[0]
    art.arrows[key] = _arrows(ax, xlim, item.y, left, right)
    if not xlim[0] <= row.effect.hr <= xlim[1]:
        return
    max_ms, min_ms = lh * 72 * 0.75, 2.8
    weights = [r.weight for r in data.rows if r.weight is not None]
    if row.weight is not None and weights:
        ms = min_ms + (max_ms - min_ms) * math.sqrt(row.weight / max(weights))
        face = INK
    else:
        ms, face = 3.4, "white"
    art.markers[key] = ax.plot([row.effect.hr], [item.y], marker="s", ms=ms, mfc=face, mec=INK, mew=0.7,
                               ls="none", zorder=4)[0]


def _diamond(ax: Axes, item: _Item, xlim: tuple[float, float], lh: float) -> Polygon:
    p = item.pooled
    assert p is not None
    lo, hi, _, _ = _clip(p.lower, p.upper, xlim)
    est = min(max(p.estimate, xlim[0]), xlim[1])
    h = 0.32 * lh
    face = INK if item.kind == "overall" else "#9a9a9a"
    poly = Polygon([(lo, item.y), (est, item.y - h), (hi, item.y), (est, item.y + h)], closed=True,
                   facecolor=face, edgecolor=INK, lw=0.6, zorder=4)
    ax.add_patch(poly)
    return poly


def _draw_prediction(ax: Axes, art: ForestArtists, item: _Item, xlim: tuple[float, float], lh: float) -> None:
    p = item.pooled
    assert p is not None
    a, b, left, right = _clip(p.pi_lower, p.pi_upper, xlim)
    cap = 0.22 * lh
    art.prediction = ax.plot([a, b], [item.y, item.y], color=INK, lw=0.8, zorder=3)[0]
    for x, clipped in ((a, left), (b, right)):
        if not clipped:
            ax.plot([x, x], [item.y - cap, item.y + cap], color=INK, lw=0.8, zorder=3)
    art.arrows["prediction"] = _arrows(ax, xlim, item.y, left, right)


def _favours(fig: Figure, ax: Axes, data: ForestData, xlim: tuple[float, float], height: float,
             axis_top: float, size: float) -> tuple[Text, ...]:
    y = 1 - (axis_top + 5 / 72 + line_height(size, 1.0) + mm(1.5)) / height
    trans = transforms.blended_transform_factory(ax.transData, fig.transFigure)
    offset = transforms.ScaledTranslation(mm(1.2), 0, fig.dpi_scale_trans)
    left = ax.text(1, y, f"← Favours {data.favours_experimental}", transform=trans - offset, ha="right",
                   va="top", fontsize=size, color=INK)
    right = ax.text(1, y, f"Favours {data.favours_control} →", transform=trans + offset, ha="left", va="top",
                    fontsize=size, color=INK)
    label_y = y - line_height(size, 1.2) * 1.1 / height
    xlabel = ax.text(0.5, label_y, "Hazard ratio (log scale)", transform=transforms.blended_transform_factory(
        ax.transAxes, fig.transFigure), ha="center", va="top", fontsize=size, color=INK)
    return left, right, xlabel
