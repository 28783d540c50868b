"""Unbounded work and silent wrong answers become one clear error (or a visible warning).

Each case fails on the code before the fix: a traceback (csv field limit, overflow in pooling),
minutes and gigabytes of work (10 million rows, ``--n 1e8``), or exit 0 with a wrong result
(``--y-range 0,1e308``, an all-zero at-risk table, ``--percent`` on fractions, a negative at-risk time).
"""

from __future__ import annotations

import os
import time

import pytest

from evidence_app.cli.entry import main
from evidence_app.core import limits
from tests.figure_support import km_figure, two_arms
from tests.robustness.conftest import time_limit

CURVE = "time,survival\n0,1\n2,0.9\n4,0.7\n6,0.6\n8,0.5\n"


def one_error(capsys, argv: list[str], *fragments: str) -> str:
    """Run the CLI; expect exit 1 and exactly one ``error:`` line holding every fragment."""
    started = time.perf_counter()
    code = main(argv)
    elapsed = time.perf_counter() - started
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert code == 1, err
    assert len(errors) == 1, err
    for fragment in fragments:
        assert fragment in errors[0], err
    assert elapsed < 20, f"took {elapsed:.1f} s"
    return errors[0]


@pytest.fixture
def curve(tmp_path):
    path = tmp_path / "curve.csv"
    path.write_text(CURVE)
    return path


def test_percent_on_a_curve_already_in_fractions(tmp_path, capsys, count_case, curve):
    count_case()
    out = tmp_path / "ipd.csv"
    one_error(capsys, ["reconstruct", "--curve", str(curve), "--n", "50", "--percent", "--out", str(out)], "percent")
    assert not out.exists()


def test_all_zero_at_risk_table(tmp_path, capsys, count_case, curve):
    count_case()
    at_risk = tmp_path / "atrisk.csv"
    at_risk.write_text("time,n_at_risk\n0,0\n4,0\n8,0\n")
    out = tmp_path / "ipd.csv"
    argv = ["reconstruct", "--curve", str(curve), "--at-risk", str(at_risk), "--out", str(out)]
    one_error(capsys, argv, str(at_risk), "every number at risk is 0")
    assert not out.exists()


def test_negative_at_risk_time(tmp_path, capsys, count_case, curve):
    count_case()
    at_risk = tmp_path / "atrisk.csv"
    at_risk.write_text("time,n_at_risk\n0,50\n-4,40\n8,20\n")
    argv = ["reconstruct", "--curve", str(curve), "--at-risk", str(at_risk), "--out", str(tmp_path / "o.csv")]
    one_error(capsys, argv, str(at_risk), "row 3", "-4")


@pytest.mark.parametrize(
    "option,value,fragment",
    [("--n", "100000000", f"{limits.MAX_PATIENTS:,}"), ("--n", "0", "1 or more"), ("--events", "2000000", "events")],
)
def test_counts_beyond_the_limit(tmp_path, capsys, count_case, curve, option, value, fragment):
    count_case()
    argv = ["reconstruct", "--curve", str(curve), "--n", "50", option, value, "--out", str(tmp_path / "o.csv")]
    one_error(capsys, argv, fragment)
    assert not (tmp_path / "o.csv").exists()


def test_too_many_rows_are_refused_quickly(tmp_path, capsys, count_case):
    count_case()
    path = tmp_path / "long.csv"
    rows = limits.MAX_CSV_ROWS + 10
    path.write_text("time,survival\n" + "".join(f"{i / rows * 24:.6f},{1 - i / rows:.6f}\n" for i in range(rows)))
    one_error(capsys, ["reconstruct", "--curve", str(path), "--n", "50", "--out", str(tmp_path / "o.csv")], "rows")


def test_oversized_csv_is_refused_before_reading(tmp_path, capsys, count_case):
    count_case()
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:  # sparse: the size is checked before a byte is read
        handle.truncate(limits.MAX_CSV_BYTES + 1)
    one_error(capsys, ["reconstruct", "--curve", str(path), "--n", "50", "--out", str(tmp_path / "o.csv")], "MB")


