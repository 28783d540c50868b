"""What the Kaplan–Meier figure shows (:class:`KMOptions`) and handles to what it drew (:class:`KMArtists`).

Shared by the parts of the figure (km_curves, km_keys, km_layout) and :mod:`~evidence_app.plots.km`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matplotlib.axes import Axes
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.offsetbox import AnchoredText
from matplotlib.text import Text


@dataclass(frozen=True)
class KMOptions:
    """What the Kaplan–Meier figure shows. ``width``: ``"single"``, ``"double"`` or mm."""

    ci_bands: bool = True
    censor_marks: bool = True
    median_lines: bool = True
    risk_table: bool = True
    show_digitized: bool = True
    show_published_medians: bool = True
    show_hr_box: bool = True
    width: str | float = "single"
    title: str | None = None


@dataclass(eq=False)
class KMArtists:
    """Handles to what was drawn, keyed by arm id (for tests, the GUI and export)."""

    ax: Axes
    risk_ax: Axes | None = None
    curves: dict[str, Line2D] = field(default_factory=dict)
    bands: dict[str, object] = field(default_factory=dict)
    censor_marks: dict[str, Line2D] = field(default_factory=dict)
    median_lines: list[Line2D] = field(default_factory=list)
    median_texts: list[Text] = field(default_factory=list)
    digitized: dict[str, Line2D] = field(default_factory=dict)
    published: dict[str, Line2D] = field(default_factory=dict)
    risk_times: tuple[float, ...] = ()
    risk_cells: dict[str, list[Text]] = field(default_factory=dict)
    risk_labels: dict[str, Text] = field(default_factory=dict)
    risk_header: Text | None = None
    legend: Legend | None = None
    hr_box: AnchoredText | None = None
    title: list[Text] = field(default_factory=list)
    notes: list[Text] = field(default_factory=list)
    keys_outside: bool = False
