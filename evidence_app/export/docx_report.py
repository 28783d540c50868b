"""The Word evidence report (.docx): what a guideline committee pastes into its recommendation.

``export_docx(datasets, path, ...)`` writes, in Word's own heading, table and caption styles so
the committee can restyle it: a title page (selection, date, app and data version); a
summary-of-findings table per comparison on landscape pages, every flag a lettered note; the
pooled estimates with the forest plots; the network meta-analysis when one is passed; the
Kaplan–Meier figures with numbered captions; a methods section written from what was done
(pooling method and τ² estimator from the method registry, the reconstruction method and its
measured accuracy); and the numbered references the tables cite. Like the workbook, it is built
in memory and written atomically: a cancel or an error leaves no file behind.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import docx
from docx.document import Document

from evidence_app import __version__
from evidence_app.core.datasets.labels import dataset_label
from evidence_app.core.datasets.schema import FORMAT_VERSION, Dataset
from evidence_app.core.progress import CancelCheck, ProgressCallback, check_cancelled, report, scaled
from evidence_app.core.synthesis.methods import HK_DESCRIPTION, HK_REFERENCE, get_method, method_label
from evidence_app.export.docx_figures import DOCX_DPI, Counter, caption, page_numbers, picture, set_page, small
from evidence_app.export.docx_tables import Notes as TableNotes
from evidence_app.export.docx_tables import add_notes, by_comparison, generic_table, sof_table
from evidence_app.export.prepare import (
    ExportOptions,
    ExportSummary,
    Prepared,
    check_target,
    problem_notes,
    run_exports,
    save_file,
)
from evidence_app.export.sheets import AnalyzedDataset
from evidence_app.export.sheets_comparison import curve_kind_text
from evidence_app.export.sheets_forest import pooled_table
from evidence_app.export.sheets_methods import POOLING
from evidence_app.export.sheets_sources import DOI, PUBMED, References

if TYPE_CHECKING:
    from evidence_app.core.synthesis.network import NetworkResult

TITLE = "Survival evidence report"
#: Pooled-table columns shown in the report (the workbook's Pooled sheet has them all).
POOLED_HEADERS = (
    "Endpoint",
    "Group (setting)",
    "Method",
    "k",
    "HR (CI)",
    "p",
    "I² %",
    "τ²",
    "Prediction interval (95%)",
)
POOLED_WIDTHS = [14.0, 24.0, 30.0, 8.0, 30.0, 14.0, 12.0, 14.0, 24.0]
#: Measured by benchmarks/reconstruction_accuracy.py (300 simulated trials, 0.3% digitizing
#: noise; median / 90th percentile), as recorded in benchmarks/README.md.
RECONSTRUCTION_ACCURACY = (
    "On 300 simulated trials digitized with 0.3% click noise, the reconstructed data gave hazard ratios "
    "within |Δ log HR| 0.0038 of the true ones (median; 90th percentile 0.0113) and Kaplan–Meier curves "
    "within 0.020 (median sup-distance; 90th percentile 0.048), next to a noise floor of 0.019 "
    "(benchmarks/reconstruction_accuracy.py)."
)
KM_WIDTH_MM = 82.0  # two side by side on a portrait page (170 mm between the margins)
KM_HEIGHT_MM = 110.0
FOREST_WIDTH_MM = 170.0
FOREST_HEIGHT_MM = 235.0  # a page less its caption


def data_version(datasets: Sequence[Dataset]) -> str:
    """The dataset format and a fingerprint of the exported datasets' content (SHA-256, 12 hex)."""
    digest = hashlib.sha256()
    for d in datasets:
        digest.update(d.model_dump_json().encode("utf-8"))
    return f"dataset format {FORMAT_VERSION}; content fingerprint {digest.hexdigest()[:12]}"


def _title_page(document: Document, prep: Prepared, when: datetime) -> None:
    datasets = [item.dataset for item in prep.items]
    document.add_paragraph(TITLE, style="Title")
    trials = sorted({d.trial.acronym for d in datasets})
    endpoints = sorted({d.endpoint.name for d in datasets})
    for label, text in (
        (
            "Selection",
            f"{len(datasets)} datasets from {len(trials)} trials ({', '.join(trials)}); "
            f"endpoints {', '.join(endpoints)}",
        ),
        ("Date", when.strftime("%d %B %Y, %H:%M %Z").strip()),
        ("App version", f"evidence-app {__version__}"),
        ("Data version", data_version(datasets)),
        ("Pooling", "; ".join(method_label(m, prep.hk) for m in prep.methods)),
    ):
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(text)
    document.add_heading("Datasets", level=2)
    for d in datasets:
        item = document.add_paragraph(f"{dataset_label(d)} ({d.id})", style="List Bullet")
        item.paragraph_format.space_after = 0
        small(item, 8.5)  # the selection stays on the title page


