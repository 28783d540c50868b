"""Reading digitizer output with one or several curves per file (no Qt).

Three layouts are accepted:

* ``time,survival`` — one curve per file (WebPlotDigitizer's single-dataset export, with or
  without a header);
* ``time1,surv1,time2,surv2,…`` — one header row, a pair of columns per curve;
* WebPlotDigitizer's "Export all data": curves side by side, a first header row naming each curve
  above its X column (optionally a second row ``X,Y,X,Y…``), then data rows (shorter curves leave
  their cells empty).

Every curve then goes through the shared cleaning step
(:func:`~evidence_app.core.reconstruction.tidy.tidy_points`): a 0–100 % scale is detected, points
just outside the axes are clipped within a stated tolerance, out-of-order clicks are sorted. Every
problem that remains — in any curve of any file — is raised at once in one
:class:`~evidence_app.errors.InputError`, each with its file and row (as a spreadsheet numbers it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from evidence_app.core.reconstruction.csv_readers import (
    decode_text,
    number,
    raise_problems,
    read_curve_csv,
    split_rows,
)
from evidence_app.core.reconstruction.tidy import PERCENT_THRESHOLD, tidy_points
from evidence_app.errors import InputError, Problem

GENERIC_NAME = re.compile(r"^(x|y|t|s|time|surv|survival|prob|probability|km)[ _-]?\d*$", re.IGNORECASE)
EXPECTED = "digitized points (time,survival)"


@dataclass(frozen=True)
class ParsedCurve:
    """One digitized curve: its name (from the file, or the file's name), its cleaned points and
    what the cleaning changed."""

    name: str
    points: pd.DataFrame  # columns time, survival (sorted by time, within the axes, as fractions)
    file: str
    notes: tuple[str, ...] = field(default=())


@dataclass
class _RawCurve:
    name: str
    points: list[tuple[float, float]]
    rows: list[str]
    file: str


def read_digitized_curves(path: str | Path) -> list[ParsedCurve]:
    """All curves in one digitizer file, in column order, cleaned; raises every problem at once."""
    return read_many_curve_files([path])


def read_many_curve_files(paths: Sequence[str | Path]) -> list[ParsedCurve]:
    """The curves of several files; one :class:`InputError` lists the problems of all of them."""
    problems: list[Problem] = []
    raws: list[list[_RawCurve]] = []
    for path in paths:
        try:
            raws.append(_raw_curves(path, problems))
        except InputError as exc:
            problems.extend(exc.problems)
    curves: list[ParsedCurve] = []
    for file_curves in raws:
        percent = max((s for c in file_curves for _, s in c.points), default=0.0) > PERCENT_THRESHOLD
        for raw in file_curves:
            try:
                tidy = tidy_points(
                    raw.points, rows=raw.rows, file=raw.file, curve=f"curve '{raw.name}'", percent=percent
                )
            except InputError as exc:
                problems.extend(exc.problems)
                continue
            notes = list(tidy.notes)
            if percent and raw is file_curves[0]:
                notes.insert(0, f"{Path(raw.file).name}: survival is on a 0–100 % scale; divided by 100.")
            curves.append(ParsedCurve(raw.name, tidy.frame(), raw.file, tuple(notes)))
    what = "the digitized curve file" + ("s" if len(paths) > 1 else "")
    problems.sort(key=lambda p: (p.file or "", _row_number(p.location)))
    raise_problems(problems, str(paths[0]) if len(paths) == 1 else None, what)
    return curves


def _row_number(location: str | None) -> int:
    found = re.match(r"row (\d+)", location or "")
    return int(found.group(1)) if found else 0


def _raw_curves(path: str | Path, problems: list[Problem]) -> list[_RawCurve]:
    """The curves of one file as read; unreadable cells go to ``problems`` (a wrong layout raises)."""
    name = str(path)
    rows, delimiter = split_rows(decode_text(path), name, EXPECTED)
    widest = max(len([f for f in fields if f]) for _, fields in rows)
    if widest <= 2:
        frame = read_curve_csv(path)
        points = list(zip(frame["time"].tolist(), frame["survival"].tolist()))
        return [_RawCurve(Path(path).stem, points, [f"row {r}" for r in frame.attrs["rows"]], name)]
    headers = []
    while rows and not all(number(f, delimiter) is not None for f in rows[0][1] if f):
        headers.append(rows.pop(0))
    if not headers or len(headers) > 2:
        raise InputError(
            "expected one header row (curve names, or time1,surv1,time2,surv2,…) or WebPlotDigitizer's "
            f"two header rows (names, then X,Y,X,Y), found {len(headers)}",
            file=name,
            location="row 1",
        )
    width = max(len(fields) for _, fields in headers + rows)
    width += width % 2  # a trailing empty Y column is harmless
    return [
        _pair(rows, pair, curve_name, delimiter, name, problems)
        for pair, curve_name in enumerate(_names(headers, width, Path(path).stem))
    ]


def _pair(
    rows: list[tuple[int, list[str]]], pair: int, curve_name: str, delimiter: str, name: str, problems: list[Problem]
) -> _RawCurve:
    """The points of one column pair; bad cells go to ``problems``."""
    points: list[tuple[float, float]] = []
    where: list[str] = []
    columns = f"columns {2 * pair + 1}–{2 * pair + 2}"
    for num, fields in rows:
        cells = [(fields[i] if i < len(fields) else "") for i in (2 * pair, 2 * pair + 1)]
        if not any(cells):
            continue
        if not all(cells):
            problems.append(
                Problem(
                    f"curve '{curve_name}' has a time without a survival value (or the reverse) in {columns}",
                    name,
                    f"row {num}",
                )
            )
            continue
        values = [number(c, delimiter) for c in cells]
        if values[0] is None or values[1] is None:
            bad = cells[values.index(None)]
            problems.append(Problem(f"expected a number for curve '{curve_name}', found {bad!r}", name, f"row {num}"))
            continue
        points.append((values[0], values[1]))
        where.append(f"row {num}")
    return _RawCurve(curve_name, points, where, name)


def _names(headers: list[tuple[int, list[str]]], width: int, stem: str) -> list[str]:
    """A name per column pair: the first header row's text above the pair, unless it is generic."""
    top = headers[0][1]
    names = []
    for pair in range(width // 2):
        candidates = [top[i] for i in (2 * pair, 2 * pair + 1) if i < len(top) and top[i]]
        label = next((c for c in candidates if not GENERIC_NAME.match(c)), "")
        names.append(label or f"{stem} curve {pair + 1}")
    return names
