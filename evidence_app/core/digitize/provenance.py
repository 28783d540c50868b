"""Provenance of a digitized curve: what the figure digitizer records, and a readable summary.

A dataset made with the digitizer stores, in ``curve.provenance``, everything needed to redo or
audit the digitization: the image (file name and SHA-256; for a PDF the page and the render
resolution), the calibration (pixel <-> value pairs, or the plot frame and the axis ranges), the
extraction settings, whether points were edited by hand, the numbers-at-risk grid as typed, the
algorithm versions and the date.
:func:`build_provenance` makes that dictionary (JSON-ready); :func:`provenance_summary` turns
any curve provenance (also one written by the curve-import wizard or by hand) into
``(label, text)`` rows for a Methods sheet or a Sources tab.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from evidence_app import __version__
from evidence_app.core.reconstruction.reconstruct import ALGORITHM_VERSION as RECONSTRUCTION_VERSION
from evidence_app.core.reconstruction.reconstruct import METHOD as RECONSTRUCTION_METHOD

if TYPE_CHECKING:  # the digitizer's modules load scipy and pandas; reading a record needs neither
    from evidence_app.core.digitize.calibrate import Calibration

METHOD = "digitized with the Evidence App figure digitizer"
PIXEL_CONVENTION = "column and row from the image's top-left corner; whole numbers are pixel centres"


@dataclass(frozen=True)
class ImageRecord:
    """The figure a curve was read from."""

    file_name: str
    sha256: str
    width: int
    height: int
    page: int | None = None  # the page of a PDF (from 1); None for an image file
    dpi: float | None = None  # the resolution the PDF page was rendered at; None for an image file


def tick_calibration(calibration: Calibration, frame: Sequence[float] | None, frame_detected: bool) -> dict[str, Any]:
    """Calibration record for two clicked ticks per axis (``frame``: the box the curves were read in)."""
    return {
        "method": "axis ticks",
        "x_ticks": [{"pixel": _num(p), "value": _num(v)} for p, v in zip(calibration.x_px, calibration.x_val)],
        "y_ticks": [{"pixel": _num(p), "value": _num(v)} for p, v in zip(calibration.y_px, calibration.y_val)],
        "frame": _box(frame),
        "frame_detected": frame_detected,
        "pixels": PIXEL_CONVENTION,
    }


def frame_calibration(
    frame: Sequence[float], frame_detected: bool, x_range: Sequence[float], y_range: Sequence[float]
) -> dict[str, Any]:
    """Calibration record for a plot frame spanning the typed axis ranges."""
    return {
        "method": "plot frame and axis ranges",
        "frame": _box(frame),
        "frame_detected": frame_detected,
        "x_range": [_num(v) for v in x_range],
        "y_range": [_num(v) for v in y_range],
        "pixels": PIXEL_CONVENTION,
    }


def build_provenance(
    image: ImageRecord,
    calibration: Mapping[str, Any],
    extraction: Mapping[str, Any] | None,
    arms: Mapping[str, Mapping[str, Any]],
    at_risk: Mapping[str, Any],
    *,
    today: date | None = None,
) -> dict[str, Any]:
    """The ``curve.provenance`` of a digitized dataset.

    Parameters
    ----------
    image
        The figure file.
    calibration
        From :func:`tick_calibration` or :func:`frame_calibration`.
    extraction
        Automatic extraction settings (colours, tolerance, warnings), or None when every point
        was clicked by hand.
    arms
        Per dataset arm id: ``label``, ``color``, ``points`` (how they were obtained), ``edited``
        and ``edits`` (counts of added, moved and deleted points).
    at_risk
        ``times`` and ``table`` (arm id -> counts, None where a cell was empty), as typed.
    today
        The date recorded (default: today).

    Returns
    -------
    dict
        JSON-ready provenance; ``points_edited`` is True when any arm's saved points are not the
        extracted ones.
    """
    from evidence_app.core.digitize.extract import ALGORITHM_VERSION as DIGITIZER_VERSION

    return {
        "method": METHOD,
        "date": (today or date.today()).isoformat(),
        "app_version": __version__,
        "image": {
            "file_name": image.file_name,
            "sha256": image.sha256,
            "width": image.width,
            "height": image.height,
            "page": image.page,
            "dpi": image.dpi,
        },
        "calibration": dict(calibration),
        "extraction": dict(extraction) if extraction is not None else None,
        "points_edited": any(bool(a.get("edited")) for a in arms.values()),
        "arms": {arm_id: dict(record) for arm_id, record in arms.items()},
        "at_risk": dict(at_risk),
        "versions": {
            "digitizer": DIGITIZER_VERSION,
            "reconstruction": f"{RECONSTRUCTION_METHOD}, version {RECONSTRUCTION_VERSION}",
        },
    }


def provenance_summary(provenance: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Readable ``(label, text)`` rows describing a curve's provenance, in a fixed order.

    Works on any provenance dictionary: known keys (the digitizer's and the curve-import
    wizard's) get a label and a sentence; any other key is listed under its own name with its
    value as compact JSON. Never raises on odd content.
    """
    p = dict(provenance or {})
    rows: list[tuple[str, str]] = []

    def add(label: str, text: str | None) -> None:
        if text:
            rows.append((label, text))

    add("Method", _text(p.pop("method", None)))
    image = p.pop("image", None)
    if isinstance(image, Mapping):
        add("Image", _text(image.get("file_name")))
        add("Image SHA-256", _text(image.get("sha256")))
        if image.get("width") and image.get("height"):
            add("Image size", f"{image['width']} × {image['height']} pixels")
        add("Page", "—" if image.get("page") is None else _text(image.get("page")))
        if image.get("dpi") is not None:
            add("Page rendered at", f"{_text(image.get('dpi'))} dpi")
    elif image is not None:
        add("Image", _text(image))
    add("Files", _join(p.pop("files", None)))
    calibration = p.pop("calibration", None)
    if calibration is not None:
        add("Calibration", _safe(_calibration_text, calibration))
        if isinstance(calibration, Mapping) and calibration.get("frame"):
            how = "detected" if calibration.get("frame_detected") else "given"
            add("Plot frame", f"{_join(calibration['frame'])} (left, top, right, bottom; {how})")
    extraction = p.pop("extraction", None)
    if isinstance(extraction, Mapping):
        add("Extraction", _safe(_extraction_text, extraction))
        add("Extraction warnings", " ".join(_text(w) for w in extraction.get("warnings") or []))
    elif "extraction" in provenance:
        add("Extraction", "none: every point was clicked by hand")
    edited = p.pop("points_edited", None)
    arms = p.pop("arms", None)
    if isinstance(arms, Mapping):
        add(
            "Points",
            "; ".join(
                _safe(lambda a, i=arm_id: _arm_text(i, a), a) for arm_id, a in arms.items() if isinstance(a, Mapping)
            ),
        )
    elif edited is not None:
        add("Points", "edited by hand" if edited else "as extracted")
    add("Numbers at risk (as typed)", _safe(_at_risk_text, p.pop("at_risk", None)))
    versions = p.pop("versions", None)
    if isinstance(versions, Mapping):
        add("Digitizer version", _text(versions.get("digitizer")))
        add("Reconstruction", _text(versions.get("reconstruction")))
    add("Date", _text(p.pop("date", None)))
    add("Imported", _text(p.pop("imported", None)))
    add("App version", _text(p.pop("app_version", None)))
    for key, value in p.items():
        add(str(key), _text(value))
    return rows


