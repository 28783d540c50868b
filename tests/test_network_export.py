"""The workbook's Network sheet (only when a network is requested) and its Methods rows."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook, load_workbook

from evidence_app.cli import main
from evidence_app.core.synthesis.network import run_network
from evidence_app.core.synthesis.network_input import prepare_network, read_contrast_csv
from evidence_app.export.sheets_network import add_network_sheet, league_table, netsplit_table

DATA = Path(__file__).parent / "data"


def values(ws) -> list[list]:
    return [[v for v in row if v is not None] for row in ws.iter_rows(values_only=True)]


def test_network_sheet_sits_before_methods_with_league_inconsistency_and_methods():
    result = run_network(prepare_network(read_contrast_csv(DATA / "nma_synthetic_3.csv")), "A")
    book = Workbook()
    book.active.title = "Comparison"
    book.create_sheet("Methods").append(("Section", "Item", "Description"))
    add_network_sheet(book, result)
    assert book.sheetnames == ["Comparison", "Network", "Methods"]
    rows = values(book["Network"])
    flat = [v for row in rows for v in row]
    b_vs_a = result.compare("B", "A", "random")
    assert f"{b_vs_a.hr:.2f} (" in " ".join(str(v) for v in flat)
    assert any("Q between designs (inconsistency" in str(v) for v in flat)
    assert any(str(v).startswith("Q within design B:I (S11, S20)") for v in flat)
    studies = next(i for i, row in enumerate(rows) if row == ["Studies used"])
    assert len([r for r in rows[studies + 2 :] if r]) == 26  # every contrast, with where it came from
    assert any(str(v).endswith("nma_synthetic_3.csv, row 2") for v in rows[studies + 2])
    methods = [row for row in values(book["Methods"]) if row and row[0] == "Network meta-analysis"]
    assert {row[1] for row in methods} >= {"Model", "τ²", "Ranking"}
    assert any("a lower HR is better" in row[2] for row in methods)


def test_league_and_netsplit_tables_match_the_model():
    result = run_network(prepare_network(read_contrast_csv(DATA / "nma_synthetic_1.csv")), "A")
    league = league_table(result, "common")
    assert len(league.rows) == 12 and league.rows[0][1] == "A"
    splits = netsplit_table(result, "random")
    assert len(splits.rows) == len(result.splits["random"]) == 23
    assert splits.rows[0][0] == "H vs A" and splits.rows[0][1] == 1


def test_cli_workbook_with_network_sheet(tmp_path, capsys):
    out = tmp_path / "rcc.xlsx"
    ids = ["checkmate025-os", "meteor-os-interim"]
    assert main(["nma", "--datasets", *ids, "--reference", "Everolimus", "--workbook", str(out)]) == 0
    book = load_workbook(out)
    assert "Network" in book.sheetnames and book.sheetnames.index("Network") < book.sheetnames.index("Methods")
    flat = " ".join(str(v) for row in values(book["Network"]) for v in row)
    assert "published HR 0.73 (98.5% CI 0.57–0.93)" in flat and "no comparison has both direct and indirect" in flat
    assert main(["nma", str(DATA / "nma_synthetic_1.csv"), "--reference", "A", "--workbook", str(out)]) == 1
    assert "--workbook needs --datasets" in capsys.readouterr().err


def test_workbook_without_network_has_no_network_sheet(tmp_path):
    from evidence_app.core.datasets.library import load_library
    from evidence_app.export.workbook import export_workbook

    summary = export_workbook([load_library().get("meteor-os-interim")], tmp_path / "plain.xlsx")
    assert "Network" not in summary.sheets
