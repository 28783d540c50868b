"""Reading and writing dataset files, with one clear message per problem."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from evidence_app.core.atomic import write_text_atomic
from evidence_app.core.datasets.schema import FORMAT_VERSION, Dataset
from evidence_app.core.limits import MAX_DATASET_BYTES
from evidence_app.core.safe_files import parse_json, read_user_file
from evidence_app.errors import DatasetValidationError, Problem

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails


def _location(loc: tuple[Any, ...]) -> str:
    """Turn pydantic's ``('arms', 1, 'n', 'value')`` into ``arms[1].n.value``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("digitized", "patient-level", "none"):
            continue  # discriminator tag pydantic inserts for the curve union
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _message(error: ErrorDetails) -> str:
    msg = str(error.get("msg", "invalid value"))
    msg = msg.removeprefix("Value error, ")
    if error.get("type") == "missing":
        return "required field is missing"
    if error.get("type") == "extra_forbidden":
        return "unknown field (not part of the dataset format; check the spelling)"
    if "input" in error and error.get("type") not in ("missing",) and not isinstance(error["input"], (dict, list)):
        shown = repr(error["input"])
        if len(shown) > 60:
            shown = shown[:57] + "..."
        return f"{msg} (got {shown})"
    return msg


def problems_from_validation(exc: ValidationError, file: str) -> list[Problem]:
    """One :class:`Problem` per schema violation."""
    return [Problem(_message(e), file, _location(tuple(e["loc"]))) for e in exc.errors()]


def parse_dataset(data: Any, file: str = "<memory>") -> Dataset:
    """Validate already-decoded JSON; raise :class:`DatasetValidationError` listing every problem."""
    if not isinstance(data, dict):
        raise DatasetValidationError(
            f"expected a JSON object (a dataset) at the top level, got {type(data).__name__}",
            file=file,
            location="(top level)",
        )
    version = data.get("format_version")
    if version is not None and version != FORMAT_VERSION:
        raise DatasetValidationError(
            f"format_version {version!r} is not supported: this version of the app reads version {FORMAT_VERSION}",
            file=file,
            location="format_version",
        )
    try:
        return Dataset.model_validate(data)
    except ValidationError as exc:
        problems = problems_from_validation(exc, file)
        raise DatasetValidationError(
            f"{file}: {len(problems)} problem(s) with the dataset", file=file, problems=problems
        ) from None


def load_dataset(path: str | Path) -> Dataset:
    """Read and validate one dataset file (a regular file of at most :data:`MAX_DATASET_BYTES`)."""
    name = str(path)
    raw = read_user_file(path, kind="dataset", max_bytes=MAX_DATASET_BYTES, error=DatasetValidationError)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DatasetValidationError(
            f"not UTF-8 text (byte {exc.start}); expected a JSON dataset file", file=name
        ) from None
    return parse_dataset(parse_json(text, file=name, error=DatasetValidationError), name)


def dataset_to_json(dataset: Dataset) -> str:
    """Serialise a dataset the way bundled files are written (stable key order, 1-space indent)."""
    data = dataset.model_dump(mode="json", exclude_defaults=False)
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def save_dataset(dataset: Dataset, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write a dataset atomically; refuse to replace an existing file unless ``overwrite``."""
    return write_text_atomic(path, dataset_to_json(dataset), overwrite=overwrite)
