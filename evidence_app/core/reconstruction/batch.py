"""Many arms in one go: a manifest of digitized curves, each reconstructed and written on its own.

A manifest is a CSV with a header naming the columns ``curve``, ``at-risk`` (or ``at_risk``),
``output`` and optionally ``events``, ``n`` and ``median`` (the published median, in the curve's
unit); relative paths are relative to the manifest's folder. A folder of ``<arm>.curve.csv`` files
with their ``<arm>.atrisk.csv`` gives jobs too (:func:`folder_jobs`). Each row becomes an
:class:`ArmJob`; a row that cannot be one (a missing column, a bad count) is an :class:`ArmOutcome`
that failed, with its line number, and the others still run. :func:`run_job` never raises for bad
input: whatever goes wrong with one arm is that arm's one-line message.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from evidence_app.core.limits import MAX_CSV_BYTES
from evidence_app.core.progress import CancelCheck, ProgressCallback, check_cancelled, report
from evidence_app.core.safe_files import read_user_file
from evidence_app.errors import EvidenceError, InputError

COLUMNS = ("curve", "at-risk", "output")


@dataclass(frozen=True)
class ArmJob:
    """One arm to reconstruct: where it came from (manifest line or argument pair) and its inputs."""

    where: str
    curve: Path
    at_risk: Path | None
    output: Path
    events: int | None = None
    n: int | None = None
    percent: bool = False
    median: float | None = None
    force: bool = False
    order: int = 0


@dataclass(frozen=True)
class ArmOutcome:
    """What became of one arm: ``ok`` with its counts, or the one-line reason it failed."""

    where: str
    ok: bool
    message: str
    output: str = ""
    patients: int = 0
    events: int = 0
    warnings: tuple[str, ...] = ()
    order: int = 0


def read_manifest(path: str | Path, *, force: bool = False) -> tuple[list[ArmJob], list[ArmOutcome]]:
    """Jobs from a manifest CSV and the rows that could not become jobs (each with its line number).

    Raises
    ------
    InputError
        When the manifest itself cannot be read or lacks the needed columns.
    """
    name = str(path)
    raw = read_user_file(path, kind="manifest", max_bytes=MAX_CSV_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot read the manifest: not UTF-8 text (byte {exc.start})", file=name) from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InputError(f"the manifest is empty; expected a header {','.join(COLUMNS)},events", file=name)
    delimiter = ";" if ";" in lines[0] else "\t" if "\t" in lines[0] else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise InputError(f"not readable as CSV ({exc})", file=name, location=f"line {reader.line_num}") from None
    header = [h.strip().lower().replace("_", "-") for h in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InputError(
            f"the manifest needs the columns {', '.join(COLUMNS)} (events and n optional); "
            f"missing {', '.join(missing)}",
            file=name,
            location="line 1",
        )
    base = Path(path).resolve().parent
    jobs: list[ArmJob] = []
    failed: list[ArmOutcome] = []
    for number, fields in enumerate(rows[1:], start=2):
        if not any(f.strip() for f in fields):
            continue
        where = f"{name} line {number}"
        try:
            jobs.append(_job(dict(zip(header, (f.strip() for f in fields))), base, where, force, number))
        except InputError as exc:
            failed.append(ArmOutcome(where, False, exc.message, order=number))
    if not jobs and not failed:
        raise InputError("the manifest lists no arms: expected one row per arm after the header", file=name)
    return jobs, failed


def _job(row: dict[str, str], base: Path, where: str, force: bool, order: int) -> ArmJob:
    for column in ("curve", "output"):
        if not row.get(column):
            raise InputError(f"no {column} file given")
    at_risk = row.get("at-risk") or None
    events, n, median = _count(row, "events"), _count(row, "n"), _median(row)
    if at_risk is None and n is None:
        raise InputError("give an at-risk file or n")
    return ArmJob(
        where,
        base / row["curve"],
        None if at_risk is None else base / at_risk,
        base / row["output"],
        events,
        n,
        median=median,
        force=force,
        order=order,
    )


def _median(row: dict[str, str]) -> float | None:
    value = _number(row, "median", "a positive median time")
    if value is not None and not 0 < value < float("inf"):
        raise InputError(f"expected a positive median time, found {row['median']!r}")
    return value


def _count(row: dict[str, str], column: str) -> int | None:
    value = _number(row, column, f"a whole number of {column}")
    if value is not None and (value != int(value) or value < 0):
        raise InputError(f"expected a whole number of {column} of 0 or more, found {row[column]!r}")
    return None if value is None else int(value)


def _number(row: dict[str, str], column: str, expected: str) -> float | None:
    text = row.get(column, "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise InputError(f"expected {expected}, found {text!r}") from None


def run_job(job: ArmJob) -> ArmOutcome:
    """Read, tidy, reconstruct and write one arm; any problem becomes the outcome's message."""
    import numpy as np

    from evidence_app.core.atomic import write_text_atomic
    from evidence_app.core.reconstruction.csv_readers import read_at_risk_points, read_curve_points
    from evidence_app.core.reconstruction.reconstruct import reconstruct_ipd
    from evidence_app.core.reconstruction.tidy import tidy_points

    try:
        raw = read_curve_points(job.curve)
        rows = [f"row {r}" for r in raw.rows]
        points = list(zip(raw.first, raw.second))
        tidy = tidy_points(points, rows=rows, file=str(job.curve), percent=True if job.percent else None)
        table = read_at_risk_points(job.at_risk) if job.at_risk is not None else None
        if table is not None:
            _check_at_risk([int(v) for v in table.second], table.first, str(job.at_risk))
        at_risk = None if table is None else np.column_stack([table.first, table.second])
        result = reconstruct_ipd(
            np.array(tidy.points, dtype=float), at_risk, n=job.n, total_events=job.events, median=job.median
        )
        write_text_atomic(job.output, result.to_csv(), overwrite=job.force)
    except EvidenceError as exc:
        return ArmOutcome(job.where, False, _one_line(exc, job.where), order=job.order)
    except (OSError, ValueError) as exc:
        return ArmOutcome(job.where, False, str(exc), order=job.order)
    except Exception as exc:  # a bug must not stop the other arms; it is reported as one
        return ArmOutcome(job.where, False, f"internal error ({type(exc).__name__}: {exc})", order=job.order)
    return ArmOutcome(
        job.where,
        True,
        "ok",
        str(job.output),
        result.n_patients,
        result.n_events,
        tuple([*tidy.notes, *result.warnings]),
        job.order,
    )


