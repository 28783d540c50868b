"""Many processes import a dataset with the same id into one user library at the same moment.

Used by the robustness test (a few writers) and ``benchmarks/fuzz_nightly.py`` (200 writers).
"""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

from tests.test_schema import minimal


def _import_one(args: tuple[int, str, object]) -> tuple[int, str, str]:
    index, home, barrier = args
    os.environ["EVIDENCE_APP_HOME"] = home
    from evidence_app.core.datasets.io import parse_dataset
    from evidence_app.core.datasets.library import load_library
    from evidence_app.core.datasets.user_library import plan_save, save_user_dataset
    from evidence_app.errors import EvidenceError

    data = minimal()
    data["title"] = f"Imported by writer {index}"
    dataset = parse_dataset(data, f"writer-{index}")
    library = load_library(bundled=Path(home) / "no-bundled", include_user=True)
    barrier.wait(timeout=120)  # type: ignore[attr-defined]
    try:
        plan = plan_save(dataset, library)
        path = save_user_dataset(dataset, plan)  # the user does not agree to replace anything
    except EvidenceError as exc:
        return index, "refused", str(exc)
    return index, "imported", str(path)


def race(count: int, home: Path) -> dict[str, object]:
    """Run ``count`` simultaneous imports; return the outcomes and what the library holds after."""
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with context.Manager() as manager:
        barrier = manager.Barrier(count)
        with context.Pool(count) as pool:
            outcomes = pool.map(_import_one, [(i, str(home), barrier) for i in range(count)], chunksize=1)
    files = sorted((home / "datasets").glob("*"))
    contents = {p.name: json.loads(p.read_text(encoding="utf-8"))["title"] for p in files if p.suffix == ".json"}
    return {"outcomes": outcomes, "files": [p.name for p in files], "titles": contents}
