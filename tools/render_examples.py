"""Render the example figures shown in the README into ``docs/figures/`` (300 dpi PNG).

Developer tool, run by hand after a change to the plots or the bundled data:

    python tools/render_examples.py [OUTPUT_FOLDER]

Each figure is drawn by the same functions as the app and ``evidence-app figure``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evidence_app.core.datasets.library import load_library
from evidence_app.core.stats.analysis import analyze_dataset
from evidence_app.core.synthesis.forest_data import build_forest
from evidence_app.plots.forest import ForestOptions, draw_forest
from evidence_app.plots.km import KMOptions, draw_km
from evidence_app.plots.save import save_figure
from evidence_app.plots.style import new_figure

DPI = 300
KM_FIGURES = {
    "km-arcc-os.png": "arcc-os-tem-vs-ifn",  # summary-only: approximation from published summary
    "km-record1-pfs.png": "record1-pfs-interim",  # summary-only, interim analysis
    "km-bolero3-pfs.png": "bolero3-pfs-kmdata",  # patient-level data reconstructed by kmdata
}


def render_km(library, out: Path) -> None:
    for name, dataset_id in KM_FIGURES.items():
        fig = new_figure("single")
        draw_km(fig, analyze_dataset(library.get(dataset_id)), KMOptions(width="single"))
        print(f"wrote {save_figure(fig, out / name, dpi=DPI, overwrite=True)}")


def render_forests(library, out: Path) -> None:
    """One forest per endpoint: every bundled RCC comparison (rows without a published HR and CI are
    listed as "not reported"), the mTOR inhibitor as experimental arm, grouped by setting, REML."""
    for endpoint in ("OS", "PFS"):
        rcc = [d for d in library.datasets if "renal" in d.trial.disease.lower() and d.endpoint.name == endpoint]
        data = build_forest(rcc, orient="mtor", group_by="setting", method="REML")
        fig = new_figure("double")
        draw_forest(fig, data, ForestOptions(width="double"))
        name = f"forest-rcc-{endpoint.lower()}.png"
        print(f"wrote {save_figure(fig, out / name, dpi=DPI, overwrite=True)}")


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "docs" / "figures"
    out.mkdir(parents=True, exist_ok=True)
    library = load_library(include_user=False)
    render_km(library, out)
    render_forests(library, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
