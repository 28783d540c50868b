"""Reading and cleaning digitizer output: every format quirk read or reported, every fix announced."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence_app.core.reconstruction.curve_input import clean_curve, read_at_risk_csv, read_curve_csv
from evidence_app.errors import InputError


def write(tmp_path: Path, text: str | bytes, name: str = "curve.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_reads_plain_csv_in_click_order(tmp_path: Path) -> None:
    frame = read_curve_csv(write(tmp_path, "time,survival\n0,1\n2.5,0.9\n1.0,0.95\n"))
    assert frame["time"].tolist() == [0, 2.5, 1.0]  # click order is kept for clean_curve
    assert frame["survival"].tolist() == [1, 0.9, 0.95]


@pytest.mark.parametrize(
    "text",
    [
        b"\xef\xbb\xbftime,survival\n0,1\n3,0.8\n",  # byte-order mark from Excel
        "time;survival\n0;1\n3;0,8\n",  # semicolons and decimal commas
        "time\tsurvival\n0\t1\n3\t0.8\n",  # tabs
        "0,1\n3,0.8\n",  # no header, as some digitizers export
        "survival,time\n1,0\n0.8,3\n",  # columns named in the other order
    ],
)
def test_accepts_common_format_variants(tmp_path: Path, text: str | bytes) -> None:
    frame = read_curve_csv(write(tmp_path, text))
    assert frame["time"].tolist() == [0, 3] and frame["survival"].tolist() == [1, 0.8]


def test_percent_flag_divides_by_100(tmp_path: Path) -> None:
    frame = read_curve_csv(write(tmp_path, "time,survival\n0,100\n3,80\n"), percent=True)
    assert frame["survival"].tolist() == [1.0, 0.8]


@pytest.mark.parametrize(
    "text, row, words",
    [
        ("", "row 1", "empty"),
        ("time,survival\n", "row 2", "no data rows"),
        ("time,survival\n0,1\n2,abc\n", "row 3", "expected a number in column 'survival'"),
        ("time,survival\n0,1\n\n2,nan\n", "row 4", "finite"),
        ("time,survival\n0,1\n2,inf\n", "row 3", "finite"),
        ("time,survival\n0,1\n0,5,0,9\n", "row 3", "';'"),
        ("time,survival,extra\n0,1,2\n", "row 1", "header"),
        ("time,survival\n0,1\n,0.9\n", "row 3", "empty cell"),
    ],
)
def test_errors_name_file_row_and_expectation(tmp_path: Path, text: str, row: str, words: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        read_curve_csv(path)
    assert info.value.file == str(path)
    assert info.value.location == row
    assert words in str(info.value)


def test_at_risk_counts_must_be_whole_and_not_negative(tmp_path: Path) -> None:
    assert read_at_risk_csv(write(tmp_path, "time,n_at_risk\n0,100\n6,80\n"))["n_at_risk"].tolist() == [100, 80]
    with pytest.raises(InputError, match="whole number") as info:
        read_at_risk_csv(write(tmp_path, "time,n_at_risk\n0,100\n6,80.5\n"))
    assert info.value.location == "row 3"
    with pytest.raises(InputError, match="0 or more"):
        read_at_risk_csv(write(tmp_path, "time,n_at_risk\n0,-1\n"))


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_curve_csv(tmp_path / "nowhere.csv")


def curve(points: list[tuple[float, float]]) -> pd.DataFrame:
    return pd.DataFrame(points, columns=["time", "survival"])


def test_click_order_percent_and_missing_start_are_fixed_and_reported() -> None:
    raw = curve([(5, 80), (2, 90), (2, 80), (5, 70), (8, 70)])
    cleaned, _, warnings = clean_curve(raw)
    assert cleaned.iloc[0].tolist() == [0.0, 1.0]
    assert cleaned["time"].is_monotonic_increasing
    assert cleaned["survival"].is_monotonic_decreasing and cleaned["survival"].max() <= 1
    text = " ".join(warnings)
    assert "percent" in text and "(0, 1)" in text and "Re-ordered" in text


def test_clipping_and_duplicates_are_reported() -> None:
    cleaned, _, warnings = clean_curve(curve([(0, 1.02), (1, 1.0), (1, 1.0), (1, 0.5), (3, -0.01)]))
    assert cleaned["survival"].between(0, 1).all()
    assert any("Clipped" in w for w in warnings) and any("duplicate" in w for w in warnings)


def test_isotonic_fit_keeps_the_level_where_a_running_minimum_sinks() -> None:
    # A horizontal stretch at 0.6 clicked with noise: cummin would follow the lowest click.
    noisy = [(0, 1), (1, 1), (1, 0.6), (2, 0.603), (3, 0.597), (4, 0.602), (5, 0.598), (5, 0.3), (9, 0.3)]
    cleaned, _, warnings = clean_curve(curve(noisy))
    plateau = cleaned[(cleaned["survival"] < 0.9) & (cleaned["time"] < 5)]["survival"]
    assert abs(plateau.mean() - 0.6) < 0.002  # cummin would give 0.597
    assert any("isotonic" in w for w in warnings)


def test_flat_tail_noise_does_not_become_events() -> None:
    tail = [(0, 1), (2, 1), (2, 0.5), (6, 0.499), (9, 0.497), (12, 0.495)]
    cleaned, _, warnings = clean_curve(curve(tail))
    assert cleaned[cleaned["time"] > 2]["survival"].nunique() == 1
    assert any("Levelled" in w for w in warnings)


def test_at_risk_table_problems_are_fixed_and_reported() -> None:
    points = curve([(0, 1), (3, 1), (3, 0.5), (10, 0.5)])
    table = pd.DataFrame({"time": [6, 0, 3, 9, 12, 15, 18], "n_at_risk": [30, 100, 60, 31, 0, 0, 0]})
    _, cleaned, warnings = clean_curve(points, table)
    assert cleaned is not None
    assert cleaned["time"].tolist() == [0, 3, 6, 12]  # sorted, increase at 9 dropped, one zero row kept
    assert cleaned["n_at_risk"].tolist() == [100, 60, 30, 0]
    text = " ".join(warnings)
    assert "Sorted" in text and "cannot increase" in text and "of zero" in text


def test_at_risk_rows_after_the_curve_are_dropped_with_a_warning() -> None:
    points = curve([(0, 1), (3, 1), (3, 0.5), (10, 0.5)])
    table = pd.DataFrame({"time": [0, 6, 12], "n_at_risk": [50, 20, 5]})
    _, cleaned, warnings = clean_curve(points, table)
    assert cleaned is not None and cleaned["time"].tolist() == [0, 6]
    assert any("after the curve ends" in w for w in warnings)


def test_missing_columns_are_an_input_error() -> None:
    with pytest.raises(InputError, match="time"):
        clean_curve(pd.DataFrame({"x": [0, 1], "y": [1, 0.5]}))


finite = st.one_of(st.floats(-5, 150), st.sampled_from([float("nan"), float("inf"), -float("inf")]))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(finite, finite), min_size=1, max_size=40))
def test_any_points_clean_to_a_monotone_curve_or_a_clear_error(points: list[tuple[float, float]]) -> None:
    try:
        cleaned, _, _ = clean_curve(curve(points))
    except InputError as exc:
        assert str(exc)
        return
    t, s = cleaned["time"].to_numpy(), cleaned["survival"].to_numpy()
    assert t[0] == 0 and s[0] == 1
    assert (np.diff(t) >= 0).all() and (np.diff(s) <= 0).all()
    assert ((s >= 0) & (s <= 1)).all()


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="0123456789.,;\t-abcnif \n", max_size=80))
def test_any_text_reads_or_raises_an_input_error_with_a_row(tmp_path_factory, text: str) -> None:
    path = write(tmp_path_factory.mktemp("fuzz"), text)
    try:
        frame = read_curve_csv(path)
    except InputError as exc:
        assert exc.file == str(path) and exc.location and exc.location.startswith("row ")
        return
    assert list(frame.columns) == ["time", "survival"] and np.isfinite(frame.to_numpy()).all()


def test_click_time_noise_is_estimated_from_the_two_ends_of_each_drop() -> None:
    rng = np.random.default_rng(3)
    drops = np.linspace(1, 40, 60)
    levels = np.linspace(0.98, 0.2, 60)
    tops = np.r_[1.0, levels[:-1]]
    pts = [(0.0, 1.0)] + [p for t, a, b in zip(drops, tops, levels) for p in ((t, a), (t, b))]
    exact = np.array(pts)
    noisy = exact.copy()
    noisy[1:, 0] += rng.normal(0, 0.12, len(pts) - 1)  # 0.3% of a 40-month axis

    def frame(a):
        return pd.DataFrame(a, columns=["time", "survival"])

    assert clean_curve(frame(exact))[0].attrs["time_noise"] == 0.0
    assert 0.08 < clean_curve(frame(noisy))[0].attrs["time_noise"] < 0.17
