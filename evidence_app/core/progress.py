"""The calling convention for slow work: ``run(inputs, *, progress=None, cancelled=None)``.

``progress(fraction, message)`` receives a fraction in [0, 1]; ``cancelled()`` returns True when
the user asked to stop, in which case the function raises :class:`evidence_app.errors.Cancelled`.
The same pure function is called from tests, the CLI and a GUI worker thread.
"""

from __future__ import annotations

from collections.abc import Callable

from evidence_app.errors import Cancelled

ProgressCallback = Callable[[float, str], None] | None
CancelCheck = Callable[[], bool] | None


def report(progress: ProgressCallback, fraction: float, message: str = "") -> None:
    """Send a progress update if anyone listens."""
    if progress is not None:
        progress(max(0.0, min(1.0, fraction)), message)


def scaled(progress: ProgressCallback, start: float, end: float) -> ProgressCallback:
    """``progress`` for one stage of a longer task: the stage's 0..1 maps to ``start``..``end``."""
    if progress is None:
        return None
    return lambda f, m: progress(start + (end - start) * f, m)


def check_cancelled(cancelled: CancelCheck) -> None:
    """Raise :class:`Cancelled` if the caller asked to stop."""
    if cancelled is not None and cancelled():
        raise Cancelled()
