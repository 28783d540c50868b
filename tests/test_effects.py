"""Effect sizes from publications: CI levels, orientation, and EFFECTS.csv problems."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence_app.core.stats.effects import (
    effect_from_ci,
    effect_from_log,
    flip,
    read_ci_level,
    read_effects_csv,
)
from evidence_app.core.synthesis.meta import pool
from evidence_app.errors import InputError

# Standard normal quantiles z_{(1+c)/2} from printed tables (not computed by the code
# under test): 80% -> z_0.90, 95% -> z_0.975, 98.5% -> z_0.9925.
Z = {0.80: 1.281552, 0.95: 1.959964, 0.985: 2.432379}


@pytest.mark.parametrize("level, text", [(0.80, "80%"), (0.95, 0.95), (0.985, "98.5%")])
def test_se_from_ci_at_several_levels(level, text):
    effect = effect_from_ci(0.75, 0.62, 0.91, text, study="S")
    assert effect.se == pytest.approx((math.log(0.91) - math.log(0.62)) / (2 * Z[level]), rel=1e-6)
    assert effect.log_hr == pytest.approx(math.log(0.75))
    assert effect.ci_level == pytest.approx(level) and effect.derived
    assert effect.note == f"SE computed from a {level * 100:g}% CI"


@pytest.mark.parametrize("text, expected", [("95%", 0.95), ("99.5%", 0.995), ("80 %", 0.8), (90, 0.9), ("0.9", 0.9)])
def test_ci_levels_parse(text, expected):
    assert read_ci_level(text) == pytest.approx(expected)


@pytest.mark.parametrize("bad", ["abc", "0%", "100%", 0, 1, 100, -0.5, "150%"])
def test_ci_levels_outside_zero_one_are_refused(bad):
    with pytest.raises(InputError, match="CI level"):
        read_ci_level(bad)


@pytest.mark.parametrize(
    "hr, lower, upper, message",
    [
        (0, 0.5, 1.2, "must be > 0"),
        (0.8, -0.1, 1.2, "must be > 0"),
        (0.8, 1.2, 0.5, "not below"),
        (0.8, 0.8, 0.8, "not below"),
        (1.5, 0.6, 1.2, "outside its confidence interval"),
    ],
)
def test_invalid_ci_inputs_say_what_is_wrong(hr, lower, upper, message):
    with pytest.raises(InputError, match=message):
        effect_from_ci(hr, lower, upper)


def test_effect_from_log_builds_the_95_percent_interval():
    effect = effect_from_log(math.log(0.5), 0.2, study="S")
    assert effect.hr == pytest.approx(0.5)
    assert effect.lower == pytest.approx(0.5 * math.exp(-Z[0.95] * 0.2), rel=1e-6)
    assert not effect.derived
    with pytest.raises(InputError, match="standard error"):
        effect_from_log(0.1, 0.0)


def test_flip_inverts_orientation_and_labels():
    effect = effect_from_ci(0.5, 0.25, 1.0, study="S")
    flipped = flip(effect)
    assert (flipped.hr, flipped.lower, flipped.upper) == pytest.approx((2.0, 1.0, 4.0))
    assert flipped.log_hr == pytest.approx(-effect.log_hr) and flipped.se == effect.se
    assert (flipped.experimental, flipped.control) == ("control", "experimental")
    assert flip(flipped) == effect


def write(tmp_path, text: str, name: str = "EFFECTS.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_with_ci_columns_levels_and_subgroups(tmp_path):
    path = write(
        tmp_path,
        "\ufeffStudy,HR,Lower,Upper,CI_level,Subgroup\nA,0.75,0.62,0.91,95%,young\n\nB,0.80,0.70,0.92,80,old\n",
    )
    effects, problems = read_effects_csv(path)
    assert problems == []
    assert [e.study for e in effects] == ["A", "B"]
    assert effects[1].ci_level == pytest.approx(0.80) and effects[1].subgroup == "old"
    expected_se = (math.log(0.92) - math.log(0.70)) / (2 * Z[0.80])
    assert effects[1].se == pytest.approx(expected_se, rel=1e-6)


def test_csv_with_log_hr_and_se(tmp_path):
    path = write(tmp_path, "study,log_hr,se\nA,-0.2,0.1\nB,0.1,0.3\n")
    effects, problems = read_effects_csv(path)
    assert problems == [] and [e.se for e in effects] == [0.1, 0.3]


def test_every_bad_row_gives_one_problem_and_good_rows_still_pool(tmp_path):
    rows = [
        "study,hr,lower,upper,ci_level",
        "Good 1,0.70,0.55,0.89,",  # row 2
        ",0.80,0.60,1.05,",  # row 3: no study
        "Text,abc,0.60,1.05,",  # row 4: not a number
        "Zero,0,0.60,1.05,",  # row 5: HR not positive
        "Swapped,0.80,1.05,0.60,",  # row 6: lower >= upper
        "Outside,1.50,0.60,1.05,",  # row 7: HR outside CI
        "Level,0.80,0.60,1.05,abc",  # row 8: unknown CI level
        "Good 2,0.90,0.75,1.08,95%",  # row 9
        "Good 1,0.70,0.55,0.89,",  # row 10: duplicate study
        "Short,0.80",  # row 11: missing bounds
        "Good 3,0.85,0.70,1.03,0.95",  # row 12
    ]
    path = write(tmp_path, "\n".join(rows) + "\n")
    effects, problems = read_effects_csv(path)
    assert [e.study for e in effects] == ["Good 1", "Good 2", "Good 3"]
    assert [p.location for p in problems] == [f"row {n}" for n in (3, 4, 5, 6, 7, 8, 10, 11)]
    assert all(p.file == str(path) for p in problems)
    messages = [p.message for p in problems]
    for expected, message in zip(
        [
            "study is empty",
            "hr is 'abc'",
            "must be > 0",
            "not below",
            "outside its confidence interval",
            "CI level",
            "more than once",
            "lower is empty",
        ],
        messages,
    ):
        assert expected in message
    pooled = pool(effects, "DL")
    assert pooled.k == 3


def test_bad_header_and_p_value_only_files_are_refused(tmp_path):
    with pytest.raises(InputError, match="header must be") as info:
        read_effects_csv(write(tmp_path, "name,effect\nA,0.8\n"))
    assert info.value.location == "row 1"
    with pytest.raises(InputError, match="p-value alone is not enough"):
        read_effects_csv(write(tmp_path, "study,hr,p\nA,0.8,0.03\n", "p.csv"))
    with pytest.raises(InputError, match="empty"):
        read_effects_csv(write(tmp_path, "", "empty.csv"))
    with pytest.raises(InputError, match="cannot read"):
        read_effects_csv(tmp_path / "missing.csv")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0.05, 5), st.floats(1.01, 3), st.floats(1.01, 3)), min_size=1, max_size=6))
def test_written_effects_read_back_unchanged(tmp_path_factory, triples):
    lines = ["study,hr,lower,upper"]
    for number, (hr, down, up) in enumerate(triples):
        lines.append(f"S{number},{hr!r},{hr / down!r},{hr * up!r}")
    path = tmp_path_factory.mktemp("csv") / "EFFECTS.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    effects, problems = read_effects_csv(path)
    assert problems == [] and len(effects) == len(triples)
    for effect, (hr, down, up) in zip(effects, triples):
        assert effect.hr == hr
        assert effect.se == pytest.approx(math.log(up * down) / (2 * Z[0.95]), rel=1e-6)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.text(alphabet="0123456789.-e%abc ", max_size=6), min_size=0, max_size=5), max_size=8))
def test_any_row_content_gives_an_effect_or_a_problem(tmp_path_factory, rows):
    lines = ["study,hr,lower,upper,ci_level"] + [",".join([f"S{i}"] + cells) for i, cells in enumerate(rows)]
    path = tmp_path_factory.mktemp("csv") / "EFFECTS.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    effects, problems = read_effects_csv(path)
    assert len(effects) + len(problems) == len(rows)
