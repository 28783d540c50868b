"""`evidence-app pool`: good rows pool, each bad row gets one message naming it."""

from __future__ import annotations

import json
from pathlib import Path

from evidence_app.cli import main


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "effects.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_pool_json_has_the_documented_keys(tmp_path, capsys):
    path = write(
        tmp_path, "study,hr,lower,upper,ci_level\nA,0.73,0.58,0.92,95%\nB,0.30,0.22,0.40,0.95\nC,1.41,1.03,1.92,80%\n"
    )
    assert main(["pool", path, "--method", "DL", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("estimate", "lower", "upper", "tau2", "i2", "q", "q_p", "pi_lower", "pi_upper", "weights"):
        assert key in out
    assert [w["study"] for w in out["weights"]] == ["A", "B", "C"]
    assert abs(sum(w["weight_percent"] for w in out["weights"]) - 100) < 1e-6
    assert out["lower"] < out["estimate"] < out["upper"]


def test_bad_rows_reported_and_the_rest_still_pools(tmp_path, capsys):
    path = write(
        tmp_path, "study,hr,lower,upper\nA,0.73,0.58,0.92\nB,0.5,0.6,0.9\nC,-1,0.2,0.4\nD,0.8,0.9,0.7\nE,0.9,0.7,1.1\n"
    )
    assert main(["pool", path, "--json"]) == 1
    captured = capsys.readouterr()
    errors = captured.err.strip().splitlines()
    assert len(errors) == 3
    assert "row 3" in errors[0] and "row 4" in errors[1] and "row 5" in errors[2]
    out = json.loads(captured.out)
    assert [w["study"] for w in out["weights"]] == ["A", "E"]


def test_subgroups_text_report(tmp_path, capsys):
    path = write(
        tmp_path,
        "study,log_hr,se,subgroup\nA,-0.3,0.1,first-line\nB,-0.2,0.15,first-line\n"
        "C,0.2,0.2,second-line\nD,0.1,0.12,second-line\n",
    )
    assert main(["pool", path, "--method", "REML", "--hk"]) == 0
    out = capsys.readouterr().out
    assert "Subgroup first-line" in out and "Test for subgroup differences" in out and "Hartung–Knapp" in out


def test_one_study_random_effects_is_a_clear_error(tmp_path, capsys):
    path = write(tmp_path, "study,hr,lower,upper\nA,0.73,0.58,0.92\n")
    assert main(["pool", path, "--method", "REML"]) == 1
    assert "error:" in capsys.readouterr().err
