"""Forest plots on the Agg backend: rows, arrows, labels, layout without overlaps, CLI."""

from __future__ import annotations

import math

import pytest

from evidence_app.cli import main
from evidence_app.core.synthesis.forest_data import build_forest
from evidence_app.plots.forest import ForestOptions, draw_forest
from evidence_app.plots.style import new_figure
from tests.test_plots_km import overlapping_texts


def rcc(library, endpoint=None):
    return [
        d for d in library.datasets if "renal" in d.trial.disease and (endpoint is None or d.endpoint.name == endpoint)
    ]


def many(library, n):
    """``n`` comparisons: the RCC datasets, then renamed copies (distinct trials) to reach ``n``."""
    base = rcc(library)
    out = []
    for i in range(n):
        d = base[i % len(base)]
        if i >= len(base):
            trial = d.trial.model_copy(update={"acronym": f"{d.trial.acronym} copy {i // len(base)}"})
            d = d.model_copy(update={"id": f"{d.id}-copy-{i}", "trial": trial})
        out.append(d)
    return out


def _text(t):
    return t.get_text().replace("\xa0", " ")


@pytest.fixture(scope="module")
def pfs(library):
    return build_forest(rcc(library, "PFS"), group_by="setting")


def test_one_row_per_comparison_and_not_reported_rows_listed(pfs):
    fig = new_figure("double")
    art = draw_forest(fig, pfs)
    assert set(art.row_texts) == {r.dataset_id for r in pfs.rows}
    assert set(art.markers) == {r.dataset_id for r in pfs.rows if r.effect is not None}
    for row in pfs.rows:
        texts = [_text(t) for t in art.row_texts[row.dataset_id]]
        if row.hr is None:
            assert "not reported" in texts, row.dataset_id
    ys = sorted(art.row_y[r.dataset_id] for r in pfs.rows)
    assert len(set(ys)) == len(ys)  # one line each
    aspen = [_text(t) for t in art.row_texts["aspen-pfs"]]
    assert any(t.replace("\n", " ") == "1.41 (1.03–1.92; 80% CI)" for t in aspen)


def test_log_axis_labelled_on_the_hr_scale_with_orientation(pfs):
    fig = new_figure("double")
    art = draw_forest(fig, pfs, ForestOptions(xlim=(0.25, 4)))
    fig.canvas.draw()
    assert art.ax.get_xscale() == "log"
    labels = [t.get_text() for t in art.ax.get_xticklabels()]
    assert labels == ["0.25", "0.5", "1", "2", "4"]
    favours = [_text(t) for t in art.favours]
    assert "← Favours mTOR inhibitor" in favours and "Favours comparator →" in favours
    assert {"overall", "first-line", "second-line"} <= set(art.diamonds)
    texts = " ".join(_text(t) for t in art.texts)
    assert "Heterogeneity: I² =" in texts and "Test for subgroup differences" in texts
    assert "prediction interval" in texts and art.prediction is not None


def test_clipped_intervals_end_in_arrows(pfs):
    xlim = (0.5, 2.0)
    art = draw_forest(new_figure("double"), pfs, ForestOptions(xlim=xlim))
    z = 1.959964
    for row in pfs.rows:
        if row.effect is None:
            continue
        lo = math.exp(row.effect.log_hr - z * row.effect.se)
        hi = math.exp(row.effect.log_hr + z * row.effect.se)
        markers = sorted(a.get_marker() for a in art.arrows[row.dataset_id])
        assert markers == sorted((["<"] if lo < xlim[0] else []) + ([">"] if hi > xlim[1] else [])), row.dataset_id
        for arrow in art.arrows[row.dataset_id]:
            assert arrow.get_xdata()[0] in xlim
    assert any(art.arrows[r.dataset_id] for r in pfs.rows if r.effect is not None)
    assert art.arrows["record1-pfs-final-central"][0].get_marker() == "<"  # 0.33: off the left edge


@pytest.mark.parametrize("n", [5, 15, 40])
def test_no_text_overlaps_and_height_grows_with_rows(library, n):
    data = build_forest(many(library, n), group_by="setting")
    fig = new_figure("double")
    art = draw_forest(fig, data)
    assert len(art.row_texts) == n
    assert overlapping_texts(fig) == []
    renderer = fig.canvas.get_renderer()
    figure_box = fig.bbox
    for text in art.all_texts():  # nothing clipped at the figure's edges
        box = text.get_window_extent(renderer)
        assert box.x0 >= figure_box.x0 - 0.5 and box.x1 <= figure_box.x1 + 0.5, text.get_text()
        assert box.y0 >= figure_box.y0 - 0.5 and box.y1 <= figure_box.y1 + 0.5, text.get_text()
    assert art.font_size >= 6.5
    test_no_text_overlaps_and_height_grows_with_rows.heights[n] = fig.get_figheight()
    if len(test_no_text_overlaps_and_height_grows_with_rows.heights) == 3:
        h = test_no_text_overlaps_and_height_grows_with_rows.heights
        assert h[5] < h[15] < h[40]


test_no_text_overlaps_and_height_grows_with_rows.heights = {}  # type: ignore[attr-defined]


def test_single_column_width_still_has_no_overlaps(library):
    data = build_forest(rcc(library, "OS"))
    fig = new_figure("single")
    draw_forest(fig, data, ForestOptions(width="single", columns=("trial", "HR [CI]")))
    assert fig.get_figwidth() * 25.4 == pytest.approx(85)
    assert overlapping_texts(fig) == []


def test_cli_forest_all_rcc_for_one_endpoint(tmp_path, capsys):
    out = tmp_path / "forest.pdf"
    code = main(
        [
            "figure",
            "forest",
            "--all",
            "--endpoint",
            "OS",
            "--group-by",
            "setting",
            "--pool",
            "DL",
            "--hk",
            "--out",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and b"/Type /Page" in data
    assert "pooled" in capsys.readouterr().err
    svg = tmp_path / "two.svg"
    assert (
        main(["figure", "forest", "checkmate025-os", "meteor-os-interim", "--orient", "published", "--out", str(svg)])
        == 0
    )
    assert svg.read_text().lstrip().startswith(("<?xml", "<svg"))
    assert main(["figure", "forest", "--out", str(tmp_path / "none.png")]) == 1
    assert "--all" in capsys.readouterr().err
