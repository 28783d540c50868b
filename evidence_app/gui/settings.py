"""What the app remembers between sessions (QSettings): folders, export options, figure toggles.

Keys are grouped by prefix: ``main/`` (window), ``folders/`` (last folder per kind of file),
``km/`` (Curves toggles), ``export/`` (workbook and figure options), ``forest/`` (forest view).
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QSettings, QStandardPaths

T = TypeVar("T", bool, int, float, str)


def read(key: str, default: T) -> T:
    """A stored value converted to the type of ``default`` (QSettings returns strings on some platforms)."""
    raw = QSettings().value(key, default)
    if raw is None:
        return default
    try:
        if isinstance(default, bool):
            value: object = raw.lower() in ("true", "1", "yes") if isinstance(raw, str) else bool(raw)
        elif isinstance(default, int):
            value = int(str(raw))
        elif isinstance(default, float):
            value = float(str(raw))
        else:
            value = str(raw)
    except ValueError:
        return default
    return value  # type: ignore[return-value]


def read_list(key: str, default: list[str]) -> list[str]:
    raw = QSettings().value(key, default)
    if raw is None:
        return list(default)
    if isinstance(raw, str):
        return [raw] if raw else []
    if isinstance(raw, (list, tuple)):
        return [str(x) for x in raw]
    return list(default)


def write(key: str, value: object) -> None:
    QSettings().setValue(key, value)


def last_folder(kind: str) -> str:
    """The folder the user last used for ``kind`` of file, or their documents folder."""
    folder = read(f"folders/{kind}", "")
    if folder and Path(folder).is_dir():
        return folder
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())


def remember_folder(kind: str, path: str | Path) -> None:
    p = Path(path)
    write(f"folders/{kind}", str(p if p.is_dir() else p.parent))
