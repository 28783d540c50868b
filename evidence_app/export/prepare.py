"""What every export does first: check the target, analyse the datasets, start the figures.

Shared by the workbook (:mod:`evidence_app.export.workbook`), the Word report
(:mod:`evidence_app.export.docx_report`) and the CSV table, so a selection analysed once can
feed several outputs (:func:`evidence_app.export.both.export_both`).
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidence_app.core.atomic import write_atomic
from evidence_app.core.datasets.schema import Dataset
from evidence_app.core.progress import CancelCheck, ProgressCallback, check_cancelled, report, scaled
from evidence_app.core.stats.analysis import DatasetAnalysis, analyze_dataset, default_landmarks
from evidence_app.core.synthesis.methods import normalise_method
from evidence_app.errors import AnalysisError, Cancelled, EvidenceError, ExportError
from evidence_app.export.figure_cache import FigureCache
from evidence_app.export.figure_pool import FigureBatch, default_workers
from evidence_app.export.sheets import AnalyzedDataset
from evidence_app.export.sheets_forest import EndpointForest, build_forests

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


@contextlib.contextmanager
def figure_batch(with_figures: bool, workers: int | None, jobs: int) -> Iterator[FigureBatch | None]:
    """Where the figures are rendered: worker processes where safe (see figure_pool), else here."""
    if not with_figures:
        yield None
        return
    with FigureBatch(default_workers(jobs) if workers is None else workers, FigureCache()) as batch:
        yield batch


def add_jobs(
    batch: FigureBatch | None,
    forests: list[EndpointForest] | None = None,
    items: list[AnalyzedDataset] | None = None,
    dpi: int | None = None,
    datasets: Sequence[Dataset] = (),
) -> None:
    if batch is None:
        return
    from evidence_app.export.sheets_figures import RENDER_DPI, add_forest_jobs, add_km_jobs  # matplotlib: if drawn

    if forests is not None:
        sources = [[d.model_dump_json() for d in datasets if d.endpoint.name == f.endpoint] for f in forests]
        add_forest_jobs(batch, forests, dpi or RENDER_DPI, sources if datasets else None)
    if items is not None:
        add_km_jobs(batch, items, dpi or RENDER_DPI)


@dataclass(frozen=True)
class ExportOptions:
    """What an export does (see :func:`evidence_app.export.outputs.export_outputs`).

    pool_methods, hk: pooling methods (``fixed``, ``DL``, ``REML``, ``PM``) and the Hartung–Knapp
    adjustment. with_ipd, with_figures: the workbook's Patient data sheet and embedded figures
    (the Word report always has its figures). overwrite: replace existing files. analyses:
    analyses already computed (by dataset id), e.g. by the GUI. network: a network meta-analysis
    to add (workbook sheet, report section). workers: processes that render the figures (default:
    one per core where forking is safe, see :mod:`evidence_app.export.figure_pool`).
    """

    pool_methods: Sequence[str] = ("REML",)
    hk: bool = False
    with_ipd: bool = False
    with_figures: bool = False
    overwrite: bool = False
    analyses: Mapping[str, DatasetAnalysis] | None = None
    network: Any = None  # a NetworkResult; Any keeps this module free of the network code
    workers: int | None = None


def save_file(
    target: Path,
    write: Callable[[io.BytesIO], object],
    *,
    overwrite: bool,
    progress: ProgressCallback,
    cancelled: CancelCheck,
    atomic: Callable[..., object] = write_atomic,
) -> None:
    """Serialise in memory, then write ``target`` with ``atomic`` (a cancel in between writes nothing)."""
    check_cancelled(cancelled)
    report(progress, 0.9, f"Saving {target.name}")
    buffer = io.BytesIO()
    write(buffer)
    data = buffer.getvalue()
    check_cancelled(cancelled)
    atomic(target, lambda handle: handle.write(data), overwrite=overwrite)
    report(progress, 1.0, f"Saved {target.name}")


def problem_notes(items: Sequence[AnalyzedDataset]) -> list[str]:
    """``id: problem`` for every dataset whose curve data could not be analysed."""
    return [f"{item.dataset.id}: {item.problem}" for item in items if item.problem]


@dataclass
class Prepared:
    """Everything the outputs share: the analysed datasets, the forests and the figures."""

    items: list[AnalyzedDataset]
    forests: list[EndpointForest]
    methods: tuple[str, ...]
    hk: bool
    figures: FigureBatch | None


@contextlib.contextmanager
def prepared(
    datasets: Sequence[Dataset],
    *,
    pool_methods: Sequence[str],
    hk: bool,
    with_figures: bool,
    analyses: Mapping[str, DatasetAnalysis] | None = None,
    workers: int | None = None,
    dpi: int | None = None,
    progress: ProgressCallback = None,
    cancelled: CancelCheck = None,
) -> Iterator[Prepared]:
    """Analyse ``datasets`` and start their figures (rendered while the datasets are analysed)."""
    methods = normalise_methods(pool_methods)
    forests = build_forests(list(datasets), methods, hk)
    with figure_batch(with_figures, workers, len(datasets) + len(forests)) as batch:
        add_jobs(batch, forests=forests, dpi=dpi, datasets=datasets)  # the largest figures render first
        items = analyze_for_export(datasets, analyses, progress=progress, cancelled=cancelled)
        add_jobs(batch, items=items, dpi=dpi)
        yield Prepared(items, forests, methods, hk, batch)


#: Writes one file from what :func:`prepared` made: (prepared, target, options, progress, cancelled).
Writer = Callable[[Prepared, Path, ExportOptions, ProgressCallback, CancelCheck], ExportSummary]


def run_exports(
    datasets: Sequence[Dataset],
    jobs: Sequence[tuple[Path, Writer]],
    options: ExportOptions,
    *,
    figures: bool,
    dpi: int | None = None,
    progress: ProgressCallback = None,
    cancelled: CancelCheck = None,
) -> list[ExportSummary]:
    """Analyse ``datasets`` once and run each writer on its (already checked) target, in order.

    ``figures``: render the figures (at ``dpi``) — a writer that does not want them ignores them.
    """
    datasets = list(datasets)
    if not datasets:
        raise ExportError("Nothing to export: choose at least one dataset.")
    share = ANALYSIS_SHARE if len(jobs) < 2 else 0.4
    with prepared(
        datasets,
        pool_methods=options.pool_methods,
        hk=options.hk,
        with_figures=figures,
        analyses=options.analyses,
        workers=options.workers,
        dpi=dpi,
        progress=scaled(progress, 0.0, share),
        cancelled=cancelled,
    ) as prep:
        step = (1.0 - share) / max(len(jobs), 1)
        return [
            write(prep, target, options, scaled(progress, share + i * step, share + (i + 1) * step), cancelled)
            for i, (target, write) in enumerate(jobs)
        ]
