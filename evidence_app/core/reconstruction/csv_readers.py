"""Reading small CSV files of digitizer output: rows, numbers, and the two-column tables.

Readers turn a CSV into a two-column frame or raise :class:`InputError` naming the file, the row
(1-based as a spreadsheet shows it, header = row 1) and what was expected. A file with several
bad rows lists every one of them in one error (the first one's row is the error's location).
:func:`read_curve_points` and :func:`read_at_risk_points` give the same values without pandas
(the ``reconstruct`` command starts faster); the ``*_csv`` readers wrap them in data frames.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from evidence_app.core import limits
from evidence_app.core.safe_files import read_user_file
from evidence_app.errors import InputError, Problem

if TYPE_CHECKING:
    import pandas as pd

CURVE_COLUMNS = ("time", "survival")
AT_RISK_COLUMNS = ("time", "n_at_risk")


def raise_problems(problems: list[Problem], file: str | None, what: str) -> None:
    """Raise one :class:`InputError` listing every problem (nothing when the list is empty)."""
    if not problems:
        return
    first = problems[0]
    if len(problems) == 1:
        raise InputError(first.message, file=first.file or file, location=first.location)
    raise InputError(f"{len(problems)} problems in {what}", file=file, location=first.location, problems=problems)


def read_curve_csv(path: str | Path, percent: bool = False) -> pd.DataFrame:
    """Read a digitized Kaplan–Meier curve with columns ``time,survival``.

    Comma, semicolon or tab separated; a byte-order mark, decimal commas (with ``;`` or tab as
    separator) and a missing header (two numeric columns) are accepted. ``percent``: survival is
    given in percent (0–100) and is divided by 100.

    Returns
    -------
    pandas.DataFrame
        Columns ``time`` and ``survival`` (floats), in file order (click order is kept);
        ``attrs["rows"]`` holds each point's row number in the file.
    """
    return read_curve_points(path, percent).frame()


@dataclass(frozen=True)
class TwoColumns:
    """A two-column table read from a CSV, in file order: the columns' names and values, and the file
    row of each value pair."""

    names: tuple[str, str]
    first: list[float]
    second: list[float]
    rows: list[int]

    def frame(self) -> pd.DataFrame:
        """The table as a data frame (``attrs["rows"]`` holds the rows)."""
        import pandas as pd

        frame = pd.DataFrame({self.names[0]: self.first, self.names[1]: self.second}, dtype=float)
        if self.names == AT_RISK_COLUMNS:
            frame["n_at_risk"] = frame["n_at_risk"].round().astype(int)
        frame.attrs["rows"] = list(self.rows)
        return frame


def read_curve_points(path: str | Path, percent: bool = False) -> TwoColumns:
    """:func:`read_curve_csv` without pandas."""
    table = _read_two_columns(path, CURVE_COLUMNS)
    _check_times(table, str(path), -limits.MAX_TIME)  # click noise below 0 is cleaned later, with a warning
    if percent:
        table = TwoColumns(table.names, table.first, [v / 100.0 for v in table.second], table.rows)
    return table


def _check_times(table: TwoColumns, name: str, lowest: float = 0.0) -> None:
    """Every time is ``lowest`` to :data:`~evidence_app.core.limits.MAX_TIME`; an error names each row outside."""
    problems = [
        Problem(f"expected a time from {lowest:g} to {limits.MAX_TIME:g}, found {t:g}", name, f"row {row}")
        for t, row in zip(table.first, table.rows)
        if math.isfinite(t) and not lowest <= t <= limits.MAX_TIME
    ]
    raise_problems(problems, name, "the times")


def read_at_risk_csv(path: str | Path) -> pd.DataFrame:
    """Read a numbers-at-risk table with columns ``time,n_at_risk``: ``time`` (float) and
    ``n_at_risk`` (int), in file order."""
    return read_at_risk_points(path).frame()


def read_at_risk_points(path: str | Path) -> TwoColumns:
    """:func:`read_at_risk_csv` without pandas (the counts are whole numbers held as floats)."""
    table = _read_two_columns(path, AT_RISK_COLUMNS)
    name = str(path)
    _check_times(table, name)
    problems = []
    for i, value in enumerate(table.second):
        row = f"row {table.rows[i]}"
        if value < 0:
            problems.append(Problem(f"expected a number at risk of 0 or more, found {value:g}", name, row))
        elif value > limits.MAX_PATIENTS:
            message = f"expected at most {limits.MAX_PATIENTS:,} patients at risk, found {value:g}"
            problems.append(Problem(message, name, row))
        elif value != round(value):
            problems.append(Problem(f"expected a whole number at risk, found {value:g}", name, row))
    raise_problems(problems, name, "the numbers at risk")
    if not any(v > 0 for v in table.second):
        raise InputError(
            "every number at risk is 0: the table gives no patients to reconstruct; "
            "expected the number of patients at time 0 in the first row",
            file=name,
            location="column 'n_at_risk'",
        )
    return TwoColumns(table.names, table.first, [float(round(v)) for v in table.second], table.rows)


def decode_text(path: str | Path) -> str:
    """A small text file's content (UTF-8 with or without BOM, else Latin-1); a regular file of at most
    :data:`~evidence_app.core.limits.MAX_CSV_BYTES`."""
    raw = read_user_file(path, kind="CSV", max_bytes=limits.MAX_CSV_BYTES)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def split_rows(text: str, name: str, expected: str) -> tuple[list[tuple[int, list[str]]], str]:
    """Non-blank rows of CSV text as ``(row number, fields)`` and the delimiter (decided by the first row)."""
    lines = [(i + 1, line) for i, line in enumerate(text.splitlines()) if line.strip()]
    if not lines:
        raise InputError(f"the file is empty; expected {expected}", file=name, location="row 1")
    if len(lines) > limits.MAX_CSV_ROWS + 2:  # two header rows at most
        raise InputError(
            f"the file has {len(lines):,} rows; at most {limits.MAX_CSV_ROWS:,} data rows are read "
            "(a digitized curve has a few thousand points at most)",
            file=name,
            location=f"row {lines[limits.MAX_CSV_ROWS + 2][0]}",
        )
    delimiter = ";" if ";" in lines[0][1] else "\t" if "\t" in lines[0][1] else ","
    return [(num, _fields(line, delimiter, name, num)) for num, line in lines], delimiter


def _fields(line: str, delimiter: str, name: str, num: int) -> list[str]:
    """One CSV line's fields; a line over :data:`~evidence_app.core.limits.MAX_CSV_FIELD_CHARS` is refused."""
    if len(line) > limits.MAX_CSV_FIELD_CHARS:
        raise InputError(
            f"the row is {len(line):,} characters long; rows of at most {limits.MAX_CSV_FIELD_CHARS:,} are read",
            file=name,
            location=f"row {num}",
        )
    if '"' not in line and "\0" not in line:  # no quoting: what the csv module returns, without its cost
        return [f.strip() for f in line.split(delimiter)]
    try:
        return [f.strip() for f in next(csv.reader(io.StringIO(line), delimiter=delimiter), [])]
    except csv.Error as exc:
        raise InputError(f"not readable as CSV ({exc})", file=name, location=f"row {num}") from None


