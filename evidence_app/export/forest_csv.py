"""A forest plot's numbers as CSV (``evidence-app figure forest --csv FILE``).

One line per row of the plot (each comparison, as shown and as pooled), then one per pooled
estimate (each group's and the overall one), then the warnings — the same :class:`ForestData`
the figure, the GUI and the workbook's Forest sheet are drawn from. Pooled estimates are written
with six significant figures so they can be checked against the other outputs. Encoding and
line ends as :mod:`evidence_app.export.csv_table` (UTF-8 with BOM, CRLF).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from evidence_app.core.atomic import write_text_atomic
from evidence_app.core.formatting import NOT_REPORTED
from evidence_app.core.results import PooledEstimate
from evidence_app.core.synthesis.forest_data import ForestData, ForestRow
from evidence_app.core.synthesis.methods import method_label

HEADER = (
    "kind",
    "dataset id",
    "trial",
    "endpoint",
    "comparison (as shown)",
    "direction",
    "HR (as shown)",
    "HR as published",
    "group",
    "pooled",
    "weight %",
    "method",
    "k",
    "estimate",
    "lower",
    "upper",
    "ci level",
    "note",
)


def _g(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"


def _published(row: ForestRow) -> str:
    """The HR as the source printed it: the row's own text, or for an inverted row the value its note keeps."""
    if not row.flipped:
        return row.published_text or NOT_REPORTED
    for note in row.notes:
        if " (published " in note and ": HR " in note:
            return note.split(": HR ", 1)[1].removesuffix(")")
    return NOT_REPORTED


def _pooled_line(kind: str, group: str, endpoint: str, p: PooledEstimate) -> list[str]:
    return [
        kind,
        "",
        "",
        endpoint,
        "",
        "",
        "",
        "",
        group,
        "",
        "",
        method_label(p.method, p.hk),
        str(p.k),
        _g(p.estimate),
        _g(p.lower),
        _g(p.upper),
        _g(p.ci_level),
        p.note,
    ]


def forest_csv_text(data: ForestData) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    endpoint = " and ".join(data.endpoints)
    for r in data.rows:
        writer.writerow(
            [
                "comparison",
                r.dataset_id,
                r.trial,
                r.endpoint,
                r.comparison,
                "inverted (1/HR)" if r.flipped else "as published",
                r.hr_text,
                _published(r),
                r.group or "",
                "yes" if r.pooled else "no",
                "" if r.weight is None else f"{r.weight:.1f}",
                "",
                "",
                "" if r.effect is None else _g(r.effect.hr),
                "" if r.effect is None else _g(r.effect.lower),
                "" if r.effect is None else _g(r.effect.upper),
                "" if r.effect is None else _g(r.effect.ci_level),
                r.note,
            ]
        )
    for g in data.groups:
        if g.pooled is not None and data.group_by is not None:
            writer.writerow(_pooled_line("pooled (group)", str(g.name), endpoint, g.pooled))
    if data.overall is not None:
        writer.writerow(_pooled_line("pooled (overall)", "overall", endpoint, data.overall))
    for w in data.warnings:
        writer.writerow(["warning"] + [""] * (len(HEADER) - 2) + [w])
    return buffer.getvalue()


def write_forest_csv(data: ForestData, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write :func:`forest_csv_text` atomically (with a byte-order mark, as the other CSV exports)."""
    return write_text_atomic(path, "\ufeff" + forest_csv_text(data), overwrite=overwrite)
