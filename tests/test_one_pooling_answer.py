"""One pooling answer: pool-datasets, `figure forest --csv`, the workbook and the GUI forest view pool
the same rows by the same rules (core/synthesis/rules.py) and print the same estimate."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

from evidence_app.cli import main
from evidence_app.core.synthesis.forest_data import build_forest
from evidence_app.core.synthesis.methods import method_label
from evidence_app.core.synthesis.rules import plan_pooling
from evidence_app.export.workbook import export_workbook
from tests.test_gui_support import MPL_QT_WARNING, main_window

ARCC_SHARED = ["arcc-os-tem-vs-ifn", "arcc-os-combo-vs-ifn", "aspen-os", "tempa-os", "intorsect-os"]
RECORD1_ANALYSES = [
    "record1-pfs-interim",
    "record1-pfs-final-investigator",
    "record1-pfs-final-central",
    "intorsect-pfs",
    "checkmate025-pfs",
]
SUBGROUP = ["record3-pfs-nccrcc-subgroup", "aspen-pfs", "espn-pfs", "tempa-pfs", "intorsect-pfs"]


def _bundled(library, endpoint):
    return [
        d.id
        for d in library.datasets
        if "renal" in d.trial.disease.lower() and d.endpoint.name == endpoint and library.entries[d.id].bundled
    ]


def selections(library) -> dict[str, list[str]]:
    return {
        "all OS": _bundled(library, "OS"),
        "all PFS": _bundled(library, "PFS"),
        "ARCC shared interferon arm": ARCC_SHARED,
        "RECORD-1 three analyses": RECORD1_ANALYSES,
        "subgroup beside others": SUBGROUP,
    }


def sig4(x: float) -> str:
    return f"{x:.4g}"


def from_pool_datasets(ids, capsys, *extra) -> tuple[float, list[str]]:
    assert main(["pool-datasets", *ids, "--json", *extra]) == 0
    out = json.loads(capsys.readouterr().out)
    return out["published"]["estimate"], out["warnings"]


def from_forest_csv(ids, capsys, *extra) -> tuple[float, list[str]]:
    assert main(["figure", "forest", *ids, "--csv", "-", *extra]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    overall = [r for r in rows if r["kind"] == "pooled (overall)"]
    assert len(overall) == 1
    return float(overall[0]["estimate"]), [r["note"] for r in rows if r["kind"] == "warning"]


def from_workbook(datasets, path) -> float:
    export_workbook(datasets, path, pool_methods=("REML",))
    book = openpyxl.load_workbook(path, read_only=True)
    found = []
    for sheet in book.worksheets:  # the pooled-estimates table, wherever the workbook lays it out
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        heads = [i for i, r in enumerate(rows) if "Method" in r and "Group (setting)" in r and "HR" in r]
        for head in heads:
            columns = {name: j for j, name in enumerate(rows[head]) if name}
            found += [
                r[columns["HR"]]
                for r in rows[head + 1 :]
                if len(r) > columns["HR"]
                and r[columns["Group (setting)"]] == "overall"
                and r[columns["Method"]] == method_label("REML", False)
            ]
    assert len(found) == 1
    return float(found[0])


@pytest.mark.parametrize(
    "name",
    ["all OS", "all PFS", "ARCC shared interferon arm", "RECORD-1 three analyses", "subgroup beside others"],
)
def test_pool_datasets_forest_csv_and_workbook_agree(name, library, capsys, tmp_path):
    ids = selections(library)[name]
    datasets = [library.get(i) for i in ids]
    pooled, pool_warnings = from_pool_datasets(ids, capsys)
    forest, forest_warnings = from_forest_csv(ids, capsys)
    workbook = from_workbook(datasets, tmp_path / "w.xlsx")
    assert sig4(pooled) == sig4(forest) == sig4(workbook)
    assert pool_warnings == forest_warnings
    plan = plan_pooling(datasets)
    trials = [(d.dataset.trial.acronym, d.dataset.endpoint.name) for d in plan.pooled]
    # one estimate per trial and endpoint in every selection here (no trial with two independent comparisons)
    assert len(trials) == len(set(trials))


def test_all_os_is_the_forest_answer_not_eight_rows(library, capsys):
    pooled, warnings = from_pool_datasets(_bundled(library, "OS"), capsys)
    plan = plan_pooling([library.get(i) for i in _bundled(library, "OS")])
    ids = {d.dataset.id for d in plan.pooled}
    assert "arcc-os-combo-vs-ifn" not in ids and "arcc-os-tem-vs-ifn" in ids  # shared IFN arm counted once
    assert "record3-os-final" not in ids  # both arms hold everolimus: no mTOR-inhibitor direction
    assert len(ids) == 6 and sig4(pooled) == "1.179"
    assert any("multi-arm" in w and "Interferon alfa" in w for w in warnings)


def test_shared_control_arm_split_widens_and_still_agrees(library, capsys):
    pooled, warnings = from_pool_datasets(ARCC_SHARED, capsys, "--multi-arm", "split")
    forest, forest_warnings = from_forest_csv(ARCC_SHARED, capsys, "--multi-arm", "split")
    assert sig4(pooled) == sig4(forest)
    assert any("split" in w and "Cochrane Handbook" in w for w in warnings) and warnings == forest_warnings
    data = build_forest([library.get(i) for i in ARCC_SHARED], multi_arm="split")
    rows = {r.dataset_id: r for r in data.rows}
    tem, combo = rows["arcc-os-tem-vs-ifn"], rows["arcc-os-combo-vs-ifn"]
    assert tem.pooled and combo.pooled
    published = build_forest([library.get("arcc-os-tem-vs-ifn")]).rows[0].effect
    # IFN arm 207 split in two: var ∝ 1/209 + 2/207 instead of 1/209 + 1/207
    factor = ((1 / 209 + 2 / 207) / (1 / 209 + 1 / 207)) ** 0.5
    assert tem.effect.se == pytest.approx(published.se * factor)
    assert tem.hr == 0.73  # the printed HR stays the published one


def test_one_per_comparison_prefers_final_central_whole_population(library):
    plan = plan_pooling([library.get(i) for i in RECORD1_ANALYSES])
    by_id = {d.dataset.id: d for d in plan.decisions}
    assert by_id["record1-pfs-final-central"].pooled and not by_id["record1-pfs-interim"].pooled
    assert "final analysis preferred over interim" in " ".join(by_id["record1-pfs-interim"].notes)
    # the investigator-assessed analysis publishes no CI; give it the central one to see the assessment rule work
    central, investigator = library.get("record1-pfs-final-central"), library.get("record1-pfs-final-investigator")
    with_ci = investigator.model_copy(
        update={
            "comparison": investigator.comparison.model_copy(update={"hazard_ratio": central.comparison.hazard_ratio})
        }
    )
    plan = plan_pooling([with_ci, central, library.get("intorsect-pfs")])
    assert [d.pooled for d in plan.decisions] == [False, True, True]
    assert "independent review preferred over the investigator's" in plan.decisions[0].notes[-1]
    whole_and_subgroup = [library.get(i) for i in ("record3-pfs", "record3-pfs-nccrcc-subgroup", "aspen-pfs")]
    as_published = {d.dataset.id: d for d in plan_pooling(whole_and_subgroup, orient="as published").decisions}
    assert as_published["record3-pfs"].pooled and not as_published["record3-pfs-nccrcc-subgroup"].pooled
    assert "a subgroup of record3-pfs" in as_published["record3-pfs-nccrcc-subgroup"].notes[-1]
    everything = plan_pooling([library.get(i) for i in RECORD1_ANALYSES], one_per_comparison=False)
    assert sum(d.pooled for d in everything.decisions) == 4  # all but the one without a CI
    assert any("share patients" in w for w in everything.warnings)


def test_different_endpoints_and_opposite_directions_are_refused(capsys):
    assert main(["pool-datasets", "arcc-os-tem-vs-ifn", "intorsect-pfs"]) != 0
    err = capsys.readouterr().err
    assert "mix endpoints (OS, PFS)" in err and "measure different things" in err
    assert main(["pool-datasets", "arcc-os-tem-vs-ifn", "checkmate025-os", "--as-published"]) != 0
    err = capsys.readouterr().err
    assert "opposite directions" in err and "checkmate025-os" in err


@pytest.mark.filterwarnings(MPL_QT_WARNING)
def test_gui_forest_model_gives_the_same_estimates(qtbot, library, capsys):
    window = next(main_window(qtbot, library))
    view = window.forest_view
    view.group_box.setCurrentText("No grouping")
    for name, ids in selections(library).items():
        with qtbot.waitSignal(view.forestUpdated, timeout=60000) as blocker:
            view.set_checked(ids)
        data = blocker.args[0]
        pooled, warnings = from_pool_datasets(ids, capsys)
        assert data.overall is not None, name
        assert sig4(data.overall.estimate) == sig4(pooled), name
        assert list(data.warnings) == warnings, name


@pytest.mark.filterwarnings(MPL_QT_WARNING)
def test_gui_forest_split_shared_arm_matches_pool_datasets(qtbot, library, capsys):
    window = next(main_window(qtbot, library))
    view = window.forest_view
    view.group_box.setCurrentText("No grouping")
    view.multi_arm_box.setCurrentText("Split the shared arm")
    with qtbot.waitSignal(view.forestUpdated, timeout=60000) as blocker:
        view.set_checked(ARCC_SHARED)
    data = blocker.args[0]
    pooled, warnings = from_pool_datasets(ARCC_SHARED, capsys, "--multi-arm", "split")
    assert sig4(data.overall.estimate) == sig4(pooled) and data.overall.k == 5
    assert list(data.warnings) == warnings and "split" in view.warnings.text()
