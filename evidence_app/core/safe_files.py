"""The one way user files are read: regular files only, size-capped, every failure named.

A user file (a dataset, a CSV, a figure, a library folder) can be anything: a FIFO that blocks a
reader for ever, a device or a symlink to ``/dev/zero`` that never ends, a folder without read or
search permission, a name too long for the file system, JSON nested so deep that a recursive parser
overflows. Each ends here in an :class:`~evidence_app.errors.InputError` naming the file, before
any content is trusted.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import stat
from pathlib import Path
from typing import Any

from evidence_app.core.limits import MAX_CSV_BYTES, MAX_CSV_ROWS, MAX_JSON_DEPTH
from evidence_app.errors import InputError, Problem

_CHUNK = 1 << 20
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def os_reason(exc: OSError) -> str:
    """A short, plain reason for an operating-system error."""
    if exc.errno == errno.ENAMETOOLONG:
        return "the file name is too long for the file system"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.ENOENT:
        return "no such file or folder"
    if exc.errno == errno.ENOTDIR:
        return "a part of the path is not a folder"
    if exc.errno == errno.ELOOP:
        return "too many symbolic links (a link loop?)"
    return exc.strerror or str(exc)


def _not_regular(mode: int) -> str | None:
    for test, name in _KINDS:
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "not a regular file"


def read_user_file(path: str | Path, *, kind: str, max_bytes: int, error: type[InputError] = InputError) -> bytes:
    """The bytes of a user file, refusing anything but a regular file of at most ``max_bytes``.

    Parameters
    ----------
    path
        The file (a symlink is followed; what it points to must be a regular file).
    kind
        What the file should be ("dataset", "CSV", "image", ...), for the messages.
    max_bytes
        Size cap; checked before reading and again while reading (a file may grow).
    error
        The :class:`InputError` subclass raised.
    """
    name = str(path)
    try:
        info = os.stat(path)
    except (OSError, ValueError) as exc:
        reason = os_reason(exc) if isinstance(exc, OSError) else "the name holds a NUL character"
        raise error(f"cannot read the {kind} file: {reason}", file=name) from None
    other = _not_regular(info.st_mode)
    if other is not None:
        raise error(f"this is {other}, not a {kind} file; only regular files are read", file=name)
    if info.st_size > max_bytes:
        raise error(_too_big(info.st_size, max_bytes, kind), file=name)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise error(f"cannot read the {kind} file: {os_reason(exc)}", file=name) from None
    try:
        if _not_regular(os.fstat(fd).st_mode) is not None:  # replaced between stat and open
            raise error(f"this is not a regular file, not a {kind} file", file=name)
        chunks: list[bytes] = []
        total = 0
        while True:
            block = os.read(fd, _CHUNK)
            if not block:
                break
            total += len(block)
            if total > max_bytes:
                raise error(_too_big(total, max_bytes, kind), file=name)
            chunks.append(block)
    except OSError as exc:
        raise error(f"cannot read the {kind} file: {os_reason(exc)}", file=name) from None
    finally:
        os.close(fd)
    return b"".join(chunks)


def _too_big(size: int, max_bytes: int, kind: str) -> str:
    mb = 2**20
    return f"the file is {size / mb:.1f} MB or more; a {kind} file is expected to be at most {max_bytes / mb:.0f} MB"


def list_folder(folder: Path, pattern: str) -> tuple[list[Path], list[Problem]]:
    """Files in ``folder`` matching ``pattern`` (sorted), and a problem for everything unreadable.

    A missing folder is empty (nothing was saved yet); a folder that cannot be listed, or an entry
    that is not a regular file, is reported by name rather than skipped silently.
    """
    problems: list[Problem] = []
    try:
        if not folder.exists():
            return [], []
        entries = sorted(folder.glob(pattern)) if folder.is_dir() else None
        if entries is None:
            return [], [Problem("expected a folder of dataset files, found a file", str(folder))]
        os.listdir(folder)  # glob swallows "permission denied": ask once more, loudly
    except OSError as exc:
        return [], [Problem(f"cannot list the folder: {os_reason(exc)}", str(folder))]
    files: list[Path] = []
    for entry in entries:
        try:
            other = _not_regular(entry.stat().st_mode)
        except OSError as exc:
            problems.append(Problem(f"cannot read the file: {os_reason(exc)}", str(entry)))
            continue
        if other is not None:
            problems.append(Problem(f"this is {other}, not a dataset file; skipped", str(entry)))
            continue
        files.append(entry)
    return files, problems


def parse_json(text: str, *, file: str, error: type[InputError] = InputError) -> Any:
    """Decode JSON text, refusing nesting deeper than :data:`MAX_JSON_DEPTH` and NaN/Infinity."""
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise error(
            f"not valid JSON: {exc.msg}", file=file, location=f"line {exc.lineno}, column {exc.colno}"
        ) from None
    except RecursionError:
        raise error(_too_deep(), file=file) from None
    except ValueError as exc:
        raise error(str(exc), file=file) from None
    if json_depth(data) > MAX_JSON_DEPTH:
        raise error(_too_deep(), file=file)
    return data


def _too_deep() -> str:
    return f"objects and lists are nested more than {MAX_JSON_DEPTH} levels deep; this is not a dataset"


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed in a dataset file: every number must be finite")


def json_depth(value: Any) -> int:
    """Deepest nesting of lists and objects in decoded JSON (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, depth + 1)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def read_csv_table(path: str | Path, *, kind: str) -> list[list[str]]:
    """Every row of a UTF-8 CSV file (a regular file within the CSV limits of core/limits.py).

    A field over the csv module's own limit, a quote that never closes and non-UTF-8 bytes are
    one :class:`InputError` naming the file (and the row), never a traceback.
    """
    file = str(path)
    raw = read_user_file(path, kind=kind, max_bytes=MAX_CSV_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot read the {kind}: not UTF-8 text (byte {exc.start})", file=file) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[list[str]] = []
    try:
        for cells in reader:
            rows.append(cells)
            if len(rows) > MAX_CSV_ROWS + 1:
                raise InputError(f"more than {MAX_CSV_ROWS:,} rows", file=file, location=f"row {reader.line_num}")
    except csv.Error as exc:
        raise InputError(f"not readable as CSV ({exc})", file=file, location=f"row {reader.line_num}") from None
    return rows
