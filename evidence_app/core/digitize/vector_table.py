"""Numbers at risk and legend of a vector plot, and the matching of arms across curves, legend and table.

The at-risk table is read as rows of whole numbers under the x axis, each number at the time its
centre calibrates to (snapped to the x tick it stands under, or to the table's own even spacing),
each row labelled by the words left of its first number. The legend is read as words with a short
line sample of a curve's style at their left; labels with no sample that share a curve's colour
count too.

Arms are matched by, in this order: the row label equals a legend label; the row is printed in a
curve's colour; and last, the order of rows equals the order of the legend (or of the curves from
top to bottom), which the report then says.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from evidence_app.core.digitize.vector_axes import AxisCalibration, Frame, Segment, parse_number
from evidence_app.core.digitize.vector_curves import RawCurve
from evidence_app.core.digitize.vector_paths import PageContent, Word

_COUNT = re.compile(r"^(\d{1,3}([,\u2009\u202f]\d{3})+|\d+)$")
#: A number at risk may stand this far (fraction of the x range) from the tick it is snapped to.
SNAP = 0.02


@dataclass(frozen=True)
class AtRiskRow:
    """One row of the at-risk table: its label (may be empty), colour and counts at ``times``."""

    label: str
    colour: str
    counts: tuple[int, ...]
    y: float


@dataclass(frozen=True)
class AtRiskTable:
    """Times (in the x axis's unit) and the rows printed under them, top row first."""

    times: tuple[float, ...]
    rows: tuple[AtRiskRow, ...]
    snapped: str


def read_at_risk(
    words: list[Word], frame: Frame, x_axis: AxisCalibration, below: float, above: float = -np.inf
) -> AtRiskTable | None:
    """Rows of whole numbers between ``above`` and ``below`` (under the x tick labels, or inside the
    plot's bottom as SAS prints them), aligned in columns, never rising from left to right (a row of
    cumulative events is not a row at risk)."""
    candidates = []
    for word in words:
        if not above < word.cy < below or not frame.x0 - 0.03 * frame.width <= word.cx <= frame.x1 + 0.03 * frame.width:
            continue
        if count_value(word.text) is not None:
            candidates.append(word)
    rows: list[list[Word]] = []
    for word in sorted(candidates, key=lambda w: -w.cy):
        if rows and abs(rows[-1][0].cy - word.cy) <= 0.4 * max(word.height, 1.0):
            rows[-1].append(word)
        else:
            rows.append([word])
    rows = [sorted(r, key=lambda w: w.cx) for r in rows if len(r) >= 2]
    if not rows:
        return None
    columns = _columns([w.cx for r in rows for w in r])
    support = [sum(any(abs(w.cx - c) <= 3.0 for w in r) for r in rows) for c in columns]
    columns = [c for c, n in zip(columns, support) if n >= 0.5 * len(rows)]  # a stray row adds no column
    if len(columns) < 2:
        return None
    times, snapped = _times(columns, x_axis)
    table_rows = []
    for row in rows:
        counts: list[int | None] = [None] * len(columns)
        for word in row:
            gaps = [abs(word.cx - c) for c in columns]
            if min(gaps) <= 3.0:
                counts[int(np.argmin(gaps))] = count_value(word.text)
        whole = [c for c in counts if c is not None]
        if len(whole) < len(columns) or len(whole) < len(row) or any(b > a for a, b in zip(whole, whole[1:])):
            continue  # skips a column, has numbers between columns, or rises: not a row at risk
        label_words = [
            w
            for w in words
            if abs(w.cy - row[0].cy) <= 0.4 * max(w.height, 1.0)
            and w.x1 <= row[0].x0 - 0.5
            and w.x0 >= frame.x0 - 0.6 * frame.width
        ]
        label = " ".join(w.text for w in sorted(label_words, key=lambda w: w.x0))
        colour = row[0].colour if row[0].colour != "#000000" else (label_words[-1].colour if label_words else "#000000")
        table_rows.append(AtRiskRow(label, colour, tuple(whole), row[0].cy))
    if not table_rows:
        return None
    return AtRiskTable(tuple(times), tuple(table_rows), snapped)


def count_value(text: str) -> int | None:
    """A printed count: ``"120"``, ``"1,234"`` or ``"1 234"`` (thousands separators); None for anything else
    (a decimal, a percentage, a number in brackets such as a count of events)."""
    if _COUNT.match(text):
        return int(re.sub(r"[,\u2009\u202f ]", "", text))
    return None


def _columns(xs: list[float]) -> list[float]:
    """Column centres: x positions within 3 points of each other are one column."""
    cols: list[list[float]] = []
    for x in sorted(xs):
        if cols and x - cols[-1][-1] <= 3.0:
            cols[-1].append(x)
        else:
            cols.append([x])
    return [float(np.median(c)) for c in cols]


def _times(columns: list[float], x_axis: AxisCalibration) -> tuple[list[float], str]:
    """The time of each column: its x tick when within :data:`SNAP`, else on the columns' even grid."""
    raw = [float(x_axis.value(c)) for c in columns]
    span = max(x_axis.values) - min(x_axis.values)
    ticks = np.asarray(x_axis.values)
    snapped = [float(ticks[np.argmin(np.abs(ticks - t))]) for t in raw]
    if all(abs(s - t) <= SNAP * span for s, t in zip(snapped, raw)) and len(set(snapped)) == len(snapped):
        return snapped, "x ticks"
    if len(raw) >= 3:
        step = float(np.median(np.diff(raw)))
        nice = _nice(step)
        grid = [round(t / nice) * nice for t in raw]
        if all(abs(g - t) <= SNAP * span for g, t in zip(grid, raw)) and len(set(grid)) == len(grid):
            return grid, f"even grid of {nice:g}"
    return [round(t, 3) for t in raw], "label centres (not snapped)"


def _nice(step: float) -> float:
    exponent = 10 ** np.floor(np.log10(step))
    for base in (1.0, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 10.0):
        if abs(step - base * exponent) <= 0.1 * base * exponent:
            return float(base * exponent)
    return float(step)


@dataclass(frozen=True)
class LegendEntry:
    """A legend label and the style of the line sample beside it (empty colour: none)."""

    label: str
    colour: str
    dash: tuple[float, ...]
    y: float


def read_legend(
    content: PageContent,
    frame: Frame,
    horizontal_samples: list[tuple[Segment, str, tuple[float, ...]]],
    excluded: set[int],
) -> list[LegendEntry]:
    """Words with a short line sample just left of them, near the frame; top entry first.

    ``excluded`` holds ``id()`` of words already used (tick labels, the table).
    """
    entries = []
    words = [w for w in content.words if id(w) not in excluded]
    for (y, lo, hi), colour, dash in horizontal_samples:
        if not (4.0 <= hi - lo <= 45.0) or not frame.contains(0.5 * (lo + hi), y, margin=0.25 * frame.height):
            continue
        line = [w for w in words if abs(w.cy - y) <= 0.6 * max(w.height, 1.0) and w.x0 >= hi - 1.0]
        line.sort(key=lambda w: w.x0)
        if line and parse_number(line[0].text) is not None:
            continue  # a number right of a short line is a tick label, not a legend
        if not line or line[0].x0 - hi > 1.5 * max(line[0].height, 4.0):
            continue
        picked = [line[0]]
        for word in line[1:]:
            if word.x0 - picked[-1].x1 > 1.2 * max(word.height, 4.0):
                break
            picked.append(word)
        entries.append(LegendEntry(" ".join(w.text for w in picked), colour, dash, y))
    return sorted(entries, key=lambda e: -e.y)


def coloured_labels(words: list[Word], frame: Frame, colours: set[str], skip_rows: list[float]) -> list[LegendEntry]:
    """Arm names printed in a curve's colour in or just above the plot, with no line sample (as
    NEJM labels the curves): one entry per colour that has exactly one such line of words."""
    found: dict[str, list[list[Word]]] = {}
    for word in sorted(words, key=lambda w: (w.colour, -round(w.cy), w.x0)):
        if word.colour not in colours or word.colour == "#000000" or parse_number(word.text) is not None:
            continue
        if not frame.contains(word.cx, word.cy, margin=0.15 * frame.height) or word.cy < frame.y0:
            continue
        if any(abs(word.cy - y) <= 0.5 * word.height for y in skip_rows):
            continue  # a label of the at-risk table
        lines = found.setdefault(word.colour, [])
        last = lines[-1][-1] if lines else None
        if last is not None and abs(last.cy - word.cy) <= 0.3 * word.height and word.x0 - last.x1 <= 0.6 * word.height:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [
        LegendEntry(" ".join(w.text for w in lines[0]), colour, (), lines[0][0].cy)
        for colour, lines in found.items()
        if len(lines) == 1
    ]


def match_arms(
    curves: list[RawCurve],
    legend: list[LegendEntry],
    table: AtRiskTable | None,
    steps: list[tuple[np.ndarray, np.ndarray]] | None = None,
) -> tuple[list[str], list[int | None], list[str]]:
    """Per curve: its label, the index of its at-risk row (None when unmatched), and how it was matched.

    ``steps`` (each curve's time and survival) let the step heights vote: a drop of one event out
    of n at risk is S/n high, so the right row's counts explain the curve's steps.
    """
    labels = []
    how = []
    for curve in curves:
        same = [e for e in legend if e.colour == curve.colour and e.dash == curve.dash]
        same = same or [
            e for e in legend if e.colour == curve.colour and len({x.colour for x in legend}) == len(legend)
        ]
        labels.append(same[0].label if len(same) == 1 else "")
        how.append("legend style" if len(same) == 1 else "")
    if table is None:
        return labels, [None] * len(curves), [h or "no legend" for h in how]
    rows = list(table.rows)
    fits = [
        [fits_table(*steps[i], table.times, row.counts) if steps is not None else 0.0 for row in rows]
        for i in range(len(curves))
    ]

    def score(i: int, r: int) -> float:
        return _pair_score(curves[i], labels[i], rows[r], i, r, legend) + 10.0 * fits[i][r]

    assigned = _best_assignment(len(curves), len(rows), score)
    for i, r in enumerate(assigned):
        if r is None:
            continue
        row = rows[r]
        if labels[i] and _same_label(labels[i], row.label):
            how[i] = "label"
        elif row.colour == curves[i].colour and row.colour != "#000000":
            how[i] = "colour"
        elif fits[i][r] >= 0.8 and fits[i][r] - max(fits[i][q] for q in range(len(rows)) if q != r) >= 0.3:
            how[i] = "step heights"
        else:
            how[i] = "order"
        if not labels[i]:
            labels[i] = row.label
    return labels, assigned, how


def _best_assignment(n_curves: int, n_rows: int, score: Callable[[int, int], float]) -> list[int | None]:
    """Each curve's row (distinct rows), maximising the total score; curves beyond the rows get None."""
    m = min(n_curves, n_rows)
    if math.comb(n_curves, m) * math.perm(n_rows, m) > 50_000:  # many stray curves: best pairs first
        plan: list[int | None] = [None] * n_curves
        pairs = sorted(((score(i, r), i, r) for i in range(n_curves) for r in range(n_rows)), reverse=True)
        for _, i, r in pairs:
            if plan[i] is None and r not in plan:
                plan[i] = r
        return plan
    best: tuple[float, list[int | None]] = (-np.inf, [None] * n_curves)
    for chosen in itertools.combinations(range(n_curves), m):
        for rows in itertools.permutations(range(n_rows), m):
            total = sum(score(i, r) for i, r in zip(chosen, rows))
            if total > best[0]:
                best = (total, [dict(zip(chosen, rows)).get(i) for i in range(n_curves)])
    return best[1]


def fits_table(time: np.ndarray, survival: np.ndarray, times: tuple[float, ...], counts: tuple[int, ...]) -> float:
    """Share of the curve's drops whose height is that of 1 to 3 events among a number at risk
    between the counts printed at the ends of their interval."""
    drops = np.flatnonzero(np.diff(survival) < -1e-9) + 1
    ok = total = 0
    for k in range(len(times) - 1):
        hi, lo = counts[k], counts[k + 1]
        inside = drops[(time[drops] >= times[k]) & (time[drops] < times[k + 1])]
        for j in inside:
            before, height = survival[j - 1], survival[j - 1] - survival[j]
            implied = before / height * np.arange(1, 4)  # n at risk for 1, 2 or 3 events
            total += 1
            ok += bool(np.any((implied >= lo - 0.5) & (implied <= hi + 0.5)))
    return ok / total if total else 0.0


def _same_label(a: str, b: str) -> bool:
    return " ".join(a.lower().split()) == " ".join(b.lower().split()) and bool(a.strip())


def _pair_score(curve: RawCurve, label: str, row: AtRiskRow, i: int, r: int, legend: list[LegendEntry]) -> float:
    score = 0.0
    if label and _same_label(label, row.label):
        score += 100.0
    elif label and row.label and (label.lower() in row.label.lower() or row.label.lower() in label.lower()):
        score += 50.0
    if row.colour != "#000000" and row.colour == curve.colour:
        score += 40.0
    order = [e.label for e in legend]
    if label in order and order.index(label) == r:
        score += 2.0
    elif i == r:
        score += 1.0
    return score
