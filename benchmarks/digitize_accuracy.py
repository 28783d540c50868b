"""Accuracy of the figure digitizer, end to end, on Kaplan-Meier figures of known data.

For every style, trials are simulated (2 or 3 arms, exponential or Weibull times, staggered
entry censoring), drawn as a KM figure in that style, digitised with automatic frame and
colour detection and the known axis ranges, and reconstructed with the true numbers-at-risk
table (``reconstruct_ipd``). Reported per style, as median and 90th percentile over cases:

* **sup-err**: the largest vertical distance between the digitised and the true KM curve,
  where a vertical difference counts only if no point of the other curve within 2 pixels
  horizontally matches it (a drop cannot be placed more finely than the line it is drawn
  with); ``strict`` is the plain sup distance, reported for reference.
* **|dlogHR|**: absolute difference between the Cox log hazard ratio (each arm vs the first)
  on the reconstructed and on the true patient data.
* **floor**: the same for a reconstruction from the exact true KM curve (a perfect
  digitizer): the part of |dlogHR| due to reconstruction itself, not to digitising.

Run: ``python benchmarks/digitize_accuracy.py [--cases 20] [--styles default,jpeg]``.
Needs matplotlib and lifelines (the benchmark's renderer and reference; the app's core uses
neither).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time as clock
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from scipy.ndimage import maximum_filter1d, minimum_filter1d

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evidence_app.core.digitize.colors import parse_color
from evidence_app.core.digitize.extract import digitize_figure
from evidence_app.core.digitize.load import load_figure
from evidence_app.core.reconstruction.reconstruct import reconstruct_ipd
from evidence_app.errors import EvidenceError

TAB = ["#1f77b4", "#ff7f0e", "#2ca02c"]


@dataclass(frozen=True)
class Style:
    """How a figure is drawn."""

    name: str
    colors: tuple[str, ...] = tuple(TAB)
    linestyles: tuple[str, ...] = ("-", "-", "-")
    linewidth: float = 1.5
    figsize: tuple[float, float] = (6.4, 4.8)
    dpi: int = 100
    arms: int = 2
    censor_marker: str | None = None
    grid: bool = False
    boxed: bool = True
    jpeg_quality: int | None = None
    hr_range: tuple[float, float] = (0.45, 0.9)
    y_top: float = 1.0
    extra: dict[str, object] = field(default_factory=dict)


STYLES = [
    Style("default"),
    Style(
        "journal-bw",
        colors=("#000000", "#808080"),
        linestyles=("-", "--"),
        linewidth=1.0,
        figsize=(3.5, 2.6),
        dpi=300,
        censor_marker="+",
        boxed=False,
    ),
    Style("thick", linewidth=3.5),
    Style("grid", grid=True),
    Style("censor-ticks", censor_marker="|"),
    Style("overlapping", hr_range=(0.9, 1.1)),
    Style("3-arms", arms=3),
    Style("jpeg", jpeg_quality=75),
    Style("small-72dpi", figsize=(4.0, 3.0), dpi=72, y_top=1.05),
]


@dataclass
class Trial:
    """True patient data of every arm, and the axis used to draw them."""

    arms: list[tuple[np.ndarray, np.ndarray]]
    x_max: float
    tick: float


def simulate_trial(rng: np.random.Generator, n_arms: int, hr_range: tuple[float, float]) -> Trial:
    """Random trial: 80-300 patients per arm, median survival 8-30 months, accrual + follow-up censoring."""
    median = rng.uniform(8, 30)
    shape = rng.choice([1.0, 0.8, 1.3])
    accrual, follow_up = rng.uniform(12, 30), rng.uniform(12, 36)
    arms = []
    for k in range(n_arms):
        hr = 1.0 if k == 0 else rng.uniform(*hr_range)
        n = int(rng.integers(80, 301))
        scale = median / np.log(2) ** (1 / shape) / hr ** (1 / shape)
        t = scale * rng.weibull(shape, n)
        c = accrual + follow_up - rng.uniform(0, accrual, n)
        c = np.minimum(c, np.where(rng.random(n) < 0.1, rng.uniform(0, c), c))  # some drop-out
        time, event = np.round(np.minimum(t, c), 3), (t <= c).astype(int)
        arms.append((np.maximum(time, 0.01), event))
    last = max(a[0].max() for a in arms)
    tick = 6.0 if last <= 60 else 12.0
    return Trial(arms, float(np.ceil(last / tick) * tick), tick)


def km(time: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan-Meier step vertices (times of drops with 0 first) and survival after each."""
    times = np.unique(time[event == 1])
    at_risk = np.array([(time >= u).sum() for u in times])
    deaths = np.array([((time == u) & (event == 1)).sum() for u in times])
    return np.r_[0.0, times], np.r_[1.0, np.cumprod(1 - deaths / at_risk)]


