"""Atomic file writing: a temporary file in the target folder, fsync, then ``os.replace``.

A reader (or a crash) sees either the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from evidence_app.errors import ExportError


def write_atomic(path: str | Path, writer: Callable[[BinaryIO], object], *, overwrite: bool = True) -> Path:
    """Write ``path`` atomically by calling ``writer`` on a temporary binary file.

    Parameters
    ----------
    path
        Destination file.
    writer
        Writes the whole content to the open file it is given (its return value is ignored).
    overwrite
        If False and ``path`` exists, raise :class:`ExportError` instead of replacing it. The final
        name is then created atomically, so of two writers racing for one name exactly one wins and
        the other gets the error; nothing is replaced silently.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not overwrite and target.exists():
        raise _exists_error(target)
    if not folder.is_dir():
        raise ExportError(f"Cannot write {target}: the folder {folder} does not exist.")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ExportError(f"Cannot write {target}: the folder {folder} is not writable ({exc.strerror}).") from exc
    try:
        # mkstemp creates 0600 files; give the result the permissions a normal save would.
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
        os.chmod(tmp_name, mode)
        with os.fdopen(fd, "wb") as handle:
            writer(handle)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            _publish(tmp_name, target, overwrite)
        except PermissionError as exc:
            raise ExportError(
                f"Cannot replace {target}: it is open in another program or locked ({exc.strerror})."
            ) from exc
        except OSError as exc:
            raise ExportError(f"Cannot write {target}: {exc.strerror}.") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    return target


def _exists_error(target: Path) -> ExportError:
    return ExportError(f"{target} already exists; choose another name or allow overwriting (--force).")


def _publish(tmp_name: str, target: Path, overwrite: bool) -> None:
    """Give the finished temporary file its final name: replace, or create only if still free."""
    if overwrite:
        os.replace(tmp_name, target)
        return
    try:
        os.link(tmp_name, target)  # atomic, and fails if the name exists: no check-then-replace race
    except FileExistsError:
        raise _exists_error(target) from None
    except OSError:
        # A file system without hard links: reserve the name exclusively, then move the content in.
        try:
            os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        except FileExistsError:
            raise _exists_error(target) from None
        os.replace(tmp_name, target)
        return
    os.unlink(tmp_name)


def remove_stale_temporaries(folder: Path, older_than_s: float = 300.0) -> int:
    """Delete temporary files left by a save that was killed (older than ``older_than_s``)."""
    import time

    removed = 0
    now = time.time()
    for tmp in folder.glob(".*.tmp"):
        try:
            if now - tmp.stat().st_mtime > older_than_s:
                tmp.unlink()
                removed += 1
        except OSError:
            pass
    return removed


def write_text_atomic(path: str | Path, text: str, *, overwrite: bool = True) -> Path:
    """Write UTF-8 text atomically (see :func:`write_atomic`)."""
    data = text.encode("utf-8")
    return write_atomic(path, lambda handle: handle.write(data), overwrite=overwrite)