LONG_FIELD = "x" * 200_000  # the csv module's own limit is 131,072 characters


@pytest.mark.parametrize(
    "command,content",
    [
        ("reconstruct", f"time,survival\n0,1\n2,{LONG_FIELD}\n"),
        ("at-risk", f'time,n_at_risk\n0,10\n"{LONG_FIELD}",4\n'),
        ("pool", f'study,hr,lower,upper\nA,0.8,0.6,0.9\n"{LONG_FIELD}",0.7,0.5,0.9\n'),
        ("wpd", f"A,,B,\nX,Y,X,Y\n0,1,0,1\n1,{LONG_FIELD},1,0.8\n"),
        ("nma", f'study,treat1,treat2,hr,lower,upper\nS1,A,B,0.8,0.6,0.9\n"{LONG_FIELD}",B,C,0.9,0.7,1.2\n'),
    ],
)
def test_field_over_the_csv_module_limit(tmp_path, capsys, count_case, curve, command, content):
    count_case()
    path = tmp_path / "long-field.csv"
    path.write_text(content)
    out = str(tmp_path / "o.csv")
    argv = {
        "reconstruct": ["reconstruct", "--curve", str(path), "--n", "50", "--out", out],
        "at-risk": ["reconstruct", "--curve", str(curve), "--at-risk", str(path), "--out", out],
        "pool": ["pool", str(path)],
        "nma": ["nma", str(path), "--reference", "A"],
        "wpd": None,
    }[command]
    if argv is None:
        from evidence_app.core.digitize.csv_input import read_digitized_curves
        from evidence_app.errors import InputError

        with pytest.raises(InputError) as info:
            read_digitized_curves(path)
        assert str(path) in str(info.value) and "row 4" in str(info.value)
        return
    one_error(capsys, argv, str(path), "row")


@pytest.mark.parametrize(
    "row",
    [
        "A,log_hr,se\nA,800,1\n",
        "A,log_hr,se\nA,0.1,1e-300\n",
        "A,log_hr,se\nA,0.1,1e300\n",
        "A,hr,lower,upper\nA,1e300,1e299,1e301\n",
    ],
)
def test_pooling_extreme_effects_is_a_clear_error(tmp_path, capsys, count_case, row):
    count_case()
    header, data = row.split("\n", 1)
    path = tmp_path / "effects.csv"
    path.write_text(
        "study,"
        + header.split(",", 1)[1]
        + "\n"
        + data
        + "B,"
        + ("0.1,0.2" if "log" in header else "0.8,0.6,0.9")
        + "\n"
    )
    code = main(["pool", str(path), "--method", "fixed"])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"error: {path}: row 2:" in err and "range" in err
    assert code == 1


@pytest.mark.parametrize("option,value", [("--y-range", "0,1e308"), ("--x-range", "0,1e308"), ("--y-range", "0,1000")])
def test_axis_range_beyond_the_limits(tmp_path, capsys, count_case, option, value):
    count_case()
    image = tmp_path / "km.png"
    km_figure(two_arms()).savefig(image)
    ranges = {"--x-range": "0,24", "--y-range": "0,1", option: value}
    argv = ["digitize", "--image", str(image), "--out", str(tmp_path / "out")]
    argv += [f"{k}={v}" for k, v in ranges.items()]
    one_error(capsys, argv, "axis values", "outside")
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
@pytest.mark.parametrize(
    "argv",
    [
        ["pool", "{fifo}"],
        ["nma", "{fifo}", "--reference", "A"],
        ["validate", "{fifo}"],
        ["reconstruct", "--manifest", "{fifo}"],
    ],
)
def test_a_fifo_given_as_any_input_file_is_refused(tmp_path, capsys, count_case, argv):
    count_case()
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with time_limit(10, "reading a FIFO"):
        one_error(capsys, [a.replace("{fifo}", str(fifo)) for a in argv], str(fifo), "named pipe")
