"""``evidence-app export`` as a user types it."""

from __future__ import annotations

import subprocess
import sys

import openpyxl
import pandas as pd
import pytest

from evidence_app.cli import main

ARCC = "arcc-os-tem-vs-ifn"
CLI = "import sys; from evidence_app.cli import main; sys.exit(main(sys.argv[1:]))"


def test_export_command_writes_the_workbook(tmp_path):
    out = tmp_path / "arcc.xlsx"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            CLI,
            "export",
            "--out",
            str(out),
            ARCC,
            "meteor-os-interim",
            "checkmate025-os",
            "--pool",
            "fixed,DL",
            "--pool",
            "REML",
            "--hk",
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    assert f"wrote {out}: 3 datasets" in result.stderr
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Comparison", "Computed", "Forest", "Pooled", "Survival tables", "Sources", "Methods"]
    methods = {r[2] for r in book["Pooled"].iter_rows(values_only=True) if r[1] == "overall"}
    # The labels come from the one registry; HK applies to the random-effects methods only.
    assert methods == {
        "Fixed effect (inverse variance)",
        "Random effects, DerSimonian–Laird, Hartung–Knapp adjustment",
        "Random effects, REML, Hartung–Knapp adjustment",
    }


def test_existing_file_needs_force(tmp_path, capsys):
    out = tmp_path / "twice.xlsx"
    out.write_bytes(b"keep me")
    assert main(["export", "--out", str(out), ARCC]) == 1
    assert "already exists" in capsys.readouterr().err and out.read_bytes() == b"keep me"
    assert main(["export", "--out", str(out), ARCC, "--force"]) == 0
    assert openpyxl.load_workbook(out)["Comparison"]["A2"].value == ARCC


def test_csv_is_the_comparison_table_with_a_bom(tmp_path, capsys):
    out = tmp_path / "table.csv"
    assert main(["export", "--out", str(out), ARCC, "bolero1-pfs-kmdata", "--with-figures"]) == 0
    assert "--with-figures ignored" in capsys.readouterr().err
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    table = pd.read_csv(out, encoding="utf-8-sig", dtype=str).set_index("Dataset id")
    assert list(table.index) == [ARCC, "bolero1-pfs-kmdata"]
    assert table.loc[ARCC, "HR (CI)"] == "0.73 (0.58–0.92)" and table.loc[ARCC, "HR"] == "0.73"
    assert pd.isna(table.loc["bolero1-pfs-kmdata", "HR"]) and "HR" in table.loc["bolero1-pfs-kmdata", "Not reported"]
    assert table.loc["bolero1-pfs-kmdata", "HR (CI)"] == "not reported"


def test_format_option_wins_over_the_file_name(tmp_path):
    out = tmp_path / "table.txt"
    assert main(["export", "--format", "csv", "--out", str(out), ARCC]) == 0
    assert out.read_text(encoding="utf-8-sig").startswith("Dataset id,Trial,")


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["--out", "x.xlsx"], 2, "give dataset ids or --all"),
        (["--out", "x.xlsx", "--all", ARCC], 2, "give dataset ids or --all"),
        (["--out", "x.xlsx", "no-such-trial", "also-missing"], 1, "no dataset with id 'also-missing'"),
        (["--out", "x.xls", ARCC], 1, "must end in .xlsx"),
        (["--out", "missing-folder/x.xlsx", ARCC], 1, "does not exist"),
        (["--format", "csv", "--out", "x.xlsx", ARCC], 1, "name it .csv"),
    ],
)
def test_mistakes_get_one_clear_line(tmp_path, monkeypatch, capsys, args, code, message):
    monkeypatch.chdir(tmp_path)
    assert main(["export", *args]) == code
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_unknown_pooling_method_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["export", "--out", "x.xlsx", ARCC, "--pool", "REML,bayes"])
    assert exit_info.value.code == 2
    assert "unknown pooling method 'bayes'" in capsys.readouterr().err


def test_docx_and_workbook_from_one_command(tmp_path, capsys):
    import docx

    book, report = tmp_path / "both.xlsx", tmp_path / "both.docx"
    args = ["export", "--out", str(book), "--docx", str(report), ARCC, "checkmate025-os"]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert f"wrote {book}: 2 datasets; sheets Comparison" in err and f"wrote {report}: 2 datasets; sections" in err
    document = docx.Document(str(report))
    assert any("0.73 (0.58–0.92)" in c.text for t in document.tables for c in t.columns[6].cells)
    assert openpyxl.load_workbook(book)["Comparison"]["A2"].value == ARCC


def test_docx_alone_and_its_mistakes(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["export", "--docx", "r.docx", ARCC, "--with-ipd"]) == 0
    assert (tmp_path / "r.docx").stat().st_size > 10_000
    assert "--with-ipd/--with-figures are for the workbook" in capsys.readouterr().err
    assert main(["export", "--docx", "r.docx", ARCC]) == 1  # exists, no --force
    assert main(["export", "--docx", "r.pdf", ARCC]) == 1
    assert main(["export", ARCC]) == 2
    err = capsys.readouterr().err
    assert "already exists" in err and "must end in .docx" in err and "give --out FILE.xlsx and/or --docx" in err
