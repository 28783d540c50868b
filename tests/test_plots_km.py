"""Kaplan–Meier figures on the Agg backend, and saving figures to PNG, SVG and PDF."""

from __future__ import annotations

import itertools
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from evidence_app.cli import main
from evidence_app.core.stats.analysis import analyze_dataset
from evidence_app.errors import ExportError
from evidence_app.plots.km import APPROXIMATION_LABEL, AT_RISK_HEADER, KMOptions, draw_km
from evidence_app.plots.save import save_figure
from evidence_app.plots.style import new_figure


def overlapping_texts(fig, tolerance: float = 0.5):
    """Pairs of visible texts whose rendered bounding boxes overlap (display pixels)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    from matplotlib.text import Text

    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    boxes = [(t, t.get_window_extent(renderer).shrunk(1, 1).padded(-tolerance)) for t in texts]
    return [(a.get_text(), b.get_text()) for (a, ba), (b, bb) in itertools.combinations(boxes, 2) if ba.overlaps(bb)]


@pytest.fixture(scope="module")
def kmdata(library):
    return analyze_dataset(library.get("bolero3-pfs-kmdata"))


@pytest.fixture(scope="module")
def approximation(library):
    return analyze_dataset(library.get("arcc-os-tem-vs-ifn"))


def test_one_curve_per_arm_with_the_time_unit_and_kmdata_provenance(kmdata):
    fig = new_figure()
    art = draw_km(fig, kmdata)
    assert set(art.curves) == {a.arm.id for a in kmdata.arms}
    assert all(line.get_linestyle() == "-" for line in art.curves.values())
    assert set(art.censor_marks) == set(art.curves) and set(art.bands) == set(art.curves)
    assert art.ax.get_xlabel() == "Time (weeks)"
    notes = " ".join(t.get_text() for t in art.notes).replace("\n", " ")
    assert "reconstructed from the published Kaplan–Meier figure by the kmdata curators" in notes
    box = art.hr_box.txt.get_text().replace("\xa0", " ")
    assert "Cox HR 0.78 (0.64–0.95)" in box and "log-rank p = 0.01" in box
    legend = [t.get_text() for t in art.legend.get_texts()]
    assert "Everolimus (n = 284)" in legend and "Placebo (n = 285)" in legend


def test_risk_table_columns_sit_exactly_under_the_ticks(kmdata):
    fig = new_figure()
    art = draw_km(fig, kmdata)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    assert art.risk_header.get_text() == AT_RISK_HEADER and "just before t" in AT_RISK_HEADER
    ticks = [t for t in art.ax.xaxis.get_major_ticks() if t.label1.get_visible() and t.label1.get_text()]
    tick_x = [art.ax.transData.transform((t.get_loc(), 0))[0] for t in ticks]
    label_x = [(lambda b: (b.x0 + b.x1) / 2)(t.label1.get_window_extent(renderer)) for t in ticks]
    assert tick_x == pytest.approx(label_x, abs=0.6)
    assert list(art.risk_times) == pytest.approx([t.get_loc() for t in ticks])
    for arm_id, cells in art.risk_cells.items():
        centres = [(lambda b: (b.x0 + b.x1) / 2)(c.get_window_extent(renderer)) for c in cells]
        assert centres == pytest.approx(tick_x, abs=0.6), arm_id
    # the counts are the numbers at risk just before each tick (time >= t)
    data = kmdata.arm_result("eve").data
    expected = [int((data.time >= t).sum()) for t in art.risk_times]
    assert [int(c.get_text()) for c in art.risk_cells["eve"]] == expected
    assert expected[0] == 284


def test_approximation_is_dashed_labelled_and_has_no_invented_risk_table(approximation):
    fig = new_figure()
    art = draw_km(fig, approximation)
    for line in art.curves.values():
        assert line.get_linestyle() == "--" and APPROXIMATION_LABEL in line.get_label()
    assert not art.censor_marks  # censoring of an approximation is assumed, not observed
    legend = " ".join(t.get_text() for t in art.legend.get_texts()).replace("\n", " ")
    assert APPROXIMATION_LABEL in legend
    notes = " ".join(t.get_text() for t in art.notes).replace("\n", " ")
    assert APPROXIMATION_LABEL in notes and "Numbers at risk: not reported" in notes
    assert art.risk_ax is None and not art.risk_cells
    box = art.hr_box.txt.get_text().replace("\xa0", " ")
    assert "Published HR 0.73 (0.58–0.92), p = 0.008" in box and "log-rank" not in box
    assert set(art.published) == {"tem", "ifn"}  # published medians overlaid


@pytest.mark.parametrize("width", ["single", "double"])
def test_no_text_overlaps(kmdata, approximation, width):
    for analysis in (kmdata, approximation):
        fig = new_figure(width)
        draw_km(fig, analysis, KMOptions(width=width))
        assert overlapping_texts(fig) == [], analysis.dataset.id


def test_options_switch_parts_off(kmdata):
    fig = new_figure()
    art = draw_km(
        fig,
        kmdata,
        KMOptions(ci_bands=False, risk_table=False, median_lines=False, censor_marks=False, show_hr_box=False),
    )
    assert not art.bands and art.risk_ax is None and not art.median_lines and not art.censor_marks
    assert art.hr_box is None
    width_double = draw_km(new_figure(), kmdata, KMOptions(width="double")).ax.figure.get_figwidth()
    assert width_double * 25.4 == pytest.approx(175)


def test_saved_files_are_valid(approximation, tmp_path):
    fig = new_figure()
    draw_km(fig, approximation)
    png = save_figure(fig, tmp_path / "km.png", dpi=150)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width_px = int.from_bytes(data[16:20], "big")
    assert width_px == pytest.approx(85 / 25.4 * 150, abs=1)
    svg = save_figure(fig, tmp_path / "km.svg")
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg") and len(list(root.iter())) > 100
    pdf = save_figure(fig, tmp_path / "km.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and b"/Type /Page" in pdf and b"FontFile2" in pdf  # TrueType embedded
    assert not list(tmp_path.glob(".*.tmp"))  # atomic: no leftovers
    with pytest.raises(ExportError, match="already exists"):
        save_figure(fig, tmp_path / "km.png")
    with pytest.raises(ExportError, match=r"\.jpg"):
        save_figure(fig, tmp_path / "km.jpg")


def test_cli_writes_a_km_figure(tmp_path, capsys):
    out = tmp_path / "bolero3.png"
    assert main(["figure", "km", "bolero3-pfs-kmdata", "--out", str(out), "--dpi", "100", "--no-ci"]) == 0
    assert out.read_bytes()[:4] == b"\x89PNG"
    assert main(["figure", "km", "bolero3-pfs-kmdata", "--out", str(out)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["figure", "km", "no-such-dataset", "--out", str(tmp_path / "x.png")]) == 1


def test_plots_never_load_pyplot():
    code = (
        "import sys\n"
        "from evidence_app.plots import km, forest, save, style\n"
        "import evidence_app.cli.figure\n"
        "fig = style.new_figure()\n"
        "fig.add_subplot().plot([0, 1])\n"
        "fig.canvas.draw()\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_digitized_points_are_overlaid_on_a_reconstructed_curve(library, kmdata):
    import numpy as np

    from evidence_app.core.datasets.schema import DigitizedArm, DigitizedCurve

    arms = {}
    for result in kmdata.arms:  # a digitized curve made from the kmdata curve and its numbers at risk
        fit = result.fit
        idx = np.linspace(0, len(fit.timeline) - 1, 30).astype(int)
        at_risk = [(float(t), int((result.data.time >= t).sum())) for t in (0, 24, 48, 72, 96)]
        arms[result.arm.id] = DigitizedArm(
            points=[(float(fit.timeline[i]), float(fit.survival[i])) for i in idx], at_risk=at_risk
        )
    dataset = kmdata.dataset.model_copy(
        update={"id": "digitized-copy", "curve": DigitizedCurve(kind="digitized", arms=arms)}
    )
    fig = new_figure()
    art = draw_km(fig, analyze_dataset(dataset))
    assert set(art.digitized) == set(arms) and len(art.digitized["eve"].get_xdata()) == 30
    assert "digitized points" in [t.get_text() for t in art.legend.get_texts()]
    notes = " ".join(t.get_text() for t in art.notes).replace("\n", " ")
    assert "reconstructed from the digitized published figure" in notes
    assert overlapping_texts(fig) == []


@pytest.mark.parametrize("width", ["single", "double"])
def test_boxes_are_predicted_where_matplotlib_puts_them(approximation, width):
    # The legend and the HR box are measured once and their other positions predicted; every
    # prediction must be the box matplotlib really draws there.
    import numpy as np

    from evidence_app.plots.placement import ANCHORS, candidate_boxes, set_anchor

    fig = new_figure(width)
    art = draw_km(fig, approximation, KMOptions(width=width))
    renderer = fig.canvas.get_renderer()
    for artist in (art.legend, art.hr_box):
        for (x, y), predicted in zip(ANCHORS, candidate_boxes(artist, art.ax, renderer)):
            set_anchor(artist, art.ax, x, y)
            np.testing.assert_allclose(
                artist.get_window_extent(renderer).get_points(),
                predicted.get_points(),
                atol=1e-6,
                err_msg=f"{type(artist).__name__} at {(x, y)}",
            )


def test_densify_walks_every_segment_in_steps():
    import numpy as np

    from evidence_app.plots.placement import densify

    rng = np.random.default_rng(3)
    x, y = np.cumsum(rng.uniform(0, 30, 40)), rng.uniform(0, 300, 40)
    expected = [np.column_stack([x[:1], y[:1]])]
    for x0, y0, x1, y1 in zip(x[:-1], y[:-1], x[1:], y[1:]):  # the plain loop it replaces
        t = np.linspace(0, 1, max(1, int(np.hypot(x1 - x0, y1 - y0) / 2.0)) + 1)[1:]
        expected.append(np.column_stack([x0 + (x1 - x0) * t, y0 + (y1 - y0) * t]))
    assert np.array_equal(densify(x, y), np.vstack(expected))
    assert np.array_equal(densify(x[:1], y[:1]), np.column_stack([x[:1], y[:1]]))
