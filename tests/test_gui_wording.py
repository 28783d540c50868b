"""Derived numbers say plainly what they were computed from (no "Computed from reconstructed from …")."""

from __future__ import annotations

import pytest

from evidence_app.core.reconstruction.kinds import KIND_APPROXIMATION, KIND_PATIENT, KIND_RECONSTRUCTED
from evidence_app.gui.numbers_tab import computed_from


@pytest.mark.parametrize("kind", [KIND_PATIENT, KIND_RECONSTRUCTED, KIND_APPROXIMATION])
def test_computed_from_reads_as_a_sentence(kind):
    sentence = f"Computed from {computed_from({kind})}"
    first_word = computed_from({kind}).split()[0]
    assert first_word in ("the", "an", "patient-level"), sentence
    assert "from reconstructed" not in sentence and "from approximation" not in sentence


def test_mixed_sources_are_joined():
    text = computed_from({KIND_PATIENT, KIND_RECONSTRUCTED})
    assert text == "the patient-level data and patient-level data reconstructed from a digitized curve"
