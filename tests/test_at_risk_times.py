"""The typed times row of a numbers-at-risk table (core, no Qt)."""

from __future__ import annotations

import pytest

from evidence_app.core.reconstruction.at_risk_times import parse_times
from evidence_app.errors import InputError


@pytest.mark.parametrize(
    "text, expected",
    [("0, 6, 12", [0.0, 6.0, 12.0]), ("0;3.5;7", [0.0, 3.5, 7.0]), (" 0 ,, 24 ", [0.0, 24.0]), ("", [])],
)
def test_times_are_read_in_order(text, expected):
    assert parse_times(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("0, six", "numbers separated by commas"),
        ("0, -3", "cannot be negative"),
        ("0, 12, 6", "increasing"),
        ("0, 6, 6", "increasing"),
    ],
)
def test_bad_times_name_the_field(text, message):
    with pytest.raises(InputError, match=message) as info:
        parse_times(text)
    assert info.value.location == "times"
