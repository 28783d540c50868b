"""Reading Kaplan–Meier figures from the vector objects of a PDF page (no clicks): calibration,
curves, censor marks, numbers at risk, arm matching, several panels per page, and bad pages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from evidence_app.core.digitize.vector_axes import parse_number
from evidence_app.core.digitize.vector_curves import is_staircase
from evidence_app.core.digitize.vector_figure import VectorFigure, read_vector_figures
from evidence_app.core.digitize.vector_table import count_value
from tests.pdf_corpus import CorpusPage, DrawnArm, DrawnFigure, PageSpec, draw_page

SPECS = {
    "survminer": PageSpec("survminer", 1),
    "nejm": PageSpec("nejm", 2, censor_marks=False),
    "lancet_pct": PageSpec("lancet", 3, percent=True),
    "grey_3arms": PageSpec("grey", 4, arms=3, fonttype=42),
    "two_panels": PageSpec("lancet", 5, panels=2),
    "crossing_tail": PageSpec("nejm", 6, crossing=True, long_tail=True, percent=True),
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CorpusPage]:
    folder = tmp_path_factory.mktemp("vector_corpus")
    return {name: draw_page(spec, folder / f"{name}.pdf") for name, spec in SPECS.items()}


def step_at(t: np.ndarray, s: np.ndarray, x: np.ndarray) -> np.ndarray:
    return np.r_[1.0, s][np.searchsorted(t, x, side="right")]


def sup_distance(figure_t: np.ndarray, figure_s: np.ndarray, arm: DrawnArm, slack: float) -> float:
    """KM sup distance, read curve vs the drawn step function, a drop matched within ``slack`` in time."""
    true_t, true_s = np.r_[arm.step_t, arm.time.max()], np.r_[arm.step_s, arm.step_s[-1]]
    xs = np.unique(np.r_[figure_t, true_t])
    xs = np.r_[xs - 1e-9, xs + 1e-9]
    xs = xs[(xs >= 0) & (xs <= true_t[-1])]
    read = step_at(figure_t, figure_s, xs)
    lo, hi = step_at(true_t, true_s, xs + slack), step_at(true_t, true_s, xs - slack)
    return float(np.maximum(0.0, np.maximum(read - hi, lo - read)).max())


def check_figure(figure: VectorFigure, truth: DrawnFigure) -> None:
    x_range = truth.x_limits[1] - truth.x_limits[0]
    assert figure.x_axis.value(figure.frame.x0) == pytest.approx(truth.x_limits[0], abs=0.001 * x_range)
    assert figure.x_axis.value(figure.frame.x1) == pytest.approx(truth.x_limits[1], abs=0.001 * x_range)
    assert figure.y_axis.percent == truth.percent
    assert figure.y_axis.value(figure.frame.y0) == pytest.approx(0.0, abs=0.001)
    assert figure.y_axis.value(figure.frame.y1) == pytest.approx(1.0, abs=0.001)
    assert figure.at_risk is not None
    assert figure.at_risk.times == truth.x_ticks
    assert sorted(c.label for c in figure.curves) == sorted(a.label for a in truth.arms)
    for curve in figure.curves:
        arm = next(a for a in truth.arms if a.label == curve.label)
        assert curve.colour == arm.colour.lower()
        assert bool(curve.dash) == (arm.dash != "-")
        assert sup_distance(curve.time, curve.survival, arm, 0.0005 * x_range) <= 0.002
        at_risk = figure.at_risk_of(curve)
        assert at_risk is not None and at_risk[1] == arm.at_risk
        if truth.censor_marks:
            drawn = arm.censor_times
            assert len(curve.censor_times) >= 0.98 * len(drawn)
            nearest = np.abs(drawn[None, :] - curve.censor_times[:, None]).min(axis=1)
            assert nearest.max() <= 0.001 * x_range
        else:
            assert len(curve.censor_times) == 0


@pytest.mark.parametrize("name", ["survminer", "nejm", "lancet_pct", "grey_3arms", "crossing_tail"])
def test_one_figure_per_page_read_exactly(corpus: dict[str, CorpusPage], name: str) -> None:
    page = corpus[name]
    [result] = read_vector_figures(page.path)
    assert result.page == 1
    assert len(result.figures) == 1
    check_figure(result.figures[0], page.figures[0])


def test_two_panels_are_two_figures(corpus: dict[str, CorpusPage]) -> None:
    page = corpus["two_panels"]
    [result] = read_vector_figures(page.path, page=1)
    assert len(result.figures) == 2
    left, right = sorted(result.figures, key=lambda f: f.frame.x0)
    assert left.frame.x1 < right.frame.x0
    check_figure(left, page.figures[0])
    check_figure(right, page.figures[1])


def test_arms_are_matched_by_label_not_by_order(corpus: dict[str, CorpusPage]) -> None:
    figure = read_vector_figures(corpus["survminer"].path)[0].figures[0]
    assert {c.matched_by for c in figure.curves} == {"label"}
    assert {e.label for e in figure.legend} == {a.label for a in corpus["survminer"].figures[0].arms}


def test_greyscale_curves_told_apart_by_dash(corpus: dict[str, CorpusPage]) -> None:
    figure = read_vector_figures(corpus["grey_3arms"].path)[0].figures[0]
    black = [c for c in figure.curves if c.colour == "#000000"]
    assert len(black) == 2 and len({c.dash for c in black}) == 2


def test_simplified_paths_still_close(tmp_path: Path) -> None:
    """matplotlib's default path simplification joins near corners; the curve stays within 0.002."""
    page = draw_page(PageSpec("nejm", 7, simplify=True), tmp_path / "simplified.pdf")
    figure = read_vector_figures(page.path)[0].figures[0]
    truth = page.figures[0]
    for curve in figure.curves:
        arm = next(a for a in truth.arms if a.label == curve.label)
        slack = 0.002 * (truth.x_limits[1] - truth.x_limits[0])
        assert sup_distance(curve.time, curve.survival, arm, slack) <= 0.01


def test_parse_number() -> None:
    assert parse_number("0.2") == (0.2, False)
    assert parse_number("100%") == (100.0, True)
    assert parse_number("−5") == (-5.0, False)
    assert parse_number("0,5") == (0.5, False)
    assert parse_number("Placebo") is None
    assert parse_number("12 months") is None


def test_staircase_shape() -> None:
    steps = np.array([[0, 10], [2, 10], [2, 8], [5, 8], [5, 6], [9, 6]], float)
    assert is_staircase(steps) == (True, False)
    assert is_staircase(steps[::-1])[0] is False  # runs backwards in time
    rising = steps.copy()
    rising[:, 1] = 20 - rising[:, 1]
    assert is_staircase(rising)[0] is False
    assert is_staircase(np.array([[0, 10], [9, 10], [12, 10]], float))[0] is False  # flat: no drop
    assert is_staircase(np.array([[0, 10], [2, 8], [5, 5]], float)) == (True, True)


def test_printed_counts() -> None:
    assert [count_value(t) for t in ("120", "1,234", "0", "12,345,678")] == [120, 1234, 0, 12345678]
    assert [count_value(t) for t in ("12.5", "(15)", "1,23", "10%", "n=120")] == [None] * 5
