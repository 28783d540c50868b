"""How the exports print: the full workbook (and the Word report) of every bundled dataset, with
figures, converted to PDF by LibreOffice in headless mode; prints the pages per sheet, the scale
each sheet prints at, and whether the workbook keeps within 20 pages (issue 19).

Needs ``soffice`` (LibreOffice Calc and Writer) and ``pdfinfo``/``pdftotext`` (poppler-utils);
fonts-crosextra-carlito gives LibreOffice Calibri's metrics, as Excel has them.

Run: ``python benchmarks/print_pages.py [--keep FOLDER] [--docx]``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evidence_app.core.datasets.library import load_library
from evidence_app.export.workbook import export_workbook
from evidence_app.export.xlsx_format import LANDSCAPE_PRINTABLE_INCH, PRINTABLE_INCH

TARGET_PAGES = 20


def to_pdf(path: Path, folder: Path) -> Path:
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(path)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return folder / (path.stem + ".pdf")


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def page_header(pdf: Path, page: int) -> str:
    """The running header's right part: the sheet name (``&A``)."""
    text = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    first = next((line for line in text.splitlines() if line.strip()), "")
    return first.split("  ")[-1].strip() if "  " in first else first.strip()


def words_outside_margins(pdf: Path, margin_mm: float = 20.0) -> list[tuple[int, str, tuple[float, ...]]]:
    """Every word LibreOffice placed outside the page's text area (table cells included)."""
    import xml.etree.ElementTree as ET

    xhtml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    root = ET.fromstring(xhtml)
    margin = margin_mm / 25.4 * 72 - 1.0  # points, less a point for rounding
    out = []
    for number, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page"), start=1):
        width, height = float(page.get("width", 0)), float(page.get("height", 0))
        for word in page.iter("{http://www.w3.org/1999/xhtml}word"):
            box = tuple(float(word.get(k, 0)) for k in ("xMin", "yMin", "xMax", "yMax"))
            footer = box[1] > height - margin  # the page-number footer sits in the bottom margin
            if not footer and (box[0] < margin or box[2] > width - margin or box[1] < margin):
                out.append((number, word.text or "", box))
    return out


def sheet_scales(path: Path) -> dict[str, tuple[str, float]]:
    """Orientation and print scale of each sheet when fitted to the page width."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    book = openpyxl.load_workbook(path)
    out = {}
    for ws in book.worksheets:
        widths = [ws.column_dimensions[get_column_letter(i)].width or 8.43 for i in range(1, ws.max_column + 1)]
        px = sum(7 * w + 5 for w in widths)
        landscape = ws.page_setup.orientation == "landscape"
        page_in = LANDSCAPE_PRINTABLE_INCH[0] if landscape else PRINTABLE_INCH[0]
        out[ws.title] = (ws.page_setup.orientation or "portrait", min(1.0, page_in * 96 / px))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="keep the workbook and PDFs in this folder")
    parser.add_argument("--docx", action="store_true", help="also the Word report")
    args = parser.parse_args()
    if shutil.which("soffice") is None:
        print("soffice not found: apt-get install -y --no-install-recommends libreoffice-calc libreoffice-writer")
        return 2
    datasets = load_library(include_user=False).datasets
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        xlsx = folder / "all.xlsx"
        export_workbook(datasets, xlsx, with_figures=True, overwrite=True)
        pdf = to_pdf(xlsx, folder)
        pages = page_count(pdf)
        per_sheet = Counter(page_header(pdf, p) for p in range(1, pages + 1))
        scales = sheet_scales(xlsx)
        print(f"workbook, {len(datasets)} datasets with figures: {pages} pages as PDF")
        for sheet, (orientation, scale) in scales.items():
            print(f"  {sheet:<18} {per_sheet.get(sheet, 0):3d} pages  {orientation:<9} scale {scale:.0%}")
        print(f"target ≤ {TARGET_PAGES} pages: {'met' if pages <= TARGET_PAGES else 'NOT met'}")
        if args.docx:
            from evidence_app.export.docx_report import export_docx

            docx = folder / "report.docx"
            export_docx(datasets, docx, overwrite=True)
            report_pdf = to_pdf(docx, folder)
            outside = words_outside_margins(report_pdf)
            print(
                f"Word report: {page_count(report_pdf)} pages as PDF; words outside the 20 mm margins: {len(outside)}"
            )
            for page, word, box in outside[:10]:
                print(f"  page {page}: {word!r} at {box}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
