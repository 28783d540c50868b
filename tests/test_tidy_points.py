"""The cleaning step shared by the wizard, the digitizer and the CLI, and the at-risk table reader."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from evidence_app.core.digitize.at_risk_input import arrange_for_arms, parse_at_risk_text
from evidence_app.core.digitize.csv_input import read_digitized_curves, read_many_curve_files
from evidence_app.core.reconstruction.tidy import SURVIVAL_TOLERANCE, tidy_points
from evidence_app.errors import InputError


def test_near_axis_clicks_are_clipped_and_said_so() -> None:
    tidy = tidy_points([(-0.025, 1.002), (5, 0.8), (3, 0.9), (10, 0.5)])
    assert tidy.points == [(0.0, 1.0), (3.0, 0.9), (5.0, 0.8), (10.0, 0.5)]
    text = " ".join(tidy.notes)
    assert "-0.025" in text and "1.002" in text and "tolerance of 0.2" in text and f"{SURVIVAL_TOLERANCE:g}" in text
    assert "out of order" in text


def test_percent_scale_is_detected() -> None:
    tidy = tidy_points([(0, 100.4), (2, 80), (4, 55)])
    assert tidy.percent and tidy.points == [(0.0, 1.0), (2.0, 0.8), (4.0, 0.55)]
    assert any("0–100 %" in n for n in tidy.notes)


def test_every_point_beyond_the_tolerance_is_listed_with_its_row() -> None:
    with pytest.raises(InputError) as info:
        tidy_points([(0, 1), (-4, 0.9), (5, 1.2), (8, -0.3)], rows=["row 2", "row 3", "row 4", "row 5"], file="f.csv")
    locations = [p.location for p in info.value.problems]
    assert locations == ["row 3", "row 4", "row 5"] and all(p.file == "f.csv" for p in info.value.problems)
    assert "tolerance" in str(info.value)


def test_wpd_export_all_data_without_xy_row(tmp_path: Path) -> None:
    path = tmp_path / "all.csv"
    path.write_text("Drug A,,Placebo,\n0,1,0,1\n2,0.8,3,0.6\n4,0.7,,\n", encoding="utf-8")
    curves = read_digitized_curves(path)
    assert [c.name for c in curves] == ["Drug A", "Placebo"] and [len(c.points) for c in curves] == [3, 2]


def test_problems_of_several_files_come_in_one_error(tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("time,survival\n0,1\n2,x\n3,y\n", encoding="utf-8")
    b.write_text("A,,B,\n0,1,0,1\n-9,0.5,1,\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_many_curve_files([a, b])
    found = {(Path(p.file or "").name, p.location) for p in info.value.problems}
    assert {("a.csv", "row 3"), ("a.csv", "row 4"), ("b.csv", "row 3")} <= found


@pytest.mark.parametrize(
    "text",
    [
        "Time,0,6,12\nA,100,80,\nB,90,70,50\n",
        "time,A,B\n0,100,90\n6,80,70\n12,,50\n",
        "0\t6\t12\nA\t100\t80\t\nB\t90\t70\t50\n",
        "0 6 12\nA 100 80 -\nB 90 70 50\n",
    ],
)
def test_at_risk_layouts(text: str) -> None:
    grid = parse_at_risk_text(text)
    assert grid.times == [0, 6, 12]
    assert arrange_for_arms(grid, ["B", "A"]) == [[90, 70, 50], [100, 80, None]]


def test_at_risk_problems_are_listed_together() -> None:
    with pytest.raises(InputError) as info:
        parse_at_risk_text("t,0,6\nA,100,8.5\nB,x,3\n", "r.csv")
    assert [p.location for p in info.value.problems] == ["row 2, column 3", "row 3, column 2"]
    with pytest.raises(InputError, match="3 arm"):
        arrange_for_arms(parse_at_risk_text("0,6\n1,2\n3,4\n5,6\n"), ["A", "B"])


def test_cli_reconstruct_accepts_near_axis_noise(tmp_path: Path) -> None:
    curve = tmp_path / "curve.csv"
    curve.write_text("time,survival\n-0.025,1.002\n2,0.9\n1,0.95\n4,0.7\n6,0.6\n", encoding="utf-8")
    out = tmp_path / "ipd.csv"
    run = subprocess.run(
        [sys.executable, "-m", "evidence_app", "reconstruct", "--curve", str(curve), "--n", "50", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "tolerance" in run.stderr and out.is_file()
