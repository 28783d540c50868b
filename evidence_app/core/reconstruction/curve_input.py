"""Cleaning digitizer output for the reconstruction: a Kaplan–Meier curve and its numbers-at-risk table.

The CSV readers are in :mod:`~evidence_app.core.reconstruction.csv_readers` (re-exported here) and the
tolerance step shared with the wizard and the digitizer in :mod:`~evidence_app.core.reconstruction.tidy`.
:func:`clean_curve` turns a messy but readable digitization into a monotone staircase the reconstruction can
use, and reports every change it made as a plain-language warning; the work is done on arrays by
:func:`~evidence_app.core.reconstruction.cleaning.clean_arrays`, which needs no pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evidence_app.core.reconstruction.cleaning import (  # the cleaning itself, on arrays
    FLAT_TAIL_TOLERANCE,
    anchor_at_risk,
    clean_arrays,
    click_time_noise,
    drop_times,
)
from evidence_app.core.reconstruction.csv_readers import (  # the readers live there; imported here by callers
    AT_RISK_COLUMNS,
    CURVE_COLUMNS,
    read_at_risk_csv,
    read_csv_rows,
    read_curve_csv,
)
from evidence_app.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "AT_RISK_COLUMNS",
    "FLAT_TAIL_TOLERANCE",
    "CURVE_COLUMNS",
    "anchor_at_risk",
    "clean_curve",
    "click_time_noise",
    "drop_times",
    "read_at_risk_csv",
    "read_csv_rows",
    "read_curve_csv",
]


def clean_curve(
    curve: pd.DataFrame, at_risk: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame | None, list[str]]:
    """Turn a digitized curve (and its at-risk table) into a clean monotone staircase.

    Points are ordered along the curve (click order or swapped ends of a drop are undone), survival
    in percent is detected, values are clipped to [0, 1], click noise is removed by isotonic
    regression in both coordinates (a least-squares fit, unlike a running minimum which biases the
    curve downwards), a start at (0, 1) is ensured and a flat tail is levelled so no events are
    invented where the curve only carries censoring noise.

    Parameters
    ----------
    curve
        Columns ``time`` and ``survival``.
    at_risk
        Optional columns ``time`` and ``n_at_risk``.

    Returns
    -------
    tuple
        ``(cleaned_curve, cleaned_at_risk, warnings)``; every change is described in ``warnings``.
        ``cleaned_curve.attrs["time_noise"]`` is the estimated standard deviation of one click's
        time (see :func:`click_time_noise`), 0 when it cannot be estimated.
    """
    import pandas as pd

    for frame, columns in ((curve, CURVE_COLUMNS), (at_risk, AT_RISK_COLUMNS)):
        if frame is not None and not set(columns) <= set(frame.columns):
            found = ", ".join(map(str, frame.columns))
            what = "curve" if columns == CURVE_COLUMNS else "at-risk table"
            raise InputError(f"the {what} needs columns '{columns[0]}' and '{columns[1]}', found {found}")
    table = (
        None
        if at_risk is None
        else tuple(pd.to_numeric(at_risk[c], errors="coerce").to_numpy(float) for c in AT_RISK_COLUMNS)
    )
    t, s = (pd.to_numeric(curve[c], errors="coerce").to_numpy(dtype=float) for c in CURVE_COLUMNS)
    clean = clean_arrays(t, s, table)
    cleaned = pd.DataFrame({"time": clean.time, "survival": clean.survival})
    cleaned.attrs["time_noise"] = clean.time_noise
    frame = None if clean.table is None else pd.DataFrame({"time": clean.table[0], "n_at_risk": clean.table[1]})
    return cleaned, frame, clean.warnings
