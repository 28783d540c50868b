"""The import wizard on real-world WebPlotDigitizer exports: clicks just outside the axes, the
"Export all data" layout, a 0–100 % scale and the numbers at risk from a CSV all import; a broken
file lists every problem in one message.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QPushButton, QWizard

from tests.test_gui_import import TIMES, at_risk, km_points
from tests.test_gui_support import MPL_QT_WARNING, error_dialogs, main_window

pytestmark = pytest.mark.filterwarnings(MPL_QT_WARNING)

ARMS = (("Everolimus", 14.0, 120), ("Sunitinib", 8.0, 118))


@pytest.fixture
def window(qtbot, library):
    yield from main_window(qtbot, library)


def noisy(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """What clicking near the axes gives: the first point left of the y axis and above 100 %,
    and two clicks out of order."""
    out = [(-0.025, 1.002), *points[1:]]
    out[3], out[4] = out[4], out[3]
    return out


def four_columns(curves: list[list[tuple[float, float]]], scale: float = 1.0) -> str:
    """WebPlotDigitizer's "Export all data": names in the first row, curves side by side."""
    lines = [",".join(f"{name}," for name, _, _ in ARMS)]
    for i in range(max(len(c) for c in curves)):
        cells = [f"{c[i][0]},{c[i][1] * scale:.6g}" if i < len(c) else "," for c in curves]
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def at_risk_csv() -> str:
    rows = ["Time (months)," + ",".join(str(t) for t in TIMES)]
    rows += [f"{name}," + ",".join(str(v) for v in at_risk(median, n)) for name, median, n in ARMS]
    return "\n".join(rows) + "\n"


def run_to_review(qtbot, window, monkeypatch, paths, at_risk_path):
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(p) for p in paths], ""))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(at_risk_path), ""))
    window.commands["import_curve"].trigger()
    wizard = window.curve_wizard
    qtbot.mouseClick(wizard.files_page.findChild(QPushButton, "addCurveFiles"), Qt.MouseButton.LeftButton)
    assert not error_dialogs(), error_dialogs()[0].text() if error_dialogs() else ""
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    page = wizard.at_risk_page
    qtbot.mouseClick(page.findChild(QPushButton, "loadAtRiskCsv"), Qt.MouseButton.LeftButton)
    assert not error_dialogs()
    assert page.table.times() == [float(t) for t in TIMES]
    with qtbot.waitSignal(wizard.review_page.reviewReady, timeout=30000) as blocker:
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    return wizard, blocker.args[0]


@pytest.mark.parametrize("scale", [1.0, 100.0], ids=["fraction", "percent"])
def test_four_column_export_with_near_axis_noise_imports(qtbot, window, monkeypatch, tmp_path, scale):
    curves = [noisy(km_points(median, n)) for _, median, n in ARMS]
    figure = tmp_path / "wpd_all.csv"
    figure.write_text(four_columns(curves, scale), encoding="utf-8")
    table = tmp_path / "at_risk.csv"
    table.write_text(at_risk_csv(), encoding="utf-8")
    wizard, analysis = run_to_review(qtbot, window, monkeypatch, [figure], table)
    assert wizard.files_page.labels() == ["Everolimus", "Sunitinib"]
    notes = wizard.files_page.notes.text()
    assert "tolerance" in notes and "out of order" in notes
    assert ("0–100 %" in notes) == (scale == 100.0)
    assert [a.fit.n for a in analysis.arms] == [120, 118]
    for arm in wizard.review_page.inputs:
        times = [t for t, _ in arm.points]
        assert times == sorted(times) and times[0] == 0.0
        assert all(0.0 <= s <= 1.0 for _, s in arm.points)
    assert wizard.review_page.inputs[1].at_risk[0] == (0.0, 118)


def test_single_curve_files_with_at_risk_columns_import(qtbot, window, monkeypatch, tmp_path):
    paths = []
    for name, median, n in ARMS:
        path = tmp_path / f"{name}.csv"
        path.write_text("".join(f"{t},{s}\n" for t, s in noisy(km_points(median, n))), encoding="utf-8")
        paths.append(path)
    table = tmp_path / "at_risk.csv"  # one column per arm, in the other order: matched by name
    table.write_text(
        "time,Sunitinib,Everolimus\n"
        + "".join(f"{t},{b},{a}\n" for t, a, b in zip(TIMES, at_risk(14.0, 120), at_risk(8.0, 118))),
        encoding="utf-8",
    )
    wizard, analysis = run_to_review(qtbot, window, monkeypatch, paths, table)
    assert [a.fit.n for a in analysis.arms] == [120, 118]
    assert wizard.review_page.inputs[0].at_risk[0] == (0.0, 120)


def test_pasted_at_risk_table_fills_the_grid(qtbot, window, monkeypatch, tmp_path):
    figure = tmp_path / "wpd_all.csv"
    figure.write_text(four_columns([km_points(m, n) for _, m, n in ARMS]), encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(figure)], ""))
    window.commands["import_curve"].trigger()
    wizard = window.curve_wizard
    wizard.files_page.choose_files()
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    # As copied from a PDF's text: cells separated by spaces, the arm's name first.
    QApplication.clipboard().setText("0 6 12 18 24\nEverolimus 120 90 60 40 20\nSunitinib 118 70 40 20 8\n")
    qtbot.mouseClick(wizard.at_risk_page.findChild(QPushButton, "pasteAtRiskTable"), Qt.MouseButton.LeftButton)
    counts = wizard.at_risk_page.arm_counts()
    assert [c.n for c in counts] == [120, 118]
    assert counts[1].at_risk == [(0.0, 118), (6.0, 70), (12.0, 40), (18.0, 20), (24.0, 8)]


def test_broken_file_lists_every_problem_in_one_message(qtbot, window, monkeypatch, tmp_path):
    bad = tmp_path / "broken.csv"
    bad.write_text(
        "Everolimus,,Sunitinib,\n0,1,0,1\n-3,0.9,2,abc\n4,1.4,5,\n6,0.5,8,0.4\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(bad)], ""))
    window.commands["import_curve"].trigger()
    window.curve_wizard.files_page.choose_files()
    qtbot.waitUntil(lambda: bool(error_dialogs()), timeout=5000)
    assert len(error_dialogs()) == 1
    text = error_dialogs()[0].text() + (error_dialogs()[0].detailedText() or "")
    for row, words in (("row 3", "time -3"), ("row 3", "'abc'"), ("row 4", "survival 1.4"), ("row 4", "without")):
        assert any(row in line and words in line for line in text.splitlines()), (row, words, text)
    assert window.curve_wizard.files_page.curves == []
    error_dialogs()[0].close()
