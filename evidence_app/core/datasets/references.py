"""Cross-references inside a dataset: every reported number to its sources, arms to arm ids.

``iter_reported`` is also what the Sources views use to say which numbers came from a source.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from evidence_app.core.datasets.schema import Dataset, _Reported


def iter_reported(dataset: Dataset) -> Iterator[tuple[str, _Reported]]:
    """Yield ``(field path, reported value)`` for every published number in a dataset."""
    for i, arm in enumerate(dataset.arms):
        for name in ("n", "events", "median"):
            value = getattr(arm, name)
            if value is not None:
                yield f"arms[{i}].{name}", value
        for j, lm in enumerate(arm.landmarks):
            yield f"arms[{i}].landmarks[{j}]", lm
    for name in ("hazard_ratio", "p_value", "total_events"):
        value = getattr(dataset.comparison, name)
        if value is not None:
            yield f"comparison.{name}", value
    for j, other in enumerate(dataset.flags.other_reported):
        yield f"flags.other_reported[{j}]", other
    for j, conflict in enumerate(dataset.flags.conflicting_values):
        yield f"flags.conflicting_values[{j}]", conflict


def describe_path(dataset: Dataset, path: str) -> str:
    """A reader-friendly name for a field path, e.g. ``Temsirolimus: median``."""
    if path.startswith("arms["):
        index = int(path[5 : path.index("]")])
        arm = dataset.arms[index]
        rest = path[path.index("]") + 2 :].replace("_", " ")
        if rest.startswith("landmarks["):
            landmark = arm.landmarks[int(rest[10 : rest.index("]")])]
            rest = f"survival at {landmark.time:g} {dataset.time_unit}"
        return f"{arm.label}: {rest}"
    if path.startswith("comparison."):
        return path.split(".", 1)[1].replace("_", " ")
    if path.startswith("flags.other_reported["):
        index = int(path[path.index("[") + 1 : path.index("]")])
        return dataset.flags.other_reported[index].label
    if path.startswith("flags.conflicting_values["):
        index = int(path[path.index("[") + 1 : path.index("]")])
        return "conflicting value: " + dataset.flags.conflicting_values[index].description
    return path


def locator_in(reported: _Reported, source_id: str) -> str | None:
    """Where the number stands in one of its sources: its part of ``s1: abstract; s3: Table 1``, or the locator."""
    if not reported.locator:
        return None
    for part in reported.locator.split("; "):
        sid, sep, place = part.partition(": ")
        if sep and sid == source_id:
            return place
    if any(f"{sid}: " in reported.locator for sid in reported.sources):
        return None
    return reported.locator


def numbers_from_source(dataset: Dataset, source_id: str) -> list[str]:
    """Reader-friendly names of the numbers that cite ``source_id``, each with where it stands in the source."""
    names = []
    for path, reported in iter_reported(dataset):
        if source_id in reported.sources:
            place = locator_in(reported, source_id)
            names.append(describe_path(dataset, path) + (f" ({place})" if place else ""))
    curve_sources = getattr(dataset.curve, "sources", [])
    if source_id in curve_sources:
        names.append(f"curve data ({dataset.curve.kind})")
    return names


def check_references(dataset: Dataset) -> None:
    """Raise ``ValueError`` naming the first broken cross-reference."""
    arm_ids = [a.id for a in dataset.arms]
    if len(set(arm_ids)) != len(arm_ids):
        raise ValueError(f"arm ids must be unique, got {arm_ids}")
    comp = dataset.comparison
    for role, arm_id in (("experimental_arm", comp.experimental_arm), ("control_arm", comp.control_arm)):
        if arm_id not in arm_ids:
            raise ValueError(f"comparison.{role} is {arm_id!r}, which is not one of the arm ids {arm_ids}")
    if comp.experimental_arm == comp.control_arm:
        raise ValueError("comparison.experimental_arm and control_arm must be different arms")
    source_ids = [s.id for s in dataset.sources]
    if len(set(source_ids)) != len(source_ids):
        raise ValueError(f"source ids must be unique, got {source_ids}")
    known = set(source_ids)
    for path, reported in iter_reported(dataset):
        for sid in reported.sources + (getattr(reported, "ci_sources", None) or []):
            if sid not in known:
                raise ValueError(f"{path} cites source {sid!r}, which is not in sources {sorted(known)}")
    for sid in getattr(dataset.curve, "sources", []):
        if sid not in known:
            raise ValueError(f"curve cites source {sid!r}, which is not in sources {sorted(known)}")
    curve_arms = getattr(dataset.curve, "arms", None)
    if curve_arms is not None:
        for arm_id in curve_arms:
            if arm_id not in arm_ids:
                raise ValueError(f"curve.arms has {arm_id!r}, which is not one of the arm ids {arm_ids}")
