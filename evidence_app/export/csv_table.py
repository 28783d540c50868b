"""The Comparison table alone as CSV (``evidence-app export --format csv``).

Encoding: UTF-8 *with* a byte-order mark. Every CI in the table has an en dash ("0.58–0.92"),
and Excel — where committees open these files — reads a CSV without a BOM in the legacy
Windows code page, turning each dash into "â€“". With the BOM, Excel, LibreOffice and pandas
(``encoding="utf-8-sig"``) all read it correctly; the cost is three bytes that a plain ``cat``
shows. Rows end in CRLF (RFC 4180). Numbers are written as the workbook displays them (HR with
two decimals), and text that a spreadsheet would run as a formula is quoted with a leading
apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

from evidence_app.core.atomic import write_atomic
from evidence_app.core.datasets.schema import Dataset
from evidence_app.core.progress import CancelCheck, ProgressCallback, check_cancelled, report
from evidence_app.core.stats.analysis import DatasetAnalysis
from evidence_app.errors import ExportError
from evidence_app.export.sheets import CellValue, Column, Link, Table
from evidence_app.export.sheets_caveats import Footnotes
from evidence_app.export.sheets_comparison import comparison_table
from evidence_app.export.workbook import ExportSummary, analyze_for_export, check_target

ENCODING = "utf-8-sig"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _decimals(number_format: str) -> int:
    return len(number_format.split(".", 1)[1]) if "." in number_format else 0


def csv_value(value: CellValue, column: Column) -> str:
    """One cell as text: numbers as displayed, formula-like text defused."""
    if isinstance(value, Link):
        return value.text
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        text = str(value)
        return "'" + text if text.startswith(FORMULA_START) else text
    if isinstance(value, int) or not column.number_format:
        return f"{value:g}" if isinstance(value, float) else str(value)
    places = _decimals(column.number_format)
    text = f"{value:.{places}f}"
    # "0.0#": at least one decimal, a second only when it is not zero.
    optional = column.number_format.count("#")
    while optional and text.endswith("0") and "." in text:
        text, optional = text[:-1], optional - 1
    return text


def table_csv(table: Table) -> str:
    """The table as CSV text (header + one line per row)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow(csv_value(v, c) for v, c in zip(row, table.columns))
    return buffer.getvalue()


def export_comparison_csv(
    datasets: Sequence[Dataset],
    path: str | Path,
    *,
    overwrite: bool = False,
    analyses: Mapping[str, DatasetAnalysis] | None = None,
    progress: ProgressCallback = None,
    cancelled: CancelCheck = None,
) -> ExportSummary:
    """Write the Comparison table of ``datasets`` as a CSV file (see the module docstring).

    Footnote markers stay in the cells; the Notes column gives each marker's short meaning
    (the full texts are in the workbook's Methods sheet).
    """
    datasets = list(datasets)
    if not datasets:
        raise ExportError("Nothing to export: choose at least one dataset.")
    target = check_target(path, overwrite)
    items = analyze_for_export(datasets, analyses, progress=progress, cancelled=cancelled)
    data = table_csv(comparison_table(items, Footnotes())).encode(ENCODING)
    check_cancelled(cancelled)
    write_atomic(target, lambda handle: handle.write(data), overwrite=overwrite)
    report(progress, 1.0, f"Saved {target.name}")
    warnings = tuple(f"{item.dataset.id}: {item.problem}" for item in items if item.problem)
    return ExportSummary(target, ("Comparison",), len(datasets), 0, warnings)
