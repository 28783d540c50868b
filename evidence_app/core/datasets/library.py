"""The evidence library: bundled datasets plus the user's own, loaded through one validator.

A broken file never stops the rest from loading: its problems are collected and shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from evidence_app.core.atomic import remove_stale_temporaries
from evidence_app.core.datasets.io import load_dataset
from evidence_app.core.datasets.schema import Dataset
from evidence_app.core.safe_files import list_folder
from evidence_app.errors import EvidenceError, Problem


@dataclass(frozen=True)
class LibraryEntry:
    dataset: Dataset
    path: Path
    bundled: bool


@dataclass
class Library:
    """All datasets that loaded, in a stable order, and every problem met on the way."""

    entries: dict[str, LibraryEntry] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, dataset_id: object) -> bool:
        return dataset_id in self.entries

    @property
    def datasets(self) -> list[Dataset]:
        return [e.dataset for e in self.entries.values()]

    def get(self, dataset_id: str) -> Dataset:
        try:
            return self.entries[dataset_id].dataset
        except KeyError:
            close = [i for i in self.entries if dataset_id.lower() in i]
            hint = f" Did you mean: {', '.join(close[:5])}?" if close else " Run 'evidence-app datasets' to list them."
            raise EvidenceError(f"No dataset with id {dataset_id!r}.{hint}") from None

    def add_folder(self, folder: Path, *, bundled: bool) -> None:
        """Load every ``*.json`` file; an unreadable folder or file is reported, never skipped silently."""
        files, problems = list_folder(folder, "*.json")
        self.problems.extend(problems)
        if not bundled and not any(p.file == str(folder) for p in problems):
            remove_stale_temporaries(folder)
        for path in files:
            self.add_file(path, bundled=bundled)

    def add_file(self, path: Path, *, bundled: bool) -> Dataset | None:
        try:
            dataset = load_dataset(path)
        except EvidenceError as exc:
            self.problems.extend(exc.problems or [Problem(exc.message, str(path))])
            return None
        if dataset.id in self.entries:
            first = self.entries[dataset.id].path
            self.problems.append(
                Problem(
                    f"duplicate dataset id {dataset.id!r} (already loaded from {first}); this file was skipped",
                    str(path),
                    "id",
                )
            )
            return None
        self.entries[dataset.id] = LibraryEntry(dataset, path, bundled)
        return dataset


def load_library(bundled: Path | None = None, user: Path | None = None, *, include_user: bool = True) -> Library:
    """Load the bundled datasets and (optionally) the user's folder."""
    from evidence_app import resources

    library = Library()
    library.add_folder(bundled if bundled is not None else resources.datasets_dir(), bundled=True)
    if include_user:
        library.add_folder(user if user is not None else resources.user_datasets_dir(), bundled=False)
    return library
