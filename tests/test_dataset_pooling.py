"""Pooling library datasets: published HRs (oriented) next to patient-level pooling."""

from __future__ import annotations

import math

import pytest

from evidence_app.core.stats.survival import arm_hazard_ratio
from evidence_app.core.synthesis.pooling import mtor_orientation, oriented_effect, pool_datasets


def test_everolimus_control_arm_is_flipped(library):
    cm = library.get("checkmate025-os")
    assert mtor_orientation(cm)
    e = oriented_effect(cm, orient_mtor=True)
    assert e.hr == pytest.approx(1 / 0.73) and e.lower == pytest.approx(1 / 0.93) and e.upper == pytest.approx(1 / 0.57)
    assert e.experimental == "Everolimus"
    assert oriented_effect(cm, orient_mtor=False).hr == pytest.approx(0.73)
    assert not mtor_orientation(library.get("arcc-os-tem-vs-ifn"))


def test_two_stage_pooling_uses_each_trials_cox_hr(library):
    ids = ["bolero1-pfs-kmdata", "radiant4-pfs-kmdata"]
    result = pool_datasets([library.get(i) for i in ids], method="fixed")
    assert result.published is None and result.ipd_studies == tuple(ids)
    logs, ws = [], []
    for i in ids:
        d = library.get(i)
        e, c = d.curve.arms[d.comparison.experimental_arm], d.curve.arms[d.comparison.control_arm]
        hr = arm_hazard_ratio(e.time, e.event, c.time, c.event)
        logs.append(hr.log_hr)
        ws.append(1 / hr.se**2)
    fixed = sum(w * y for w, y in zip(ws, logs)) / sum(ws)
    assert math.log(result.ipd_two_stage.estimate) == pytest.approx(fixed, rel=1e-6)
    # the one-stage stratified model estimates the same common effect
    assert result.ipd_one_stage.hr == pytest.approx(result.ipd_two_stage.estimate, rel=0.05)


def test_summary_only_datasets_are_not_pooled_as_patient_data(library):
    ids = ["arcc-os-tem-vs-ifn", "intorsect-os", "tempa-os"]
    result = pool_datasets([library.get(i) for i in ids], method="REML")
    assert result.published is not None and result.published.k == 3
    assert result.ipd_two_stage is None and result.ipd_studies == ()
    assert sum("not pooled as patient data" in n for n in result.notes) == 3
