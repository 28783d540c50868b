"""Network input: contrast CSV reading, treatment-name normalisation and the checks that name study and row."""

from __future__ import annotations

import math

import pytest

from evidence_app.core.synthesis.network import run_network
from evidence_app.core.synthesis.network_input import (
    Contrast,
    DisconnectedNetwork,
    prepare_network,
    read_contrast_csv,
)
from evidence_app.errors import InputError

HEADER = "study,treat1,treat2,log_hr,se\n"


def write(tmp_path, text, name="net.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(exc_info) -> list[str]:
    return [str(p) for p in exc_info.value.problems]


def three_arm(se_bc: float, y_bc: float = -0.3) -> str:
    # arm variances 0.01, 0.02, 0.03 -> se_ab² = 0.03, se_ac² = 0.04, se_bc² = 0.05
    return HEADER + (
        f"S1,A,B,-0.1,{math.sqrt(0.03)}\nS1,A,C,-0.4,{math.sqrt(0.04)}\nS1,B,C,{y_bc},{se_bc}\nS2,A,C,-0.2,0.2\n"
    )


def test_consistent_three_arm_study_is_accepted(tmp_path):
    data = prepare_network(read_contrast_csv(write(tmp_path, three_arm(math.sqrt(0.05)))))
    assert data.treatments == ("A", "B", "C")
    assert run_network(data, "A").layout.df == 1


def test_three_arm_ses_that_cannot_come_from_arm_variances(tmp_path):
    path = write(tmp_path, three_arm(0.5))  # se_bc² 0.25 > se_ab² + se_ac²: a negative arm variance
    with pytest.raises(InputError) as info:
        prepare_network(read_contrast_csv(path))
    (line,) = problems_of(info)
    assert "study S1" in line and "arm variances" in line and "row 2, row 3, row 4" in line and "net.csv" in line


def test_three_arm_estimates_that_do_not_add_up(tmp_path):
    with pytest.raises(InputError) as info:
        prepare_network(read_contrast_csv(write(tmp_path, three_arm(math.sqrt(0.05), y_bc=0.5))))
    assert any("study S1" in p and "inconsistent" in p for p in problems_of(info))


def test_multi_arm_study_missing_a_contrast(tmp_path):
    text = HEADER + "S1,A,B,-0.1,0.2\nS1,A,C,-0.4,0.2\nS2,B,C,0.1,0.3\n"
    with pytest.raises(InputError) as info:
        prepare_network(read_contrast_csv(write(tmp_path, text)))
    assert "missing: B vs C" in problems_of(info)[0]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("S2,A,B,-0.1,0", "standard error is 0"),
        ("S2,A,B,-0.1,-0.2", "standard error is -0.2"),
        ("S2,B,B,-0.1,0.2", "B is compared with itself"),
        ("S1,B,A,0.1,0.2", "study S1 lists B vs A twice (row 2 and row 3)"),
    ],
)
def test_bad_rows_are_named_with_study_and_row(tmp_path, row, expected):
    path = write(tmp_path, HEADER + "S1,A,B,-0.1,0.2\n" + row + "\n")
    with pytest.raises(InputError) as info:
        prepare_network(read_contrast_csv(path))
    (line,) = problems_of(info)
    assert expected in line and "row 3" in line and str(path) in line


def test_unreadable_cells_and_header(tmp_path):
    with pytest.raises(InputError, match="row 2: se is 'abc'"):
        read_contrast_csv(write(tmp_path, HEADER + "S1,A,B,-0.1,abc\n"))
    with pytest.raises(InputError, match="row 1: header must be"):
        read_contrast_csv(write(tmp_path, "study,hr\nS1,0.8\n"))
    with pytest.raises(InputError, match="row 2: treat2 is empty"):
        read_contrast_csv(write(tmp_path, HEADER + "S1,A,,-0.1,0.2\n"))


