"""The dataset format (version 1): one trial comparison, one endpoint, one population.

Every published number is a *reported value*: an object carrying the value and the ids of the
sources it was read from. ``null`` anywhere means "not reported" and is shown as such; nothing is
filled in by estimation. The JSON schema is documented in ``docs/dataset-format.md`` and can be
printed with ``evidence-app schema``.
"""

from __future__ import annotations

import functools
import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from evidence_app.core import limits

FORMAT_VERSION = 1

MTOR_INHIBITORS = frozenset({"everolimus", "temsirolimus", "sirolimus", "ridaforolimus"})

SourceKind = Literal["primary paper", "registry", "congress abstract", "review", "secondary", "dataset"]
CurveKindName = Literal["digitized", "patient-level", "none"]
Histology = Literal["clear-cell", "non-clear-cell", "mixed", "not stated"]
AnalysisKind = Literal["interim", "final", "not stated"]
Decimals = Annotated[int, Field(ge=0, le=6)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _printable(cls, value: object, info: ValidationInfo) -> object:
        """No control characters in any text (no xlsx cell, SVG or PDF can hold them)."""
        if info.field_name is not None and _may_hold_text(cls, info.field_name):
            _check_texts(value)
        return value


@functools.cache
def _may_hold_text(model: type[BaseModel], field: str) -> bool:
    """False for fields typed as numbers only (long lists of times need no walk)."""
    annotation = str(model.model_fields[field].annotation)
    return any(word in annotation for word in ("str", "object", "Any"))


def _check_texts(value: object) -> None:
    if isinstance(value, str):
        limits.check_text(value)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _check_texts(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_texts(key)
            _check_texts(item)


def _finite(value: float | None, what: str) -> float | None:
    if value is not None and not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {value}")
    return value


def parse_ci_level(value: object) -> float:
    """Turn ``0.95``, ``95``, ``"95%"`` or ``"98.5%"`` into a fraction in (0, 1).

    Raises ``ValueError`` with a plain message for anything else.
    """
    text = str(value).strip()
    try:
        number = float(text.rstrip("%").strip())
    except ValueError:
        raise ValueError(
            f"unknown CI level {value!r}: expected a fraction such as 0.95 or a percentage such as '95%'"
        ) from None
    if text.endswith("%") or number > 1:
        number /= 100.0
    if not (limits.CI_LEVEL_MIN <= number <= limits.CI_LEVEL_MAX) or not math.isfinite(number):
        raise ValueError(
            f"unknown CI level {value!r}: expected a level between 50% and 99.99% (e.g. 0.8, 0.95, '98.5%')"
        )
    return number


class Source(_Model):
    """A document that published numbers were read from."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=80)
    kind: SourceKind
    citation: str = Field(min_length=3)
    url: str | None = None
    pmid: str | None = Field(default=None, pattern=r"^\d{1,9}$")
    doi: str | None = Field(default=None, pattern=r"^10\.\S+/\S+$")
    note: str | None = None


LOCATOR_HELP = (
    "where in the source the number stands, in our own words: 'abstract', 'Table 2', 'Figure 2A', "
    "'text, Results'; when the sources differ, one per source: 's1: abstract; s3: Table 1'"
)
DECIMALS_HELP = "decimal places as published, for the value, the CI's lower and upper bound (10.9 → 1)"
CI_SOURCES_HELP = "the sources of the CI alone, when they are not those of the value (e.g. a CI read only in a review)"


class _Reported(_Model):
    sources: list[str] = Field(min_length=1)
    locator: str | None = Field(default=None, min_length=2, max_length=300, description=LOCATOR_HELP)
    note: str | None = None


class ReportedInt(_Reported):
    value: int = Field(ge=0, le=limits.MAX_PATIENTS)


class ReportedText(_Reported):
    value: str = Field(min_length=1)


def _ci_level_or_none(v: object) -> object:
    """A CI level as typed (0.95, 95, "95%") to a fraction; None stays None."""
    return None if v is None else parse_ci_level(v)


class ReportedMedian(_Reported):
    """A published median; ``ci`` bounds may be null (not reached / not estimable / not reported)."""

    value: float | None = Field(default=None, ge=0)
    not_reached: bool = False
    ci: tuple[float | None, float | None] | None = None
    ci_level: float | None = None
    decimals: list[Decimals] | None = Field(default=None, max_length=3, description=DECIMALS_HELP)
    ci_sources: list[str] | None = Field(default=None, description=CI_SOURCES_HELP)

    _level = field_validator("ci_level", mode="before")(_ci_level_or_none)

    @model_validator(mode="after")
    def _check(self) -> ReportedMedian:
        _finite(self.value, "median")
        if self.value is None and not self.not_reached:
            raise ValueError("a median needs a value, or not_reached: true")
        if self.ci is not None:
            lo, hi = self.ci
            for b in (lo, hi):
                _finite(b, "median CI bound")
                if b is not None and b < 0:
                    raise ValueError(f"median CI bound {b} is negative: times cannot be negative")
            if lo is not None and hi is not None and lo > hi:
                raise ValueError(f"median CI lower bound {lo} is above the upper bound {hi}")
            if self.value is not None and (
                (lo is not None and lo > self.value) or (hi is not None and hi < self.value)
            ):
                raise ValueError(f"median CI ({lo}, {hi}) does not contain the median {self.value}")
        return self


class ReportedLandmark(_Reported):
    time: float = Field(ge=0)
    survival: float = Field(ge=0, le=1, description="a probability in [0, 1]")

    @model_validator(mode="after")
    def _check(self) -> ReportedLandmark:
        _finite(self.time, "landmark time")
        _finite(self.survival, "landmark survival")
        return self


class ReportedHazardRatio(_Reported):
    value: float = Field(gt=0)
    lower: float | None = Field(default=None, gt=0)
    upper: float | None = Field(default=None, gt=0)
    ci_level: float | None = None
    ci_level_assumed: bool = Field(
        default=False, description="true when the source does not state the level and 95% is assumed"
    )
    adjusted: bool = False
    decimals: list[Decimals] | None = Field(default=None, max_length=3, description=DECIMALS_HELP)
    ci_sources: list[str] | None = Field(default=None, description=CI_SOURCES_HELP)

    _level = field_validator("ci_level", mode="before")(_ci_level_or_none)

    @model_validator(mode="after")
    def _check(self) -> ReportedHazardRatio:
        for what, v in (("HR", self.value), ("HR lower bound", self.lower), ("HR upper bound", self.upper)):
            if v is not None:
                limits.check_range(v, limits.HR_MIN, limits.HR_MAX, what)
        if (self.lower is None) != (self.upper is None):
            raise ValueError("give both HR CI bounds, or neither")
        if self.lower is not None and self.upper is not None:
            if self.lower >= self.upper:
                raise ValueError(f"HR CI lower bound {self.lower} must be below the upper bound {self.upper}")
            if not (self.lower <= self.value <= self.upper):
                raise ValueError(f"HR CI ({self.lower}, {self.upper}) does not contain the HR {self.value}")
            if self.ci_level is None:
                raise ValueError("an HR with a CI needs its ci_level (e.g. 0.95, '80%', '98.5%')")
        return self


class OtherReported(_Reported):
    """A published number that does not fit a field (earlier analysis, subgroup size, ...)."""

    label: str = Field(min_length=1)
    text: str = Field(min_length=1)


class ConflictingValue(_Reported):
    """A different value for the same quantity reported elsewhere; shown beside the main value.

    ``quantity`` names the field it disagrees with (e.g. ``comparison.hazard_ratio``), ``value``
    the other value as published, and ``resolution`` which value the dataset uses and why.
    """

    description: str = Field(min_length=1)
    quantity: str | None = None
    value: str | None = None
    resolution: str | None = None


class Judgement(_Model):
    """A curation decision the sources do not settle by themselves, written down with its reason."""

    topic: str = Field(min_length=1, description="e.g. 'HR CI level', 'analysis (interim or final)'")
    field: str | None = Field(default=None, description="the field it settles, e.g. 'comparison.hazard_ratio'")
    decision: str = Field(min_length=1)
    reason: str = Field(min_length=1)


class Arm(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=40)
    label: str = Field(min_length=1)
    regimen: str | None = None
    agents: list[str] = Field(default_factory=list, description="lower-case drug names")
    n: ReportedInt | None = None
    events: ReportedInt | None = None
    median: ReportedMedian | None = None
    landmarks: list[ReportedLandmark] = Field(default_factory=list)

    @property
    def has_mtor_inhibitor(self) -> bool:
        return any(a in MTOR_INHIBITORS for a in self.agents)


class Comparison(_Model):
    experimental_arm: str
    control_arm: str
    hazard_ratio: ReportedHazardRatio | None = None
    p_value: ReportedText | None = None
    total_events: ReportedInt | None = None
    description: str | None = None


class Trial(_Model):
    name: str = Field(min_length=1)
    acronym: str = Field(min_length=1)
    registry_id: str | None = None
    phase: str | None = None
    setting: str = Field(min_length=1, description="line of therapy, e.g. first-line, second-line")
    disease: str = Field(min_length=1)
    population: str = Field(min_length=1)
    population_label: str | None = Field(
        default=None, max_length=60, description="a short name for titles, e.g. 'ITT', 'non-clear-cell subgroup'"
    )
    histology: Histology = "not stated"


class Endpoint(_Model):
    name: str = Field(min_length=1, description="e.g. OS, PFS")
    assessment: str | None = Field(default=None, description="investigator / independent review; null = not reported")


class Analysis(_Model):
    kind: AnalysisKind = "not stated"
    label: str | None = None


class DigitizedArm(_Model):
    points: list[tuple[float, float]] = Field(min_length=2, description="(time, survival) pairs")
    at_risk: list[tuple[float, int]] = Field(default_factory=list, description="(time, number at risk)")
    total_events: int | None = Field(default=None, ge=0)

    @field_validator("points")
    @classmethod
    def _points(cls, pts: list[tuple[float, float]]) -> list[tuple[float, float]]:
        for i, (t, s) in enumerate(pts):
            if not (math.isfinite(t) and math.isfinite(s)):
                raise ValueError(f"point {i + 1} ({t}, {s}) is not a finite number pair")
            if t < 0:
                raise ValueError(f"point {i + 1} has negative time {t}: times must be ≥ 0")
            if t > limits.MAX_TIME:
                raise ValueError(f"point {i + 1} has time {t:g}: times must be at most {limits.MAX_TIME:g}")
            if not (0 <= s <= 1):
                raise ValueError(f"point {i + 1} has survival {s}: expected a probability in [0, 1]")
        return pts

    @field_validator("at_risk")
    @classmethod
    def _at_risk(cls, rows: list[tuple[float, int]]) -> list[tuple[float, int]]:
        for i, (t, n) in enumerate(rows):
            if not math.isfinite(t) or not 0 <= t <= limits.MAX_TIME:
                raise ValueError(f"at-risk row {i + 1} has time {t}: times must be between 0 and {limits.MAX_TIME:g}")
            if not 0 <= n <= limits.MAX_PATIENTS:
                raise ValueError(f"at-risk row {i + 1} has {n} patients: expected a count 0 to {limits.MAX_PATIENTS:,}")
        return rows


class PatientLevelArm(_Model):
    time: list[float] = Field(min_length=1, max_length=limits.MAX_PATIENTS)
    event: list[Literal[0, 1]] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> PatientLevelArm:
        if len(self.time) != len(self.event):
            raise ValueError(f"time has {len(self.time)} values but event has {len(self.event)}")
        for i, t in enumerate(self.time):
            if not math.isfinite(t) or not 0 <= t <= limits.MAX_TIME:
                raise ValueError(f"time[{i}] = {t}: times must be between 0 and {limits.MAX_TIME:g}")
        return self


class DigitizedCurve(_Model):
    kind: Literal["digitized"]
    arms: dict[str, DigitizedArm]
    provenance: dict[str, object] = Field(default_factory=dict)
    sources: list[str] = Field(default_factory=list)


class PatientLevelCurve(_Model):
    kind: Literal["patient-level"]
    origin: str = Field(min_length=1, description="how the patient-level data were obtained")
    arms: dict[str, PatientLevelArm]
    sources: list[str] = Field(min_length=1)


class NoCurve(_Model):
    kind: Literal["none"]


CurveData = Annotated[DigitizedCurve | PatientLevelCurve | NoCurve, Field(discriminator="kind")]


class Flags(_Model):
    secondary_source_only: bool = False
    conflicting_values: list[ConflictingValue] = Field(default_factory=list)
    other_reported: list[OtherReported] = Field(default_factory=list)
    caveats: list[str] = Field(default_factory=list)
    judgements: list[Judgement] = Field(default_factory=list)


class Dataset(_Model):
    """One trial comparison for one endpoint in one population."""

    format_version: Literal[1]
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=80)
    title: str = Field(min_length=1)
    trial: Trial
    endpoint: Endpoint
    analysis: Analysis = Analysis()
    time_unit: Literal["days", "weeks", "months", "years"]
    arms: list[Arm] = Field(min_length=2)
    comparison: Comparison
    curve: CurveData = NoCurve(kind="none")
    sources: list[Source] = Field(min_length=1)
    flags: Flags = Flags()
    notes: str | None = None

    @model_validator(mode="after")
    def _references(self) -> Dataset:
        from evidence_app.core.datasets.references import check_references

        check_references(self)
        return self

    def arm(self, arm_id: str) -> Arm:
        for a in self.arms:
            if a.id == arm_id:
                return a
        raise KeyError(arm_id)

    @property
    def experimental(self) -> Arm:
        return self.arm(self.comparison.experimental_arm)

    @property
    def control(self) -> Arm:
        return self.arm(self.comparison.control_arm)

    @property
    def curve_kind(self) -> str:
        return self.curve.kind

    def source(self, source_id: str) -> Source:
        for s in self.sources:
            if s.id == source_id:
                return s
        raise KeyError(source_id)
