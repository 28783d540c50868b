"""The figure digitizer: Kaplan–Meier curves read from an image or a PDF page into a dataset with provenance.

:class:`~evidence_app.gui.digitizer.window.DigitizerWindow` is the entry point. It is imported on
first use, so the Qt-free ``jobs`` loads without Qt. The digitizer's document model (arms, points,
undo, calibration) is :mod:`evidence_app.core.digitize.session`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DigitizerWindow"]


def __getattr__(name: str) -> Any:
    if name == "DigitizerWindow":
        from evidence_app.gui.digitizer.window import DigitizerWindow

        return DigitizerWindow
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
