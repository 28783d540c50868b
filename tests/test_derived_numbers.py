"""Every printed median, at-risk number, event count and p-value is published or labelled: errors 6–9 of
issue 15, checked on every bundled dataset's analysis, `analyze` output, KM figure and workbook."""

from __future__ import annotations

import json

import openpyxl
import pytest

from evidence_app.cli import main
from evidence_app.core.datasets.published import published_median_text
from evidence_app.core.stats.analysis import analyze_dataset
from evidence_app.core.stats.analysis_report import analysis_text
from evidence_app.core.stats.derived import WITHHELD
from evidence_app.core.stats.survival import fit_km
from evidence_app.export.workbook import export_workbook
from evidence_app.plots.km import KMOptions, draw_km
from evidence_app.plots.style import new_figure

ASSUMED = "Event count assumed"


@pytest.fixture(scope="module")
def analyses(library):
    return {d.id: analyze_dataset(d) for d in library.datasets if library.entries[d.id].bundled}


def approximated(analyses):
    return [a for a in analyses.values() if a.is_approximation]


def test_approximations_reproduce_published_totals_and_medians(analyses):
    """Error 6: aspen-pfs had 52 events for 87 published, intorsect-pfs 250 for 389, intorsect-os 250 for 351."""
    checked_totals = set()
    for a in approximated(analyses):
        d = a.dataset
        for r in a.arms:
            if r.data is None:
                continue
            if r.arm.events is not None:
                assert int(r.data.event.sum()) == r.arm.events.value, (d.id, r.arm.id)
            if r.arm.median is not None and r.arm.median.value is not None:
                fit = fit_km(r.data.time, r.data.event)
                assert fit.median == pytest.approx(r.arm.median.value, abs=1e-9), (d.id, r.arm.id)
        total = d.comparison.total_events
        exp, ctl = d.comparison.experimental_arm, d.comparison.control_arm
        if total is not None and all(a.arm_result(i).data is not None for i in (exp, ctl)):
            made = sum(int(a.arm_result(i).data.event.sum()) for i in (exp, ctl))
            assert made == total.value, d.id
            checked_totals.add(d.id)
    assert {"aspen-pfs", "intorsect-pfs", "intorsect-os"} <= checked_totals


def test_an_approximation_that_misses_the_published_hr_says_so(analyses):
    for a in approximated(analyses):
        hr, c = a.dataset.comparison.hazard_ratio, a.comparison
        if c is None or hr is None or hr.lower is None:
            continue
        missed = not hr.lower <= c.hazard_ratio.hr <= hr.upper
        assert missed == any("does not reproduce the published HR" in n for n in a.notes), a.dataset.id


def test_assumed_event_counts_are_said_in_analyze_figure_and_workbook(analyses, library, tmp_path):
    """Error 7: the warning reached no view."""
    assumed = [a for a in approximated(analyses) if any(r.data and r.data.events_assumed for r in a.arms)]
    assert {"arcc-os-tem-vs-ifn", "aspen-os", "tempa-os"} <= {a.dataset.id for a in assumed}
    arcc = " ".join(analyses["arcc-os-tem-vs-ifn"].notes)
    assert "Not reproduced: Deaths across all three ARCC arms: 446" in arcc  # said, not silently ignored
    split = analyses["aspen-pfs"]
    assert not any(r.data.events_assumed for r in split.arms)
    assert any("share of the 87 events" in n for n in split.notes)
    for a in assumed:
        assert ASSUMED in analysis_text(a), a.dataset.id
        fig = new_figure("single")
        art = draw_km(fig, a, KMOptions(width="single"))
        notes = " ".join(t.get_text() for t in art.notes).replace("\n", " ")
        assert ASSUMED in notes, a.dataset.id
    path = tmp_path / "w.xlsx"
    export_workbook([a.dataset for a in assumed], path)
    book = openpyxl.load_workbook(path, read_only=True)
    rows = [r for sheet in book.worksheets for r in sheet.iter_rows(values_only=True)]
    for a in assumed:
        said = [r for r in rows if a.dataset.id in r and any(isinstance(v, str) and ASSUMED in v for v in r)]
        assert said, a.dataset.id