def _check_at_risk(counts: list[int], times: list[float], name: str) -> None:
    """Numbers at risk that rise are an error here (one arm of many is better refused than guessed)."""
    for i in range(1, len(counts)):
        if counts[i] > counts[i - 1]:
            raise InputError(
                f"numbers at risk cannot rise: {counts[i]} at time {times[i]:g} after {counts[i - 1]} "
                f"at {times[i - 1]:g}",
                file=name,
            )


def _one_line(exc: EvidenceError, where: str = "") -> str:
    """The first problem (and how many more), without repeating ``where`` when the problem starts with it."""
    problems = [str(p).removeprefix(f"{where}: ") for p in exc.problems] or [exc.message]
    return problems[0] + (f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else "")


#: File-name endings a folder of digitized curves is read by: ``<arm>.curve.csv`` with ``<arm>.atrisk.csv``.
CURVE_SUFFIX, AT_RISK_SUFFIX, OUTPUT_SUFFIX = ".curve.csv", ".atrisk.csv", ".ipd.csv"


def folder_jobs(folder: str | Path, output: str | Path, *, force: bool = False) -> tuple[list[ArmJob], list[str]]:
    """One job per ``<arm>.curve.csv`` in ``folder`` with its ``<arm>.atrisk.csv``, writing
    ``<output>/<arm>.ipd.csv``; and one note per curve without a table (those are left out).

    Raises
    ------
    InputError
        When the folder cannot be listed or holds no ``*.curve.csv``.
    """
    folder, output = Path(folder), Path(output)
    try:
        curves = sorted(p for p in folder.iterdir() if p.name.lower().endswith(CURVE_SUFFIX))
    except OSError as exc:
        raise InputError(f"cannot list the folder ({exc.strerror or exc})", file=str(folder)) from None
    if not curves:
        raise InputError(
            f"no digitized curves: expected files named <arm>{CURVE_SUFFIX} with <arm>{AT_RISK_SUFFIX}",
            file=str(folder),
        )
    jobs, notes = [], []
    for order, curve in enumerate(curves):
        stem = curve.name[: -len(CURVE_SUFFIX)]
        table = curve.with_name(stem + AT_RISK_SUFFIX)
        if not table.exists():
            notes.append(f"{curve.name}: no {stem}{AT_RISK_SUFFIX} beside it; left out")
            continue
        jobs.append(ArmJob(stem, curve, table, output / f"{stem}{OUTPUT_SUFFIX}", force=force, order=order))
    return jobs, notes


def run_jobs(jobs: list[ArmJob], progress: ProgressCallback = None, cancelled: CancelCheck = None) -> list[ArmOutcome]:
    """Every job's outcome in order, in this process (the GUI runs this off its thread)."""
    outcomes = []
    for i, job in enumerate(jobs):
        check_cancelled(cancelled)
        report(progress, i / max(len(jobs), 1), f"Reconstructing {job.where}")
        outcomes.append(run_job(job))
    report(progress, 1.0, "Done")
    return outcomes
