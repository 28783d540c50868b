"""What the forest plot shows (:class:`ForestOptions`) and handles to what it drew (:class:`ForestArtists`).

Shared by the parts of the figure (forest_rows, forest_marks, forest_table) and :mod:`~evidence_app.plots.forest`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon
from matplotlib.text import Text


@dataclass(frozen=True)
class ForestOptions:
    """Columns from :data:`~evidence_app.plots.forest_rows.COLUMNS`; ``xlim`` on the HR scale (None:
    fitted to the intervals)."""

    columns: tuple[str, ...] = ("trial", "comparison", "N", "HR [CI]", "weight", "p")
    show_pooled: bool = True
    show_prediction_interval: bool = True
    xlim: tuple[float, float] | None = None
    width: str | float = "double"
    title: str | None = None
    extra_notes: tuple[str, ...] = ()  # printed under the figure, e.g. which comparisons were left out


@dataclass(eq=False)
class ForestArtists:
    """Handles to what was drawn; study rows are keyed by dataset id, pooled rows by group name
    (``"overall"`` for the overall estimate)."""

    ax: Axes
    row_y: dict[str, float] = field(default_factory=dict)
    row_texts: dict[str, list[Text]] = field(default_factory=dict)
    markers: dict[str, Line2D] = field(default_factory=dict)
    ci_lines: dict[str, Line2D] = field(default_factory=dict)
    arrows: dict[str, list[Line2D]] = field(default_factory=dict)
    diamonds: dict[str, Polygon] = field(default_factory=dict)
    prediction: Line2D | None = None
    headers: list[Text] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    favours: tuple[Text, ...] = ()
    footnotes: list[Text] = field(default_factory=list)
    font_size: float = 0.0

    def all_texts(self) -> list[Text]:
        """Every visible, non-empty text in the figure (for overlap checks)."""
        fig = self.ax.figure
        return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
