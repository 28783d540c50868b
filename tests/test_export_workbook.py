"""The comparison workbook, read back as a user's spreadsheet program would (openpyxl and pandas)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from evidence_app.errors import Cancelled, ExportError
from evidence_app.export.sheets_figures import COLUMN_PX, KM_GRID
from evidence_app.export.sheets_survival import COUNTS_WITHHELD
from evidence_app.export.workbook import export_workbook

ARCC = "arcc-os-tem-vs-ifn"
SUBSET = [ARCC, "bolero1-pfs-kmdata", "checkmate025-os", "meteor-os-interim", "arcc-os-nccrcc-subgroup", "aspen-pfs"]
TABLE_SHEETS = ("Comparison", "Computed", "Forest", "Pooled", "Survival tables", "Sources", "Methods")


@pytest.fixture(scope="module")
def subset(library):
    return [library.get(i) for i in SUBSET]


@pytest.fixture(scope="module")
def workbook_path(subset, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("export") / "comparison.xlsx"
    export_workbook(subset, path, pool_methods=("fixed", "REML"))
    return path


@pytest.fixture(scope="module")
def book(workbook_path):
    return openpyxl.load_workbook(workbook_path)


@pytest.fixture(scope="module")
def comparison(workbook_path) -> pd.DataFrame:
    return pd.read_excel(workbook_path, sheet_name="Comparison").set_index("Dataset id")


@pytest.fixture(scope="module")
def computed(workbook_path) -> pd.DataFrame:
    return pd.read_excel(workbook_path, sheet_name="Computed").set_index("Dataset id")


def _methods_notes(book) -> dict[str, str]:
    return {
        row[1]: row[2]
        for row in book["Methods"].iter_rows(min_row=2, values_only=True)
        if row[0] == "Caveats (footnotes)"
    }


def test_sheets_present_with_one_comparison_row_per_dataset(book, comparison):
    assert book.sheetnames == list(TABLE_SHEETS)
    assert list(comparison.index) == SUBSET


def test_arcc_shows_the_published_hr_and_its_source(book, comparison, computed):
    arcc = comparison.loc[ARCC]
    assert (arcc["HR"], arcc["HR lower"], arcc["HR upper"]) == (0.73, 0.58, 0.92)
    assert arcc["HR (CI)"].startswith("0.73 (0.58–0.92)")
    assert arcc["HR CI level %"] == 95 and str(arcc["p-value"]) == "0.008"
    assert (arcc["N exp"], arcc["N ctrl"]) == (209, 207)
    assert computed.loc[ARCC, "Curve kind"].startswith("summary approximation")
    rows = list(book["Sources"].iter_rows(min_row=2))
    cited = {r[0].value: r for r in rows if f"{ARCC} (" in r[6].value}
    hr_refs = {ref for ref, r in cited.items() if re.search(rf"{ARCC} \((s6|s7)\):[^\n]*hazard ratio", r[6].value)}
    assert len(hr_refs) == 2
    hudes = next(r for r in cited.values() if "Hudes" in r[2].value)
    assert hudes[4].value == "17538086" and hudes[4].hyperlink.target == "https://pubmed.ncbi.nlm.nih.gov/17538086/"


def test_missing_numbers_are_empty_and_named_in_a_text_column(book, comparison, computed):
    assert pd.isna(comparison.loc[ARCC, "Events exp"])
    assert comparison.loc[ARCC, "Not reported"] == "events exp, events ctrl"
    gap = comparison.loc["arcc-os-nccrcc-subgroup"]
    assert pd.isna(gap["N exp"]) and pd.isna(gap["HR"]) and gap["HR (CI)"] == "not reported"
    assert {"N exp", "N ctrl", "HR"} <= set(gap["Not reported"].split(", "))
    assert pd.isna(computed.loc["arcc-os-nccrcc-subgroup", "Computed HR"])
    assert computed.loc["arcc-os-nccrcc-subgroup", "Computed HR (95% CI)"] == "no curve data"


def _column_kinds(ws) -> dict[str, set[str]]:
    headers = [c.value for c in ws[1]]
    kinds: dict[str, set[str]] = {h: set() for h in headers}
    for row in ws.iter_rows(min_row=2, values_only=True):
        for h, v in zip(headers, row):
            kinds[h].add("blank" if v in (None, "") else "number" if isinstance(v, (int, float)) else "text")
    return kinds


def test_no_column_mixes_text_and_numbers_and_text_is_never_blank(book):
    for name in TABLE_SHEETS:
        for header, kinds in _column_kinds(book[name]).items():
            assert not {"number", "text"} <= kinds, f"{name}: column {header!r} mixes text and numbers"
            assert kinds != {"blank", "text"}, f"{name}: text column {header!r} has blank cells"


def test_formats_frozen_bold_header_and_filter(book):
    ws = book["Comparison"]
    assert ws.freeze_panes == "C2"
    assert ws.auto_filter.ref.startswith("A1:")
    headers = {c.value: c for c in ws[1]}
    assert all(c.font.bold for c in ws[1])
    hr_col = headers["HR"].column_letter
    assert ws[f"{hr_col}2"].number_format == "0.00"
    assert ws[f"{headers['Population'].column_letter}2"].alignment.wrap_text
    assert ws.column_dimensions[headers["Population"].column_letter].width >= 20
    for name in TABLE_SHEETS[2:]:
        assert book[name].freeze_panes == "A2" and book[name]["A1"].font.bold, name


def test_every_sheet_prints_one_page_wide_with_headers_and_page_numbers(book):
    for ws in book.worksheets:
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1, ws.title
        assert ws.page_setup.fitToHeight == 0 and int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4), ws.title
        assert ws.print_title_rows.replace("$", "") == "1:1" and ws.print_area, ws.title
        assert "&P" in ws.oddFooter.right.text and ws.oddHeader.right.text == "&A", ws.title
    assert book["Comparison"].page_setup.orientation == "landscape"
    assert book["Methods"].page_setup.orientation == "portrait"  # narrow: its rows take fewer pages


def test_column_widths_follow_the_content(book):
    ws = book["Comparison"]
    widths = {c.value: ws.column_dimensions[c.column_letter].width for c in ws[1]}
    assert widths["Endpoint"] < 12 and widths["N exp"] <= 7  # "PFS", "209"
    longest_id = max(len(str(c.value)) for c in ws["A"][1:])
    assert widths["Dataset id"] >= min(longest_id, 18)


def test_computed_numbers_have_their_own_sheet(comparison, computed):
    assert pd.isna(comparison.loc["bolero1-pfs-kmdata", "HR"])
    kmdata = computed.loc["bolero1-pfs-kmdata"]
    assert 0.5 < kmdata["Computed HR"] < 1.5 and kmdata["Curve kind"].startswith("patient-level")
    assert re.fullmatch(r"\d\.\d\d \(\d\.\d\d–\d\.\d\d\)", kmdata["Computed HR (95% CI)"])
    assert kmdata["Other reported values"].startswith("Published HR as recorded by the kmdata curators")


def test_caveats_have_footnotes_explained_in_methods(book, comparison, computed):
    notes = _methods_notes(book)
    used = set(re.findall(r"\[\d+\]", " ".join(str(v) for v in comparison.to_numpy().ravel())))
    assert used and used <= set(notes)
    interim = re.search(r"\[\d+\]", comparison.loc[ARCC, "Analysis"]).group()
    assert notes[interim].startswith("Interim analysis")
    cm = comparison.loc["checkmate025-os", "HR (CI)"]
    assert "98.5% CI" in cm and "other than 95%" in notes[re.search(r"\[\d+\]", cm).group()]
    approx = re.search(r"\[\d+\]", computed.loc[ARCC, "Computed HR (95% CI)"]).group()
    assert "approximation" in notes[approx] and ARCC in notes[approx]
    assert "[" in comparison.loc["aspen-pfs", "Notes"]


def test_survival_tables_flag_every_approximation_row(workbook_path):
    table = pd.read_excel(workbook_path, sheet_name="Survival tables")
    arcc = table[table["Dataset id"] == ARCC]
    assert set(arcc["Curve kind"]) == {"summary approximation"}
    assert arcc["At risk just before t"].isna().all()  # an approximation's counts are not data
    assert all(COUNTS_WITHHELD in note for note in arcc["Notes"])
    kmdata = table[table["Dataset id"] == "bolero1-pfs-kmdata"]
    assert set(kmdata["Curve kind"]) == {"patient-level"}
    assert kmdata[kmdata["Time"] == 0]["At risk just before t"].sum() > 400
    at_12 = kmdata[kmdata["Time"] == 12]
    assert (
        (at_12["Survival lower 95% CI"] < at_12["Survival"]) & (at_12["Survival"] < at_12["Survival upper 95% CI"])
    ).all()


def test_forest_sheet_notes_flips_and_pools_every_method(book):
    ws = book["Forest"]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    effects = {r[2]: dict(zip(header, r)) for r in rows[1:] if r[2] in SUBSET}
    meteor = effects["meteor-os-interim"]
    assert meteor["Flipped"] == "yes" and meteor["HR"] == pytest.approx(1 / 0.66)
    assert "flipped" in meteor["Notes"]
    assert effects[ARCC]["Flipped"] == "no" and effects[ARCC]["Pooled"] == "yes"
    pooled = list(book["Pooled"].iter_rows(values_only=True))
    methods = {r[2] for r in pooled if r[0] == "OS" and r[1] == "overall"}
    assert methods == {"Fixed effect (inverse variance)", "Random effects, REML"}
    methods_sheet = [r[2] for r in book["Methods"].iter_rows(values_only=True) if r[1] == "Figures"]
    assert methods_sheet and "--with-figures" in methods_sheet[0]


def test_figures_and_patient_data_are_embedded(library, tmp_path):
    datasets = [library.get(i) for i in (ARCC, "bolero1-pfs-kmdata", "arcc-os-nccrcc-subgroup")]
    path = tmp_path / "figures.xlsx"
    summary = export_workbook(datasets, path, with_figures=True, with_ipd=True)
    book = openpyxl.load_workbook(path)
    assert {"Forest plots", "KM figures", "Patient data"} <= set(book.sheetnames)
    assert len(book["Forest plots"]._images) == 2  # OS and PFS
    assert len(book["KM figures"]._images) == 2  # the subgroup has no curve data
    assert summary.figures == 4
    km = book["KM figures"]._images[0].anchor  # display size, EMU (9525 per pixel)
    width, height = km.ext.width / 9525, km.ext.height / 9525
    assert 200 <= width <= COLUMN_PX and 250 <= height <= KM_GRID.max_px[1]  # two rows to a page
    assert book["KM figures"]._images[1].anchor._from.col == 1  # side by side
    patients = pd.read_excel(path, sheet_name="Patient data")
    bolero = patients[patients["Dataset id"] == "bolero1-pfs-kmdata"]
    assert set(bolero["Kind"]) == {"patient-level"} and len(bolero) > 400
    arcc = patients[patients["Dataset id"] == ARCC]
    assert len(arcc) == 209 + 207 and set(arcc["Kind"]) == {"approximation from published summary"}


def test_existing_file_is_kept_unless_overwrite(library, tmp_path):
    path = tmp_path / "kept.xlsx"
    path.write_bytes(b"the user's own file")
    with pytest.raises(ExportError, match="already exists.*--force"):
        export_workbook([library.get(ARCC)], path)
    assert path.read_bytes() == b"the user's own file"
    export_workbook([library.get(ARCC)], path, overwrite=True)
    assert openpyxl.load_workbook(path).sheetnames[0] == "Comparison"


def test_missing_folder_and_wrong_suffix_have_clear_messages(library, tmp_path):
    with pytest.raises(ExportError, match="does not exist"):
        export_workbook([library.get(ARCC)], tmp_path / "nowhere" / "x.xlsx")
    with pytest.raises(ExportError, match=r"must end in \.xlsx"):
        export_workbook([library.get(ARCC)], tmp_path / "x.xls")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can write to read-only folders")
def test_read_only_folder_is_refused(library, tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(ExportError, match="not writable"):
            export_workbook([library.get(ARCC)], folder / "x.xlsx")
    finally:
        folder.chmod(0o700)


def test_folder_refusing_the_write_leaves_nothing(library, tmp_path, monkeypatch):
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(ExportError, match="is not writable"):
        export_workbook([library.get(ARCC)], tmp_path / "x.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_locked_file_is_reported_and_left_alone(library, tmp_path, monkeypatch):
    path = tmp_path / "open-in-excel.xlsx"
    path.write_bytes(b"old")

    def locked(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(ExportError, match="open in another program or locked"):
        export_workbook([library.get(ARCC)], path, overwrite=True)
    assert path.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_cancel_writes_nothing_and_progress_rises(library, tmp_path):
    seen: list[float] = []
    datasets = [library.get(i) for i in SUBSET[:3]]
    with pytest.raises(Cancelled):
        export_workbook(
            datasets, tmp_path / "c.xlsx", progress=lambda f, m: seen.append(f), cancelled=lambda: len(seen) >= 3
        )
    assert list(tmp_path.iterdir()) == []
    seen.clear()
    export_workbook(datasets, tmp_path / "c.xlsx", progress=lambda f, m: seen.append(f))
    assert seen == sorted(seen) and seen[-1] == 1.0


def test_export_every_bundled_dataset(library, tmp_path):
    path = tmp_path / "all.xlsx"
    summary = export_workbook(library.datasets, path, pool_methods=("REML", "DL"), hk=True)
    table = pd.read_excel(path, sheet_name="Comparison")
    assert list(table["Dataset id"]) == [d.id for d in library.datasets]
    book = openpyxl.load_workbook(path)
    for name in TABLE_SHEETS:
        for header, kinds in _column_kinds(book[name]).items():
            assert not {"number", "text"} <= kinds and kinds != {"blank", "text"}, (name, header)
    assert summary.datasets == len(library.datasets)
    methods = pd.read_excel(path, sheet_name="Methods")
    assert {"numpy", "pandas", "lifelines", "matplotlib", "openpyxl", "evidence_app"} <= set(methods["Item"])
    assert "Hartung–Knapp" in " ".join(methods["Description"].astype(str))


def test_a_network_sheet_prints_like_the_others(library, tmp_path):
    from pathlib import Path

    from evidence_app.core.synthesis.network import run_network
    from evidence_app.core.synthesis.network_input import prepare_network, read_contrast_csv

    data = Path(__file__).parent / "data" / "nma_synthetic_3.csv"
    result = run_network(prepare_network(read_contrast_csv(data)), "A")
    path = tmp_path / "network.xlsx"
    export_workbook([library.get(ARCC)], path, network=result)
    book = openpyxl.load_workbook(path)
    network, methods = book["Network"], book["Methods"]
    assert network.sheet_properties.pageSetUpPr.fitToPage and network.page_setup.fitToWidth == 1
    assert "&P" in network.oddFooter.right.text and network.print_area
    last = max(r for r in range(1, methods.max_row + 1) if methods.cell(r, 1).value == "Network meta-analysis")
    assert methods.print_area.endswith(f"C${last}") or methods.print_area.endswith(f"C{last}")