def _findings(document: Document, prep: Prepared, references: References, tables: Counter) -> None:
    set_page(document, landscape=True)
    document.add_heading("Summary of findings", level=1)
    for comparison, datasets in by_comparison([item.dataset for item in prep.items]).items():
        sof_table(document, f"Summary of findings: {comparison}", datasets, references, tables)
        document.add_paragraph()


def _pooled(document: Document, prep: Prepared, figures: Counter, tables: Counter, cancelled: CancelCheck) -> int:
    from evidence_app.export.sheets_figures import render_forest

    set_page(document, landscape=False)
    document.add_heading("Pooled results", level=1)
    count = 0
    for index, forest in enumerate(prep.forests):
        document.add_heading(forest.endpoint, level=2)
        table = pooled_table([forest]).select(POOLED_HEADERS)
        caption(document, tables, f"Pooled hazard ratios, {forest.endpoint} (mTOR inhibitor vs comparator)")
        generic_table(document, table, POOLED_WIDTHS, keep=lambda row: row[1] != "note")
        add_notes(document, TableNotes(), [f"Note: {w}" for w in forest.first.warnings])
        if prep.figures is None:
            continue
        check_cancelled(cancelled)
        png, w, h = prep.figures.get(("forest", index), cancelled) if prep.figures else render_forest(forest, DOCX_DPI)
        document.add_page_break()
        picture(document, png, (w, h), (FOREST_WIDTH_MM, FOREST_HEIGHT_MM))
        method, data = next(iter(forest.by_method.items()))
        caption(document, figures, f"Forest plot, {forest.endpoint} ({method_label(method, data.hk)}).")
        count += 1
    return count


def _network(document: Document, network: NetworkResult, tables: Counter) -> None:
    from evidence_app.export.sheets_network import estimates_table

    document.add_heading("Network meta-analysis", level=1)
    table = estimates_table(network)
    # The random-effects estimates fit a portrait page; the workbook's Network sheet has both models.
    shown = tuple(h for h in table.headers if "common" not in h)
    caption(document, tables, f"Network estimates (random effects): hazard ratios against {network.reference}")
    generic_table(document, table.select(shown))


def _km_figures(
    document: Document, prep: Prepared, figures: Counter, progress: ProgressCallback, cancelled: CancelCheck
) -> int:
    from evidence_app.export.sheets_figures import drawable

    if prep.figures is None:
        return 0
    shown = drawable(prep.items)
    document.add_heading("Kaplan–Meier figures", level=1)
    document.add_paragraph(
        "Dashed curves are approximations built from published summaries (N, median, landmark survival): "
        "they reproduce those summaries and are not trial data."
    )
    grid = document.add_table(rows=0, cols=2)  # no borders: two figures side by side, as in a journal
    for index, item in enumerate(shown):
        check_cancelled(cancelled)
        report(progress, index / max(len(shown), 1), f"Figure for {item.dataset.id}")
        png, w, h = prep.figures.get(("km", index), cancelled)
        cell = (grid.add_row().cells if index % 2 == 0 else grid.rows[-1].cells)[index % 2]
        picture(cell, png, (w, h), (KM_WIDTH_MM, KM_HEIGHT_MM), cell.paragraphs[0])
        caption(cell, figures, f"{dataset_label(item.dataset)}: Kaplan–Meier curves ({_kind(item)}).")
    missing = [i.dataset.id for i in prep.items if i not in shown]
    if missing:
        document.add_paragraph("No curve data, no figure: " + ", ".join(missing) + ".")
    return len(shown)


def _kind(item: AnalyzedDataset) -> str:
    return curve_kind_text(item.analysis)


