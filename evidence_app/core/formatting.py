"""How numbers are written for people: one set of rules for the GUI, CLI, figures and export."""

from __future__ import annotations

import math

NOT_REPORTED = "not reported"
NOT_REACHED = "not reached"
#: A spreadsheet runs text starting with one of these as a formula (CSV/formula injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def openable_url(url: str) -> str | None:
    """The web address a link may open, or None: only http, https and doi links open.

    ``doi:10.1/x`` becomes ``https://doi.org/10.1/x``; ``javascript:``, ``file:``, ``data:`` and
    anything else a dataset file might carry is shown as text, never opened.
    """
    from urllib.parse import quote, urlsplit

    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme in ("http", "https") and parts.netloc and not any(c.isspace() or ord(c) < 32 for c in text):
        return text
    if scheme == "doi" and text[4:].strip():
        return "https://doi.org/" + quote(text[4:].strip(), safe="/:;()._-")
    return None


def defuse_formula(text: str) -> str:
    """``text`` as data for a spreadsheet: an apostrophe before formula-like text.

    Used for every CSV cell the export writes and for everything the GUI copies to the clipboard.
    A plain number (``-0.35``) is left alone: a spreadsheet reads it as the number it is.
    """
    if not text.startswith(FORMULA_START):
        return text
    try:
        float(text)
    except ValueError:
        return "'" + text
    return text


def fmt_num(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return NOT_REPORTED
    return f"{value:.{digits}f}"


def fmt_level(level: float | None) -> str:
    return "level not stated" if level is None else f"{level * 100:g}%"


def fmt_ci(lower: float | None, upper: float | None, digits: int = 2) -> str:
    lo = "NR" if lower is None else f"{lower:.{digits}f}"
    hi = "NR" if upper is None else f"{upper:.{digits}f}"
    return f"{lo}–{hi}"


def fmt_hr(
    value: float | None,
    lower: float | None = None,
    upper: float | None = None,
    level: float | None = 0.95,
    digits: int = 2,
) -> str:
    """``0.73 (0.58–0.92)``; the level is written only when it is not 95%."""
    if value is None:
        return NOT_REPORTED
    if lower is None and upper is None:
        return f"{value:.{digits}f} (CI not reported)"
    suffix = "" if level is not None and abs(level - 0.95) < 1e-9 else f"; {fmt_level(level)} CI"
    return f"{value:.{digits}f} ({fmt_ci(lower, upper, digits)}{suffix})"


def fmt_p(p: float | None) -> str:
    """p-values as journals print them: ``<0.001``, ``0.008``, ``0.21``."""
    if p is None or not math.isfinite(p):
        return NOT_REPORTED
    if p < 0.001:
        return "<0.001"
    if p < 0.01:
        return f"{p:.3f}"
    return f"{p:.2f}"


def fmt_median(
    value: float | None,
    lower: float | None = None,
    upper: float | None = None,
    *,
    not_reached: bool = False,
    digits: int = 1,
    level: float | None = 0.95,
) -> str:
    if value is None:
        return NOT_REACHED if not_reached else NOT_REPORTED
    text = f"{value:.{digits}f}"
    if lower is not None or upper is not None:
        suffix = "" if level is not None and abs(level - 0.95) < 1e-9 else f"; {fmt_level(level)} CI"
        text += f" ({fmt_ci(lower, upper, digits)}{suffix})"
    return text


def months_to_unit(months: float, unit: str) -> float:
    """Convert a time in months into ``unit`` (1 month = 365.25 / 12 days)."""
    days = months * 365.25 / 12
    return {"days": days, "weeks": days / 7, "months": months, "years": months / 12}[unit]


def fmt_published(value: float | None, decimals: int | None = None) -> str:
    """A published number at its published precision: 10.9 stays ``10.9``, 0.40 stays ``0.40``.

    ``decimals`` is the number of decimal places the source printed; without it the shortest
    form of the stored number is used (``10.9``, ``2``), never a rounding to a fixed width.
    """
    if value is None or not math.isfinite(value):
        return NOT_REPORTED
    if decimals is None:
        text = repr(float(value))
        decimals = len(text.split(".")[1].rstrip("0")) if "." in text and "e" not in text else 0
    return f"{value:.{decimals}f}"


def fmt_published_estimate(
    value: float,
    lower: float | None,
    upper: float | None,
    decimals: list[int] | None,
    level: float | None,
    *,
    has_ci: bool,
) -> str:
    """``1.12 (0.7–2; level)`` with each number at its published precision; NR for a bound not reported."""
    places: list[int | None] = list(decimals or [])
    places += [None] * (3 - len(places))
    text = fmt_published(value, places[0])
    if not has_ci:
        return text
    lo = "NR" if lower is None else fmt_published(lower, places[1])
    hi = "NR" if upper is None else fmt_published(upper, places[2])
    if level is None:
        suffix = "; CI level not stated"
    else:
        suffix = "" if abs(level - 0.95) < 1e-9 else f"; {fmt_level(level)} CI"
    return f"{text} ({lo}–{hi}{suffix})"
