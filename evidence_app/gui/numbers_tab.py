"""The Numbers tab: published next to computed numbers, per comparison and per arm; copyable."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from evidence_app.core.datasets.catalog import dataset_flags
from evidence_app.core.datasets.schema import Dataset
from evidence_app.core.reconstruction.kinds import KIND_APPROXIMATION, KIND_PATIENT, KIND_RECONSTRUCTED
from evidence_app.gui.column_fit import FitColumnsOnResize, fit_columns
from evidence_app.gui.copyable_table import CopyableTable
from evidence_app.gui.numbers_rows import HEADERS, NOT_RECORDED, numbers_rows


class NumbersTab(QWidget):
    """Shows the published numbers at once and fills in the computed column when the analysis arrives."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.banner = QLabel()
        self.banner.setObjectName("numbersBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("QLabel { background: #fff3cd; padding: 6px; border-radius: 3px; }")
        self.banner.hide()
        self.table = CopyableTable(HEADERS, self)
        self.table.setObjectName("numbersTable")
        self.table.setToolTip("Select cells and press Ctrl+C to copy them as a table (Word, Excel)")
        self._fit = FitColumnsOnResize(self.table, COLUMN_MAX)  # all five columns in view, text wrapped
        self.footer = QLabel()
        self.footer.setWordWrap(True)
        self.footer.setObjectName("numbersFooter")
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.footer)

    def show_dataset(self, dataset: Dataset, analysis: Any = None, *, failed: str = "") -> None:
        rows = numbers_rows(dataset, analysis, failed=bool(failed))
        self.table.set_rows(
            [r.cells for r in rows],
            bold_rows=[i for i, r in enumerate(rows) if r.heading],
            highlighted_rows=[i for i, r in enumerate(rows) if r.approximation],
        )
        fit_columns(self.table, COLUMN_MAX)
        banner = [f"{f.label.upper()}: {f.footnote}" for f in dataset_flags(dataset) if f.code != "summary_only"]
        if analysis is not None and analysis.is_approximation:
            banner.append(
                "Computed numbers are an APPROXIMATION from the published summaries (highlighted): "
                "they cannot add evidence beyond what was published."
            )
        if failed:
            banner.append(f"Computed numbers are not available: {failed}")
        self.banner.setText("\n".join(banner))
        self.banner.setVisible(bool(banner))
        footer = _footer(dataset, analysis)
        if any(r.cells[1] == NOT_RECORDED for r in rows):
            footer += (
                "\n“published, not recorded” means the source publishes the number but the text read for "
                "this dataset did not give it; it is not filled in (see Judgement calls)."
            )
        self.footer.setText(footer)

    def cell_texts(self) -> list[str]:
        """Every cell's text (for tests and accessibility checks)."""
        t = self.table
        return [t.text_at(r, c) for r in range(t.rowCount()) for c in range(t.columnCount())]


#: Widest a Numbers column gets (px); narrower when the tab is narrow (the text wraps).
COLUMN_MAX = 320
#: What computed numbers were computed from, as a phrase after "Computed from".
COMPUTED_FROM = {
    KIND_PATIENT: "the patient-level data",
    KIND_RECONSTRUCTED: "patient-level data reconstructed from a digitized curve",
    KIND_APPROXIMATION: "an approximation of the curves from the published summary",
}


def computed_from(kinds: set[str]) -> str:
    """``the patient-level data``, ``… and …`` when arms differ (never "from reconstructed from …")."""
    phrases = [COMPUTED_FROM.get(kind, kind) for kind in sorted(kinds)]
    return " and ".join(phrases) if phrases else "no curve data"


def _footer(dataset: Dataset, analysis: Any) -> str:
    parts = [
        "“not reported” means the sources give no value; nothing is estimated in its place. "
        "Sources: see the Sources tab."
    ]
    if analysis is not None:
        fits = [a.fit for a in analysis.arms if a.fit is not None]
        if fits:
            parts.append(f"Computed from {computed_from(analysis.curve_kinds)}; Kaplan–Meier CIs: {fits[0].ci_method}.")
        parts += list(analysis.notes)
    parts += [f"Caveat: {c}" for c in dataset.flags.caveats]
    return "\n".join(parts)