def _methods(document: Document, prep: Prepared, network: NetworkResult | None) -> None:
    from evidence_app.core.reconstruction import reconstruct, summary_curve

    document.add_heading("Methods", level=1)
    kinds = {k for item in prep.items if item.analysis for k in item.analysis.curve_kinds}
    datasets = [item.dataset for item in prep.items]
    document.add_paragraph(
        f"{len(datasets)} datasets were exported, each one comparison of one endpoint in one population. "
        "Every published number was read from a named source (References) and is printed as published, "
        "at its published precision and CI level; nothing missing was estimated to fill a gap."
    )
    document.add_heading("Curve data", level=2)
    counts = {kind: sum(1 for d in datasets if d.curve.kind == kind) for kind in ("patient-level", "digitized", "none")}
    document.add_paragraph(
        f"Patient-level data were available for {counts['patient-level']} datasets, digitized curves for "
        f"{counts['digitized']}, and no curve for {counts['none']}."
    )
    if "reconstructed" in kinds or counts["digitized"]:
        document.add_paragraph(
            f"Digitized curves were turned into patient-level data with the numbers at risk by "
            f"{reconstruct.METHOD} (algorithm version {reconstruct.ALGORITHM_VERSION}). {RECONSTRUCTION_ACCURACY}"
        )
    if counts["none"]:
        document.add_paragraph(
            "For datasets without curve data, curves were approximated from the published N, median and "
            "landmark survival (piecewise exponential, algorithm version "
            f"{summary_curve.ALGORITHM_VERSION}). They reproduce the published summaries by construction; numbers "
            "at risk, event counts and p-values computed from them are not data and are not reported."
        )
    document.add_heading("Pooling", level=2)
    for key in prep.methods:
        m = get_method(key)
        estimator = f" τ² estimator: {m.tau2_estimator}." if m.tau2_estimator else ""
        document.add_paragraph(f"{method_label(key, prep.hk)}: {m.description}{estimator} ({m.reference})")
    if prep.hk:
        document.add_paragraph(f"{HK_DESCRIPTION} ({HK_REFERENCE})")
    for item, text in POOLING:
        if item in ("Effect sizes", "Heterogeneity", "Prediction interval", "What is pooled"):
            document.add_paragraph(f"{item}: {text}")
    if network is not None:
        from evidence_app.export.sheets_network import network_methods

        document.add_heading("Network meta-analysis", level=2)
        for item, text in network_methods(network):
            document.add_paragraph(f"{item}: {text}")


def _references(document: Document, references: References) -> None:
    document.add_heading("References", level=1)
    for ref in references:
        s = ref.source
        links = [DOI.format(s.doi) if s.doi else None, PUBMED.format(s.pmid) if s.pmid else None, s.url]
        where = "; ".join(dict.fromkeys(x for x in links if x))
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{ref.label}. ").bold = True
        paragraph.add_run(s.citation.rstrip(".") + "." + (f" {where}" if where else "") + f" [{s.kind}]")


def write_docx(
    prep: Prepared, target: Path, options: ExportOptions, progress: ProgressCallback, cancelled: CancelCheck
) -> ExportSummary:
    """The report of what :func:`~evidence_app.export.prepare.prepared` made, written to ``target``."""
    document = docx.Document()
    when = datetime.now().astimezone()
    references = References([item.dataset for item in prep.items])
    figures, tables = Counter("Figure"), Counter("Table")
    set_page(document, landscape=False, new=False)
    _title_page(document, prep, when)
    report(progress, 0.1, "Summary of findings")
    _findings(document, prep, references, tables)
    check_cancelled(cancelled)
    count = _pooled(document, prep, figures, tables, cancelled)
    if options.network is not None:
        _network(document, options.network, tables)
    count += _km_figures(document, prep, figures, scaled(progress, 0.2, 0.85), cancelled)
    _methods(document, prep, options.network)
    _references(document, references)
    page_numbers(document, TITLE)
    document.core_properties.title = TITLE
    document.core_properties.author = f"evidence-app {__version__}"
    save_file(target, document.save, overwrite=options.overwrite, progress=progress, cancelled=cancelled)
    sections = ("Title", "Summary of findings", "Pooled results", "Kaplan–Meier figures", "Methods", "References")
    return ExportSummary(target, sections, len(prep.items), count, tuple(problem_notes(prep.items)))


def export_docx(
    datasets: Sequence[Dataset],
    path: str | Path,
    *,
    progress: ProgressCallback = None,
    cancelled: CancelCheck = None,
    **options: Any,
) -> ExportSummary:
    """Write the Word evidence report (.docx) for ``datasets``; ``options`` as
    :class:`~evidence_app.export.prepare.ExportOptions` (the report always has its figures).

    Raises :class:`ExportError` (nothing to export, the file exists without ``overwrite``, the
    folder is missing or not writable) or :class:`Cancelled` (nothing is written).
    """
    o = ExportOptions(**options)
    jobs = [(check_target(path, o.overwrite, ".docx"), write_docx)]
    return run_exports(datasets, jobs, o, figures=True, dpi=DOCX_DPI, progress=progress, cancelled=cancelled)[0]
