"""Unsaved work in the digitizer: points clicked, extracted or edited since the figure was opened
or last saved as a dataset. Closing the window or opening another figure asks first.

The question is a window-modal message box opened without blocking (``open``, not ``exec``), so
nothing waits in a nested event loop; the chosen button decides what happens next.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from evidence_app.core.digitize.session import DigitizerSession

Button = QMessageBox.StandardButton


class UnsavedWork:
    """Remembers the points as last saved; ``confirm`` asks before they are thrown away."""

    def __init__(self, session: DigitizerSession) -> None:
        self.session = session
        self._saved = session.points_state()
        self.prompt: QMessageBox | None = None

    def mark_saved(self) -> None:
        self._saved = self.session.points_state()

    def has_unsaved(self) -> bool:
        return any(a.points for a in self.session.arms) and self.session.points_state() != self._saved

    def confirm(self, parent: QWidget, action: str, proceed: Callable[[], object], save: Callable[[], object]) -> bool:
        """True when nothing would be lost (the caller goes ahead). Otherwise ask: Save opens the save
        form, Discard calls ``proceed``, Cancel does nothing; returns False."""
        if not self.has_unsaved():
            return True
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Unsaved points",
            f"The points on this figure are not saved as a dataset. Save them before you {action}?",
            Button.Save | Button.Discard | Button.Cancel,
            parent,
        )
        box.setObjectName("unsavedWorkPrompt")
        box.setDefaultButton(Button.Save)
        box.setInformativeText("Discard throws the points away; Cancel goes back to the figure.")

        def answered(button: int) -> None:
            if button == Button.Save:
                save()
            elif button == Button.Discard:
                self.mark_saved()
                proceed()

        box.finished.connect(answered)
        self.prompt = box
        box.open()
        return False
