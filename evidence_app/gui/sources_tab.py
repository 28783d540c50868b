"""The Sources tab: every source with its kind, citation, clickable address and the numbers it gave."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from evidence_app.core.datasets.catalog import SECONDARY_KINDS
from evidence_app.core.datasets.references import numbers_from_source
from evidence_app.core.datasets.schema import Dataset, Source
from evidence_app.core.formatting import openable_url


def source_html(dataset: Dataset, source: Source) -> str:
    """One source as rich text; links open in the system browser."""
    kind = escape(source.kind)
    if source.kind in SECONDARY_KINDS:
        kind += " — <i>secondary: not read from the primary report</i>"
    lines = [f"<b>[{escape(source.id)}] {kind}</b>", escape(source.citation)]
    links = []
    if source.url:
        target = openable_url(source.url)
        if target is None:  # javascript:, file: ...: shown, never opened
            links.append(f"{escape(source.url)} <i>(not a web link: only http, https and doi links open)</i>")
        else:
            links.append(f'<a href="{escape(target, quote=True)}">{escape(source.url)}</a>')
    if source.pmid:
        links.append(f'PMID <a href="https://pubmed.ncbi.nlm.nih.gov/{source.pmid}/">{source.pmid}</a>')
    if source.doi:
        links.append(f'DOI <a href="https://doi.org/{escape(source.doi, quote=True)}">{escape(source.doi)}</a>')
    if links:
        lines.append(" · ".join(links))
    if source.note:
        lines.append(f"<i>Note: {escape(source.note)}</i>")
    numbers = numbers_from_source(dataset, source.id)
    lines.append("Numbers from this source: " + (escape(", ".join(numbers)) if numbers else "<i>none</i>"))
    return "<br>".join(lines)


def open_link(url: str) -> bool:
    """Open an http, https or doi link in the system browser; refuse any other scheme."""
    target = openable_url(url)
    if target is None:
        return False
    return QDesktopServices.openUrl(QUrl(target))


class SourcesTab(QWidget):
    """A scrollable list of source cards (QLabels with external links enabled)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cards: list[QLabel] = []
        self._inner = QWidget()
        self._column = QVBoxLayout(self._inner)
        self._column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._inner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def show_dataset(self, dataset: Dataset) -> None:
        for card in self.cards:
            self._column.removeWidget(card)
            card.deleteLater()
        self.cards = []
        for i, source in enumerate(dataset.sources):
            card = QLabel(source_html(dataset, source))
            card.setObjectName(f"source_{source.id}")
            card.setTextFormat(Qt.TextFormat.RichText)
            card.setWordWrap(True)
            card.setOpenExternalLinks(False)  # every click goes through open_link's scheme check
            card.linkActivated.connect(open_link)
            card.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
            card.setFrameShape(QFrame.Shape.StyledPanel)
            card.setMargin(8)
            self._column.insertWidget(i, card)
            self.cards.append(card)
