"""The vector reader on figures drawn the ways other programs draw them: a figure embedded in an
article page as a scaled form XObject, one path per step, a curve drawn backwards, and a panel
with no axis lines (ggplot's grey background with white grid lines)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from matplotlib import rc_context
from matplotlib.figure import Figure

from evidence_app.core.digitize.vector_figure import VectorFigure, read_vector_figures
from tests.pdf_corpus import DrawnArm, PageSpec, draw_page, km_steps, make_arms
from tests.pdf_support import write_pdf


def read_one(path: Path) -> VectorFigure:
    [page] = read_vector_figures(path, 1)
    assert len(page.figures) == 1, page.notes
    return page.figures[0]


def max_gap(figure: VectorFigure, arm: DrawnArm) -> float:
    """Largest distance between the read curve and the arm's KM at its event times (± a hair)."""
    curve = next(c for c in figure.curves if c.colour == arm.colour.lower() and bool(c.dash) == (arm.dash != "-"))
    xs = np.r_[arm.step_t[1:] - 2e-4, arm.step_t[1:] + 2e-4]  # event times are 0.001 apart at least
    read = np.r_[1.0, curve.survival][np.searchsorted(curve.time, xs, side="right")]
    true = np.r_[1.0, arm.step_s][np.searchsorted(arm.step_t, xs, side="right")]
    return float(np.abs(read - true).max())


def test_figure_embedded_as_a_scaled_form(tmp_path: Path) -> None:
    """Publishers place a figure's PDF on the article page as a form XObject, scaled and moved."""
    import pypdfium2 as pdfium

    drawn = draw_page(PageSpec("nejm", 21), tmp_path / "figure.pdf")
    source = pdfium.PdfDocument(drawn.path)
    article = pdfium.PdfDocument.new()
    page = article.new_page(595, 842)
    xobject = source.page_as_xobject(0, article)
    placed = xobject.as_pageobject()
    placed.set_matrix(pdfium.PdfMatrix().scale(0.7, 0.7).translate(60, 400))
    page.insert_obj(placed)
    page.gen_content()
    article.save(tmp_path / "article.pdf")
    figure = read_one(tmp_path / "article.pdf")
    truth = drawn.figures[0]
    assert figure.at_risk is not None and figure.at_risk.times == truth.x_ticks
    assert figure.frame.x0 > 60 and figure.frame.y0 > 400
    for arm in truth.arms:
        assert max_gap(figure, arm) <= 1e-4
        table = figure.at_risk_of(next(c for c in figure.curves if c.label == arm.label))
        assert table is not None and table[1] == arm.at_risk


@pytest.fixture(autouse=True)
def exact_paths() -> Iterator[None]:
    """No path simplification, so the page holds every corner of the steps."""
    with rc_context({"path.simplify": False}):
        yield


def _axes_with_arms(style: str, seed: int) -> tuple[Figure, list[DrawnArm]]:
    arms = make_arms(seed, style, k=2)
    fig = Figure(figsize=(6, 4))
    ax = fig.add_subplot()
    ax.set_xlim(0, 48)
    ax.set_ylim(0, 1)
    ax.set_xticks([0, 12, 24, 36, 48])
    return fig, arms


@pytest.mark.parametrize("how", ["per_step", "backwards"])
def test_curve_pieces_and_direction(tmp_path: Path, how: str) -> None:
    fig, arms = _axes_with_arms("lancet", 31)
    ax = fig.axes[0]
    for arm in arms:
        t = np.r_[np.repeat(arm.step_t, 2)[1:], arm.time.max()]
        s = np.repeat(arm.step_s, 2)
        if how == "per_step":
            for k in range(len(t) - 1):
                ax.plot(t[k : k + 2], s[k : k + 2], color=arm.colour, lw=1)
        else:
            ax.plot(t[::-1], s[::-1], color=arm.colour, lw=1)
    check_two_curves(read_one(write_pdf(tmp_path / f"{how}.pdf", fig)), arms)


def check_two_curves(figure: VectorFigure, arms: list[DrawnArm]) -> None:
    assert len(figure.curves) == 2
    for arm in arms:
        assert max_gap(figure, arm) <= 1e-4


def test_panel_without_axis_lines(tmp_path: Path) -> None:
    """ggplot's default look: a grey panel, white grid lines, no axis lines, ticks outside."""
    fig, arms = _axes_with_arms("survminer", 41)
    ax = fig.axes[0]
    ax.set_facecolor("#ebebeb")
    ax.grid(True, color="white", lw=1)
    ax.set_axisbelow(True)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.tick_params(direction="out")
    for arm in arms:
        ax.step(np.r_[arm.step_t, arm.time.max()], np.r_[arm.step_s, arm.step_s[-1]], where="post", color=arm.colour)
    figure = read_one(write_pdf(tmp_path / "ggplot.pdf", fig))
    assert figure.x_axis.values == (0, 12, 24, 36, 48)
    assert figure.x_axis.value(figure.frame.x1) == pytest.approx(48, abs=0.05)
    check_two_curves(figure, arms)


