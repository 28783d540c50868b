"""``validate`` enforces the limits every view and export needs (core/limits.py), naming the field.

Before, a CI level of 0.9999999999999999, an HR of 1e300, 1e11 patients at risk or a control
character in a label passed ``validate`` and then crashed the export (openpyxl refused the
character, the SVG was invalid, the at-risk count sized a 373 GiB allocation).
"""

from __future__ import annotations

import json

import pytest

from evidence_app.cli.entry import main
from evidence_app.core import limits
from evidence_app.core.datasets.io import parse_dataset
from tests.test_schema import minimal


def _hr(**values):
    return lambda d: d["comparison"]["hazard_ratio"].update(values)


MUTATIONS = {
    "CI level just below 1": (_hr(ci_level=0.9999999999999999), "comparison.hazard_ratio.ci_level"),
    "CI level 99.995%": (_hr(ci_level="99.995%"), "comparison.hazard_ratio.ci_level"),
    "HR 1e300": (_hr(value=1e300, upper=1e301), "comparison.hazard_ratio"),
    "HR 1e-300": (_hr(value=1e-300, lower=1e-301), "comparison.hazard_ratio"),
    "at risk 1e11": (lambda d: d["curve"]["arms"]["a"].update(at_risk=[[0, 10**11]]), "curve.arms.a.at_risk"),
    "arm size 1e8": (lambda d: d["arms"][0]["n"].update(value=10**8), "arms[0].n.value"),
    "bell in an arm label": (lambda d: d["arms"][0].update(label="Drug\x07A"), "arms[0].label"),
    "escape in the title": (lambda d: d.update(title="Title \x1b[31m red"), "title"),
    "lone surrogate": (lambda d: d["trial"].update(name="Demo \ud800"), "trial.name"),
    "C1 control in an agent": (lambda d: d["arms"][0].update(agents=["ever\x85olimus"]), "arms[0].agents"),
    "time 1e300 on the curve": (
        lambda d: d["curve"]["arms"]["a"].update(points=[[0, 1], [1e300, 0.5]]),
        "curve.arms.a.points",
    ),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_validate_refuses_what_export_cannot_hold(tmp_path, capsys, count_case, name):
    count_case()
    mutate, field = MUTATIONS[name]
    data = minimal()
    mutate(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")  # ensure_ascii keeps a lone surrogate writable
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"error: {path}: {field}" in err, err
    assert "Traceback" not in err


def test_the_limits_themselves_pass_validate_and_export(tmp_path, count_case):
    """A dataset at every edge of the limits validates, exports to xlsx and draws as SVG."""
    from matplotlib.figure import Figure

    from evidence_app.core.stats.analysis import analyze_dataset
    from evidence_app.export.workbook import export_workbook
    from evidence_app.plots.km import draw_km
    from evidence_app.plots.save import save_figure

    count_case()
    data = minimal()
    data["comparison"]["hazard_ratio"].update(
        value=limits.HR_MAX, lower=limits.HR_MAX / 10, upper=limits.HR_MAX, ci_level=limits.CI_LEVEL_MAX
    )
    data["arms"][0]["label"] = "Drug A — weekly, é"
    data["arms"][1]["n"]["value"] = limits.MAX_PATIENTS
    data["curve"]["arms"]["a"]["points"] = [[0, 1], [limits.MAX_TIME, 0.5]]
    dataset = parse_dataset(data, "edge.json")
    summary = export_workbook([dataset], tmp_path / "edge.xlsx")
    assert summary.path.stat().st_size > 0
    fig = Figure(figsize=(8, 6))
    draw_km(fig, analyze_dataset(dataset))
    svg = save_figure(fig, tmp_path / "edge.svg")
    assert b"<svg" in svg.read_bytes()[:500]
