"""The comparison workbook: one pure function that the CLI, tests and a GUI worker all call.

``export_workbook(datasets, path, ...)`` analyses each dataset, builds every sheet in memory,
saves the workbook into bytes and only then writes the file atomically — an error or a cancel
at any point leaves no file (and no half-written one) behind.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from evidence_app import __version__
from evidence_app.core.atomic import write_atomic
from evidence_app.core.datasets.schema import Dataset
from evidence_app.core.progress import CancelCheck, ProgressCallback, check_cancelled, report
from evidence_app.core.stats.analysis import DatasetAnalysis, analyze_dataset, default_landmarks
from evidence_app.core.synthesis.methods import method_label, normalise_method
from evidence_app.core.synthesis.network import NetworkResult
from evidence_app.errors import AnalysisError, Cancelled, EvidenceError, ExportError
from evidence_app.export.figure_pool import FigureBatch, default_workers
from evidence_app.export.sheets import AnalyzedDataset, write_rows, write_table
from evidence_app.export.sheets_caveats import Footnotes
from evidence_app.export.sheets_comparison import comparison_table
from evidence_app.export.sheets_forest import (
    EndpointForest,
    build_forests,
    effects_table,
    forest_warnings,
    pooled_table,
)
from evidence_app.export.sheets_methods import methods_table
from evidence_app.export.sheets_sources import sources_table
from evidence_app.export.sheets_survival import patient_table, survival_table
from evidence_app.export.xlsx_format import section_title, set_widths

ANALYSIS_SHARE = 0.55  # of the progress bar; tables, figures and saving share the rest


@dataclass(frozen=True)
class ExportSummary:
    """What was written: the file, its sheets, and anything the user should know."""

    path: Path
    sheets: tuple[str, ...]
    datasets: int
    figures: int
    warnings: tuple[str, ...] = ()


def check_target(path: str | Path, overwrite: bool, suffix: str | None = None) -> Path:
    """Fail before any work if ``path`` cannot be written (exists, missing or read-only folder)."""
    target = Path(path)
    if suffix and target.suffix.lower() != suffix:
        raise ExportError(f"{target}: the file name must end in {suffix}")
    if target.is_dir():
        raise ExportError(f"{target} is a folder; give a file name such as comparison{suffix or '.xlsx'}")
    if target.exists() and not overwrite:
        raise ExportError(f"{target} already exists; choose another name or allow overwriting (--force).")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"Cannot write {target}: the folder {folder} does not exist.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(f"Cannot write {target}: the folder {folder} is not writable.")
    return target


def normalise_methods(methods: Sequence[str]) -> tuple[str, ...]:
    """Canonical, de-duplicated pooling methods; an :class:`AnalysisError` names an unknown one."""
    out = tuple(dict.fromkeys(normalise_method(m) for m in methods))
    if not out:
        raise AnalysisError("choose at least one pooling method (fixed, DL, REML or PM)")
    return out


def _landmarks(dataset: Dataset) -> tuple[float, ...]:
    """6, 12 and 24 months plus every published landmark, so published and computed meet."""
    published = {lm.time for arm in dataset.arms for lm in arm.landmarks}
    return tuple(sorted(set(default_landmarks(dataset.time_unit)) | published))


def analyze_for_export(
    datasets: Sequence[Dataset],
    analyses: Mapping[str, DatasetAnalysis] | None = None,
    *,
    progress: ProgressCallback = None,
    cancelled: CancelCheck = None,
) -> list[AnalyzedDataset]:
    """Analyse every dataset (reusing ``analyses`` given by id); a failure becomes a note, not an error."""
    items = []
    for i, dataset in enumerate(datasets):
        check_cancelled(cancelled)
        report(progress, i / len(datasets), f"Analysing {dataset.id}")
        given = (analyses or {}).get(dataset.id)
        if given is not None:
            items.append(AnalyzedDataset(dataset, given))
            continue
        try:
            items.append(
                AnalyzedDataset(dataset, analyze_dataset(dataset, landmarks=_landmarks(dataset), cancelled=cancelled))
            )
        except Cancelled:
            raise
        except EvidenceError as exc:
            items.append(AnalyzedDataset(dataset, None, problem=f"not computed ({exc.message})"))
    report(progress, 1.0, "Analyses done")
    return items


def _scaled(progress: ProgressCallback, start: float, end: float) -> ProgressCallback:
    if progress is None:
        return None
    return lambda f, m: progress(start + (end - start) * f, m)


def _forest_sheet(
    ws: Worksheet, forests: list[EndpointForest], figures: FigureBatch | None, cancelled: CancelCheck
) -> int:
    """Effects table, pooled estimates below it, then the forest plots (or a note); returns figures."""
    effects, pooled = effects_table(forests), pooled_table(forests)
    last = write_table(ws, effects)
    section_title(ws, last + 2, "Pooled estimates (hazard ratio, mTOR inhibitor vs comparator)")
    last = write_rows(ws, pooled, last + 3)
    widths = [
        max(t.columns[i].width for t in (effects, pooled) if i < len(t.columns))
        for i in range(max(len(effects.columns), len(pooled.columns)))
    ]
    set_widths(ws, widths)
    if figures is None:
        ws.cell(
            row=last + 3,
            column=1,
            value="Forest plot not embedded: export with figures ('Embed figures' in the app, "
            "--with-figures on the command line) to include it.",
        )
        return 0
    from evidence_app.export.sheets_figures import add_forest_figures

    return add_forest_figures(ws, forests, last + 3, figures, cancelled)


@contextlib.contextmanager
def _figure_batch(with_figures: bool, workers: int | None, jobs: int) -> Iterator[FigureBatch | None]:
    """Where the figures are rendered: worker processes where safe (see figure_pool), else here."""
    if not with_figures:
        yield None
        return
    with FigureBatch(default_workers(jobs) if workers is None else workers) as batch:
        yield batch


def _add_jobs(
    batch: FigureBatch | None, forests: list[EndpointForest] | None = None, items: list[AnalyzedDataset] | None = None
) -> None:
    if batch is None:
        return
    from evidence_app.export.sheets_figures import add_forest_jobs, add_km_jobs  # matplotlib: only when drawing

    if forests is not None:
        add_forest_jobs(batch, forests)
    if items is not None:
        add_km_jobs(batch, items)


def _build(
    items: list[AnalyzedDataset],
    forests: list[EndpointForest],
    methods: tuple[str, ...],
    hk: bool,
    with_ipd: bool,
    figures: FigureBatch | None,
    progress: ProgressCallback,
    cancelled: CancelCheck,
) -> tuple[Workbook, int, list[str]]:
    """Every sheet, in memory. Footnotes are numbered by the Comparison sheet, listed by Methods."""
    datasets = [item.dataset for item in items]
    notes = Footnotes()
    book = Workbook()
    first = book.active
    if not isinstance(first, Worksheet):  # a new workbook starts with one worksheet, active
        raise TypeError(f"a new workbook's active sheet is {first!r}, not a worksheet")
    first.title = "Comparison"
    write_table(first, comparison_table(items, notes), frozen_cols=2, header_lines=3)
    check_cancelled(cancelled)
    report(progress, 0.05, "Forest")
    count = _forest_sheet(book.create_sheet("Forest"), forests, figures, cancelled)
    check_cancelled(cancelled)
    report(progress, 0.15, "Survival tables")
    write_table(book.create_sheet("Survival tables"), survival_table(items), header_lines=3)
    if with_ipd:
        check_cancelled(cancelled)
        report(progress, 0.2, "Patient data")
        write_table(book.create_sheet("Patient data"), patient_table(items))
    if figures is not None:
        from evidence_app.export.sheets_figures import add_km_figures

        count += add_km_figures(
            book.create_sheet("KM figures"),
            items,
            progress=_scaled(progress, 0.25, 0.95),
            cancelled=cancelled,
            figures=figures,
        )
    write_table(book.create_sheet("Sources"), sources_table(datasets))
    extra = [
        ("Pooling", "; ".join(method_label(m, hk) for m in methods)),
        ("Written by", f"evidence-app {__version__}"),
    ]
    when = datetime.now().astimezone()
    write_table(book.create_sheet("Methods"), methods_table(notes, [d.id for d in datasets], when, extra))
    book.properties.creator = f"evidence-app {__version__}"
    book.properties.title = "Survival evidence comparison"
    return book, count, forest_warnings(forests)


def export_workbook(
    datasets: Sequence[Dataset],
    path: str | Path,
    *,
    pool_methods: Sequence[str] = ("REML",),
    hk: bool = False,
    with_ipd: bool = False,
    with_figures: bool = False,
    overwrite: bool = False,
    analyses: Mapping[str, DatasetAnalysis] | None = None,
    network: NetworkResult | None = None,
    workers: int | None = None,
    progress: ProgressCallback = None,
    cancelled: CancelCheck = None,
) -> ExportSummary:
    """Write the comparison workbook (.xlsx) for ``datasets``.

    Parameters
    ----------
    datasets
        The comparisons to export, in the order of the Comparison sheet's rows.
    path
        The .xlsx file to write.
    pool_methods, hk
        Pooling methods for the Forest sheet (``fixed``, ``DL``, ``REML``, ``PM``) and the
        Hartung–Knapp adjustment.
    with_ipd, with_figures
        Add the Patient data sheet; embed the forest plot and one KM figure per dataset.
    overwrite
        Replace ``path`` if it exists (otherwise :class:`ExportError`).
    analyses
        Analyses already computed (by dataset id), e.g. by the GUI; the others are computed.
    network
        A network meta-analysis to add as the Network sheet (and its methods to Methods); None: no sheet.
    workers
        Processes that render the figures. Default: one per core where forking is safe (the
        command line), else 1 — drawn in this process (a GUI worker thread); see
        :mod:`evidence_app.export.figure_pool`.

    Raises
    ------
    ExportError
        The file exists (without ``overwrite``), the folder is missing or not writable, or the
        file is locked.
    Cancelled
        ``cancelled()`` returned True; nothing is written.
    """
    datasets = list(datasets)
    if not datasets:
        raise ExportError("Nothing to export: choose at least one dataset.")
    methods = normalise_methods(pool_methods)
    target = check_target(path, overwrite, ".xlsx")
    forests = build_forests(datasets, methods, hk)
    with _figure_batch(with_figures, workers, len(datasets) + len(forests)) as batch:
        _add_jobs(batch, forests=forests)  # the largest figures render while the datasets are analysed
        items = analyze_for_export(
            datasets, analyses, progress=_scaled(progress, 0.0, ANALYSIS_SHARE), cancelled=cancelled
        )
        _add_jobs(batch, items=items)
        book, figures, warnings = _build(
            items, forests, methods, hk, with_ipd, batch, _scaled(progress, ANALYSIS_SHARE, 0.9), cancelled
        )
    if network is not None:
        from evidence_app.export.sheets_network import add_network_sheet

        add_network_sheet(book, network)
    check_cancelled(cancelled)
    report(progress, 0.92, "Saving the workbook")
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    check_cancelled(cancelled)
    write_atomic(target, lambda handle: handle.write(data), overwrite=overwrite)
    report(progress, 1.0, f"Saved {target.name}")
    warnings += [f"{item.dataset.id}: {item.problem}" for item in items if item.problem]
    return ExportSummary(target, tuple(book.sheetnames), len(datasets), figures, tuple(warnings))
