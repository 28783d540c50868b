"""The workbook and the Word report from one analysis: each dataset analysed once, each figure
rendered once (at the report's resolution), for ``evidence-app export --out X.xlsx --docx Y.docx``
and the GUI. Both files are checked before any work and written only when built.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from evidence_app.core.datasets.schema import Dataset
from evidence_app.core.progress import CancelCheck, ProgressCallback
from evidence_app.errors import ExportError
from evidence_app.export.docx_figures import DOCX_DPI
from evidence_app.export.docx_report import write_docx
from evidence_app.export.prepare import ExportOptions, ExportSummary, Writer, check_target, run_exports
from evidence_app.export.workbook import write_workbook


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
    o = options or ExportOptions()
    if xlsx is None and docx is None:
        raise ExportError("Nothing to write: give a workbook (.xlsx) or a report (.docx) file name.")
    jobs: list[tuple[Path, Writer]] = []
    if xlsx is not None:
        jobs.append((check_target(xlsx, o.overwrite, ".xlsx"), write_workbook))
    if docx is not None:
        jobs.append((check_target(docx, o.overwrite, ".docx"), write_docx))
    if len(jobs) == 2 and jobs[0][0].resolve() == jobs[1][0].resolve():
        raise ExportError(f"{jobs[0][0]}: the workbook and the report need different file names")
    figures = o.with_figures or docx is not None
    dpi = DOCX_DPI if docx is not None else None
    return run_exports(datasets, jobs, o, figures=figures, dpi=dpi, progress=progress, cancelled=cancelled)
