"""Word building blocks: numbered captions (SEQ fields), pictures, page sections, table notes.

Captions are real Word caption fields (``SEQ Figure`` / ``SEQ Table``) in Word's "Caption" style,
so Word renumbers them, lists them in a table of figures and lets a committee restyle them; the
number computed here is the field's current result. Figures are PNG rendered at
:data:`DOCX_DPI` (python-docx embeds raster pictures; EMF is not available), sharp in print at
the size they are placed.
"""

from __future__ import annotations

import io

from docx.document import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph

#: Figures for the Word report are rendered at this resolution (300 dpi is print quality).
DOCX_DPI = 300
A4_MM = (210.0, 297.0)
MARGIN_MM = 20.0


class Counter:
    """The running numbers of the captions of one kind (``Figure``, ``Table``)."""

    def __init__(self, label: str) -> None:
        self.label, self.value = label, 0

    def next(self) -> int:
        self.value += 1
        return self.value


def _field(paragraph: Paragraph, instruction: str, result: str, size_pt: float | None = None) -> None:
    """A simple field (``<w:fldSimple>``) whose current result is ``result``."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    if size_pt is not None:
        properties = OxmlElement("w:rPr")
        size = OxmlElement("w:sz")
        size.set(qn("w:val"), str(round(size_pt * 2)))
        properties.append(size)
        run.append(properties)
    text = OxmlElement("w:t")
    text.text = result
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def caption(container: Document | _Cell, counter: Counter, text: str) -> Paragraph:
    """``Figure 3. text`` in the Caption style, the number a ``SEQ`` field."""
    paragraph = container.add_paragraph(style="Caption")
    number = counter.next()
    paragraph.add_run(f"{counter.label} ")
    _field(paragraph, f" SEQ {counter.label} \\* ARABIC ", str(number))
    paragraph.add_run(f". {text}")
    return paragraph


def picture(
    container: Document | _Cell,
    png: bytes,
    size_in: tuple[float, float],
    box_mm: tuple[float, float],
    paragraph: Paragraph | None = None,
) -> Paragraph:
    """The PNG centred and as large as fits ``box_mm`` (width, height) without enlarging it past
    the width asked for, in a paragraph of its own kept with its caption."""
    if paragraph is None:
        paragraph = container.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.keep_with_next = True
    width_mm, height_mm = size_in[0] * 25.4, size_in[1] * 25.4
    scale = min(box_mm[0] / width_mm, box_mm[1] / height_mm)
    paragraph.add_run().add_picture(io.BytesIO(png), width=Mm(width_mm * scale), height=Mm(height_mm * scale))
    return paragraph


def set_page(document: Document, *, landscape: bool, new: bool = True) -> float:
    """Start a new section (or set the first) on A4 in the orientation; return the text width in mm."""
    section = document.add_section(WD_SECTION.NEW_PAGE) if new else document.sections[0]
    width, height = (A4_MM[1], A4_MM[0]) if landscape else A4_MM
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(width), Mm(height)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(MARGIN_MM))
    return width - 2 * MARGIN_MM


def page_numbers(document: Document, title: str) -> None:
    """Every section's footer: the report's title and ``Page n of m`` (PAGE and NUMPAGES fields)."""
    for section in document.sections:
        footer = section.footer
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.text = ""
        paragraph.add_run(f"{title} — page ")
        _field(paragraph, " PAGE ", "1", 8)
        paragraph.add_run(" of ")
        _field(paragraph, " NUMPAGES ", "1", 8)
        for run in paragraph.runs:
            run.font.size = Pt(8)


def set_widths(table: DocxTable, widths_mm: list[float]) -> None:
    """Column widths (Word reads the cell widths; LibreOffice the grid): both are set."""
    table.autofit = False
    for column, width in zip(table.columns, widths_mm):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def repeat_header(table: DocxTable) -> None:
    """The first row repeats at the top of every page the table runs onto."""
    properties = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def marker(paragraph: Paragraph, letters: list[str]) -> None:
    """Superscript note markers (``a,c``) after the text of a cell."""
    if letters:
        paragraph.add_run(",".join(letters)).font.superscript = True


def small(paragraph: Paragraph, size: float = 8) -> None:
    for run in paragraph.runs:
        run.font.size = Pt(size)
