"""Accuracy and speed of reading Kaplan–Meier figures from vector PDFs with no clicks.

The corpus of ``tests/pdf_corpus.py`` (journal styles: survminer-like risk table, NEJM-like, Lancet
-like, greyscale dashed; y in percent; censor marks on and off; two panels per page; crossing curves;
long tails; Type 3 and TrueType fonts; matplotlib's path simplification on one style) is drawn from
simulated patients; with ``--kmdata N`` also from the patient-level data of the first N development
cases in ``/work/shared/validation/kmdata-dev`` (when present). Every page is read by
``read_vector_figures`` and compared with what drew it:

* **calibration**: error of the axis values at the frame edges, % of the axis range (target 0.1%);
* **sup-error**: KM sup distance between the curve read and the plotted step function, a drop
  counted as matched within 0.05% of the x range (target 0.002); ``strict`` without that slack;
* **at-risk exact**: every time and count of the table read exactly; **arms**: each curve's label
  and at-risk row belong to the same drawn arm;
* **censor marks**: marks found / drawn (pages with marks);
* **|Δ log HR|**: Cox log hazard ratio (each arm vs the first) of ``reconstruct_ipd`` output vs the
  patients that drew the figure (target median ≤ 0.005);
* **time per page** (goal ≤ 1 s), and with ``--compare-pdfplumber DIR`` the time pdfplumber takes to
  read the same pages' lines and words (DIR: where it is installed, e.g. ``pip install --target``).

Run: ``python benchmarks/vector_pdf_accuracy.py [--seeds 2] [--kmdata 20]``. Needs matplotlib and
lifelines (the renderer and the reference).
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import sys
import tempfile
import time as clock
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evidence_app.core.digitize.vector_figure import VectorFigure, read_vector_figures
from evidence_app.core.reconstruction.reconstruct import reconstruct_ipd
from tests.pdf_corpus import (
    STYLES,
    CorpusPage,
    DrawnFigure,
    PageSpec,
    arms_from_data,
    default_specs,
    draw_arms,
    draw_page,
)

KMDATA = Path("/work/shared/validation/kmdata-dev")


def step_at(t: np.ndarray, s: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Right-continuous step function through corners (t, s) (t non-decreasing), 1 before t[0]."""
    return np.r_[1.0, s][np.searchsorted(t, x, side="right")]


def sup_error(t_read: np.ndarray, s_read: np.ndarray, t_true: np.ndarray, s_true: np.ndarray, slack: float) -> float:
    """Largest vertical distance, a difference counting only if no point of the other curve within
    ``slack`` in time matches it; evaluated on every corner of both curves and between them."""
    end = min(t_read[-1], t_true[-1])
    xs = np.unique(np.r_[t_read, t_true, 0.5 * (t_read[1:] + t_read[:-1])])
    xs = np.r_[xs, xs - 1e-9, xs + 1e-9]
    xs = xs[(xs >= 0) & (xs <= end)]
    read = step_at(t_read, s_read, xs)
    lo, hi = step_at(t_true, s_true, xs + slack), step_at(t_true, s_true, xs - slack)
    err = np.maximum(0.0, np.maximum(read - hi, lo - read))
    return float(err.max(initial=0.0))


