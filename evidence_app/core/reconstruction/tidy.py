"""The one cleaning step every digitized curve goes through before it is used or saved.

The import wizard, the digitizer and the ``reconstruct`` command all call :func:`tidy_points`:

* a 0–100 % survival scale is detected (largest value above 1.5) and divided by 100;
* points slightly outside the axes — what clicking near an axis gives — are clipped onto them when
  they are within a stated tolerance (:data:`SURVIVAL_TOLERANCE`, :data:`TIME_TOLERANCE`);
* points clicked out of order are sorted by time (at one time, from the top of a drop down);
* every remaining problem (a point far outside the axes, too few points) is listed at once, each
  with its row, in one :class:`~evidence_app.errors.InputError`.

Each change is described in a plain-language note, so what was done to the data is never hidden.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from evidence_app.core.reconstruction.csv_readers import raise_problems
from evidence_app.errors import Problem

if TYPE_CHECKING:
    import pandas as pd

#: Survival values this far outside 0–1 (on the 0–1 scale; 2 percentage points) are clipped, not refused.
SURVIVAL_TOLERANCE = 0.02
#: Times this far below 0, as a fraction of the curve's last time, are clipped to 0, not refused.
TIME_TOLERANCE = 0.02
#: A largest survival above this means the curve is in percent.
PERCENT_THRESHOLD = 1.5


@dataclass(frozen=True)
class TidyCurve:
    """A curve ready to use: points sorted by time within the axes, and what was changed."""

    points: list[tuple[float, float]]
    notes: list[str] = field(default_factory=list)
    percent: bool = False

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.points, columns=["time", "survival"], dtype=float)


def tidy_points(
    points: Sequence[tuple[float, float]],
    *,
    rows: Sequence[str] | None = None,
    file: str | None = None,
    curve: str = "the curve",
    percent: bool | None = None,
) -> TidyCurve:
    """Scale, clip within tolerance and sort digitized ``(time, survival)`` points.

    Parameters
    ----------
    points
        Finite ``(time, survival)`` pairs in click order.
    rows
        Where each point came from (e.g. ``"row 5"``), for the messages; ``"point i"`` when None.
    file
        The file the points came from, for the messages.
    curve
        The curve's name, for the messages.
    percent
        True: survival is in percent; False: a fraction; None: decide from the largest value.

    Raises
    ------
    InputError
        Listing every point outside the tolerance (and a curve with fewer than two points).
    """
    where = list(rows) if rows is not None else [f"point {i + 1}" for i in range(len(points))]
    times = [float(t) for t, _ in points]
    surv = [float(s) for _, s in points]
    notes: list[str] = []
    largest = max(surv, default=0.0)
    if percent is None:
        percent = largest > PERCENT_THRESHOLD
        if percent:
            notes.append(f"Survival of {curve} is on a 0–100 % scale (largest value {largest:g}); divided by 100.")
    problems: list[Problem] = []
    if percent:
        surv = [s / 100.0 for s in surv]
        if surv and largest <= 1.0:
            message = (
                f"{curve}: survival was declared in percent (0–100) but no value is above 1 (largest {largest:g}): "
                "the values are already fractions (0–1); do not declare percent"
            )
            problems.append(Problem(message, file, "column 'survival'"))
    if len(points) < 2:
        problems.append(Problem(f"{curve} has {len(points)} point(s); expected at least 2", file))
    t_tol = TIME_TOLERANCE * max((abs(t) for t in times), default=0.0)
    scale, unit = (100.0, " %") if percent else (1.0, "")
    s_tol = SURVIVAL_TOLERANCE * scale
    clipped_t = [t for t in times if -t_tol <= t < 0]
    clipped_s = [s * scale for s in surv if (-SURVIVAL_TOLERANCE <= s < 0) or (1 < s <= 1 + SURVIVAL_TOLERANCE)]
    for i, (t, s) in enumerate(zip(times, surv)):
        if t < -t_tol:
            problems.append(
                Problem(
                    f"{curve}: time {t:g} is below 0 by more than the tolerance of {t_tol:.3g} "
                    f"({TIME_TOLERANCE:.0%} of the time axis)",
                    file,
                    where[i],
                )
            )
        if not -SURVIVAL_TOLERANCE <= s <= 1 + SURVIVAL_TOLERANCE:
            hint = "" if percent else " (if the axis is in percent, every value should be; check the column)"
            problems.append(
                Problem(
                    f"{curve}: survival {s * scale:g}{unit} is outside 0–{scale:g}{unit} by more than the "
                    f"tolerance of {s_tol:g}{unit}{hint}",
                    file,
                    where[i],
                )
            )
    raise_problems(problems, file, curve)
    if clipped_t:
        notes.append(
            f"Set {len(clipped_t)} time(s) slightly below 0 in {curve} (smallest {min(clipped_t):g}) to 0: "
            f"within the tolerance of {t_tol:.3g} ({TIME_TOLERANCE:.0%} of the time axis)."
        )
    if clipped_s:
        notes.append(
            f"Clipped {len(clipped_s)} survival value(s) slightly outside 0–{scale:g}{unit} in {curve} "
            f"({', '.join(f'{s:g}' for s in clipped_s[:3])}{'…' if len(clipped_s) > 3 else ''}) onto the axis: "
            f"within the tolerance of {s_tol:g}{unit}."
        )
    tidy = [(max(t, 0.0), min(max(s, 0.0), 1.0)) for t, s in zip(times, surv)]
    ordered = sorted(tidy, key=lambda p: (p[0], -p[1]))
    moved = sum(a != b for a, b in zip(ordered, tidy))
    if moved:
        notes.append(f"Sorted {moved} point(s) of {curve} clicked out of order by time.")
    return TidyCurve(ordered, notes, percent)
