"""Network figures: every treatment labelled, node size from patients, edges counted, forest numbers right."""

from __future__ import annotations

import math
from pathlib import Path

from evidence_app.core.synthesis.network import run_network
from evidence_app.core.synthesis.network_input import Contrast, prepare_network, read_contrast_csv
from evidence_app.plots.network import draw_league_heatmap, draw_network_summary, edges
from evidence_app.plots.style import new_figure

DATA = Path(__file__).parent / "data"


def texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_summary_figure_labels_every_treatment_and_counts_studies():
    result = run_network(prepare_network(read_contrast_csv(DATA / "nma_synthetic_3.csv")), "A")
    fig = new_figure("double")
    draw_network_summary(fig, result)
    graph, forest = fig.axes
    labels = {t.get_text() for t in graph.texts}
    assert set(result.treatments) <= labels
    assert edges(result)[("B", "I")] == 2 and "2" in labels
    d = result.compare("D", "A")
    assert f"{d.hr:.2f} ({math.exp(d.lower):.2f}–{math.exp(d.upper):.2f})" in {t.get_text() for t in forest.texts}
    assert [t.get_text() for t in forest.get_yticklabels()] == [t for t in result.treatments if t != "A"]


def test_node_size_follows_patients_and_labels_do_not_overlap():
    contrasts = [
        Contrast("T1", "Nivolumab", "Everolimus", math.log(0.73), 0.1, n1=410, n2=411),
        Contrast("T2", "Cabozantinib", "Everolimus", math.log(0.66), 0.12, n1=330, n2=328),
        Contrast("T3", "Everolimus", "Placebo", math.log(0.87), 0.14, n1=277, n2=139),
    ]
    result = run_network(prepare_network(contrasts), "Everolimus")
    fig = new_figure("double")
    draw_network_summary(fig, result)
    graph = fig.axes[0]
    sizes = {c.get_offsets()[0][0]: c.get_sizes()[0] for c in graph.collections}
    assert max(sizes.values()) > 2 * min(sizes.values())  # everolimus (1016 patients) vs placebo (139)
    assert "Everolimus\n(n=1016)" in texts(fig)
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in graph.texts]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_league_heatmap_has_every_ordered_pair():
    result = run_network(prepare_network(read_contrast_csv(DATA / "nma_synthetic_1.csv")), "A")
    fig = new_figure("double", 175)
    draw_league_heatmap(fig, result, "common")
    shown = texts(fig)
    c = result.compare("J", "B", "common")
    assert f"{c.hr:.2f}" in {s.split(chr(10))[0] for s in shown}
    assert len(shown) == 12 * 12
