"""Figures that are not what they claim: strips of a hundred million pixels, FIFOs, devices.

Each is refused by name before any pixel is decoded; nothing hangs or exhausts memory.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from evidence_app.cli.entry import main
from evidence_app.core import limits
from evidence_app.core.digitize.load import load_figure
from evidence_app.errors import InputError
from tests.robustness.conftest import time_limit
from tests.test_digitize import png_start


@pytest.mark.parametrize(
    "width,height", [(1, 100_000_000), (100_000_000, 1), (limits.MAX_IMAGE_SIDE + 1, 10), (7100, 7100)]
)
def test_huge_or_absurdly_shaped_images_are_refused_before_decoding(tmp_path, count_case, width, height):
    count_case()
    path = tmp_path / "strip.png"
    path.write_bytes(png_start(width, height))
    with pytest.raises(InputError, match="too large") as info:
        load_figure(path)
    assert str(path) in str(info.value) and f"{width} x {height}" in str(info.value)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
@pytest.mark.parametrize("name", ["pipe.png", "pipe.pdf", "pipe"])
def test_a_fifo_as_figure_is_refused_not_waited_for(tmp_path, capsys, count_case, name):
    count_case()
    fifo = tmp_path / name
    os.mkfifo(fifo)
    with time_limit(10, "digitizing a FIFO"):
        code = main(["digitize", "--image", str(fifo), "--x-range", "0,24", "--y-range", "0,1", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1 and "named pipe" in err and str(fifo) in err


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_symlink_to_dev_zero_as_figure_is_refused(tmp_path, count_case):
    count_case()
    link = tmp_path / "zero.png"
    link.symlink_to("/dev/zero")
    with time_limit(10, "reading /dev/zero"), pytest.raises(InputError, match="character device"):
        load_figure(link)
