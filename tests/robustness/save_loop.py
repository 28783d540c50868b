"""Child process for the kill test: saves a dataset over and over until it is killed."""

from __future__ import annotations

import sys
from pathlib import Path

from evidence_app.core.datasets.io import load_dataset, save_dataset


def main(path: str) -> None:
    target = Path(path)
    dataset = load_dataset(target)
    versions = [dataset.model_copy(update={"title": f"version {i}"}) for i in range(2)]
    print("ready", flush=True)
    i = 0
    while True:
        save_dataset(versions[i % 2], target, overwrite=True)
        i += 1


if __name__ == "__main__":
    main(sys.argv[1])
