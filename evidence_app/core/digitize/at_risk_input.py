"""Numbers at risk from a CSV file or a pasted table (no Qt).

Two layouts are read:

* as printed under a figure — a first row of times (after an optional label cell such as
  ``Time (months)``), then one row per arm: its name (optional) and its numbers at risk;
* one column per arm — a header row ``time,<arm 1>,<arm 2>…`` (or ``time,n_at_risk`` for one arm),
  then a row per time.

Comma, semicolon or tab separated; text copied from a PDF (cells separated by spaces) is read too.
Empty cells mean "not printed". Every problem is listed at once with its row and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from evidence_app.core.reconstruction.csv_readers import decode_text, number, raise_problems, split_rows
from evidence_app.errors import InputError, Problem

TIME_HEADER = re.compile(r"^(t|time|times|months?|weeks?|years?|days?)\b", re.IGNORECASE)
EXPECTED = "numbers at risk (a row of times, then a row per arm)"


@dataclass(frozen=True)
class AtRiskGrid:
    """Times, and per arm its name (None when the table gives none) and a count or None per time."""

    times: list[float]
    names: list[str | None]
    counts: list[list[int | None]]


def read_at_risk_file(path: str | Path) -> AtRiskGrid:
    return parse_at_risk_text(decode_text(path), str(path))


def parse_at_risk_text(text: str, name: str = "pasted table") -> AtRiskGrid:
    """The numbers at risk in ``text`` (the content of a CSV file, or a pasted table)."""
    rows, delimiter = split_rows(text, name, EXPECTED)
    if all(len(fields) == 1 for _, fields in rows):  # copied from a PDF: cells separated by spaces
        rows = [(num, _join_name(fields[0].split())) for num, fields in rows]
        delimiter = "\t"
    first = rows[0][1]
    if first and first[0] and TIME_HEADER.match(first[0]) and not _numbers(first[1:], delimiter):
        return _by_column(rows, delimiter, name)
    return _by_row(rows, delimiter, name)


def _join_name(tokens: list[str]) -> list[str]:
    """``Placebo + BSC 139 120`` → ``["Placebo + BSC", "139", "120"]``."""
    k = 0
    while k < len(tokens) and number(tokens[k], "\t") is None:
        k += 1
    return ([" ".join(tokens[:k])] if k else []) + tokens[k:]


def _numbers(cells: list[str], delimiter: str) -> bool:
    return bool(cells) and all(number(c, delimiter) is not None for c in cells if c)


def _by_row(rows: list[tuple[int, list[str]]], delimiter: str, name: str) -> AtRiskGrid:
    num, first = rows[0]
    label_column = bool(first) and number(first[0], delimiter) is None
    cells = first[1:] if label_column else first
    offset = 2 if label_column else 1
    times = _times([(c, f"row {num}, column {i + offset}") for i, c in enumerate(cells) if c], name)
    problems: list[Problem] = []
    names: list[str | None] = []
    counts: list[list[int | None]] = []
    for num, fields in rows[1:]:
        labelled = label_column or (bool(fields) and bool(fields[0]) and number(fields[0], delimiter) is None)
        values = fields[1:] if labelled else fields
        if any(values[len(times) :]):
            message = f"expected at most {len(times)} numbers (one per time), found {len(values)}"
            problems.append(Problem(message, name, f"row {num}"))
        names.append((fields[0] or None) if labelled else None)
        counts.append(
            [_count(values[i] if i < len(values) else "", name, num, i + offset, problems) for i in range(len(times))]
        )
    if not counts:
        problems.append(Problem("expected a row of numbers at risk per arm after the row of times", name, "row 2"))
    raise_problems(problems, name, "the numbers at risk")
    return AtRiskGrid(times, names, counts)


def _by_column(rows: list[tuple[int, list[str]]], delimiter: str, name: str) -> AtRiskGrid:
    header = rows[0][1]
    names: list[str | None] = [h or None for h in header[1:]]
    if [n.lower() for n in names if n] == ["n_at_risk"]:
        names = [None]
    problems: list[Problem] = []
    times = _times([(fields[0] if fields else "", f"row {num}, column 1") for num, fields in rows[1:]], name)
    columns: list[list[int | None]] = [[] for _ in names]
    for num, fields in rows[1:]:
        if len(fields) > len(names) + 1 and any(fields[len(names) + 1 :]):
            problems.append(
                Problem(f"expected {len(names) + 1} columns as in the header, found {len(fields)}", name, f"row {num}")
            )
        for j in range(len(names)):
            cell = fields[j + 1] if j + 1 < len(fields) else ""
            columns[j].append(_count(cell, name, num, j + 2, problems))
    if not times:
        problems.append(Problem("expected a row per time after the header", name, "row 2"))
    raise_problems(problems, name, "the numbers at risk")
    return AtRiskGrid(times, names, columns)


def _times(cells: list[tuple[str, str]], name: str) -> list[float]:
    problems: list[Problem] = []
    times: list[float] = []
    for text, where in cells:
        value = number(text, ";")
        if value is None or value < 0:
            problems.append(Problem(f"expected a time ≥ 0, found {text!r}", name, where))
        else:
            times.append(value)
    if not problems and times != sorted(set(times)):
        problems.append(Problem("expected increasing times without repeats", name, cells[0][1].split(",")[0]))
    raise_problems(problems, name, "the times of the numbers at risk")
    return times


def _count(text: str, name: str, num: int, column: int, problems: list[Problem]) -> int | None:
    if not text or text in ("-", "–", "—"):
        return None
    value = number(text, ";")
    if value is None or value < 0 or value != int(value):
        problems.append(Problem(f"expected a whole number ≥ 0, found {text!r}", name, f"row {num}, column {column}"))
        return None
    return int(value)


def arrange_for_arms(grid: AtRiskGrid, labels: list[str], name: str = "the numbers at risk") -> list[list[int | None]]:
    """The grid's rows in the order of the arms ``labels``: by name when every arm is named in the
    table, else in table order (then the table must have one row per arm)."""
    wanted = [label.strip().lower() for label in labels]
    given = [(n or "").strip().lower() for n in grid.names]
    if set(wanted) <= set(given) and len(set(given)) == len(given):
        return [grid.counts[given.index(w)] for w in wanted]
    if len(grid.counts) != len(labels):
        raise InputError(
            f"the table has numbers at risk for {len(grid.counts)} arm(s) but there are {len(labels)} "
            f"({', '.join(labels)}); name the arms as in the table or give one row per arm",
            file=name,
        )
    return grid.counts