def test_figures_print_published_medians_and_label_computed_ones(analyses):
    """Error 8: the computed median was printed as if published in 27 of 48 arms."""
    for a in analyses.values():
        if not any(r.fit is not None for r in a.arms):
            continue
        fig = new_figure("single")
        art = draw_km(fig, a, KMOptions(width="single"))
        printed = sorted(t.get_text() for t in art.median_texts)
        expected = []
        for r in a.arms:
            if r.fit is None:
                continue
            m = r.arm.median
            if m is not None and m.value is not None:
                expected.append(published_median_text(m.model_copy(update={"ci": None})))
            elif (m is None or not m.not_reached) and r.fit.median is not None:
                expected.append(f"computed {r.fit.median:.1f}")
        assert printed == sorted(expected), a.dataset.id
        notes = " ".join(t.get_text() for t in art.notes).replace("\n", " ")
        for r in a.arms:
            m = r.arm.median
            if r.fit is not None and m is not None and m.value is not None:
                assert f"{r.arm.label} {published_median_text(m)}" in notes, a.dataset.id  # with its CI


def test_approximations_show_no_at_risk_events_or_p_anywhere(analyses, capsys, tmp_path):
    """Error 9: numbers computed from approximation curves were printed as data."""
    approx = approximated(analyses)
    data = [a for a in analyses.values() if a.counts_are_data]
    assert approx and data
    for a in approx:
        assert main(["analyze", a.dataset.id, "--json"]) == 0
        out = json.loads(capsys.readouterr().out)
        for arm in out["arms"]:
            if "computed" in arm:
                assert arm["computed"]["events"] is None and arm["computed"]["at_risk"] is None
                assert all(lm["n_at_risk"] is None for lm in arm["computed"]["landmarks"])
        if out["computed"]:
            assert out["computed"]["logrank_p"] is None and out["computed"]["hr"]["p"] is None
        text = analysis_text(a)
        assert "log-rank p —" in text or a.comparison is None
        assert "events —" in text and "at risk (just before t): —" in text
        art = draw_km(new_figure("single"), a, KMOptions(width="single"))
        assert art.risk_ax is None and not art.risk_cells
        assert "log-rank" not in (art.hr_box.txt.get_text() if art.hr_box else "")
    for a in data:
        assert main(["analyze", a.dataset.id, "--json"]) == 0
        out = json.loads(capsys.readouterr().out)
        assert all(isinstance(arm["computed"]["events"], int) for arm in out["arms"] if "computed" in arm)
        art = draw_km(new_figure("single"), a, KMOptions(width="single"))
        assert art.risk_ax is not None
    path = tmp_path / "all.xlsx"
    export_workbook([a.dataset for a in analyses.values()], path)
    sheet = list(openpyxl.load_workbook(path, read_only=True)["Survival tables"].iter_rows(values_only=True))
    head = next(i for i, r in enumerate(sheet) if "Dataset id" in r and "Survival" in r)
    col = {name: j for j, name in enumerate(sheet[head]) if name}

    def column(*words: str) -> str:  # the workbook's wording of its at-risk, events and censored columns
        return next(name for name in col if all(w in name.lower() for w in words))

    approx_ids = {a.dataset.id for a in approx}
    counts = (column("at risk", "before"), column("events"), column("censored"))
    seen = {True: 0, False: 0}
    for r in sheet[head + 1 :]:
        if r[col["Dataset id"]] is None or r[col["Survival"]] is None:
            continue
        is_approx = r[col["Dataset id"]] in approx_ids
        values = [r[col[c]] for c in counts]
        if is_approx:  # numeric columns stay numeric: empty, and the row's note says why
            assert values == [None] * 3 and "(approximation)" in str(r[col["Notes"]])
        else:
            assert all(isinstance(v, int) for v in values)
        seen[is_approx] += 1
    assert seen[True] and seen[False]


def test_csv_export_of_every_dataset_prints_published_values_or_labels(analyses, library, tmp_path):
    import csv

    path = tmp_path / "all.csv"
    assert main(["export", "--all", "--format", "csv", "--out", str(path)]) == 0
    rows = {r["Dataset id"]: r for r in csv.DictReader(path.open(encoding="utf-8-sig"))}
    assert set(rows) == set(analyses)
    for dataset_id, a in analyses.items():
        row, d = rows[dataset_id], a.dataset
        for side, arm in (("exp", d.experimental), ("ctrl", d.control)):
            events = row[f"Events {side}"]
            assert events == ("" if arm.events is None else str(arm.events.value)), dataset_id  # published only
            if arm.median is not None and arm.median.value is not None:
                assert row[f"Median {side} (CI)"].startswith(published_median_text(arm.median)), dataset_id
        if a.comparison is None:
            continue
        computed_p = (row["Computed log-rank p"], row["PH test p"])
        if a.is_approximation:
            assert computed_p == (WITHHELD, WITHHELD), dataset_id
            if any(r.data is not None and r.data.events_assumed for r in a.arms):
                assert ASSUMED in row["Computed notes"], dataset_id
        else:
            assert WITHHELD not in computed_p, dataset_id