def test_disconnected_network_names_the_parts_and_one_part_can_be_analysed(tmp_path):
    text = HEADER + "S1,A,B,-0.1,0.2\nS2,B,C,0.2,0.2\nS3,X,Y,0.3,0.3\n"
    contrasts = read_contrast_csv(write(tmp_path, text))
    with pytest.raises(DisconnectedNetwork) as info:
        prepare_network(contrasts)
    lines = problems_of(info)
    assert "not connected" in lines[0]
    assert "part 1: A, B, C (studies: S1, S2)" in lines[1] and "part 2: X, Y (studies: S3)" in lines[2]
    assert info.value.parts == (("A", "B", "C"), ("X", "Y"))
    second = prepare_network(contrasts, part=2)
    assert second.treatments == ("X", "Y") and second.studies == ("S3",)
    with pytest.raises(InputError, match="part 3 does not exist"):
        prepare_network(contrasts, part=3)


def test_treatment_names_are_normalised_and_the_mapping_kept():
    contrasts = [
        Contrast("S1", "Lenvatinib + Everolimus", "Everolimus", -0.9, 0.26),
        Contrast("S2", "lenvatinib+everolimus", "  everolimus ", -0.5, 0.3),
        Contrast("S3", "Nivolumab", "EVEROLIMUS", -0.3, 0.1),
    ]
    data = prepare_network(contrasts)
    assert data.treatments == ("Everolimus", "Lenvatinib + Everolimus", "Nivolumab")
    assert data.renamed() == {
        "lenvatinib+everolimus": "Lenvatinib + Everolimus",
        "  everolimus ": "Everolimus",
        "EVEROLIMUS": "Everolimus",
    }
    assert run_network(data, "everolimus ").reference == "Everolimus"
    with pytest.raises(InputError, match="reference treatment 'placebo' is not in the network"):
        run_network(data, "placebo")


def test_hr_with_ci_at_any_level(tmp_path):
    text = "study,treat1,treat2,hr,lower,upper,ci_level,n1,n2\nS1,niv,eve,0.73,0.57,0.93,98.5%,410,411\n"
    (c,) = read_contrast_csv(write(tmp_path, text))
    assert c.log_hr == pytest.approx(math.log(0.73))
    assert c.se == pytest.approx((math.log(0.93) - math.log(0.57)) / (2 * 2.43238), rel=1e-5)
    assert (c.n1, c.n2) == (410, 411)
    with pytest.raises(InputError, match="row 2: study S1: HR 1.5 lies outside"):
        read_contrast_csv(write(tmp_path, "study,treat1,treat2,hr,lower,upper\nS1,a,b,1.5,0.5,0.9\n"))


def test_bad_option_values():
    data = prepare_network([Contrast("S1", "a", "b", 0.1, 0.2), Contrast("S2", "a", "b", 0.3, 0.2)])
    with pytest.raises(InputError, match="tau² method 'PM'"):
        run_network(data, "a", tau_method="PM")
    with pytest.raises(InputError, match="no contrasts"):
        prepare_network([])


@pytest.mark.parametrize("column", ["log_hr", "se"])
@pytest.mark.parametrize("bad", ["", "nan", "inf", "1e999", "0.3.1", "-"])
def test_malformed_numbers_get_one_message_naming_the_row(tmp_path, column, bad):
    cells = {"study": "S2", "treat1": "A", "treat2": "C", "log_hr": "0.2", "se": "0.3"} | {column: bad}
    row = ",".join(cells[k] for k in ("study", "treat1", "treat2", "log_hr", "se"))
    path = write(tmp_path, HEADER + "S1,A,B,-0.1,0.2\n" + row + "\n")
    with pytest.raises(InputError) as info:
        read_contrast_csv(path)
    (line,) = problems_of(info)
    assert "row 3" in line and column in line


def test_preset_tau2_must_be_a_variance():
    data = prepare_network([Contrast("S1", "a", "b", 0.1, 0.2), Contrast("S2", "a", "b", 0.3, 0.2)])
    with pytest.raises(InputError, match="preset τ²"):
        run_network(data, "a", tau2_preset=-0.1)
