"""Files from a figure read out of a vector PDF: per arm the curve, at-risk and censor-time CSVs, a
report of what was read (JSON and text), and optionally the reconstructed patient-level data and a
draft dataset file.

Every file is written atomically and never over an existing one unless ``overwrite`` is given; all
names are checked before the first file is written, so a refused run writes nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from evidence_app.core.atomic import write_text_atomic
from evidence_app.core.datasets.builder import (
    ArmMeta,
    DigitizedArmInput,
    SourceMeta,
    arm_ids,
    digitized_dataset,
    draft_meta,
)
from evidence_app.core.digitize.vector_figure import VectorCurve, VectorFigure
from evidence_app.errors import ExportError

METHOD = "read from the vector drawing of a PDF page (no clicks): paths, tick labels and numbers at risk as text"


@dataclass(frozen=True)
class ArmFiles:
    """One arm's name in file names and its label."""

    stem: str
    label: str


def arm_stems(figure: VectorFigure) -> list[ArmFiles]:
    """A unique, file-safe stem per curve, from its label (or ``arm-K``)."""
    labels = [c.label or f"arm {k}" for k, c in enumerate(figure.curves, 1)]
    return [ArmFiles(stem, label) for stem, label in zip(arm_ids(labels), labels)]


def _csv(columns: dict[str, Any]) -> str:
    import pandas as pd

    buffer = io.StringIO()
    pd.DataFrame(columns).to_csv(buffer, index=False, float_format="%.6g", lineterminator="\n")
    return buffer.getvalue()


def figure_report(figure: VectorFigure, source: str | Path) -> dict[str, Any]:
    """What was read, JSON-ready: file, page, frame, calibrations, arms, table, legend, notes."""

    def axis(a: Any) -> dict[str, Any]:
        return {
            "ticks": [{"position_pt": round(p, 3), "value": v} for p, v in a.ticks],
            "labels": list(a.labels),
            "on_tick_marks": a.on_marks,
            "misfit_fraction_of_range": a.residual,
            "percent": a.percent,
        }

    arms = []
    for files, curve in zip(arm_stems(figure), figure.curves):
        table = figure.at_risk_of(curve)
        arms.append(
            {
                "label": files.label,
                "file_stem": files.stem,
                "colour": curve.colour,
                "dash": list(curve.dash),
                "points": len(curve.time),
                "survival_end": float(curve.survival[-1]),
                "time_end": float(curve.time[-1]),
                "censor_marks": len(curve.censor_times),
                "at_risk": None if table is None else {"times": list(table[0]), "counts": list(table[1])},
                "matched_by": curve.matched_by,
            }
        )
    frame = figure.frame
    return {
        "method": METHOD,
        "file": Path(source).name,
        "page": figure.page,
        "figure": figure.index,
        "x_title": figure.x_title,
        "time_unit": figure.time_unit,
        "frame_pt": [round(v, 3) for v in (frame.x0, frame.y0, frame.x1, frame.y1)],
        "x_axis": axis(figure.x_axis),
        "y_axis": axis(figure.y_axis),
        "arms": arms,
        "at_risk_times_from": figure.at_risk.snapped if figure.at_risk else None,
        "legend": [e.label for e in figure.legend],
        "notes": list(figure.notes),
    }


def report_text(report: dict[str, Any]) -> str:
    """The report as readable lines."""
    x, y = report["x_axis"], report["y_axis"]
    lines = [
        f"{report['file']}, page {report['page']}, figure {report['figure']}: {report['method']}.",
        f"x axis: ticks {', '.join(x['labels'])} ({'on tick marks' if x['on_tick_marks'] else 'label centres'}).",
        f"y axis: ticks {', '.join(y['labels'])}{' (percent, read as 0-1)' if y['percent'] else ''} "
        f"({'on tick marks' if y['on_tick_marks'] else 'label centres'}).",
    ]
    for arm in report["arms"]:
        table = arm["at_risk"]
        risk = "no at-risk row" if table is None else "at risk " + " ".join(str(n) for n in table["counts"])
        lines.append(
            f"arm '{arm['label']}' ({arm['colour']}{', dashed' if arm['dash'] else ''}): {arm['points']} points to "
            f"survival {arm['survival_end']:.4g} at {arm['time_end']:g}; {arm['censor_marks']} censor marks; "
            f"{risk}; matched by {arm['matched_by']}."
        )
    if report["arms"] and report["arms"][0]["at_risk"]:
        lines.append("at-risk times: " + " ".join(f"{t:g}" for t in report["arms"][0]["at_risk"]["times"]))
    lines += [f"note: {n}" for n in report["notes"]]
    return "\n".join(lines) + "\n"


def _arm_files(figure: VectorFigure) -> dict[str, str]:
    out = {}
    for files, curve in zip(arm_stems(figure), figure.curves):
        out[f"{files.stem}_curve.csv"] = _csv({"time": curve.time, "survival": curve.survival})
        table = figure.at_risk_of(curve)
        if table is not None:
            out[f"{files.stem}_at_risk.csv"] = _csv({"time": table[0], "n_at_risk": table[1]})
        out[f"{files.stem}_censor_times.csv"] = _csv({"time": curve.censor_times})
    return out


@dataclass(frozen=True)
class FigureOutput:
    """The files of one figure (name -> text) for ``folder``, and the reconstruction's warnings."""

    folder: Path
    files: dict[str, str]
    warnings: tuple[str, ...]


