"""`evidence-app nma`: contrast CSV and library datasets in, text / JSON / figure out, one line per problem."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

from evidence_app.cli import main

DATA = Path(__file__).parent / "data"


def test_csv_network_json_uses_the_reference_field_names(tmp_path, capsys):
    out = tmp_path / "net.json"
    assert main(["nma", str(DATA / "nma_synthetic_3.csv"), "--reference", "a", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "HR vs A (95% CI)" in printed and "Q between designs" in printed and "Node-splitting" in printed
    result = json.loads(out.read_text(encoding="utf-8"))
    for key in ("heterogeneity", "estimates_vs_reference", "league_table", "pscores", "netsplit", "decomp_design"):
        assert key in result
    assert result["reference_group"] == "A" and result["pscores"]["small_values"] == "desirable"
    assert len(result["league_table"]["random"]) == 12 * 11
    d = next(e for e in result["estimates_vs_reference"] if e["treatment"] == "D")
    assert d["common"]["log_hr"] == pytest.approx(-0.00907001967643328, rel=1e-4)  # netmeta 3.3-1
    assert d["random"]["predict_lower"] < d["random"]["lower"]
    # an existing file is not replaced without --force
    assert main(["nma", str(DATA / "nma_synthetic_3.csv"), "--reference", "A", "--json", str(out)]) == 1
    assert "already exists" in capsys.readouterr().err


def test_json_to_stdout_and_reml(capsys):
    assert main(["nma", str(DATA / "nma_synthetic_3.csv"), "--reference", "A", "--tau", "REML", "--json", "-"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["heterogeneity"]["tau2"] == pytest.approx(0.0377628645568205, rel=1e-4)
    assert result["heterogeneity"]["reml"]["tau2_REML_full_within_study_cov"] == result["heterogeneity"]["tau2"]


def test_second_line_rcc_os_network_from_the_library(capsys):
    ids = ["checkmate025-os", "meteor-os-interim", "record1-os-final"]
    assert main(["nma", "--datasets", *ids, "--reference", "everolimus", "--json", "-"]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert "record1-os-final: no published HR with a CI" in captured.err
    by_name = {e["treatment"]: e["common"] for e in result["estimates_vs_reference"]}
    assert set(by_name) == {"Cabozantinib", "Everolimus", "Nivolumab"}
    # one trial per comparison: the network estimate is the published HR (METEOR 0.66, 0.53-0.83)
    cabo = by_name["Cabozantinib"]
    assert (round(cabo["hr"], 2), round(cabo["hr_lower"], 2), round(cabo["hr_upper"], 2)) == (0.66, 0.53, 0.83)
    # CheckMate 025 reports a 98.5% CI (0.57-0.93): the 95% CI is narrower
    niv = by_name["Nivolumab"]
    assert niv["hr"] == pytest.approx(0.73) and 0.57 < niv["hr_lower"] < niv["hr"] < niv["hr_upper"] < 0.93
    nivo_vs_cabo = next(
        r for r in result["league_table"]["common"] if (r["treat1"], r["treat2"]) == ("Nivolumab", "Cabozantinib")
    )
    assert nivo_vs_cabo["log_hr"] == pytest.approx(math.log(0.73) - math.log(0.66))  # Bucher
    studies = {s["source"]: s for s in result["studies"]}
    assert "published HR 0.73 (98.5% CI 0.57–0.93)" in studies["checkmate025-os"]["note"]


def test_pfs_network_keeps_one_analysis_per_trial_comparison(capsys):
    ids = ["checkmate025-pfs", "meteor-pfs", "study205-pfs-len-eve-vs-eve", "record1-pfs-final-central"]
    ids.append("record1-pfs-interim")
    assert main(["nma", "--datasets", *ids, "--reference", "Everolimus", "--model", "common"]) == 0
    captured = capsys.readouterr()
    assert "record1-pfs-interim: not pooled: the same comparison is pooled from record1-pfs-final-central" in (
        captured.err
    )
    assert "Placebo" in captured.out and "Lenvatinib + everolimus" in captured.out
    assert "opposite directions" not in captured.err


def test_mixed_endpoints_and_bad_usage(tmp_path, capsys):
    assert main(["nma", "--datasets", "checkmate025-os", "meteor-pfs", "--reference", "Everolimus"]) == 1
    assert "mix endpoints (OS, PFS)" in capsys.readouterr().err
    assert main(["nma", "--reference", "A"]) == 1
    assert "either INPUT.csv or --datasets" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["nma", str(DATA / "nma_synthetic_1.csv"), "--reference", "A", "--level", "150%"])


def test_disconnected_network_message_and_part(tmp_path, capsys):
    path = tmp_path / "two.csv"
    path.write_text(
        "study,treat1,treat2,log_hr,se\nS1,A,B,-0.1,0.2\nS2,B,C,0.2,0.2\nS3,X,Y,0.3,0.3\n", encoding="utf-8"
    )
    assert main(["nma", str(path), "--reference", "A"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3 and "not connected" in err[0] and "part 2: X, Y (studies: S3)" in err[2]
    assert main(["nma", str(path), "--reference", "X", "--part", "2"]) == 0
    assert "HR vs X" in capsys.readouterr().out


def test_bad_row_message_names_file_and_row(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    shutil.copy(DATA / "nma_synthetic_1.csv", path)
    with path.open("a", encoding="utf-8") as handle:
        handle.write('"S19","A","A",0.1,0.2\n')
    assert main(["nma", str(path), "--reference", "A"]) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert f"{path}: row 26: study S19: A is compared with itself" in line


def test_figure_is_written(tmp_path, capsys):
    out = tmp_path / "net.svg"
    assert main(["nma", str(DATA / "nma_synthetic_1.csv"), "--reference", "A", "--figure", str(out)]) == 0
    assert out.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    league = tmp_path / "league.png"
    assert main(["nma", str(DATA / "nma_synthetic_1.csv"), "--reference", "A", "--league-figure", str(league)]) == 0
    assert league.read_bytes().startswith(b"\x89PNG")
    assert (
        main(["nma", str(DATA / "nma_synthetic_1.csv"), "--reference", "A", "--figure", str(tmp_path / "x.txt")]) == 1
    )
