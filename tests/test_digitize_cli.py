"""``evidence-app digitize`` as a user types it: a Kaplan–Meier figure drawn here becomes CSV files
that ``evidence-app reconstruct`` accepts; bad input gives one line on stderr and exit code 1.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from evidence_app.cli import main
from evidence_app.cli.digitize import parse_range
from evidence_app.errors import InputError
from tests.figure_support import BLUE, ORANGE, N, km_figure, km_steps, simulate, survival_at


@pytest.fixture(scope="module")
def arms():
    return {BLUE: simulate(1, 0.06), ORANGE: simulate(2, 0.035)}


@pytest.fixture(scope="module")
def figure(tmp_path_factory, arms):
    path = tmp_path_factory.mktemp("figure") / "km.png"
    km_figure(list(arms.values())).savefig(path)
    return path


def test_digitize_writes_one_csv_per_colour_that_reconstruct_accepts(figure, arms, tmp_path, capsys):
    out = tmp_path / "curves"
    assert main(["digitize", "--image", str(figure), "--x-range", "0,24", "--y-range", "0,1", "--out", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 2 and all(line.startswith("wrote ") for line in printed)
    assert sorted(p.name for p in out.iterdir()) == ["curve_1f77b4.csv", "curve_ff7f0e.csv"]
    for color, (time, event) in arms.items():
        curve = pd.read_csv(out / f"curve_{color.lstrip('#')}.csv")
        assert list(curve.columns) == ["time", "survival"]
        assert curve["time"].iloc[0] == 0 and curve["survival"].iloc[0] == 1
        t, s = km_steps(time, event)
        for x in (6.0, 12.0, 18.0):
            digitized = survival_at(curve["time"].to_numpy(), curve["survival"].to_numpy(), x)
            assert digitized == pytest.approx(survival_at(t, s, x), abs=0.03)
    ipd = tmp_path / "ipd.csv"
    assert main(["reconstruct", "--curve", str(out / "curve_1f77b4.csv"), "--n", str(N), "--out", str(ipd)]) == 0
    patients = pd.read_csv(ipd)
    assert len(patients) == N and set(patients["event"]) <= {0, 1}


def test_given_colours_and_max_colours(figure, tmp_path, capsys):
    def digitize(*options: str, out: str) -> int:
        ranges = ["--x-range", "0,24", "--y-range", "0,1"]
        return main(["digitize", "--image", str(figure), *ranges, *options, "--out", str(tmp_path / out)])

    assert digitize("--colors", ORANGE, out="a") == 0
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["curve_ff7f0e.csv"]
    assert digitize("--max-colors", "1", out="b") == 0
    assert len(list((tmp_path / "b").iterdir())) == 1
    assert "wrote" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--x-range", "0-24"], "error: --x-range: expected 2 numbers like 0,24, found '0-24'"),
        (["--y-range", "1,0"], "error: --y-range: expected the low value first"),
        (["--colors", "#00ff00"], "No curve in colour #00ff00 was found"),
        (["--frame", "1,2,3"], "error: --frame: expected 4 numbers"),
    ],
)
def test_bad_input_is_one_line_on_stderr(figure, tmp_path, capsys, args, message):
    base = {"--image": str(figure), "--x-range": "0,24", "--y-range": "0,1", "--out": str(tmp_path / "o")}
    base.update(dict(zip(args[::2], args[1::2])))
    assert main(["digitize", *[x for pair in base.items() for x in pair]]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]
    assert not (tmp_path / "o").exists()


def test_unreadable_image_and_figure_without_curves(tmp_path, capsys):
    text = tmp_path / "notes.png"
    text.write_text("not an image", encoding="utf-8")
    assert (
        main(["digitize", "--image", str(text), "--x-range", "0,24", "--y-range", "0,1", "--out", str(tmp_path / "o")])
        == 1
    )
    assert capsys.readouterr().err.strip() == (
        f"error: {text}: The file is not a readable PNG or JPEG image (is it another format, or damaged?)."
    )
    fig = Figure(figsize=(6, 4), dpi=100)
    FigureCanvasAgg(fig)
    fig.add_subplot().set_xlim(0, 24)
    empty = tmp_path / "empty.png"
    fig.savefig(empty)
    assert (
        main(["digitize", "--image", str(empty), "--x-range", "0,24", "--y-range", "0,1", "--out", str(tmp_path / "o")])
        == 1
    )
    assert capsys.readouterr().err.strip() == (
        f"error: {empty}: no curves found: no curve colours inside the plot frame; give them with --colors"
    )


def test_existing_files_need_force(figure, tmp_path, capsys):
    out = tmp_path / "curves"
    args = ["digitize", "--image", str(figure), "--x-range", "0,24", "--y-range", "0,1", "--out", str(out)]
    assert main(args) == 0
    (out / "curve_1f77b4.csv").write_text("keep me", encoding="utf-8")
    capsys.readouterr()
    assert main(args) == 1
    assert "already exist; use --force to replace" in capsys.readouterr().err
    assert (out / "curve_1f77b4.csv").read_text(encoding="utf-8") == "keep me"
    assert main([*args, "--force"]) == 0
    assert (out / "curve_1f77b4.csv").read_text(encoding="utf-8").startswith("time,survival")


finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@given(finite, finite, st.sampled_from([",", ";", " ", ", "]))
def test_range_text_round_trips_or_is_refused(a, b, separator):
    text = f"{a!r}{separator}{b!r}"
    if a < b:
        assert parse_range(text, "--x-range") == (a, b)
    else:
        with pytest.raises(InputError, match="low value first"):
            parse_range(text, "--x-range")


@given(st.text(max_size=20))
def test_any_range_text_parses_or_gives_a_one_line_input_error(text):
    try:
        low, high = parse_range(text, "--y-range")
    except InputError as exc:
        assert exc.location == "--y-range" and "\n" not in str(exc)
    else:
        assert low < high
