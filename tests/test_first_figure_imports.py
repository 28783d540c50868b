"""The first Kaplan–Meier figure of patient-level data needs neither lifelines, pandas nor
scipy.stats (they take seconds to import): the analysis runs on the numpy path and the normal and
chi-square functions come from the standard library. Checked in a fresh interpreter."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO

SCRIPT = """
import sys
from evidence_app.core.datasets.library import load_library
from evidence_app.core.stats.analysis import analyze_dataset
from evidence_app.plots.km import draw_km
from evidence_app.plots.km_options import KMOptions
from evidence_app.plots.style import new_figure
analysis = analyze_dataset(load_library(include_user=False).get("bolero3-pfs-kmdata"))
assert analysis.comparison is not None and analysis.comparison.hazard_ratio is not None  # Cox, numpy path
draw_km(new_figure("single"), analysis, KMOptions())
print(",".join(m for m in ("lifelines", "pandas", "scipy.stats") if m in sys.modules))
"""


def test_patient_level_figure_imports_no_heavy_statistics_library():
    env = dict(os.environ, MPLBACKEND="Agg")
    run = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300, cwd=REPO, env=env)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == ""


def test_showing_an_analysis_reads_provenance_without_the_digitizer_libraries():
    """The Reconstruction tab summarises a digitizer record on the GUI thread: that must not load
    pandas or scipy (about 0.4 s) between the analysis and the first figure."""
    script = (
        "import sys\n"
        "from evidence_app.core.digitize.provenance import provenance_summary\n"
        "print(','.join(m for m in ('pandas', 'scipy') if m in sys.modules))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=REPO)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == ""
