"""The times row of a numbers-at-risk table, typed or pasted by the user."""

from __future__ import annotations

from evidence_app.errors import InputError


def parse_times(text: str) -> list[float]:
    """The times of a numbers-at-risk table as typed (``"0, 6, 12"``; ``;`` also separates).

    Raises :class:`InputError` (location ``times``) for a non-number, a negative time, or times
    that do not increase.
    """
    times = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            value = float(part)
        except ValueError:
            raise InputError(
                f"expected times as numbers separated by commas, found {part!r}", location="times"
            ) from None
        if value < 0:
            raise InputError(f"times cannot be negative, found {part}", location="times")
        times.append(value)
    if times != sorted(set(times)):
        raise InputError("expected increasing times without repeats", location="times")
    return times
