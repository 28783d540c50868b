"""Fuzzing every entry point: each CLI command's arguments, and the content of every kind of input file.

Every case is time-limited (a hang fails it) and must end cleanly: exit 0, 1 or 2, never a traceback,
an ``error:`` line naming the file when a file was bad, and no file in the library changed. The
robustness summary at the end of the run counts the cases; ``benchmarks/fuzz_nightly.py`` runs many
more, each in its own process with a 2 GB memory cap.
"""

from __future__ import annotations

import json
import os
import resource
import struct
import sys
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence_app import resources
from evidence_app.core.digitize.csv_input import read_digitized_curves
from evidence_app.core.digitize.load import load_figure
from evidence_app.errors import InputError
from tests.robustness.conftest import time_limit
from tests.robustness.fuzz_support import CURVE, argv_strategy, commands, library_state, make_pools, run_cli
from tests.test_schema import minimal

#: ``benchmarks/fuzz_nightly.py`` sets this to run N times more cases, drawn afresh each night.
SCALE = int(os.environ.get("EVIDENCE_FUZZ_SCALE", "1"))


def fuzz(examples: int) -> settings:
    """Reproducible in the test run (derandomized: a failure is never flaky); random when scaled up."""
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=SCALE == 1,
        database=None,
    )


COMMANDS = sorted(commands())


@pytest.fixture(scope="module")
def pools(tmp_path_factory):
    return make_pools(tmp_path_factory.mktemp("fuzz-files"))


@pytest.fixture
def library_guard(private_user_dir):
    """A user library with one dataset; returns a check that nothing in either library changed."""
    user = private_user_dir / "datasets"
    user.mkdir(exist_ok=True)
    data = minimal()
    data["id"] = "demo-user"
    (user / "demo-user.json").write_text(json.dumps(data), encoding="utf-8")
    before = library_state(user, resources.datasets_dir())

    def unchanged() -> None:
        assert library_state(user, resources.datasets_dir()) == before

    return unchanged


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) for p in COMMANDS])
def test_command_lines(path, pools, library_guard, count_case):
    @fuzz(30)
    @given(argv=argv_strategy(path, pools, expensive=SCALE > 1))  # every dataset, every figure: nightly only
    def case(argv):
        count_case()
        run_cli(argv)
        library_guard()

    case()


CELL = st.one_of(
    st.sampled_from(["0", "1", "0.5", "-0", "-3", "100", "1e308", "nan", "inf", "", "1,5", "abc", "time", "survival"]),
    st.floats().map(repr),
    st.integers(-(10**12), 10**12).map(str),
    st.text(max_size=8),
)
ROWS = st.lists(st.lists(CELL, max_size=5), max_size=25)


@st.composite
def csv_text(draw, header: str) -> str:
    if draw(st.integers(0, 4)) == 0:
        return draw(st.text(max_size=300))
    sep = draw(st.sampled_from([",", ";", "\t"]))
    lines = [sep.join(row) for row in draw(ROWS)]
    if draw(st.booleans()):
        lines.insert(0, header.replace(",", sep))
    return ("\ufeff" if draw(st.booleans()) else "") + "\n".join(lines) + draw(st.sampled_from(["", "\n", "\r\n"]))


def _file_case(tmp_path, name: str, content: str | bytes, argv: list[str], library_guard) -> None:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
    code, _, err = run_cli([a.replace("{file}", str(path)) for a in argv])
    if code == 1:
        assert str(path) in err, err  # the message names the file that was wrong
    library_guard()


@fuzz(90)
@given(text=csv_text("time,survival"), n=st.sampled_from(["1", "60", "1000"]), percent=st.booleans())
def test_curve_csv(tmp_path, library_guard, count_case, text, n, percent):
    count_case()
    argv = ["reconstruct", "--curve", "{file}", "--n", n, "--out", str(tmp_path / "ipd.csv"), "--force"]
    _file_case(tmp_path, "curve.csv", text, argv + (["--percent"] if percent else []), library_guard)


