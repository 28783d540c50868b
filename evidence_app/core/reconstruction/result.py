"""The result of a reconstruction: patient-level data of one arm with its warnings and diagnostics.

``pandas`` is imported only to produce or accept data frames, so reconstructing from arrays stays light.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from evidence_app.core.reconstruction.km import km_steps
from evidence_app.errors import InputError

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class ReconstructionDiagnostics:
    """How well a reconstruction reproduces what was published.

    Attributes
    ----------
    max_gap, mean_gap
        Largest and mean vertical distance, reconstructed KM vs cleaned digitized curve, at its points.
    at_risk
        ``(time, published, reconstructed)`` for every printed time of the at-risk table.
    events, reported_events
        Events in the reconstruction, and the reported total when known.
    """

    max_gap: float
    mean_gap: float
    at_risk: tuple[tuple[float, int, int], ...]
    events: int
    reported_events: int | None


@dataclass(frozen=True, eq=False)
class ReconstructedArm:
    """Reconstructed patient-level data of one arm: one row per patient."""

    time: np.ndarray
    event: np.ndarray
    warnings: tuple[str, ...]
    diagnostics: ReconstructionDiagnostics
    method: str
    algorithm_version: str
    approximation: str | None = None

    @property
    def n_patients(self) -> int:
        return int(len(self.time))

    @property
    def n_events(self) -> int:
        return int(self.event.sum())

    def to_frame(self) -> pd.DataFrame:
        """Columns ``time`` and ``event`` (1 = event, 0 = censored), sorted by time."""
        import pandas as pd

        return pd.DataFrame({"time": self.time, "event": self.event.astype(int)})

    def to_csv(self) -> str:
        """``time,event`` CSV text (what :meth:`to_frame` writes with pandas, without importing it)."""
        lines = ["time,event"] + [f"{t!r},{int(e)}" for t, e in zip(self.time.tolist(), self.event.tolist())]
        return "\n".join(lines) + "\n"


def as_frame(data: pd.DataFrame | np.ndarray, columns: tuple[str, str]) -> pd.DataFrame:
    """Accept a frame with the named columns or a ``(k, 2)`` array."""
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return data
    return pd.DataFrame(np.column_stack(as_arrays(data, columns)), columns=list(columns))


def as_arrays(data: Any, columns: tuple[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """The two named columns of a data frame, or the two columns of a ``(k, 2)`` array, as float arrays.

    Non-numeric cells of a frame become NaN (the cleaning reports and drops them).
    """
    if hasattr(data, "columns"):
        if not set(columns) <= set(data.columns):
            found = ", ".join(map(str, data.columns))
            raise InputError(f"expected columns '{columns[0]}' and '{columns[1]}', found {found}")
        return tuple(_numeric(data[c]) for c in columns)  # type: ignore[return-value]
    array = np.asarray(data, dtype=float)
    if array.ndim != 2 or array.shape[1] != 2:
        raise InputError(f"expected two columns ({','.join(columns)}), got an array of shape {array.shape}")
    return array[:, 0].copy(), array[:, 1].copy()


def _numeric(column: Any) -> np.ndarray:
    try:
        return np.asarray(column, dtype=float)
    except (TypeError, ValueError):
        import pandas as pd

        return np.asarray(pd.to_numeric(column, errors="coerce"), dtype=float)


def build_arm(
    time: np.ndarray,
    event: np.ndarray,
    curve: pd.DataFrame | tuple[np.ndarray, np.ndarray],
    table: pd.DataFrame | tuple[np.ndarray, np.ndarray] | None,
    reported_events: int | None,
    warnings: list[str],
    method: str,
    version: str,
    approximation: str | None = None,
) -> ReconstructedArm:
    """Sort patients, compute diagnostics against the curve and table, and freeze the result."""
    order = np.lexsort((np.asarray(event) == 0, time))
    time, event = np.asarray(time, float)[order], np.asarray(event, np.int8)[order]
    # Distance from each digitized point to the KM's step, whose vertical part at t spans S(t) to S(t-).
    ct, cs = curve if isinstance(curve, tuple) else as_arrays(curve, ("time", "survival"))
    et, es = km_steps(time, event)
    after, before = np.r_[1.0, es][np.searchsorted(et, ct, "right")], np.r_[1.0, es][np.searchsorted(et, ct, "left")]
    gap = np.maximum(np.maximum(after - cs, cs - before), 0.0)
    rows: tuple[tuple[float, int, int], ...] = ()
    if table is not None:
        tt, nn_f = table if isinstance(table, tuple) else as_arrays(table, ("time", "n_at_risk"))
        nn = nn_f.astype(int)
        rebuilt = len(time) - np.searchsorted(time, np.asarray(tt, float), side="left")
        rows = tuple((float(a), int(b), int(c)) for a, b, c in zip(tt.tolist(), nn.tolist(), rebuilt.tolist()))
    diag = ReconstructionDiagnostics(
        float(gap.max(initial=0.0)), float(gap.mean()) if len(gap) else 0.0, rows, int(event.sum()), reported_events
    )
    time.setflags(write=False)
    event.setflags(write=False)
    return ReconstructedArm(time, event, tuple(warnings), diag, method, version, approximation)
