"""Hazard ratios as publications report them, turned into log HRs with standard errors.

A reported interval ``(L, U)`` at level ``c`` around a hazard ratio gives, on the log
scale (where Wald intervals are symmetric)::

    log_hr = ln(HR),    se = (ln U - ln L) / (2 * z_{(1 + c) / 2})

A p-value alone is deliberately not accepted: back-calculating an SE from a (usually
rounded, sometimes one-sided or log-rank) p-value is too fragile to pool silently.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

from evidence_app.core import limits
from evidence_app.core.datasets.schema import parse_ci_level
from evidence_app.core.distributions import norm_ppf
from evidence_app.core.results import EffectSize
from evidence_app.core.safe_files import read_csv_table
from evidence_app.errors import InputError, Problem

P_VALUE_ALONE = "a p-value alone is not enough: need a CI or a standard error"

_CI_COLUMNS = ("study", "hr", "lower", "upper")
_LOG_COLUMNS = ("study", "log_hr", "se")
EXPECTED_HEADERS = "study,hr,lower,upper[,ci_level][,subgroup]  or  study,log_hr,se[,subgroup]"


def read_ci_level(value: float | str) -> float:
    """A confidence level typed by the user, as a fraction in (0, 1), by the dataset format's rule.

    Accepts fractions (``0.95``), percentages with a sign (``"95%"``, ``"99.5%"``) and bare
    percentages (``95``); raises :class:`InputError` for anything else.
    """
    try:
        return parse_ci_level(value)
    except ValueError as exc:
        raise InputError(str(exc)) from None


def _z(level: float) -> float:
    return norm_ppf((1 + level) / 2)


def _percent(level: float) -> str:
    return f"{level * 100:g}%"


def effect_from_ci(
    hr: float,
    lower: float,
    upper: float,
    ci_level: float | str = 0.95,
    *,
    study: str = "",
    subgroup: str | None = None,
) -> EffectSize:
    """Build an :class:`EffectSize` from a hazard ratio and its confidence interval.

    Raises
    ------
    InputError
        If a value is not positive, ``lower >= upper``, the HR lies outside its interval
        or the CI level is not a valid level.
    """
    level = read_ci_level(ci_level)
    for name, value in (("HR", hr), ("lower CI bound", lower), ("upper CI bound", upper)):
        if not math.isfinite(value) or value <= 0:
            raise InputError(f"{name} is {value}; hazard ratios and their bounds must be > 0")
        _in_limits(value, limits.HR_MIN, limits.HR_MAX, name)
    if lower >= upper:
        raise InputError(f"lower CI bound {lower} is not below upper CI bound {upper}")
    if not lower <= hr <= upper:
        raise InputError(f"HR {hr} lies outside its confidence interval {lower}–{upper}")
    se = (math.log(upper) - math.log(lower)) / (2 * _z(level))
    return EffectSize(
        study=study,
        log_hr=math.log(hr),
        se=se,
        hr=hr,
        lower=lower,
        upper=upper,
        ci_level=level,
        subgroup=subgroup,
        derived=True,
        note=f"SE computed from a {_percent(level)} CI",
    )


def effect_from_log(
    log_hr: float,
    se: float,
    *,
    study: str = "",
    subgroup: str | None = None,
    ci_level: float = 0.95,
) -> EffectSize:
    """Build an :class:`EffectSize` from a log hazard ratio and its standard error."""
    if not math.isfinite(log_hr):
        raise InputError(f"log HR is {log_hr}; expected a finite number")
    if not math.isfinite(se) or se <= 0:
        raise InputError(f"standard error is {se}; expected a number > 0")
    _in_limits(log_hr, -limits.MAX_ABS_LOG_EFFECT, limits.MAX_ABS_LOG_EFFECT, "log HR")
    _in_limits(se, limits.SE_MIN, limits.SE_MAX, "standard error")
    half = _z(ci_level) * se
    return EffectSize(
        study=study,
        log_hr=log_hr,
        se=se,
        hr=math.exp(log_hr),
        lower=math.exp(log_hr - half),
        upper=math.exp(log_hr + half),
        ci_level=ci_level,
        subgroup=subgroup,
    )


def _in_limits(value: float, low: float, high: float, what: str) -> None:
    """The shared plausible ranges (core/limits.py), so pooling never meets an overflow."""
    try:
        limits.check_range(value, low, high, what)
    except ValueError as exc:
        raise InputError(str(exc)) from None


def flip(effect: EffectSize) -> EffectSize:
    """Return the same effect seen the other way round (control vs experimental)."""
    return replace(
        effect,
        log_hr=-effect.log_hr,
        hr=1 / effect.hr,
        lower=1 / effect.upper,
        upper=1 / effect.lower,
        experimental=effect.control,
        control=effect.experimental,
    )


def _number(row: dict[str, str], column: str) -> float:
    text = (row.get(column) or "").strip()
    if not text:
        raise InputError(f"{column} is empty")
    try:
        return float(text)
    except ValueError:
        raise InputError(f"{column} is '{text}', expected a number like 0.85") from None


def _effect_from_row(row: dict[str, str], columns: set[str]) -> EffectSize:
    study = (row.get("study") or "").strip()
    if not study:
        raise InputError("study is empty")
    subgroup = (row.get("subgroup") or "").strip() or None
    if "log_hr" in columns:
        return effect_from_log(_number(row, "log_hr"), _number(row, "se"), study=study, subgroup=subgroup)
    level: float | str = (row.get("ci_level") or "").strip() or 0.95
    return effect_from_ci(
        _number(row, "hr"), _number(row, "lower"), _number(row, "upper"), level, study=study, subgroup=subgroup
    )


def _check_header(fieldnames: list[str], file: str) -> set[str]:
    columns = {name.strip().lower() for name in fieldnames}
    if set(_CI_COLUMNS) <= columns or set(_LOG_COLUMNS) <= columns:
        return columns
    if "study" in columns and columns & {"p", "p_value", "pvalue"}:
        raise InputError(P_VALUE_ALONE, file=file, location="row 1")
    raise InputError(f"header must be {EXPECTED_HEADERS}; found {','.join(fieldnames)}", file=file, location="row 1")


def read_effects_csv(path: str | Path) -> tuple[list[EffectSize], list[Problem]]:
    """Read an EFFECTS.csv file.

    The header (case-insensitive, extra columns ignored) is ``study,hr,lower,upper`` with
    optional ``ci_level`` (default 95%) and ``subgroup``, or ``study,log_hr,se`` with
    optional ``subgroup``; if both forms are present, ``log_hr,se`` is used. Returns the
    effects of all good rows and one :class:`Problem` per bad row (row numbers as a
    spreadsheet shows them: the header is row 1). Blank rows are skipped; a study listed
    twice in the same subgroup is a problem on its second row.

    Raises
    ------
    InputError
        If the file cannot be read or its header is not one of the accepted forms.
    """
    file = str(path)
    rows = read_csv_table(path, kind="effects file")
    if not rows:
        raise InputError(f"the file is empty; expected a header {EXPECTED_HEADERS}", file=file)
    header = [name.strip().lower() for name in rows[0]]
    columns = _check_header(rows[0], file)
    effects: list[EffectSize] = []
    problems: list[Problem] = []
    seen: set[tuple[str, str | None]] = set()
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        row = dict(zip(header, cells))
        try:
            effect = _effect_from_row(row, columns)
        except InputError as exc:
            problems.append(Problem(exc.message, file, f"row {number}"))
            continue
        key = (effect.study, effect.subgroup)
        if key in seen:
            problems.append(Problem(f"study '{effect.study}' appears more than once", file, f"row {number}"))
            continue
        seen.add(key)
        effects.append(effect)
    return effects, problems