@fuzz(90)
@given(text=csv_text("time,n_at_risk"))
def test_at_risk_csv(tmp_path, library_guard, count_case, text):
    count_case()
    (tmp_path / "curve-good.csv").write_text(CURVE)
    argv = ["reconstruct", "--curve", str(tmp_path / "curve-good.csv"), "--at-risk", "{file}"]
    _file_case(tmp_path, "atrisk.csv", text, argv + ["--out", str(tmp_path / "ipd.csv"), "--force"], library_guard)


@fuzz(50)
@given(text=csv_text("study,hr,lower,upper"), method=st.sampled_from(["REML", "fixed", "DL", "PM"]))
def test_effects_csv(tmp_path, library_guard, count_case, text, method):
    count_case()
    _file_case(tmp_path, "effects.csv", text, ["pool", "{file}", "--method", method], library_guard)


@fuzz(50)
@given(
    rows=st.lists(
        st.lists(
            st.sampled_from(["curve.csv", "atrisk.csv", "", "missing.csv", "ipd.csv", "5", "-1", "x"]), max_size=6
        ),
        max_size=6,
    ),
    header=st.booleans(),
)
def test_manifest(tmp_path, library_guard, count_case, rows, header):
    count_case()
    (tmp_path / "curve.csv").write_text(CURVE)
    (tmp_path / "atrisk.csv").write_text("time,n_at_risk\n0,60\n4,45\n")
    lines = (["curve,at-risk,output,events,n"] if header else []) + [",".join(r) for r in rows]
    argv = ["reconstruct", "--manifest", "{file}", "--jobs", "1", "--force"]
    _file_case(tmp_path, "arms.csv", "\n".join(lines), argv, library_guard)


@fuzz(50)
@given(text=csv_text("A,,B,"), second=st.booleans())
def test_webplotdigitizer_csv(tmp_path, count_case, text, second):
    count_case()
    path = tmp_path / "wpd.csv"
    path.write_text(("A,,B,\nX,Y,X,Y\n" if second else "") + text, encoding="utf-8", errors="surrogatepass")
    with time_limit(20, "WPD file"):
        try:
            curves = read_digitized_curves(path)
        except InputError as exc:
            assert str(path) in str(exc)
        else:
            assert all(len(c.points) >= 1 for c in curves)


def _mutate(data: bytes, edits: list[tuple[int, int]], cut: int | None) -> bytes:
    raw = bytearray(data)
    for position, value in edits:
        raw[position % len(raw)] = value
    return bytes(raw[:cut] if cut else raw)


@fuzz(80)
@given(
    edits=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=6),
    cut=st.none() | st.integers(1, 4000),
    raw=st.booleans(),
)
def test_dataset_json(tmp_path, library_guard, count_case, edits, cut, raw):
    count_case()
    text = json.dumps(minimal(), indent=1).encode()
    _file_case(
        tmp_path,
        "dataset.json",
        _mutate(text, edits, cut) if raw or edits else text,
        ["validate", "{file}"],
        library_guard,
    )


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes([40, 90, 200]) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@fuzz(80)
@given(
    width=st.integers(1, 300),
    height=st.integers(1, 300),
    edits=st.lists(st.tuples(st.integers(0, 10**5), st.integers(0, 255)), max_size=4),
    cut=st.none() | st.integers(1, 500),
)
def test_image(tmp_path, count_case, width, height, edits, cut):
    count_case()
    path = tmp_path / "figure.png"
    path.write_bytes(_mutate(_png(width, height), edits, cut))
    with time_limit(20, "image"):
        try:
            figure = load_figure(path)
        except InputError as exc:
            assert str(path) in str(exc)
        else:
            assert figure.pixels.ndim == 3 and figure.pixels.shape[2] == 3


def test_peak_memory_of_the_fuzz_run():
    """Run last in this module: no input above drove this process past 2 GB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    assert peak < 2 * 1024**3, f"peak memory {peak / 1e9:.2f} GB"
