"""The Comparison table alone as CSV (``evidence-app export --format csv``): every column of the
workbook's Comparison and Computed sheets, one row per dataset.

Encoding: UTF-8 *with* a byte-order mark. Every CI in the table has an en dash ("0.58–0.92"),
and Excel — where committees open these files — reads a CSV without a BOM in the legacy
Windows code page, turning each dash into "â€“". With the BOM, Excel, LibreOffice and pandas
(``encoding="utf-8-sig"``) all read it correctly; the cost is three bytes that a plain ``cat``
shows. Rows end in CRLF (RFC 4180). Numbers are written as the workbook displays them (HR with
two decimals), a missing number as an empty field (the "Not reported" column names it), and text
that a spreadsheet would run as a formula is quoted with a leading apostrophe.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from evidence_app.core.atomic import write_atomic
from evidence_app.core.datasets.schema import Dataset
from evidence_app.core.progress import CancelCheck, ProgressCallback, check_cancelled, report
from evidence_app.core.stats.analysis import DatasetAnalysis
from evidence_app.errors import ExportError
from evidence_app.export.prepare import ExportSummary, analyze_for_export, check_target
from evidence_app.export.sheets import Table, table_csv
from evidence_app.export.sheets_caveats import Footnotes
from evidence_app.export.sheets_comparison import comparison_table

ENCODING = "utf-8-sig"


def write_table_csv(table: Table, path: Path, overwrite: bool = False) -> None:
    """``table`` as a CSV file (UTF-8 with BOM, CRLF), written atomically."""
    data = table_csv(table).encode(ENCODING)
    write_atomic(path, lambda handle: handle.write(data), overwrite=overwrite)


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
    table = comparison_table(items, Footnotes())
    check_cancelled(cancelled)
    write_table_csv(table, target, overwrite)
    report(progress, 1.0, f"Saved {target.name}")
    warnings = tuple(f"{item.dataset.id}: {item.problem}" for item in items if item.problem)
    return ExportSummary(target, ("Comparison",), len(datasets), 0, warnings)
