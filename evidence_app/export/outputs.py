"""The workbook and the Word report from one analysis: each dataset analysed once, each figure
rendered once (at the report's resolution), for ``evidence-app export --out X.xlsx --docx Y.docx``
and the GUI. Both files are checked before any work and written only when built.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from evidence_app.core.datasets.schema import Dataset
from evidence_app.core.progress import CancelCheck, ProgressCallback
from evidence_app.errors import ExportError
from evidence_app.export.prepare import ANALYSIS_SHARE, ExportOptions, ExportSummary, check_target, prepared, scaled


def export_outputs(
    datasets: Sequence[Dataset],
    *,
    xlsx: str | Path | None = None,
    docx: str | Path | None = None,
    options: ExportOptions | None = None,
    progress: ProgressCallback = None,
    cancelled: CancelCheck = None,
) -> list[ExportSummary]:
    """Write the workbook to ``xlsx`` and/or the report to ``docx``; a summary per file written.

    The report always has its figures; the workbook embeds them when ``options.with_figures``.

    Raises
    ------
    ExportError
        Nothing to export, a file exists (without ``overwrite``), a folder is missing or not
        writable, or a file is locked.
    Cancelled
        ``cancelled()`` returned True; nothing is written.
    """
    from evidence_app.export.docx_figures import DOCX_DPI
    from evidence_app.export.docx_report import write_docx
    from evidence_app.export.workbook import write_workbook

    o = options or ExportOptions()
    datasets = list(datasets)
    if not datasets:
        raise ExportError("Nothing to export: choose at least one dataset.")
    if xlsx is None and docx is None:
        raise ExportError("Nothing to write: give a workbook (.xlsx) or a report (.docx) file name.")
    xlsx_target = None if xlsx is None else check_target(xlsx, o.overwrite, ".xlsx")
    docx_target = None if docx is None else check_target(docx, o.overwrite, ".docx")
    if xlsx_target is not None and docx_target is not None and xlsx_target.resolve() == docx_target.resolve():
        raise ExportError(f"{xlsx_target}: the workbook and the report need different file names")
    share = ANALYSIS_SHARE if docx_target is None or xlsx_target is None else 0.4
    middle = share + (1 - share) / 2 if xlsx_target is not None and docx_target is not None else 1.0
    summaries = []
    with prepared(
        datasets,
        pool_methods=o.pool_methods,
        hk=o.hk,
        with_figures=o.with_figures or docx_target is not None,
        analyses=o.analyses,
        workers=o.workers,
        dpi=DOCX_DPI if docx_target is not None else None,
        progress=scaled(progress, 0.0, share),
        cancelled=cancelled,
    ) as prep:
        if xlsx_target is not None:
            book_prep = prep if o.with_figures else replace(prep, figures=None)
            summaries.append(write_workbook(book_prep, xlsx_target, o, scaled(progress, share, middle), cancelled))
        if docx_target is not None:
            start = middle if xlsx_target is not None else share
            summaries.append(write_docx(prep, docx_target, o, scaled(progress, start, 1.0), cancelled))
    return summaries
