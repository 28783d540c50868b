"""GUI safety: the Sources tab opens only http, https and doi links; copying defuses formulas.

Before, a dataset's source URL ``javascript:…`` or ``file:///…`` became a clickable link opened by
the system, and copying a Numbers-tab cell such as ``=HYPERLINK(…)`` put a live formula on the
clipboard (the export already defused it).
"""

from __future__ import annotations

import pytest
from PySide6.QtGui import QDesktopServices, QGuiApplication

from evidence_app.core.datasets.io import parse_dataset
from evidence_app.core.formatting import defuse_formula, openable_url
from evidence_app.gui import sources_tab
from evidence_app.gui.copyable_table import CopyableTable
from tests.test_schema import minimal

URLS = {
    "https://example.org/paper": "https://example.org/paper",
    "http://example.org/a?b=c": "http://example.org/a?b=c",
    "doi:10.1056/NEJMoa066838": "https://doi.org/10.1056/NEJMoa066838",
    "javascript:alert(document.cookie)": None,
    "JavaScript:alert(1)": None,
    "file:///etc/passwd": None,
    "data:text/html;base64,PHNjcmlwdD4=": None,
    "vbscript:msgbox": None,
    "ftp://example.org/x": None,
    "//example.org/no-scheme": None,
    "https://": None,
}


@pytest.mark.parametrize("url", sorted(URLS))
def test_only_web_links_open(qtbot, monkeypatch, count_case, url):
    count_case()
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda qurl: opened.append(qurl.toString()) or True)
    data = minimal()
    data["sources"][0]["url"] = url
    tab = sources_tab.SourcesTab()
    qtbot.addWidget(tab)
    tab.show_dataset(parse_dataset(data, "links.json"))
    (card,) = tab.cards
    html = card.text()
    expected = URLS[url]
    assert not card.openExternalLinks()
    if expected is None:
        assert "href" not in html.split("PMID")[0] and "not a web link" in html
    else:
        assert f'href="{expected}"' in html.replace("&amp;", "&")
    card.linkActivated.emit(url)  # even a crafted activation goes through the check
    assert opened == ([] if expected is None else [expected])
    assert openable_url(url) == expected


CELLS = [
    ('=HYPERLINK("http://evil.example","click")', '\'=HYPERLINK("http://evil.example","click")'),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("-2+3", "'-2+3"),
    ("-0.35", "-0.35"),
    ("0.73 (0.58–0.92)", "0.73 (0.58–0.92)"),
    ("Drug A", "Drug A"),
]


def test_copied_cells_are_defused_as_the_export_does(qtbot, count_case):
    count_case(len(CELLS))
    table = CopyableTable(["value"])
    qtbot.addWidget(table)
    table.set_rows([[text] for text, _ in CELLS])
    table.copy_all()
    pasted = QGuiApplication.clipboard().text().splitlines()
    assert pasted == ["value"] + [expected for _, expected in CELLS]
    assert [defuse_formula(text) for text, _ in CELLS] == [expected for _, expected in CELLS]


def test_the_export_csv_uses_the_same_rule(tmp_path, count_case):
    from evidence_app.export.csv_table import export_comparison_csv

    count_case()
    data = minimal()
    data["arms"][0]["label"] = '=HYPERLINK("http://evil.example")'
    export_comparison_csv([parse_dataset(data, "f.json")], tmp_path / "c.csv")
    text = (tmp_path / "c.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and ',"=HYPERLINK' not in text