def render(trial: Trial, style: Style, path: Path) -> None:
    """Draw the trial's KM curves in ``style`` (object-oriented matplotlib, Agg)."""
    fig = Figure(figsize=style.figsize, dpi=style.dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for k, (time, event) in enumerate(trial.arms):
        t, s = km(time, event)
        color, ls = style.colors[k], style.linestyles[k]
        ax.step(
            np.r_[t, time.max()],
            np.r_[s, s[-1]],
            where="post",
            color=color,
            lw=style.linewidth,
            ls=ls,
            label=f"Arm {'ABC'[k]}",
        )
        if style.censor_marker:
            ct = time[event == 0]
            ax.plot(
                ct,
                s[np.searchsorted(t, ct, side="right") - 1],
                style.censor_marker,
                color=color,
                ms=4 if style.dpi > 150 else 7,
                mew=style.linewidth,
            )
    ax.set_xlim(0, trial.x_max)
    ax.set_ylim(0, style.y_top)
    ax.set_xticks(np.arange(0, trial.x_max + 1e-9, trial.tick))
    ax.set_xlabel("Months since randomisation")
    ax.set_ylabel("Overall survival")
    if style.grid:
        ax.grid(True)
    if not style.boxed:
        ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="lower left" if style.name == "journal-bw" else "upper right", frameon=style.boxed)
    fig.tight_layout()
    if style.jpeg_quality:
        fig.savefig(path, format="jpeg", pil_kwargs={"quality": style.jpeg_quality})
    else:
        fig.savefig(path, format="png")