def test_inset_is_a_figure_of_its_own(tmp_path: Path) -> None:
    """An NEJM-style inset (the first year zoomed in) inside the main plot: two figures, each with its own curves."""
    fig, arms = _axes_with_arms("nejm", 51)
    ax = fig.axes[0]
    inset = fig.add_axes((0.55, 0.55, 0.3, 0.25))
    for axes, lw in ((ax, 1.0), (inset, 0.8)):
        for arm in arms:
            t, s = np.r_[arm.step_t, arm.time.max()], np.r_[arm.step_s, arm.step_s[-1]]
            axes.step(t, s, where="post", color=arm.colour, lw=lw)
    inset.set_xlim(0, 12)
    inset.set_ylim(0.5, 1.0)
    inset.set_xticks([0, 6, 12])
    inset.set_yticks([0.5, 0.75, 1.0])
    [page] = read_vector_figures(write_pdf(tmp_path / "inset.pdf", fig), 1)
    assert len(page.figures) == 2, page.notes
    main, small = sorted(page.figures, key=lambda f: -f.frame.width)
    assert main.x_axis.values == (0, 12, 24, 36, 48) and small.x_axis.values == (0, 6, 12)
    assert small.y_axis.values == (0.5, 0.75, 1.0)
    assert len(main.curves) == 2 and len(small.curves) == 2
    for arm in arms:
        assert max_gap(main, arm) <= 1e-4


def test_r_style_detached_axes_and_table_between_ticks(tmp_path: Path) -> None:
    """R's base graphics: axis lines stop at the end ticks and stand off the plot region; the
    numbers at risk are printed every 6 months while the ticks are every 12."""
    fig, arms = _axes_with_arms("lancet", 71)
    ax = fig.axes[0]
    fig.subplots_adjust(bottom=0.35, left=0.2)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_position(("outward", 8))
    ax.spines["bottom"].set_position(("outward", 8))
    ax.spines["left"].set_bounds(0, 1)
    ax.spines["bottom"].set_bounds(0, 48)
    times = np.arange(0, 49, 6.0)
    for k, arm in enumerate(arms):
        ax.step(np.r_[arm.step_t, arm.time.max()], np.r_[arm.step_s, arm.step_s[-1]], where="post", color=arm.colour)
        ordered = np.sort(arm.time)
        counts = len(ordered) - np.searchsorted(ordered, times, side="left")
        y = -0.3 - 0.08 * k
        ax.text(-0.12, y, arm.label, transform=ax.transAxes, ha="right", va="center", fontsize=7)
        for t, n in zip(times, counts):
            ax.text(t, y, str(n), transform=ax.get_xaxis_transform(), ha="center", va="center", fontsize=7)
    figure = read_one(write_pdf(tmp_path / "r_style.pdf", fig))
    assert figure.x_axis.values == (0, 12, 24, 36, 48)
    assert figure.at_risk is not None and figure.at_risk.times == tuple(times)
    assert [r.label for r in figure.at_risk.rows] == [a.label for a in arms]
    for arm in arms:
        assert max_gap(figure, arm) <= 1e-4


def test_arms_matched_by_step_heights_without_legend_or_colour(tmp_path: Path) -> None:
    """No legend and black row labels: the step heights tell which at-risk row is whose (a drop of
    one event among n at risk is S/n high), whatever the order of the rows."""
    from tests.pdf_corpus import figure_for, simulate

    rng = np.random.default_rng(91)
    data = [simulate(rng, 400, 0.05, 1.0, 18.0, 24.0), simulate(rng, 90, 0.03, 1.0, 18.0, 24.0)]
    arms = make_arms(91, "lancet", k=2)
    for arm, (time, event) in zip(arms, data):
        arm.time, arm.event = time, event
        arm.step_t, arm.step_s = km_steps(time, event)
    drawn = figure_for(arms, "lancet", percent=False, censor_marks=False)
    fig = Figure(figsize=(6, 4.5))
    ax = fig.add_axes((0.2, 0.35, 0.75, 0.6))
    for arm in arms:
        ax.step(np.r_[arm.step_t, arm.time.max()], np.r_[arm.step_s, arm.step_s[-1]], where="post", color=arm.colour)
    ax.set_xlim(*drawn.x_limits)
    ax.set_ylim(0, 1)
    ax.set_xticks(drawn.x_ticks)
    top_first = sorted(arms, key=lambda a: -a.step_s[np.searchsorted(a.step_t, 20.0) - 1])
    for k, arm in enumerate(reversed(top_first)):  # rows in the other order than the curves
        y = -0.25 - 0.08 * k
        ax.text(-0.1, y, f"Group {'AB'[arms.index(arm)]}", transform=ax.transAxes, ha="right", va="center", fontsize=7)
        for t, n in zip(drawn.x_ticks, arm.at_risk):
            ax.text(t, y, str(n), transform=ax.get_xaxis_transform(), ha="center", va="center", fontsize=7)
    figure = read_one(write_pdf(tmp_path / "no_legend.pdf", fig))
    for curve in figure.curves:
        arm = next(a for a in arms if a.colour.lower() == curve.colour)
        assert curve.label == f"Group {'AB'[arms.index(arm)]}"
        assert curve.matched_by == "step heights"
        table = figure.at_risk_of(curve)
        assert table is not None and table[1] == arm.at_risk


