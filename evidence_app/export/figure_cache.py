"""Rendered figures kept between exports, so exporting the same selection again is quick.

Drawing a figure costs about 0.2–0.4 s of CPU, nearly all inside matplotlib, and a full export
draws some thirty; a committee exports the same selection many times (workbook, then report,
then again after a change of pooling method). A figure is a pure function of its inputs, so its
PNG is kept under a key that digests everything it is drawn from: the dataset's content (the
same JSON the library reads), the analysis settings it depends on (landmarks, horizon), the
resolution, and a fingerprint of the code that draws it (app and matplotlib versions and the
size and time of every module under ``evidence_app/plots`` and ``evidence_app/core``). Change
any of them and the key changes: a kept figure is never shown for different data or code.

The folder is ``<user data folder>/cache/figures`` (``EVIDENCE_APP_HOME`` moves it, as tests
do); the newest :data:`MAX_FILES` figures are kept. A file that cannot be read or written is
simply drawn again: the cache only ever saves time.
"""

from __future__ import annotations

import functools
import hashlib
import struct
from collections.abc import Iterable
from pathlib import Path

from evidence_app import __version__
from evidence_app.core.atomic import write_atomic

Png = tuple[bytes, float, float]
MAX_FILES = 400  # about 40 MB at 300 dpi
_HEADER = struct.Struct("<dd")  # width and height in inches, then the PNG bytes


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Versions and the size and time of every drawing and computing module (cheap: no reading)."""
    from importlib import metadata

    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(__version__.encode())
    digest.update(metadata.version("matplotlib").encode())
    for folder in ("plots", "core", "export"):
        for path in sorted((package / folder).rglob("*.py")):
            stat = path.stat()
            digest.update(f"{path.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def figure_key(kind: str, parts: Iterable[str]) -> str:
    """The key of one figure: its kind, everything it is drawn from, and the code fingerprint."""
    digest = hashlib.sha256(f"{kind}\n{code_fingerprint()}".encode())
    for part in parts:
        digest.update(b"\0" + part.encode("utf-8"))
    return digest.hexdigest()[:32]


def default_folder() -> Path:
    from evidence_app.resources import user_data_dir

    return user_data_dir() / "cache" / "figures"


class FigureCache:
    """PNG files by key in ``folder``; reads and writes never fail an export."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or default_folder()
        self.hits = 0

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.fig"

    def get(self, key: str) -> Png | None:
        try:
            data = self._path(key).read_bytes()
            width, height = _HEADER.unpack_from(data)
        except (OSError, struct.error):
            return None
        png = data[_HEADER.size :]
        if not png.startswith(b"\x89PNG\r\n\x1a\n"):
            return None
        self.hits += 1
        return png, width, height

    def put(self, key: str, figure: Png) -> None:
        png, width, height = figure
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            data = _HEADER.pack(width, height) + png
            write_atomic(self._path(key), lambda handle: handle.write(data), overwrite=True)
            self._prune()
        except Exception:  # a full disk or a read-only folder: the figure is simply not kept
            return

    def _prune(self) -> None:
        files = sorted(self.folder.glob("*.fig"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[MAX_FILES:]:
            old.unlink(missing_ok=True)
