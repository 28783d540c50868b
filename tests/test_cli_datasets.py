"""``evidence-app datasets``, ``validate`` and ``--version`` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from evidence_app import __version__
from evidence_app.cli import main


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evidence_app", *args], capture_output=True, text=True, timeout=120)


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"evidence-app {__version__}"


def test_datasets_json_lists_the_library():
    result = run_cli("datasets", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) >= 25
    by_id = {r["id"]: r for r in rows}
    arcc = by_id["arcc-os-tem-vs-ifn"]
    assert {"id", "trial", "endpoint", "population", "curve_kind"} <= arcc.keys()
    assert (arcc["trial"], arcc["endpoint"], arcc["curve_kind"]) == ("ARCC", "OS", "none")
    assert by_id["bolero1-pfs-kmdata"]["curve_kind"] == "patient-level"


def test_datasets_table(capsys):
    assert main(["datasets", "--bundled-only"]) == 0
    out = capsys.readouterr().out
    assert "record1-pfs-interim" in out and "patient-level" in out and "datasets" in out.splitlines()[-1]


def test_validate_reports_every_problem_and_fails(tmp_path: Path, capsys):
    from tests.test_schema import minimal

    good = tmp_path / "good.json"
    good.write_text(json.dumps(minimal()), encoding="utf-8")
    bad_data = minimal()
    bad_data["id"] = "bad-one"
    bad_data["arms"][0]["n"]["value"] = -1
    bad_data["comparison"]["hazard_ratio"]["ci_level"] = "often"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(bad_data), encoding="utf-8")
    assert main(["validate", str(good), str(bad)]) == 1
    captured = capsys.readouterr()
    assert f"ok: {good}" in captured.out
    errors = captured.err.strip().splitlines()
    assert len(errors) == 2
    assert all(line.startswith(f"error: {bad}: ") for line in errors)
    assert any("arms[0].n.value" in line for line in errors)
    assert any("ci_level" in line and "unknown CI level" in line for line in errors)


def test_validate_good_file_succeeds(tmp_path: Path, capsys):
    from tests.test_schema import minimal

    good = tmp_path / "good.json"
    good.write_text(json.dumps(minimal()), encoding="utf-8")
    assert main(["validate", str(good)]) == 0


def test_broken_user_file_reported_but_library_still_listed(tmp_path: Path, monkeypatch, capsys):
    user = tmp_path / "home"
    (user / "datasets").mkdir(parents=True)
    (user / "datasets" / "mine.json").write_text("[]", encoding="utf-8")
    monkeypatch.setenv("EVIDENCE_APP_HOME", str(user))
    assert main(["datasets", "--json"]) == 1
    captured = capsys.readouterr()
    assert len(json.loads(captured.out)) >= 25
    assert "mine.json" in captured.err and "expected a JSON object" in captured.err


def test_validate_refuses_a_published_value_without_locator(tmp_path: Path, capsys):
    from tests.test_schema import minimal

    data = minimal()
    del data["comparison"]["hazard_ratio"]["locator"]
    path = tmp_path / "unlocated.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    captured = capsys.readouterr()
    assert "ok:" not in captured.out
    (line,) = captured.err.strip().splitlines()
    assert line.startswith(f"error: {path}: comparison.hazard_ratio: published value has no locator")


def test_audit_lists_every_number_of_every_dataset(library, capsys):
    import csv
    import io

    from evidence_app.core.datasets.references import iter_reported

    assert main(["audit", "--bundled-only", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    published = [r for r in rows if r["status"] == "published"]
    assert len(published) == sum(len(list(iter_reported(d))) for d in library.datasets)
    assert {r["dataset"] for r in rows} == set(library.entries)
    assert all(r["locator"] and r["sources"] for r in published)
    hr = next(
        r for r in published if r["dataset"] == "study205-pfs-len-eve-vs-eve" and r["field"].endswith("hazard_ratio")
    )
    assert hr["value"] == "0.40 (0.24–0.68)" and "summary, Findings" in hr["locator"]
    assert "secondary source" in next(r for r in rows if r["dataset"] == "checkmate025-os")["flags"]
    assert any(r["status"] == "derived" for r in rows if r["dataset"] == "bolero2-os-kmdata")


def test_audit_text_names_flags_and_locators(capsys):
    assert main(["audit", "meteor-os-interim"]) == 0
    out = capsys.readouterr().out
    assert "[conflicting reports]" in out and "0.67" in out and "[interim analysis]" in out
    assert "hazard ratio: 0.66 (0.53–0.83)  (published)" in out and "at: abstract" in out


def test_a_user_dataset_passes_validate_once_its_numbers_say_where_they_stand(tmp_path: Path, capsys):
    from evidence_app.core.datasets.builder import DigitizedArmInput, SourceMeta, digitized_dataset, draft_meta
    from evidence_app.core.datasets.io import save_dataset

    curves = [DigitizedArmInput([(0.0, 1.0), (5.0, 0.6)], [(0.0, 50)]) for _ in range(2)]
    meta = draft_meta(["A", "B"], [50, 48])
    meta.source = SourceMeta("primary paper", "Demo et al. J Demo 2020")
    without = save_dataset(digitized_dataset(meta, curves, {}), tmp_path / "without.json")
    assert main(["validate", str(without)]) == 1
    assert "arms[0].n: published value has no locator" in capsys.readouterr().err
    meta.source.locator = "Figure 2, numbers at risk at time 0"
    located = save_dataset(digitized_dataset(meta, curves, {}), tmp_path / "located.json")
    assert main(["validate", str(located)]) == 0


def test_audit_lists_a_published_value_that_is_not_recorded(capsys):
    assert main(["audit", "study205-pfs-len-vs-eve", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert 'comparison.hazard_ratio,—,"published, not recorded"' in out


def test_audit_marks_a_ci_read_only_in_a_review(capsys):
    assert main(["audit", "espn-os-final", "--format", "csv"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if "arms[0].median" in line]
    assert len(rows) == 1 and "CI from a secondary source only (s3)" in rows[0]
