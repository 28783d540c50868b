"""Reading digitizer output with one or several curves per file (no Qt).

Three layouts are accepted:

* ``time,survival`` — one curve per file (read by :func:`evidence_app.core.reconstruction.curve_input.read_curve_csv`);
* ``time1,surv1,time2,surv2,…`` — one header row, a pair of columns per curve;
* WebPlotDigitizer's "export all datasets": a first header row naming each curve above its X
  column, a second row ``X,Y,X,Y…``, then data rows (shorter curves leave their cells empty).

Every problem raises :class:`~evidence_app.errors.InputError` naming the file, the row (as a
spreadsheet numbers it) and what was expected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from evidence_app.core.reconstruction.curve_input import read_csv_rows
from evidence_app.errors import InputError

GENERIC_NAME = re.compile(r"^(x|y|t|s|time|surv|survival|prob|probability|km)[ _-]?\d*$", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedCurve:
    """One digitized curve: its name (from the file, or the file's name) and its points."""

    name: str
    points: pd.DataFrame  # columns time, survival (file order)
    file: str


def read_digitized_curves(path: str | Path) -> list[ParsedCurve]:
    """All curves in one digitizer file, in column order."""
    from evidence_app.core.reconstruction.curve_input import read_curve_csv

    name = str(path)
    rows, delimiter = _rows(path)
    widest = max(len([f for f in fields if f]) for _, fields in rows)
    if widest <= 2:
        return [ParsedCurve(Path(path).stem, read_curve_csv(path), name)]
    headers = []
    while rows and not all(_number(f, delimiter) is not None for f in rows[0][1] if f):
        headers.append(rows.pop(0))
    if not headers or len(headers) > 2:
        raise InputError(
            f"expected one header row (time1,surv1,time2,surv2,…) or WebPlotDigitizer's two header rows, "
            f"found {len(headers)}",
            file=name,
            location="row 1",
        )
    width = max(len(fields) for _, fields in headers + rows)
    if width % 2:
        width += 1  # a trailing empty Y column is harmless
    names = _names(headers, width, Path(path).stem)
    curves = []
    for pair, curve_name in enumerate(names):
        points = []
        for num, fields in rows:
            cells = [(fields[i] if i < len(fields) else "") for i in (2 * pair, 2 * pair + 1)]
            if not any(cells):
                continue
            if not all(cells):
                raise InputError(
                    f"curve '{curve_name}' has a time without a survival value (or the reverse) "
                    f"in columns {2 * pair + 1}–{2 * pair + 2}",
                    file=name,
                    location=f"row {num}",
                )
            values = [_number(c, delimiter) for c in cells]
            if None in values:
                bad = cells[values.index(None)]
                raise InputError(
                    f"expected a number for curve '{curve_name}', found {bad!r}", file=name, location=f"row {num}"
                )
            points.append(values)
        if len(points) < 2:
            raise InputError(
                f"curve '{curve_name}' has {len(points)} point(s); expected at least 2",
                file=name,
                location=f"columns {2 * pair + 1}–{2 * pair + 2}",
            )
        curves.append(ParsedCurve(curve_name, pd.DataFrame(points, columns=["time", "survival"], dtype=float), name))
    return curves


def _rows(path: str | Path) -> tuple[list[tuple[int, list[str]]], str]:
    return read_csv_rows(path, "digitized points (time,survival)")


def _number(text: str, delimiter: str) -> float | None:
    try:
        value = float(text.replace(",", ".") if delimiter != "," else text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _names(headers: list[tuple[int, list[str]]], width: int, stem: str) -> list[str]:
    """A name per column pair: the first header row's text above the pair, unless it is generic."""
    top = headers[0][1]
    names = []
    for pair in range(width // 2):
        candidates = [top[i] for i in (2 * pair, 2 * pair + 1) if i < len(top) and top[i]]
        label = next((c for c in candidates if not GENERIC_NAME.match(c)), "")
        names.append(label or f"{stem} curve {pair + 1}")
    return names