def test_sas_style_table_inside_the_plot_with_an_events_row(tmp_path: Path) -> None:
    """SAS prints the numbers at risk inside the plot, above the x axis; a row of cumulative events
    (rising) under them is not an at-risk row."""
    fig, arms = _axes_with_arms("grey", 101)
    ax = fig.axes[0]
    ax.set_ylim(-0.25, 1.0)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    times = (0, 12, 24, 36, 48)
    for k, arm in enumerate(arms):
        ax.step(np.r_[arm.step_t, arm.time.max()], np.r_[arm.step_s, arm.step_s[-1]], where="post", ls=arm.dash)
        ordered = np.sort(arm.time)
        counts = len(ordered) - np.searchsorted(ordered, times, side="left")
        y = -0.06 - 0.07 * k
        ax.text(1.0, y, arm.label, ha="left", va="center", fontsize=6)
        for t, n in zip(times, counts):
            ax.text(t, y, str(n), ha="center", va="center", fontsize=6)
    events = np.cumsum([0, 11, 23, 30, 41])
    for t, n in zip(times, events):
        ax.text(t, -0.22, str(n), ha="center", va="center", fontsize=6)
    figure = read_one(write_pdf(tmp_path / "sas.pdf", fig))
    assert figure.at_risk is not None and figure.at_risk.times == times
    assert len(figure.at_risk.rows) == 2
    for row, arm in zip(figure.at_risk.rows, arms):
        ordered = np.sort(arm.time)
        assert row.counts == tuple(int(n) for n in len(ordered) - np.searchsorted(ordered, times, side="left"))


def test_arm_names_printed_in_the_curves_colours(tmp_path: Path) -> None:
    """NEJM-style: no legend, each arm's name printed next to its curve in its colour; the rows at
    risk are labelled in black and printed in the other order; the arms are the same size."""
    from tests.pdf_corpus import figure_for, simulate

    rng = np.random.default_rng(111)
    arms = make_arms(111, "nejm", k=2)
    for arm, hazard in zip(arms, (0.06, 0.03)):
        arm.time, arm.event = simulate(rng, 200, hazard, 1.0, 18.0, 24.0)
        arm.step_t, arm.step_s = km_steps(arm.time, arm.event)
    drawn = figure_for(arms, "nejm", percent=False, censor_marks=False)
    fig = Figure(figsize=(6, 4.5))
    ax = fig.add_axes((0.2, 0.35, 0.75, 0.6))
    for arm in arms:
        ax.step(np.r_[arm.step_t, arm.time.max()], np.r_[arm.step_s, arm.step_s[-1]], where="post", color=arm.colour)
        ax.text(30, arm.step_s[np.searchsorted(arm.step_t, 30) - 1] + 0.04, arm.label, color=arm.colour, fontsize=7)
    ax.set_xlim(*drawn.x_limits)
    ax.set_ylim(0, 1)
    ax.set_xticks(drawn.x_ticks)
    for k, arm in enumerate(reversed(arms)):
        y = -0.25 - 0.08 * k
        ax.text(-0.1, y, arm.label, transform=ax.transAxes, ha="right", va="center", fontsize=7)
        for t, n in zip(drawn.x_ticks, arm.at_risk):
            ax.text(t, y, str(n), transform=ax.get_xaxis_transform(), ha="center", va="center", fontsize=7)
    figure = read_one(write_pdf(tmp_path / "named.pdf", fig))
    for curve in figure.curves:
        arm = next(a for a in arms if a.colour.lower() == curve.colour)
        assert (curve.label, curve.matched_by) == (arm.label, "label")
        table = figure.at_risk_of(curve)
        assert table is not None and table[1] == arm.at_risk
