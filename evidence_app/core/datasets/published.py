"""Published numbers as text, exactly as precise as the source printed them.

Every view (Numbers tab, library, figures, workbook, ``audit``) prints a published median or
hazard ratio through these functions, so a median published as 10.9 is never shown as 11.0 and
an HR published as 0.40 is not shortened to 0.4.
"""

from __future__ import annotations

from evidence_app.core.datasets.schema import ReportedHazardRatio, ReportedMedian
from evidence_app.core.formatting import NOT_REACHED, NOT_REPORTED, fmt_published_estimate


def published_hr_text(hr: ReportedHazardRatio | None) -> str:
    """``0.73 (0.58–0.92)``, ``0.73 (0.57–0.93; 98.5% CI)``, ``0.87 (CI not reported)``."""
    if hr is None:
        return NOT_REPORTED
    if hr.lower is None and hr.upper is None:
        return fmt_published_estimate(hr.value, None, None, hr.decimals, None, has_ci=False) + " (CI not reported)"
    return fmt_published_estimate(hr.value, hr.lower, hr.upper, hr.decimals, hr.ci_level, has_ci=True)


def published_median_text(median: ReportedMedian | None) -> str:
    """``10.9``, ``25.0 (21.8–NR)``, ``8.3 (5.8–11.4; 80% CI)`` or ``not reached``."""
    if median is None:
        return NOT_REPORTED
    if median.value is None:
        return NOT_REACHED
    lower, upper = median.ci or (None, None)
    has_ci = median.ci is not None and (lower is not None or upper is not None)
    return fmt_published_estimate(median.value, lower, upper, median.decimals, median.ci_level, has_ci=has_ci)