def sup_errors(
    curve_t: np.ndarray, curve_s: np.ndarray, time: np.ndarray, event: np.ndarray, delta: float
) -> tuple[float, float]:
    """(sup-error with ``delta`` horizontal tolerance, strict sup-error) over the true follow-up."""
    grid = np.linspace(0, time.max(), 8000)
    tt, ts = km(time, event)
    true = ts[np.searchsorted(tt, grid, side="right") - 1]
    est = curve_s[np.clip(np.searchsorted(curve_t, grid, side="right") - 1, 0, None)]
    w = 2 * max(1, int(round(delta / (grid[1] - grid[0])))) + 1

    def one_way(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        lo, hi = minimum_filter1d(b, w, mode="nearest"), maximum_filter1d(b, w, mode="nearest")
        return np.maximum(np.maximum(lo - a, a - hi), 0)

    tolerant = np.maximum(one_way(true, est), one_way(est, true)).max()
    return float(tolerant), float(np.abs(true - est).max())


def log_hrs(arms: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Cox log hazard ratio of every arm against the first."""
    frames = [pd.DataFrame({"T": t, "E": e, "arm": k}) for k, (t, e) in enumerate(arms)]
    data = pd.concat(frames, ignore_index=True)
    for k in range(1, len(arms)):
        data[f"arm{k}"] = (data["arm"] == k).astype(float)
    fitter = CoxPHFitter().fit(data.drop(columns="arm"), "T", "E")
    return fitter.params_.to_numpy()


def match_curves(curves: tuple, colors: tuple[str, ...]) -> list | None:
    """The detected curve drawn in each colour (greedy nearest colour; JPEG shifts colours)."""
    pairs = sorted(
        (float(np.linalg.norm(parse_color(c.color) - parse_color(want))), i, k)
        for i, c in enumerate(curves)
        for k, want in enumerate(colors)
    )
    chosen: dict[int, int] = {}
    for dist, i, k in pairs:
        if dist < 150 and k not in chosen and i not in chosen.values():
            chosen[k] = i
    return [curves[chosen[k]] for k in range(len(colors))] if len(chosen) == len(colors) else None


def run_case(style: Style, seed: int, folder: Path) -> dict[str, object]:
    """Simulate, draw, digitise, reconstruct and compare one trial."""
    rng = np.random.default_rng(seed)
    trial = simulate_trial(rng, style.arms, style.hr_range)
    path = folder / f"{style.name}_{seed}.{'jpg' if style.jpeg_quality else 'png'}"
    render(trial, style, path)
    try:
        result = digitize_figure(load_figure(path), (0.0, trial.x_max), (0.0, style.y_top))
    except EvidenceError as exc:
        return {"failed": str(exc)}
    delta = 2 * abs(result.calibration.x_per_px)
    matched = match_curves(result.curves, style.colors[: len(trial.arms)])
    if matched is None:
        return {
            "failed": f"colours {style.colors[: len(trial.arms)]} not all detected "
            f"(found {[c.color for c in result.curves]})"
        }
    sups, stricts, rebuilt, floor = [], [], [], []
    for curve, (time, event) in zip(matched, trial.arms):
        sup, strict = sup_errors(curve.time, curve.survival, time, event, delta)
        sups.append(sup)
        stricts.append(strict)
        ticks = np.arange(0, trial.x_max + 1e-9, trial.tick)
        table = pd.DataFrame({"time": ticks, "n_at_risk": [(time >= t).sum() for t in ticks]})
        table = table[table["n_at_risk"] > 0]
        arm = reconstruct_ipd(curve.to_frame(), at_risk=table)
        rebuilt.append((arm.time, arm.event))
        exact = reconstruct_ipd(exact_curve(time, event), at_risk=table)
        floor.append((exact.time, exact.event))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        truth = log_hrs(trial.arms)
        d_log_hr = np.abs(log_hrs(rebuilt) - truth)
        d_floor = np.abs(log_hrs(floor) - truth)
    return {"sup": sups, "strict": stricts, "dloghr": d_log_hr.tolist(), "floor": d_floor.tolist()}


def exact_curve(time: np.ndarray, event: np.ndarray) -> pd.DataFrame:
    """The true KM curve as step vertices (both ends of every drop), as a perfect digitizer would give."""
    t, s = km(time, event)
    return pd.DataFrame(
        {"time": np.r_[np.repeat(t, 2)[1:], time.max()], "survival": np.r_[np.repeat(s, 2)[:-1], s[-1]]}
    )


def summarise(style: Style, cases: list[dict[str, object]]) -> str:
    """One table row: median and 90th percentile of each metric over the style's cases."""
    ok = [c for c in cases if "failed" not in c]
    pool = {
        key: np.concatenate([np.asarray(c[key], dtype=float) for c in ok]) if ok else np.array([np.nan])
        for key in ("sup", "strict", "dloghr", "floor")
    }
    q = {key: (np.median(v), np.percentile(v, 90)) for key, v in pool.items()}
    return (
        f"{style.name:<14}{len(ok):>3}/{len(cases):<3}"
        f"{q['sup'][0]:>9.4f}{q['sup'][1]:>9.4f}{q['strict'][0]:>9.4f}{q['strict'][1]:>9.4f}"
        f"{q['dloghr'][0]:>10.4f}{q['dloghr'][1]:>9.4f}{q['floor'][0]:>9.4f}{q['floor'][1]:>9.4f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20, help="trials per style")
    parser.add_argument("--styles", default="all", help="comma-separated style names")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--keep", type=Path, help="keep the figures in this folder")
    args = parser.parse_args(argv)
    chosen = STYLES if args.styles == "all" else [s for s in STYLES if s.name in args.styles.split(",")]
    print(
        f"{'style':<14}{'ok':>7}{'sup-err':>9}{'p90':>9}{'strict':>9}{'p90':>9}{'|dlogHR|':>10}{'p90':>9}"
        f"{'floor':>9}{'p90':>9}"
    )
    print(f"{'':<21}{'(median and 90th percentile over curves / hazard ratios)':>73}")
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for style in chosen:
            started = clock.perf_counter()
            cases = [run_case(style, args.seed + i, folder) for i in range(args.cases)]
            print(summarise(style, cases), f"  {clock.perf_counter() - started:5.1f}s", flush=True)
            failures += [
                f"{style.name} seed {args.seed + i}: {c['failed']}" for i, c in enumerate(cases) if "failed" in c
            ]
    for line in failures:
        print("FAILED", line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
