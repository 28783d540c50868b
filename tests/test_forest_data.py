"""Forest-plot rows and pooling from the bundled library: orientation, "not reported", pooling rules."""

from __future__ import annotations

import pytest

from evidence_app.core.synthesis.forest_data import build_forest, comparison_text, make_row
from evidence_app.core.synthesis.meta import pool
from evidence_app.errors import AnalysisError


def rcc(library, endpoint=None):
    return [
        d for d in library.datasets if "renal" in d.trial.disease and (endpoint is None or d.endpoint.name == endpoint)
    ]


def test_checkmate025_is_flipped_so_everolimus_is_experimental(library):
    row, poolable = make_row(library.get("checkmate025-os"), "mtor")
    assert row.flipped and poolable
    assert row.hr == pytest.approx(1 / 0.73)
    assert (row.lower, row.upper) == (pytest.approx(1 / 0.93), pytest.approx(1 / 0.57))
    assert row.ci_level == pytest.approx(0.985)
    assert row.effect.hr == pytest.approx(1 / 0.73) and row.effect.lower == pytest.approx(1 / 0.93)
    assert row.comparison == "Everolimus vs nivolumab"
    assert row.effect.experimental == "Everolimus" and row.effect.control == "Nivolumab"
    assert "flipped so the mTOR inhibitor (everolimus) is experimental" in row.note
    assert "0.73 (0.57–0.93; 98.5% CI)" in row.note  # the published value stays visible
    assert row.hr_text == "1.37 (1.08–1.75; 98.5% CI)"


def test_as_published_keeps_the_reported_direction(library):
    row, _ = make_row(library.get("checkmate025-os"), "as published")
    assert not row.flipped and row.hr == 0.73 and row.comparison == "Nivolumab vs everolimus"
    assert "flipped" not in row.note


def test_rows_without_an_hr_are_kept_as_not_reported(library):
    data = build_forest(rcc(library, "OS"), group_by="setting")
    by_id = {r.dataset_id: r for r in data.rows}
    assert set(by_id) == {d.id for d in rcc(library, "OS")}  # nothing dropped
    for dataset_id in ("arcc-os-nccrcc-subgroup", "intoract-os", "espn-os-final"):
        row = by_id[dataset_id]
        assert row.status == "not reported" and row.effect is None and not row.pooled
        assert row.hr_text == "not reported" and row.weight is None
    no_ci = by_id["record1-os-final"]  # an HR without a CI is shown but cannot be pooled
    assert no_ci.status == "not reported" and no_ci.hr_text == "0.87 (CI not reported)"
    assert "no CI published" in no_ci.note


def test_both_arms_with_an_mtor_inhibitor_are_shown_but_not_pooled(library):
    row, poolable = make_row(library.get("study205-pfs-len-eve-vs-eve"), "mtor")
    assert not row.flipped and not poolable and row.hr == 0.40
    assert "both arms contain an mTOR inhibitor" in row.note


def test_non_95_percent_ci_is_written_with_its_level(library):
    row, _ = make_row(library.get("aspen-pfs"), "mtor")
    assert row.hr_text == "1.41 (1.03–1.92; 80% CI)" and "80% CI" in row.note
    assert row.effect.ci_level == pytest.approx(0.8)


def test_pooled_estimates_match_the_meta_engine(library):
    data = build_forest(rcc(library, "PFS"), group_by="setting", method="REML")
    pooled = data.pooled_rows
    assert data.overall is not None and data.overall.k == len(pooled) >= 5
    direct = pool([r.effect for r in pooled], "REML")
    assert data.overall.estimate == pytest.approx(direct.estimate)
    assert sum(r.weight for r in pooled) == pytest.approx(100)
    for group in data.groups:  # per-group pooling only with two or more pooled rows
        k = sum(r.pooled for r in group.rows)
        assert (group.pooled is not None) == (k >= 2)
        if group.pooled is not None:
            assert group.pooled.k == k
    assert data.subgroup_test is not None and data.subgroup_test.df_between == 2


def test_one_analysis_per_trial_is_pooled(library):
    data = build_forest(
        [library.get("record1-pfs-interim"), library.get("record1-pfs-final-central"), library.get("intorsect-pfs")]
    )
    by_id = {r.dataset_id: r for r in data.rows}
    assert by_id["record1-pfs-final-central"].pooled and by_id["intorsect-pfs"].pooled
    interim = by_id["record1-pfs-interim"]
    assert (
        not interim.pooled and interim.status == "reported" and "final analysis preferred over interim" in interim.note
    )
    assert data.overall.k == 2
    everything = build_forest(
        [library.get("record1-pfs-interim"), library.get("record1-pfs-final-central")], one_per_trial=False
    )
    assert everything.overall.k == 2


def test_mixed_endpoints_are_not_pooled_together_unless_asked(library):
    datasets = [library.get(i) for i in ("arcc-os-tem-vs-ifn", "intorsect-os", "intorsect-pfs", "aspen-pfs")]
    data = build_forest(datasets)
    assert data.overall is None and any("mix endpoints" in w for w in data.warnings)
    by_endpoint = build_forest(datasets, group_by="endpoint")
    assert {g.name for g in by_endpoint.groups if g.pooled is not None} == {"OS", "PFS"}
    assert by_endpoint.overall is None
    assert build_forest(datasets, pool_mixed_endpoints=True).overall.k == 4


def test_labels_and_bad_arguments(library):
    assert comparison_text("Temsirolimus", "Interferon alfa") == "Temsirolimus vs interferon alfa"
    assert comparison_text("Everolimus", "BSC") == "Everolimus vs BSC"
    row, _ = make_row(library.get("record1-pfs-final-investigator"))
    assert row.trial == "RECORD-1 (final, investigator)"
    with pytest.raises(AnalysisError, match="grouping"):
        build_forest(rcc(library), group_by="colour")
    with pytest.raises(AnalysisError, match="no comparisons"):
        build_forest([])
    with pytest.raises(AnalysisError, match="pooling method"):
        build_forest(rcc(library, "OS"), method="bayes")