# -- helpers ---------------------------------------------------------------------------------------
def _safe(describe: Any, value: Any) -> str:
    """``describe(value)``, or the value as JSON when it is not shaped as expected."""
    try:
        return str(describe(value))
    except (TypeError, ValueError, AttributeError, KeyError):
        return _text(value)


def _num(value: Any) -> float | None:
    return None if value is None else round(float(value), 3)


def _box(frame: Sequence[float] | None) -> list[float | None] | None:
    return None if frame is None else [_num(v) for v in frame]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (int, bool)):
        return str(value)
    try:
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)
    except (TypeError, ValueError):
        return str(value)


def _join(values: Any) -> str:
    if isinstance(values, (list, tuple)):
        return ", ".join(_text(v) for v in values)
    return _text(values)


def _calibration_text(cal: Any) -> str:
    if not isinstance(cal, Mapping):
        return _text(cal)
    if cal.get("method") == "axis ticks":

        def ticks(name: str, unit: str) -> str:
            return ", ".join(
                f"{_text(t.get('value'))} at {unit} {_text(t.get('pixel'))}"
                for t in cal.get(name) or []
                if isinstance(t, Mapping)
            )

        return f"axis ticks: x {ticks('x_ticks', 'column')}; y {ticks('y_ticks', 'row')}"
    if cal.get("method") == "plot frame and axis ranges":
        return f"plot frame spans x {_join(cal.get('x_range'))} and y {_join(cal.get('y_range'))}"
    return _text(dict(cal))


def _extraction_text(ext: Mapping[str, Any]) -> str:
    parts = []
    if ext.get("colors"):
        parts.append("colours " + _join(ext["colors"]) + (" (detected)" if ext.get("colors_detected") else ""))
    if ext.get("tolerance") is not None:
        parts.append(f"colour tolerance {_text(ext['tolerance'])}")
    if ext.get("percent_axis"):
        parts.append("percent axis read as proportions")
    if (ext.get("downsampled") or 1) > 1:
        parts.append(f"image reduced {_text(ext['downsampled'])}-fold")
    if ext.get("algorithm_version"):
        parts.append(_text(ext["algorithm_version"]))
    return "; ".join(parts) or _text(dict(ext))


def _arm_text(arm_id: str, arm: Mapping[str, Any]) -> str:
    name = _text(arm.get("label")) or arm_id
    how = _text(arm.get("points")) or ("edited by hand" if arm.get("edited") else "as extracted")
    edits = arm.get("edits")
    if isinstance(edits, Mapping) and any(edits.values()):
        how += " (" + ", ".join(f"{n} {kind}" for kind, n in edits.items() if n) + ")"
    count = f", {arm['n_points']} points" if arm.get("n_points") is not None else ""
    color = f" [{arm['color']}]" if arm.get("color") else ""
    return f"{name}{color}: {how}{count}"


def _at_risk_text(at_risk: Any) -> str:
    if not isinstance(at_risk, Mapping):
        return _text(at_risk)
    times = at_risk.get("times") or []
    if not times:
        return "none typed"
    table = at_risk.get("table") or {}
    rows = [
        f"{arm}: " + ", ".join("–" if n is None else _text(n) for n in counts)
        for arm, counts in (table.items() if isinstance(table, Mapping) else [])
    ]
    return "at times " + _join(times) + (" — " + "; ".join(rows) if rows else "")
