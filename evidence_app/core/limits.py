"""The limits every input must respect: one set, shared by ``validate``, the readers, the views and export.

A value outside these limits is refused where it enters (dataset validation, CSV readers, image and
PDF loaders, CLI options) with a message naming the file, row or field, so nothing downstream (a
plot, an SVG, an xlsx sheet, an allocation sized by a count) meets a value it cannot handle. The
README's "Limits" section lists the same numbers.
"""

from __future__ import annotations

import math
import re

# --- files --------------------------------------------------------------------------------------------
#: Largest dataset (JSON) file read, in bytes; a dataset with 100,000 patients is ~3 MB.
MAX_DATASET_BYTES = 20 * 1024 * 1024
#: Largest CSV file read (curve, at-risk, effects, WebPlotDigitizer export), in bytes.
MAX_CSV_BYTES = 20 * 1024 * 1024
#: Most data rows read from one CSV file; a digitized curve has a few hundred to a few thousand points.
MAX_CSV_ROWS = 100_000
#: Longest CSV field, in characters (the csv module's own limit is 131,072).
MAX_CSV_FIELD_CHARS = 10_000
#: Largest image or PDF file read, in bytes.
MAX_FIGURE_BYTES = 200 * 1024 * 1024
#: Largest image (or rendered PDF page) decoded, in pixels; a 600 dpi full-page scan is ~35 Mpx.
#: Digitizing one at this size peaks below 2 GB of memory (benchmarks/fuzz_nightly.py measures it).
MAX_PIXELS = 50_000_000
#: Longest side of an image, in pixels (a 1 x 50,000,000 strip is not a figure).
MAX_IMAGE_SIDE = 30_000
#: Deepest nesting of objects and lists in a JSON file (a dataset needs 6).
MAX_JSON_DEPTH = 32

# --- values -------------------------------------------------------------------------------------------
#: Most patients in one arm (reconstruction, numbers at risk, reported counts).
MAX_PATIENTS = 1_000_000
#: Plausible hazard ratios and CI bounds; beyond them a published number is a typing error.
HR_MIN, HR_MAX = 1e-3, 1e3
#: Confidence levels accepted (50% to 99.99%).
CI_LEVEL_MIN, CI_LEVEL_MAX = 0.5, 0.9999
#: Largest time (any unit) on a curve, in a table or on an axis.
MAX_TIME = 1e6
#: A survival axis runs over probabilities (0-1) or percentages (0-100), with a little margin.
SURVIVAL_AXIS_MIN, SURVIVAL_AXIS_MAX = -10.0, 110.0
#: Log hazard ratios and their standard errors accepted for pooling: wide enough for any generic
#: effect size, narrow enough that no weight, exponential or CI bound overflows.
MAX_ABS_LOG_EFFECT = 100.0
SE_MIN, SE_MAX = 1e-6, 100.0

#: C0 controls other than tab, newline and carriage return; DEL and C1 controls; lone surrogates;
#: the non-characters U+FFFE/U+FFFF. None is allowed in XML (xlsx, SVG), so none is allowed in text.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def control_character(text: str) -> str | None:
    """The first forbidden character in ``text`` as ``U+XXXX``, or None when the text is clean."""
    found = _CONTROL.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def check_text(text: str) -> str:
    """Return ``text``; raise ``ValueError`` when it holds a control character."""
    bad = control_character(text)
    if bad is not None:
        raise ValueError(f"contains the control character {bad}, which no export or figure can hold; remove it")
    return text


def check_range(value: float, low: float, high: float, what: str) -> float:
    """Return ``value``; raise ``ValueError`` unless it is finite and within ``[low, high]``."""
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{what} {value:g} is outside the accepted range {low:g} to {high:g}")
    return value


def check_count(value: int, what: str, maximum: int = MAX_PATIENTS) -> int:
    """Return ``value``; raise ``ValueError`` unless ``0 <= value <= maximum``."""
    if not 0 <= value <= maximum:
        raise ValueError(f"{what} {value} is outside the accepted range 0 to {maximum:,}")
    return value
