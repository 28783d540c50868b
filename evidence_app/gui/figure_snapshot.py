"""The figure a person last looked at, kept as a picture so the next start shows it at once.

Drawing the first figure of a session needs matplotlib, which takes about half a second to
import before anything can be drawn; no start-up can show a freshly drawn figure sooner than
that. A returning user mostly reopens what they closed, so on close the Curves tab's canvas is
saved as a PNG, with a key of everything the picture depends on: the dataset's content, the
figure options, the screen's dpi and pixel ratio, and the code fingerprint of the drawing
modules and matplotlib (:func:`evidence_app.export.figure_cache.code_fingerprint`). At the next
start, while the same dataset is analysed and drawn live, the kept picture is shown in place
of "Computing…" if — and only if — its key matches. The live canvas replaces it the moment it
is drawn (about a second later), with the toolbar; until then the picture is not interactive.

Kept in ``<user data folder>/cache/screen`` (one picture, replaced on every close). A file that
cannot be read or written only means the next start shows "Computing…" for a second.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, Qt, Signal
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

IMAGE, META = "last-figure.png", "last-figure.json"
#: Pictures larger than this are not kept (a figure on a very large screen: about 8 MB).
MAX_BYTES = 8_000_000


def snapshot_folder() -> Path:
    from evidence_app.resources import user_data_dir

    return user_data_dir() / "cache" / "screen"


def snapshot_key(dataset_json: str, options: dict[str, Any], dpi: float, ratio: float) -> str:
    """Digest of everything the picture depends on except the pane's width (checked when shown)."""
    from evidence_app.export.figure_cache import code_fingerprint

    digest = hashlib.sha256(code_fingerprint().encode())
    digest.update(json.dumps({"options": options, "dpi": round(dpi, 3), "ratio": round(ratio, 3)}).encode())
    digest.update(b"\0" + dataset_json.encode("utf-8"))
    return digest.hexdigest()


def save_snapshot(
    pixmap: QPixmap, dataset_id: str, key: str, folder: Path | None = None, place: tuple[int, int, int] = (0, 0, 0)
) -> bool:
    """Keep ``pixmap`` as the picture of ``dataset_id`` under ``key``; False if it could not be written.

    ``place``: where the canvas was in its panel (left, top) and the panel's width, so the picture
    is shown where the live figure will appear."""
    from evidence_app.core.atomic import write_atomic

    folder = folder or snapshot_folder()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if pixmap.isNull() or not pixmap.save(buffer, "PNG") or data.size() > MAX_BYTES:
        return False
    meta = {"dataset": dataset_id, "key": key, "ratio": pixmap.devicePixelRatio(), "place": list(place)}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / IMAGE, lambda handle: handle.write(bytes(data.data())))
        write_atomic(folder / META, lambda handle: handle.write(json.dumps(meta).encode()))
    except OSError as exc:
        log.info("figure snapshot not kept: %s", exc)
        return False
    return True


def load_snapshot(dataset_id: str, key: str, folder: Path | None = None) -> tuple[QPixmap, tuple[int, int, int]] | None:
    """The kept picture of ``dataset_id`` and its place (see :func:`save_snapshot`) if it was made
    under ``key``, else None."""
    folder = folder or snapshot_folder()
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
        if not isinstance(meta, dict) or meta.get("dataset") != dataset_id or meta.get("key") != key:
            return None
        if (folder / IMAGE).stat().st_size > MAX_BYTES:
            return None
        pixmap = QPixmap()
        if not pixmap.loadFromData((folder / IMAGE).read_bytes(), "PNG"):
            return None
        pixmap.setDevicePixelRatio(float(meta.get("ratio", 1.0)))
        left, top, width = (int(v) for v in meta.get("place", (0, 0, 0)))
        return pixmap, (left, top, width)
    except (OSError, ValueError, TypeError):
        return None


class SnapshotView(QWidget):
    """Paints a kept picture where the canvas was in its panel (at the top centre if the panel's
    width changed since), narrowed (never widened) to fit a narrower panel. ``painted`` is emitted
    each time the picture is on screen."""

    painted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("figureSnapshot")
        self.pixmap: QPixmap | None = None
        self.place = (0, 0, 0)

    def set_pixmap(self, pixmap: QPixmap | None, place: tuple[int, int, int] = (0, 0, 0)) -> None:
        self.pixmap, self.place = pixmap, place
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.white)
        if self.pixmap is None or self.pixmap.isNull():
            return
        ratio = self.pixmap.devicePixelRatio() or 1.0
        width, height = self.pixmap.width() / ratio, self.pixmap.height() / ratio
        left, top, panel_width = self.place
        scale = min(1.0, (self.width() - 2) / width) if width > 0 else 1.0
        shown = QRect(0, max(0, top), round(width * scale), round(height * scale))
        same = panel_width == self.width() and 0 <= left <= self.width() - shown.width()
        shown.moveLeft(left if same else max(0, (self.width() - shown.width()) // 2))
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, scale < 1.0)
        painter.drawPixmap(shown, self.pixmap)
        painter.end()
        self.painted.emit()
