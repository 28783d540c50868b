"""Known survival data and the Kaplan–Meier figures drawn from it, shared by the digitizer tests
(image, PDF, CLI and GUI); this module holds no tests itself.
"""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

BLUE, ORANGE = "#1f77b4", "#ff7f0e"
#: Patients per simulated arm.
N = 120
#: The figure's x ticks (months).
TIMES = (0, 6, 12, 18, 24)
#: The figure's size: 6 x 4 inches, so 600 x 400 pixels at 100 dpi and 1800 x 1200 at 300 dpi.
KM_SIZE_IN = (6.0, 4.0)


def simulate(seed: int, hazard: float, n: int = N, horizon: float = 24.0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` exponential survival times, censored uniformly from 6 months and at ``horizon``: (time, event)."""
    rng = np.random.default_rng(seed)
    t = rng.exponential(1 / hazard, n)
    c = np.minimum(rng.uniform(6, 30, n), horizon)
    return np.round(np.minimum(t, c), 2) + 0.01, (t <= c).astype(int)


def two_arms() -> list[tuple[np.ndarray, np.ndarray]]:
    """The blue and orange arms the digitizer tests draw (hazards 0.06 and 0.035 per month)."""
    return [simulate(1, 0.06), simulate(2, 0.035)]


def km_steps(time: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Kaplan–Meier curve of ``(time, event)`` as step corners (time, survival)."""
    times = np.unique(time[event == 1])
    factors = [1 - ((time == u) & (event == 1)).sum() / (time >= u).sum() for u in times]
    return np.r_[0.0, times], np.r_[1.0, np.cumprod(factors)]


def survival_at(t: np.ndarray, s: np.ndarray, x: float) -> float:
    """The step function (t, s) at ``x``."""
    return float(s[np.searchsorted(t, x, side="right") - 1])


def km_figure(arms: list[tuple[np.ndarray, np.ndarray]], dpi: float = 100) -> Figure:
    """A KM figure of the arms (blue, orange), x 0..24 months with ticks ``TIMES``, y 0..1."""
    fig = Figure(figsize=KM_SIZE_IN, dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for (time, event), color in zip(arms, (BLUE, ORANGE)):
        t, s = km_steps(time, event)
        ax.step(np.r_[t, time.max()], np.r_[s, s[-1]], where="post", color=color, lw=1.5)
    ax.set_xlim(0, 24)
    ax.set_ylim(0, 1)
    ax.set_xticks(TIMES)
    ax.set_xlabel("Months")
    return fig
