"""The comparison workbook: one pure function that the CLI, tests and a GUI worker all call.

``export_workbook(datasets, path, ...)`` analyses each dataset, builds every sheet in memory,
saves the workbook into bytes and only then writes the file atomically — an error or a cancel
at any point leaves no file (and no half-written one) behind.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from evidence_app import __version__
from evidence_app.core.atomic import write_atomic
from evidence_app.core.datasets.schema import Dataset
from evidence_app.core.progress import CancelCheck, ProgressCallback, check_cancelled, report, scaled
from evidence_app.export import xlsx_format as fmt
from evidence_app.export.csv_table import write_table_csv
from evidence_app.export.figure_pool import FigureBatch
from evidence_app.export.prepare import (
    ExportOptions,
    ExportSummary,
    Prepared,
    analyze_for_export,
    check_target,
    normalise_methods,
    problem_notes,
    run_exports,
    save_file,
)
from evidence_app.export.sheets import AnalyzedDataset, Table, write_table
from evidence_app.export.sheets_caveats import Footnotes
from evidence_app.export.sheets_comparison import COMPUTED_HEADERS, PUBLISHED_HEADERS, comparison_table
from evidence_app.export.sheets_forest import (
    EndpointForest,
    effects_table,
    forest_warnings,
    pooled_table,
)
from evidence_app.export.sheets_methods import methods_table
from evidence_app.export.sheets_sources import sources_table
from evidence_app.export.sheets_survival import patient_table, survival_table
from evidence_app.export.xlsx_limits import MAX_ROWS, MAX_WORKBOOK_PATIENT_ROWS, LimitLog, row_chunks

__all__ = ["ExportSummary", "analyze_for_export", "check_target", "export_workbook", "normalise_methods"]


def _patient_sheets(book: Workbook, items: list[AnalyzedDataset], target: Path, log: LimitLog) -> None:
    """Patient rows on one sheet, split over several past Excel's row limit, or (past
    MAX_WORKBOOK_PATIENT_ROWS) in a CSV file beside the workbook; a note says which."""
    table = patient_table(items)
    if len(table.rows) > MAX_WORKBOOK_PATIENT_ROWS:
        csv_path = target.with_name(target.stem + "-patient-data.csv")
        write_table_csv(table, csv_path)
        ws = book.create_sheet("Patient data")
        message = (
            f"{len(table.rows):,} patient rows are more than this workbook should hold: they are in "
            f"{csv_path.name}, beside it"
        )
        ws.cell(row=1, column=1, value=message + ".")
        log.add(message)
        return
    chunks = row_chunks(len(table.rows), MAX_ROWS - 1)
    for number, (start, stop) in enumerate(chunks, start=1):
        name = "Patient data" if number == 1 else f"Patient data ({number})"
        write_table(book.create_sheet(name), Table(table.columns, table.rows[start:stop]), log=log)
    if len(chunks) > 1:
        log.add(
            f"{len(table.rows):,} patient rows are more than one sheet holds ({MAX_ROWS - 1:,} under the header): "
            f"split over {len(chunks)} sheets, Patient data to Patient data ({len(chunks)})"
        )


def _build(
    items: list[AnalyzedDataset],
    forests: list[EndpointForest],
    options: _Options,
    figures: FigureBatch | None,
    progress: ProgressCallback,
    cancelled: CancelCheck,
) -> tuple[Workbook, int, list[str]]:
    """Every sheet, in memory. Footnotes are numbered by the Comparison sheet, listed by Methods."""
    datasets = [item.dataset for item in items]
    notes, log = Footnotes(), LimitLog()
    book = Workbook()
    first = book.active
    if not isinstance(first, Worksheet):  # a new workbook starts with one worksheet, active
        raise TypeError(f"a new workbook's active sheet is {first!r}, not a worksheet")
    first.title = "Comparison"
    full = comparison_table(items, notes)
    write_table(first, full.select(PUBLISHED_HEADERS), frozen_cols=2, log=log)
    write_table(book.create_sheet("Computed"), full.select(COMPUTED_HEADERS), frozen_cols=2, log=log)
    check_cancelled(cancelled)
    report(progress, 0.05, "Forest")
    write_table(book.create_sheet("Forest"), effects_table(forests), log=log)
    write_table(book.create_sheet("Pooled"), pooled_table(forests), log=log)
    check_cancelled(cancelled)
    report(progress, 0.15, "Survival tables")
    write_table(book.create_sheet("Survival tables"), survival_table(items), log=log)
    from evidence_app.export.sheets_reconstruction import reconstruction_interval_table

    if (intervals := reconstruction_interval_table(items)) is not None:
        write_table(book.create_sheet("Reconstruction intervals"), intervals, log=log)
    if options.with_ipd:
        check_cancelled(cancelled)
        report(progress, 0.2, "Patient data")
        _patient_sheets(book, items, options.target, log)
    count = 0
    if figures is not None:
        from evidence_app.export.sheets_figures import add_forest_figures, add_km_figures

        count = add_forest_figures(book.create_sheet("Forest plots"), forests, figures, cancelled)
        count += add_km_figures(
            book.create_sheet("KM figures"),
            items,
            progress=scaled(progress, 0.25, 0.95),
            cancelled=cancelled,
            figures=figures,
        )
    write_table(book.create_sheet("Sources"), sources_table(datasets), log=log)
    extra = [
        ("Pooling", ", ".join(options.methods) + (" with Hartung–Knapp" if options.hk else "")),
        ("Written by", f"evidence-app {__version__}"),
        *(("Excel limits", message) for message in log.messages),
    ]
    if figures is None:
        extra.append(("Figures", "not embedded: export with figures (--with-figures) to include them"))
    when = datetime.now().astimezone()
    write_table(book.create_sheet("Methods"), methods_table(notes, [d.id for d in datasets], when, extra), log=log)
    book.properties.creator = f"evidence-app {__version__}"
    book.properties.title = "Survival evidence comparison"
    return book, count, forest_warnings(forests) + log.messages


def _save(book: Workbook, out: io.BytesIO) -> None:
    """The .xlsx package at zlib level 1: the embedded PNGs do not shrink further, and level 6
    spent half a second on them for the full export."""
    archive = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=1)
    ExcelWriter(book, archive).save()


def _print_after_network(book: Workbook) -> None:
    """The Network sheet prints like the others; Methods' print area takes in the rows it added."""
    network = book["Network"]
    widths = [d.width or 8.43 for d in network.column_dimensions.values()]
    fmt.print_setup(
        network, width_chars=sum(widths), last_row=network.max_row, last_col=network.max_column, title_rows=None
    )
    methods = book["Methods"]
    methods.print_area = f"A1:C{methods.max_row}"


