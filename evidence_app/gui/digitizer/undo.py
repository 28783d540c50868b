"""Undo and redo of point edits (add, move, delete) on a QUndoStack.

Each edit is recorded as the session's points before and after it
(:meth:`~evidence_app.core.digitize.session.DigitizerSession.points_state`), so undoing and redoing
restore exactly what was on screen, whatever the edit was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand

State = list[tuple[list[tuple[float, float]], dict[str, int]]]


class PointEdit(QUndoCommand):
    """One point edit; ``restore(state, message)`` puts a state back on screen."""

    def __init__(self, text: str, before: State, after: State, restore: Callable[[State, str], Any]) -> None:
        super().__init__(text)
        self.before, self.after, self.restore = before, after, restore
        self._done = True  # pushed after the edit was made: the first redo has nothing to do

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self.restore(self.after, f"Redone: {self.text()}")

    def undo(self) -> None:
        self.restore(self.before, f"Undone: {self.text()}")