def plan_outputs(
    figures: list[VectorFigure], source: str | Path, out: str | Path, reconstruct: bool
) -> list[FigureOutput]:
    """The files of each figure: one figure in ``out``, several in ``out/pageN_figureK``."""
    plan = []
    for figure in figures:
        folder = Path(out) if len(figures) == 1 else Path(out) / f"page{figure.page}_figure{figure.index}"
        files = figure_files(figure, source)
        warnings: list[str] = []
        if reconstruct:
            more, warnings = reconstruction_files(figure, source)
            files.update(more)
        plan.append(FigureOutput(folder, files, tuple(warnings)))
    return plan


def write_outputs(plan: list[FigureOutput], overwrite: bool) -> list[list[Path]]:
    """Write every figure's files, refusing before the first if any exists (without ``overwrite``)."""
    existing = [o.folder / name for o in plan for name in o.files if (o.folder / name).exists()]
    if existing and not overwrite:
        names = ", ".join(str(p) for p in existing[:5]) + (" ..." if len(existing) > 5 else "")
        raise ExportError(f"{names} already exist{'s' if len(existing) == 1 else ''}; use --force to replace")
    return [write_files(o.folder, o.files, overwrite) for o in plan]


def write_files(folder: str | Path, files: dict[str, str], overwrite: bool) -> list[Path]:
    """Write ``name -> text`` into ``folder`` (created), refusing before writing if any exists."""
    target = Path(folder)
    existing = [target / name for name in files if (target / name).exists()]
    if existing and not overwrite:
        names = ", ".join(str(p) for p in existing)
        raise ExportError(f"{names} already exist{'s' if len(existing) == 1 else ''}; use --force to replace")
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"Cannot create the folder {target}: {exc.strerror}.") from exc
    return [write_text_atomic(target / name, text, overwrite=overwrite) for name, text in files.items()]


def figure_files(figure: VectorFigure, source: str | Path) -> dict[str, str]:
    """Per arm the curve, at-risk and censor CSVs, and ``report.json`` / ``report.txt``."""
    report = figure_report(figure, source)
    return {
        **_arm_files(figure),
        "report.json": json.dumps(report, indent=1, ensure_ascii=False) + "\n",
        "report.txt": report_text(report),
    }


def reconstruction_files(figure: VectorFigure, source: str | Path) -> tuple[dict[str, str], list[str]]:
    """Per arm ``STEM_ipd.csv`` (time,event) and a draft ``dataset.json``; and the warnings.

    An arm without an at-risk row is skipped with a warning (its number of patients is unknown).
    The dataset is a draft: arms in the figure's order (the second as experimental), the PDF as
    its source until the user enters the citation.
    """
    from evidence_app.core.reconstruction.reconstruct import reconstruct_ipd

    files: dict[str, str] = {}
    warnings: list[str] = []
    if figure.time_unit is None:
        warnings.append(f"the x axis title ({figure.x_title!r}) names no time unit: the dataset assumes months")
    inputs: list[DigitizedArmInput] = []
    metas: list[ArmMeta] = []
    for files_of, curve in zip(arm_stems(figure), figure.curves):
        table = figure.at_risk_of(curve)
        if table is None:
            warnings.append(f"arm '{files_of.label}': no numbers at risk, so no patient-level data")
            continue
        times, counts = _table_within(curve, table)
        arm = reconstruct_ipd(
            np.column_stack((curve.time, curve.survival)),
            np.column_stack((times, counts)),
            censor_times=curve.censor_times if len(curve.censor_times) else None,
        )
        warnings += [f"arm '{files_of.label}': {w}" for w in arm.warnings]
        files[f"{files_of.stem}_ipd.csv"] = arm.to_frame().to_csv(index=False, lineterminator="\n")
        points = [(float(t), float(s)) for t, s in zip(curve.time, curve.survival)]
        inputs.append(DigitizedArmInput(points, [(float(t), int(n)) for t, n in zip(times, counts)]))
        metas.append(ArmMeta(files_of.label, [], int(counts[0]) if times[0] == 0 else None))
    if len(inputs) >= 2:
        files["dataset.json"] = _dataset_json(figure, source, metas, inputs)
    elif inputs:
        warnings.append("only one arm has numbers at risk: no dataset file (a dataset compares two arms)")
    return files, warnings


def _table_within(
    curve: VectorCurve, table: tuple[tuple[float, ...], tuple[int, ...]]
) -> tuple[list[float], list[int]]:
    """The at-risk times up to the curve's end (a printed 0 after the last patient is dropped)."""
    end = float(curve.time[-1])
    keep = [(t, n) for t, n in zip(*table) if t <= end + 1e-6 * max(abs(end), 1.0)]
    return [t for t, _ in keep], [n for _, n in keep]


def _dataset_json(
    figure: VectorFigure, source: str | Path, metas: list[ArmMeta], inputs: list[DigitizedArmInput]
) -> str:
    from evidence_app.core.datasets.io import dataset_to_json

    path = Path(source)
    meta = draft_meta([m.label for m in metas], [m.n for m in metas], figure.time_unit or "months")
    meta.arms = metas
    meta.endpoint = "not stated"
    meta.experimental, meta.control = 1, 0
    meta.source = SourceMeta(
        "primary paper", f"draft: {path.name}, page {figure.page}, figure {figure.index}; enter the citation"
    )
    meta.notes = "Draft from evidence-app digitize --auto: fill in the trial, endpoint and source before use."
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    provenance = {
        "method": METHOD,
        "file_name": path.name,
        "sha256": digest,
        "page": figure.page,
        "figure": figure.index,
        "report": figure_report(figure, source),
    }
    return dataset_to_json(digitized_dataset(meta, inputs, provenance))