@dataclass(frozen=True)
class _Options:
    target: Path
    methods: tuple[str, ...]
    hk: bool
    with_ipd: bool


def export_workbook(
    datasets: Sequence[Dataset],
    path: str | Path,
    *,
    progress: ProgressCallback = None,
    cancelled: CancelCheck = None,
    **options: Any,
) -> ExportSummary:
    """Write the comparison workbook (.xlsx) for ``datasets``, in the order of the Comparison rows.

    ``options`` are those of :class:`~evidence_app.export.prepare.ExportOptions`: ``pool_methods``
    and ``hk`` (the Forest and Pooled sheets), ``with_ipd`` and ``with_figures`` (the Patient data
    sheet, the Forest plots and KM figures sheets), ``overwrite``, ``analyses`` already computed,
    ``network`` (the Network sheet) and ``workers``.

    Raises
    ------
    ExportError
        The file exists (without ``overwrite``), the folder is missing or not writable, or the
        file is locked.
    Cancelled
        ``cancelled()`` returned True; nothing is written.
    """
    o = ExportOptions(**options)
    target = check_target(path, o.overwrite, ".xlsx")
    jobs = [(target, write_workbook)]
    return run_exports(datasets, jobs, o, figures=o.with_figures, progress=progress, cancelled=cancelled)[0]


def write_workbook(
    prep: Prepared, target: Path, options: ExportOptions, progress: ProgressCallback, cancelled: CancelCheck
) -> ExportSummary:
    """The workbook of what :func:`~evidence_app.export.prepare.prepared` made, written to ``target``."""
    build = _Options(target, prep.methods, prep.hk, options.with_ipd)
    book, figures, warnings = _build(
        prep.items, prep.forests, build, prep.figures, scaled(progress, 0.0, 0.8), cancelled
    )
    if options.network is not None:
        from evidence_app.export.sheets_network import add_network_sheet

        add_network_sheet(book, options.network, LimitLog())
        _print_after_network(book)
    # write_atomic by this module's name, so a test can make the disk fail half-way (tests/robustness)
    save_file(
        target,
        lambda out: _save(book, out),
        overwrite=options.overwrite,
        progress=progress,
        cancelled=cancelled,
        atomic=write_atomic,
    )
    warnings += problem_notes(prep.items)
    return ExportSummary(target, tuple(book.sheetnames), len(prep.items), figures, tuple(warnings))
