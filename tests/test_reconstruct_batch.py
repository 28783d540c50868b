"""``evidence-app reconstruct`` with many arms: a manifest or repeated pairs, bad rows reported by line."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from evidence_app.cli import main
from evidence_app.core.reconstruction.km import km_steps


def write_arm(folder: Path, name: str, n: int, seed: int) -> tuple[Path, Path, int]:
    rng = np.random.default_rng(seed)
    t = np.round(12 * rng.weibull(1.2, n), 3)
    c = rng.uniform(6, 40, n)
    time, event = np.minimum(t, c), (t <= c).astype(int)
    et, es = km_steps(time, event)
    before = np.r_[1.0, es[:-1]]
    pts = [(0.0, 1.0)] + [p for i in range(len(et)) for p in ((et[i], before[i]), (et[i], es[i]))]
    curve = folder / f"{name}.curve.csv"
    curve.write_text("time,survival\n" + "".join(f"{a:.5f},{b:.5f}\n" for a, b in pts))
    times = np.arange(0, 36, 6.0)
    counts = n - np.searchsorted(np.sort(time), times, side="left")
    at_risk = folder / f"{name}.atrisk.csv"
    at_risk.write_text("time,n_at_risk\n" + "".join(f"{a:g},{b}\n" for a, b in zip(times, counts)))
    return curve, at_risk, int(event.sum())


def test_manifest_runs_good_rows_and_reports_bad_ones_by_line(tmp_path: Path, capsys) -> None:
    rows = ["curve,at-risk,events,output"]
    for i in range(10):
        curve, at_risk, events = write_arm(tmp_path, f"arm{i}", 80 + 20 * i, i)
        rows.append(f"{curve.name},{at_risk.name},{events if i % 2 else ''},out/arm{i}.csv")
    rising = tmp_path / "rising.csv"
    rising.write_text("time,n_at_risk\n0,50\n6,60\n")
    rows += [
        "missing.csv,arm0.atrisk.csv,,out/x.csv",  # line 12: missing file
        "arm1.curve.csv,arm1.atrisk.csv,100000,out/y.csv",  # line 13: events above N
        "arm2.curve.csv,rising.csv,,out/z.csv",  # line 14: at-risk rising
        "arm3.curve.csv,arm3.atrisk.csv,many,out/w.csv",  # line 15: not a count
    ]
    (tmp_path / "out").mkdir()
    manifest = tmp_path / "arms.csv"
    manifest.write_text("\n".join(rows) + "\n")
    assert main(["reconstruct", "--manifest", str(manifest)]) == 0
    out, err = capsys.readouterr()
    assert len(list((tmp_path / "out").glob("arm*.csv"))) == 10
    assert "10 of 14 arms reconstructed" in out
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 4
    for line_no, words in ((12, "missing.csv"), (13, "100000"), (14, "rise"), (15, "many")):
        assert any(f"line {line_no}:" in e and words in e for e in errors), (line_no, errors)
    # An arm given its event total reconstructs exactly that many events.
    ipd = np.loadtxt(tmp_path / "out" / "arm1.csv", delimiter=",", skiprows=1)
    assert ipd[:, 1].sum() == write_arm(tmp_path, "again", 100, 1)[2]


def test_no_arm_succeeding_is_a_failure(tmp_path: Path, capsys) -> None:
    manifest = tmp_path / "arms.csv"
    manifest.write_text("curve,at-risk,output\nnope.csv,nope.atrisk.csv,o.csv\n")
    assert main(["reconstruct", "--manifest", str(manifest)]) == 1
    assert "line 2:" in capsys.readouterr().err


def test_repeated_pairs_in_one_call(tmp_path: Path, capsys) -> None:
    args = ["reconstruct"]
    for i in range(3):
        curve, at_risk, _ = write_arm(tmp_path, f"a{i}", 120, 10 + i)
        args += ["--curve", str(curve), "--at-risk", str(at_risk), "--out", str(tmp_path / f"ipd{i}.csv")]
    assert main(args) == 0
    assert "3 of 3 arms reconstructed" in capsys.readouterr().out
    assert all((tmp_path / f"ipd{i}.csv").is_file() for i in range(3))
    assert main(args) == 1  # outputs exist: refused per arm without --force, and said so
    assert capsys.readouterr().err.count("error:") == 3


def test_manifest_without_needed_columns_names_them(tmp_path: Path, capsys) -> None:
    manifest = tmp_path / "arms.csv"
    manifest.write_text("curve,output\na.csv,b.csv\n")
    assert main(["reconstruct", "--manifest", str(manifest)]) == 1
    assert "at-risk" in capsys.readouterr().err


def test_folder_of_curves_pairs_each_curve_with_its_table(tmp_path: Path) -> None:
    from evidence_app.core.reconstruction.batch import folder_jobs, run_jobs

    for i in range(3):
        write_arm(tmp_path, f"arm{i}", 90, 20 + i)
    (tmp_path / "lonely.curve.csv").write_text("time,survival\n0,1\n5,0.5\n")
    (tmp_path / "broken.curve.csv").write_text("time,survival\n0,1\nx,0.5\n")
    (tmp_path / "broken.atrisk.csv").write_text("time,n_at_risk\n0,20\n")
    jobs, notes = folder_jobs(tmp_path, tmp_path / "out")
    assert [j.where for j in jobs] == ["arm0", "arm1", "arm2", "broken"]
    assert len(notes) == 1 and "lonely" in notes[0]
    (tmp_path / "out").mkdir()
    outcomes = run_jobs(jobs)
    assert [o.ok for o in outcomes] == [True, True, True, False]
    assert "row 3" in outcomes[-1].message
    assert (tmp_path / "out" / "arm1.ipd.csv").is_file()


def test_batch_dialog_reconstructs_a_folder(qtbot, tmp_path: Path) -> None:
    from evidence_app.gui.batch_reconstruct_dialog import BatchReconstructDialog

    for i in range(2):
        write_arm(tmp_path, f"arm{i}", 70, 30 + i)
    dialog = BatchReconstructDialog()
    qtbot.addWidget(dialog)
    dialog.folder.setText(str(tmp_path))
    dialog.output.setText(str(tmp_path / "ipd"))
    dialog.start()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=60_000)
    assert [dialog.table.text_at(r, 1) for r in range(2)] == ["ok", "ok"]
    assert "2 of 2" in dialog.status.text()
    assert sorted(p.name for p in (tmp_path / "ipd").iterdir()) == ["arm0.ipd.csv", "arm1.ipd.csv"]
    dialog.folder.setText(str(tmp_path / "ipd"))
    dialog.start()  # a folder without curves: said in the dialog, nothing run
    assert "no digitized curves" in dialog.status.text()


def test_published_median_per_arm_bends_the_curve_and_is_reported(tmp_path: Path, capsys) -> None:
    curve, at_risk, _ = write_arm(tmp_path, "m", 150, 41)
    out = tmp_path / "ipd.csv"
    args = ["reconstruct", "--curve", str(curve), "--at-risk", str(at_risk), "--out", str(out)]
    assert main([*args, "--median", "1000"]) == 0  # beyond the curve: kept, and said so
    assert "published median" in capsys.readouterr().err
    assert main([*args, "--median", "-2", "--force"]) == 1
    assert "--median" in capsys.readouterr().err
    manifest = tmp_path / "arms.csv"
    manifest.write_text(f"curve,at-risk,median,output\n{curve.name},{at_risk.name},soon,a.csv\n")
    assert main(["reconstruct", "--manifest", str(manifest)]) == 1
    assert "line 2" in capsys.readouterr().err


def test_reconstruct_command_imports_no_pandas_scipy_or_lifelines(tmp_path: Path) -> None:
    import subprocess
    import sys

    curve, at_risk, _ = write_arm(tmp_path, "light", 60, 51)
    code = (
        "import sys\n"
        "from evidence_app.cli import main\n"
        f"code = main(['reconstruct', '--curve', {str(curve)!r}, '--at-risk', {str(at_risk)!r}, "
        f"'--out', {str(tmp_path / 'o.csv')!r}])\n"
        "heavy = sorted(m for m in ('pandas', 'scipy', 'lifelines', 'matplotlib', 'PySide6') if m in sys.modules)\n"
        "print(code, heavy)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.stdout.strip() == "0 []", run.stdout + run.stderr