def log_hrs(arms: list[tuple[np.ndarray, np.ndarray]]) -> list[float]:
    """Cox log hazard ratio of each arm vs the first."""
    from lifelines import CoxPHFitter

    out = []
    for time, event in arms[1:]:
        t0, e0 = arms[0]
        frame = pd.DataFrame(
            {"time": np.r_[t0, time], "event": np.r_[e0, event], "arm": np.r_[np.zeros(len(t0)), np.ones(len(time))]}
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out.append(float(CoxPHFitter().fit(frame, "time", "event").params_["arm"]))
    return out


def reconstruct(figure: VectorFigure, curve_index: int) -> tuple[np.ndarray, np.ndarray] | None:
    curve = figure.curves[curve_index]
    table = figure.at_risk_of(curve)
    if table is None:
        return None
    at_risk = pd.DataFrame({"time": table[0], "n_at_risk": table[1]})
    at_risk = at_risk[at_risk["time"] <= curve.time[-1]]
    kwargs: dict[str, Any] = {}
    if "censor_times" in inspect.signature(reconstruct_ipd).parameters and len(curve.censor_times):
        kwargs["censor_times"] = curve.censor_times
    arm = reconstruct_ipd(pd.DataFrame({"time": curve.time, "survival": curve.survival}), at_risk, **kwargs)
    return np.asarray(arm.time), np.asarray(arm.event)


def score(figure: VectorFigure, truth: DrawnFigure) -> dict[str, float | bool | None]:
    x_range = truth.x_limits[1] - truth.x_limits[0]
    y_top = truth.y_limits[1] / (100.0 if truth.percent else 1.0)
    frame = figure.frame
    x_ends = (float(figure.x_axis.value(frame.x0)), float(figure.x_axis.value(frame.x1)))
    y_ends = (float(figure.y_axis.value(frame.y0)), float(figure.y_axis.value(frame.y1)))
    cal_x = max(abs(x_ends[0] - truth.x_limits[0]), abs(x_ends[1] - truth.x_limits[1]))
    cal_y = max(abs(y_ends[0]), abs(y_ends[1] - y_top)) / y_top
    by_label = {arm.label: arm for arm in truth.arms}
    sups, stricts, arms_ok, at_risk_ok, marks = [], [], True, True, [0, 0]
    order = []
    for i, curve in enumerate(figure.curves):
        arm = by_label.get(curve.label)
        if arm is None or arm.colour.lower() != curve.colour.lower():
            arms_ok = False
            continue
        order.append((i, arm))
        t_true, s_true = np.r_[arm.step_t, arm.time.max()], np.r_[arm.step_s, arm.step_s[-1]]
        sups.append(sup_error(curve.time, curve.survival, t_true, s_true, 0.0005 * x_range))
        stricts.append(sup_error(curve.time, curve.survival, t_true, s_true, 0.0))
        table = figure.at_risk_of(curve)
        if table is None or tuple(table[1]) != arm.at_risk or tuple(table[0]) != truth.x_ticks:
            at_risk_ok = False
        if truth.censor_marks:
            shown = arm.censor_times[arm.censor_times <= truth.x_limits[1]]
            marks[0] += len(curve.censor_times)
            marks[1] += len(shown)
    arms_ok = arms_ok and len(order) == len(truth.arms)
    at_risk_ok = at_risk_ok and len(order) == len(truth.arms)
    d_hr = None
    if arms_ok and at_risk_ok:
        rebuilt = [reconstruct(figure, i) for i, _ in order]
        if all(r is not None for r in rebuilt):
            true_hr = log_hrs([(arm.time, arm.event) for _, arm in order])
            new_hr = log_hrs([r for r in rebuilt if r is not None])
            d_hr = float(np.median(np.abs(np.subtract(new_hr, true_hr))))
    return {
        "cal": 100 * max(cal_x / x_range, cal_y),
        "sup": max(sups, default=np.nan),
        "strict": max(stricts, default=np.nan),
        "at_risk": at_risk_ok,
        "arms": arms_ok,
        "marks_found": marks[0],
        "marks_drawn": marks[1],
        "dhr": d_hr,
    }


def kmdata_pages(folder: Path, count: int) -> list[CorpusPage]:
    pages = []
    for k, case in enumerate(sorted(p for p in KMDATA.iterdir() if p.is_dir())[:count]):
        data = []
        for truth in sorted(case.glob("*.truth.csv")):
            frame = pd.read_csv(truth)
            data.append(
                (
                    truth.name.split(".")[0].replace("_", " "),
                    frame["time"].to_numpy(float),
                    frame["event"].to_numpy(int),
                )
            )
        if len(data) < 2:
            continue
        style = STYLES[k % len(STYLES)]
        spec = PageSpec(style, k, percent=k % 3 == 1, censor_marks=k % 2 == 0)
        arms = arms_from_data(style, data[:3])
        pages.append(draw_arms(spec, [arms], folder / f"kmdata_{case.name}.pdf"))
        pages[-1].name = f"kmdata {case.name} ({style})"
    return pages


def plumber_time(path: Path) -> float:
    pdfplumber = importlib.import_module("pdfplumber")  # optional: only with --compare-pdfplumber
    start = clock.perf_counter()
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        page.lines, page.curves, page.rects, page.extract_words()
    return clock.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=2, help="simulated pages: 9 per seed")
    parser.add_argument("--kmdata", type=int, default=0, help="also draw the first N kmdata development cases")
    parser.add_argument("--compare-pdfplumber", metavar="DIR", help="time pdfplumber (installed in DIR) too")
    parser.add_argument("--json", metavar="FILE", help="write the per-figure rows as JSON")
    args = parser.parse_args()
    if args.compare_pdfplumber:
        sys.path.insert(0, args.compare_pdfplumber)
    rows, times, plumber = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pages = [draw_page(spec, folder / f"{spec.name}.pdf") for spec in default_specs(args.seeds)]
        if args.kmdata and KMDATA.is_dir():
            pages += kmdata_pages(folder, args.kmdata)
        read_vector_figures(pages[0].path, 1)  # imports and PDFium start-up, not counted
        for page in pages:
            start = clock.perf_counter()
            result = read_vector_figures(page.path, 1)[0]
            times.append(clock.perf_counter() - start)
            if args.compare_pdfplumber:
                plumber.append(plumber_time(page.path))
            found = sorted(result.figures, key=lambda f: f.frame.x0)
            if len(found) != len(page.figures):
                rows.append({"page": page.name, "figures": f"{len(found)}/{len(page.figures)}", "arms": False})
                continue
            for k, (figure, truth) in enumerate(zip(found, page.figures)):
                name = page.name + (f" [{k + 1}]" if len(found) > 1 else "")
                rows.append({"page": name, **score(figure, truth), "s/page": times[-1]})
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_rows", 500, "display.float_format", "{:.2e}".format):
        print(table.to_string(index=False))
    dhr = table["dhr"].dropna() if "dhr" in table else pd.Series(dtype=float)
    marks_drawn = table["marks_drawn"].sum()
    print(f"\n{len(pages)} pages, {len(table)} figures")
    print(f"axis calibration error, % of range: max {table['cal'].max():.2e} (target 0.1)")
    print(
        f"KM sup-error vs plotted step function: median {table['sup'].median():.2e}, max {table['sup'].max():.2e}"
        f" (target 0.002); strict max {table['strict'].max():.2e}"
    )
    print(f"numbers at risk read exactly: {int(table['at_risk'].sum())}/{len(table)}")
    print(f"arms matched correctly: {int(table['arms'].sum())}/{len(table)}")
    print(f"censor marks found/drawn: {int(table['marks_found'].sum())}/{int(marks_drawn)}")
    print(
        f"|Δ log HR| reconstructed vs drawing data: median {dhr.median():.4f}, 90th pct {dhr.quantile(0.9):.4f}, "
        f"max {dhr.max():.4f} over {len(dhr)} figures (target median 0.005)"
    )
    print(f"time per page: median {np.median(times):.3f} s, max {np.max(times):.3f} s (goal 1 s)")
    if plumber:
        print(
            f"pdfplumber, lines+curves+words of the same pages: median {np.median(plumber):.3f} s, "
            f"max {np.max(plumber):.3f} s"
        )
    if args.json:
        Path(args.json).write_text(table.to_json(orient="records", indent=1))
        print(json.dumps({"wrote": args.json}))


if __name__ == "__main__":
    main()
