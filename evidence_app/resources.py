"""Where bundled files live: a source checkout, an installed wheel, or a PyInstaller bundle.

Everything that needs a bundled file asks this module, so the three layouts stay in one place.
"""

from __future__ import annotations

import contextlib
import os
import sys
from importlib import resources as importlib_resources
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _candidates(name: str) -> list[Path]:
    found: list[Path] = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        found.append(Path(frozen_root) / name)
    # Installed wheel: setuptools maps the top-level folder into the package as ``bundled_<name>``.
    with contextlib.suppress(ModuleNotFoundError, TypeError):
        found.append(Path(str(importlib_resources.files("evidence_app") / f"bundled_{name}")))
    # Source checkout or editable install: the folder beside the package.
    found.append(_PACKAGE_DIR.parent / name)
    return found


def bundled_dir(name: str) -> Path:
    """The folder holding bundled ``datasets`` or ``resources``."""
    for candidate in _candidates(name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bundled folder {name!r} not found (looked in {_candidates(name)})")


def datasets_dir() -> Path:
    return bundled_dir("datasets")


def resources_dir() -> Path:
    return bundled_dir("resources")


def user_data_dir() -> Path:
    """The user's library folder (created on demand). ``EVIDENCE_APP_HOME`` overrides it."""
    override = os.environ.get("EVIDENCE_APP_HOME")
    if override:
        base = Path(override)
    else:
        from platformdirs import user_data_dir as _platform_user_data_dir

        base = Path(_platform_user_data_dir("evidence-app", "evidence-app"))
    return base


def user_datasets_dir(create: bool = False) -> Path:
    folder = user_data_dir() / "datasets"
    if create:
        folder.mkdir(parents=True, exist_ok=True)
    return folder
