"""The dataset view shows what an approximation assumed and never shows its events, at-risk numbers or
p-values as data (issue 15, errors 7 and 9), reading the core's one decision (core/stats/derived.py)."""

from __future__ import annotations

import pytest

from evidence_app.core.stats.derived import WITHHELD
from tests.test_gui_dataset_view import open_and_wait
from tests.test_gui_support import MPL_QT_WARNING, main_window

pytestmark = pytest.mark.filterwarnings(MPL_QT_WARNING)


@pytest.fixture
def window(qtbot, library):
    yield from main_window(qtbot, library)


def _row(texts: list[str], columns: int, quantity: str) -> list[str]:
    rows = [texts[i : i + columns] for i in range(0, len(texts), columns)]
    return next(r for r in rows if r[0] == quantity)


def test_approximation_says_its_event_count_is_assumed_and_withholds_counts(qtbot, window):
    view = open_and_wait(qtbot, window, "arcc-os-tem-vs-ifn")
    assert "Event count assumed" in view.reconstruction.warnings.toPlainText()
    assert "Event count assumed" in view.curves.caption.text()
    diagnostics = view.reconstruction.diagnostics
    events_column = [diagnostics.text_at(r, 3) for r in range(diagnostics.rowCount())]
    assert events_column == [WITHHELD, WITHHELD]
    columns = view.numbers.table.columnCount()
    texts = view.numbers.cell_texts()
    assert _row(texts, columns, "Events")[3] == WITHHELD
    assert _row(texts, columns, "Total events")[3] == WITHHELD
    assert _row(texts, columns, "p-value")[3] == WITHHELD


def test_patient_level_data_show_their_counts(qtbot, window):
    view = open_and_wait(qtbot, window, "bolero3-pfs-kmdata")
    columns = view.numbers.table.columnCount()
    texts = view.numbers.cell_texts()
    assert _row(texts, columns, "Events")[3].isdigit()
    assert _row(texts, columns, "p-value")[3] != WITHHELD
    assert "Event count assumed" not in view.curves.caption.text()