def read_csv_rows(path: str | Path, expected: str) -> tuple[list[tuple[int, list[str]]], str]:
    """Non-blank rows of a small CSV as ``(row number, fields)`` and the delimiter used.

    Accepts a UTF-8 BOM, Latin-1 text and ``,``, ``;`` or tab as delimiter (decided by the first
    row). ``expected`` describes the content for the message when the file is empty.
    """
    return split_rows(decode_text(path), str(path), expected)


def number(text: str, delimiter: str) -> float | None:
    """A finite number written with a decimal point (or a decimal comma when ``,`` does not separate)."""
    try:
        value = float(text.replace(",", ".") if delimiter != "," else text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _read_two_columns(path: str | Path, columns: tuple[str, str]) -> TwoColumns:
    name = str(path)
    expected = ",".join(columns)
    rows, delimiter = read_csv_rows(path, f"a header '{expected}' and data rows")
    order = _header_order(rows[0][1], columns, name, rows[0][0])
    if order is not None:
        rows = rows[1:]
    if not rows:
        raise InputError(f"no data rows after the header; expected rows of '{expected}'", file=name, location="row 2")
    values: list[tuple[float, float]] = []
    problems: list[Problem] = []
    for num, fields in rows:
        if len(fields) != 2:
            hint = " (with decimal commas, separate columns with ';')" if delimiter == "," and len(fields) == 4 else ""
            message = f"expected 2 values ({expected}) separated by '{delimiter}', found {len(fields)}{hint}"
            problems.append(Problem(message, name, f"row {num}"))
            continue
        pair = [_parse_number(fields[j], columns[j], delimiter, problems, name, num) for j in range(2)]
        values.append((pair[0], pair[1]) if order in (None, (0, 1)) else (pair[1], pair[0]))
    raise_problems(problems, name, f"'{expected}' rows")
    return TwoColumns(columns, [float(a) for a, _ in values], [float(b) for _, b in values], [num for num, _ in rows])


def _header_order(fields: list[str], columns: tuple[str, str], name: str, num: int) -> tuple[int, int] | None:
    """Return the column order named by a header row, or None when the first row is data."""
    if len(fields) == 2 and all(_is_number(f) for f in fields):
        return None
    lowered = [f.lower().lstrip("\ufeff").strip() for f in fields]
    if len(lowered) == 2 and lowered == [columns[1], columns[0]]:
        return (1, 0)
    if len(lowered) == 2:
        return (0, 1)
    raise InputError(
        f"expected a header '{','.join(columns)}' with 2 columns, found {len(fields)} columns: {', '.join(fields)}",
        file=name,
        location=f"row {num}",
    )


def _is_number(field: str) -> bool:
    try:
        float(field.replace(",", "."))
    except ValueError:
        return False
    return True


def _parse_number(field: str, column: str, delimiter: str, problems: list[Problem], name: str, num: int) -> float:
    try:
        value = float(field.replace(",", ".") if delimiter != "," else field)
    except ValueError:
        shown = field if field else "an empty cell"
        problems.append(Problem(f"expected a number in column '{column}', found {shown!r}", name, f"row {num}"))
        return math.nan
    if not math.isfinite(value):
        problems.append(Problem(f"expected a finite number in column '{column}', found {field!r}", name, f"row {num}"))
    return value
