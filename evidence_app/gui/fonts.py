"""A font for Qt to draw with, even on a machine that has none.

On Linux Qt asks fontconfig for fonts. A minimal system (a container, a thin client, some kiosk
images) can have no fonts at all, and then every label is drawn as empty boxes. matplotlib ships
the DejaVu family in its ``mpl-data`` folder, which travels with the app in every install and in
the PyInstaller bundle, so the app registers those files with Qt when the system offers nothing.
Where the system has fonts, nothing changes: the app keeps the platform's own look.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import sys
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics
from PySide6.QtWidgets import QApplication

from evidence_app.resources import resources_dir

log = logging.getLogger(__name__)

FALLBACK_FAMILY = "DejaVu Sans"
FALLBACK_MONO_FAMILY = "DejaVu Sans Mono"
FALLBACK_FILES = (
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSans-Oblique.ttf",
    "DejaVuSans-BoldOblique.ttf",
    "DejaVuSansMono.ttf",
    "DejaVuSansMono-Bold.ttf",
)


def bundled_font_dirs() -> list[Path]:
    """Folders that may hold the fallback fonts: ``resources/fonts``, then matplotlib's copy.

    Duplicates are harmless: the first folder holding a file wins.

    matplotlib is located without importing it (importing it costs start-up time).
    """
    candidates: list[Path] = []
    with contextlib.suppress(FileNotFoundError):
        candidates.append(resources_dir() / "fonts")
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:  # PyInstaller bundle: matplotlib's hook puts mpl-data here
        candidates.append(Path(frozen_root) / "matplotlib" / "mpl-data" / "fonts" / "ttf")
    spec = importlib.util.find_spec("matplotlib")
    if spec is not None and spec.submodule_search_locations:
        candidates += [Path(loc) / "mpl-data" / "fonts" / "ttf" for loc in spec.submodule_search_locations]
    return [folder for folder in candidates if folder.is_dir()]


def fallback_font_files(folders: Iterable[Path] | None = None) -> list[Path]:
    """The fallback font files found, one per name, first folder wins."""
    found: dict[str, Path] = {}
    for folder in bundled_font_dirs() if folders is None else folders:
        for name in FALLBACK_FILES:
            path = folder / name
            if name not in found and path.is_file():
                found[name] = path
    return list(found.values())


def ensure_fonts(app: QApplication) -> str | None:
    """Give Qt a usable font if the system has none; call once, right after creating ``app``.

    Returns the family made the application default, or ``None`` when the system's fonts are used.
    """
    # With no fonts, fontconfig still reports its generic aliases ("Sans Serif", "Monospace"), so
    # ask whether the default font can draw a letter rather than whether any family exists.
    if QFontMetrics(app.font()).inFont("A"):
        return None
    registered = [path for path in fallback_font_files() if QFontDatabase.addApplicationFont(str(path)) != -1]
    if not registered:
        log.warning("no system fonts and no bundled fallback fonts found: text may show as empty boxes")
        return None
    # Widgets that ask for a generic family (a monospace table, a serif caption) get DejaVu too.
    for generic in ("Sans Serif", "Sans", "Serif", "Helvetica", "Arial", "Times", "System-ui"):
        QFont.insertSubstitution(generic, FALLBACK_FAMILY)
    for generic in ("Monospace", "Mono", "Courier", "Courier New"):
        QFont.insertSubstitution(generic, FALLBACK_MONO_FAMILY)
    font = QFont(FALLBACK_FAMILY)
    font.setPointSize(app.font().pointSize() if app.font().pointSize() > 0 else 10)
    app.setFont(font)
    if not QFontMetrics(font).inFont("A"):
        log.warning("registered %d fallback font files but Qt still cannot draw text", len(registered))
    log.info("no system fonts found; using bundled %s (%d files)", FALLBACK_FAMILY, len(registered))
    return FALLBACK_FAMILY
