"""The user's own datasets on disk: where a dataset goes, replacing and deleting (no Qt).

Bundled datasets are read-only; every write is atomic (:func:`save_dataset`) and never replaces
a file unless the caller says the user agreed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from evidence_app.core.datasets.io import save_dataset
from evidence_app.core.datasets.library import Library, LibraryEntry
from evidence_app.core.datasets.schema import Dataset
from evidence_app.errors import EvidenceError, InputError
from evidence_app.resources import user_datasets_dir


@dataclass(frozen=True)
class ImportPlan:
    """Where a dataset will be written and what it would replace (None: nothing)."""

    target: Path
    replaces: str | None


def plan_save(dataset: Dataset, library: Library, *, editing: LibraryEntry | None = None) -> ImportPlan:
    """Decide where ``dataset`` goes in the user library.

    Raises :class:`InputError` when a bundled dataset already uses the id (the loader would skip
    the user's file, so it would silently never show).
    """
    existing = library.entries.get(dataset.id)
    if existing is not None and existing.bundled:
        raise InputError(
            f"the bundled library already has a dataset with id '{dataset.id}'; give your dataset another id",
            location="id",
        )
    if editing is not None and (existing is None or existing.path == editing.path):
        return ImportPlan(editing.path, None)
    if existing is not None:
        return ImportPlan(existing.path, f"your dataset '{dataset.id}' ({existing.path.name})")
    target = user_datasets_dir(create=True) / f"{dataset.id}.json"
    return ImportPlan(target, f"the file {target.name}" if target.exists() else None)


def save_user_dataset(
    dataset: Dataset, plan: ImportPlan, *, replace_ok: bool = False, editing: LibraryEntry | None = None
) -> Path:
    """Write ``dataset`` atomically; remove the old file when an edit changed the id (file name)."""
    overwrite = replace_ok or editing is not None and plan.target == editing.path
    path = save_dataset(dataset, plan.target, overwrite=overwrite)
    if editing is not None and editing.path != plan.target:
        editing.path.unlink(missing_ok=True)
    return path


def delete_user_dataset(entry: LibraryEntry) -> None:
    if entry.bundled:
        raise EvidenceError(f"'{entry.dataset.id}' is a bundled dataset: it is read-only and cannot be deleted.")
    try:
        entry.path.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise EvidenceError(f"cannot delete {entry.path}: {exc.strerror}") from exc
