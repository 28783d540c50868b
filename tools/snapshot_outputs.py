"""Write every headless output of the bundled library into one folder, to compare two versions.

    python tools/snapshot_outputs.py OUT_DIR
    python tools/snapshot_outputs.py --compare DIR_A DIR_B

The first form runs the CLI in one process: each bundled dataset's KM figure (SVG) and
``analyze --json``, the forest plot of every dataset (SVG), its pooled rows (``pool-datasets
--json`` per endpoint), the Comparison table (CSV) and the full workbook (with figures). SVGs are
written deterministically (fixed hash salt, no date). The second form compares two such folders:
text files byte for byte, workbooks by sheet names and cell values. Used to show that a
restructuring changed no output.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _run(argv: list[str], capture: Path | None = None) -> None:
    from evidence_app.cli import main

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(argv)
    if capture is not None:
        capture.write_text(buffer.getvalue(), encoding="utf-8")
    if code != 0:
        print(f"warning: exit {code}: {' '.join(argv)}", file=sys.stderr)


def snapshot(out: Path) -> None:
    import matplotlib

    os.environ["SOURCE_DATE_EPOCH"] = "0"
    matplotlib.rcParams["svg.hashsalt"] = "evidence-app-snapshot"
    from evidence_app.cli import main

    out.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        main(["datasets", "--json", "--bundled-only"])
    import json

    ids = [row["id"] for row in json.loads(buffer.getvalue())]
    endpoints = sorted({row["endpoint"] for row in json.loads(buffer.getvalue())})
    for dataset_id in ids:
        _run(["figure", "km", dataset_id, "--out", str(out / f"km-{dataset_id}.svg"), "--force"])
        _run(["analyze", dataset_id, "--json"], capture=out / f"analyze-{dataset_id}.json")
    _run(["figure", "forest", "--all", "--out", str(out / "forest-all.svg"), "--force"])
    for endpoint in endpoints:
        chosen = [row["id"] for row in json.loads(buffer.getvalue()) if row["endpoint"] == endpoint]
        _run(["pool-datasets", *chosen, "--json"], capture=out / f"pool-{endpoint}.json")
    _run(["export", "--all", "--out", str(out / "comparison.csv"), "--format", "csv", "--force"])
    _run(["export", "--all", "--with-figures", "--out", str(out / "workbook.xlsx"), "--force"])
    print(f"{len(list(out.iterdir()))} files in {out}")


def _workbook_cells(path: Path) -> dict[str, list[tuple]]:
    import openpyxl

    book = openpyxl.load_workbook(path, data_only=False)
    # The export's own time stamp is the one cell that differs between two runs of the same code.
    return {
        ws.title: [
            tuple(c.value for c in row) for row in ws.iter_rows() if [c.value for c in row[:2]] != ["Export", "Date"]
        ]
        for ws in book.worksheets
    }


def compare(a: Path, b: Path) -> int:
    names_a = {p.name for p in a.iterdir()}
    names_b = {p.name for p in b.iterdir()}
    differences = [f"only in {a}: {n}" for n in sorted(names_a - names_b)]
    differences += [f"only in {b}: {n}" for n in sorted(names_b - names_a)]
    for name in sorted(names_a & names_b):
        if name.endswith(".xlsx"):
            cells_a, cells_b = _workbook_cells(a / name), _workbook_cells(b / name)
            if list(cells_a) != list(cells_b):
                differences.append(f"{name}: sheet names differ: {list(cells_a)} vs {list(cells_b)}")
            for sheet in cells_a.keys() & cells_b.keys():
                if cells_a[sheet] != cells_b[sheet]:
                    differences.append(f"{name}: sheet {sheet!r} cell values differ")
        elif (a / name).read_bytes() != (b / name).read_bytes():
            differences.append(f"{name}: bytes differ")
    for line in differences:
        print(line)
    print(f"compared {len(names_a & names_b)} files: {len(differences)} differences")
    return 1 if differences else 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--compare":
        sys.exit(compare(Path(sys.argv[2]), Path(sys.argv[3])))
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    snapshot(Path(sys.argv[1]))
