"""Input to a network meta-analysis: contrast rows, treatment names, checks and connectivity.

A network is given as contrasts, one row per pair of treatments compared within a study:
``study,treat1,treat2,log_hr,se`` (log HR of treat1 vs treat2), or ``study,treat1,treat2,hr,lower,upper[,ci_level]``.
Optional columns ``n1,n2`` give the patients in each arm (used only to size the nodes of the network graph).
A study with m > 2 arms gives all m(m-1)/2 contrasts; their standard errors must come from arm variances
(``se_ab² = v_a + v_b``) and their estimates from arm effects (``y_ab = d_a - d_b``), as netmeta requires.

Every check names the file (or dataset), the row and the study. A disconnected network raises
:class:`DisconnectedNetwork`, which names the parts and the treatments in each; :func:`select_part` keeps one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from evidence_app.core.safe_files import read_csv_table
from evidence_app.errors import InputError, Problem

TOL_MULTIARM = 0.001
"""Largest misfit (log HR, and relative on se²) tolerated in a multi-arm study's contrasts (netmeta's default)."""

CONTRAST_HEADERS = "study,treat1,treat2,log_hr,se  or  study,treat1,treat2,hr,lower,upper[,ci_level]  (optional n1,n2)"


@dataclass(frozen=True)
class Contrast:
    """One within-study comparison: log HR of ``treat1`` vs ``treat2`` with its standard error."""

    study: str
    treat1: str
    treat2: str
    log_hr: float
    se: float
    row: int | None = None
    source: str = ""
    n1: int | None = None
    n2: int | None = None
    note: str = ""

    def where(self) -> str:
        return f"row {self.row}" if self.row is not None else f"study {self.study}"


@dataclass(frozen=True)
class NetworkData:
    """Checked contrasts of a connected network, with the treatment-name mapping that was applied."""

    contrasts: tuple[Contrast, ...]
    treatments: tuple[str, ...]
    name_map: dict[str, str] = field(default_factory=dict)
    source: str = ""

    @property
    def studies(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.study for c in self.contrasts))

    def renamed(self) -> dict[str, str]:
        """Only the names that normalisation changed (original -> name used)."""
        return {k: v for k, v in self.name_map.items() if k != v}

    def patients(self) -> dict[str, int]:
        """Patients per treatment summed over studies (each study arm once), where arm sizes are given."""
        arms: dict[tuple[str, str], int] = {}
        for c in self.contrasts:
            for t, n in ((c.treat1, c.n1), (c.treat2, c.n2)):
                if n is not None:
                    arms[(c.study, t)] = n
        out: dict[str, int] = {}
        for (_, t), n in arms.items():
            out[t] = out.get(t, 0) + n
        return out


class DisconnectedNetwork(InputError):
    """The treatments form more than one connected part; ``parts`` lists each part's treatments."""

    def __init__(self, parts: Sequence[tuple[str, ...]], studies: Sequence[tuple[str, ...]], file: str | None) -> None:
        self.parts = tuple(parts)
        lines = [
            f"part {i}: {', '.join(p)} (studies: {', '.join(s)})" for i, (p, s) in enumerate(zip(parts, studies), 1)
        ]
        message = (
            f"the network is not connected: it has {len(parts)} separate parts; choose one part to analyse "
            "(CLI: --part N)"
        )
        super().__init__(message, file=file, problems=[Problem(message, file)] + [Problem(x, file) for x in lines])


def _name_key(name: str) -> str:
    text = re.sub(r"\s+", " ", name.strip())
    text = re.sub(r"\s*([+/,&])\s*", r"\1", text)
    return text.casefold()


def normalise_names(contrasts: Sequence[Contrast]) -> tuple[list[Contrast], dict[str, str]]:
    """Treatment names matched ignoring case and spacing; the first spelling met is kept (spaces tidied)."""
    display: dict[str, str] = {}
    mapping: dict[str, str] = {}
    for c in contrasts:
        for name in (c.treat1, c.treat2):
            key = _name_key(name)
            display.setdefault(key, re.sub(r"\s+", " ", name.strip()))
            mapping[name] = display[key]
    out = [replace(c, treat1=mapping[c.treat1], treat2=mapping[c.treat2]) for c in contrasts]
    return out, mapping


def _cell(row: dict[str, str], column: str, number: int, file: str) -> float:
    text = (row.get(column) or "").strip()
    if not text:
        raise InputError(f"{column} is empty", file=file, location=f"row {number}")
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{column} is '{text}', expected a number", file=file, location=f"row {number}") from None
    if not math.isfinite(value):
        raise InputError(f"{column} is '{text}', expected a finite number", file=file, location=f"row {number}")
    return value


def _arm_size(row: dict[str, str], column: str, number: int, file: str) -> int | None:
    if not (row.get(column) or "").strip():
        return None
    value = _cell(row, column, number, file)
    if value <= 0 or value != int(value):
        raise InputError(
            f"{column} is {value:g}; expected a whole number of patients > 0", file=file, location=f"row {number}"
        )
    return int(value)


def _contrast_from_row(row: dict[str, str], number: int, file: str, columns: set[str]) -> Contrast:
    from evidence_app.core.stats.effects import effect_from_ci

    where = f"row {number}"
    study, t1, t2 = ((row.get(k) or "").strip() for k in ("study", "treat1", "treat2"))
    for name, value in (("study", study), ("treat1", t1), ("treat2", t2)):
        if not value:
            raise InputError(f"{name} is empty", file=file, location=where)
    if "log_hr" in columns:
        log_hr, se, note = _cell(row, "log_hr", number, file), _cell(row, "se", number, file), ""
    else:
        level: float | str = (row.get("ci_level") or "").strip() or 0.95
        try:
            hr, lower, upper = (_cell(row, k, number, file) for k in ("hr", "lower", "upper"))
            effect = effect_from_ci(hr, lower, upper, level)
        except InputError as exc:
            raise InputError(f"study {study}: {exc.message}", file=file, location=where) from None
        log_hr, se, note = effect.log_hr, effect.se, effect.note
    n1, n2 = _arm_size(row, "n1", number, file), _arm_size(row, "n2", number, file)
    return Contrast(study, t1, t2, log_hr, se, number, file, n1, n2, note)


def read_contrast_csv(path: str | Path) -> list[Contrast]:
    """Read a contrast-format CSV (header row 1; blank rows skipped). Raises :class:`InputError` on any bad row."""
    file = str(path)
    rows = read_csv_table(path, kind="contrast file")
    if not rows:
        raise InputError(f"the file is empty; expected a header {CONTRAST_HEADERS}", file=file)
    header = [name.strip().lower() for name in rows[0]]
    columns = set(header)
    base = {"study", "treat1", "treat2"}
    if not (base | {"log_hr", "se"} <= columns or base | {"hr", "lower", "upper"} <= columns):
        raise InputError(f"header must be {CONTRAST_HEADERS}; found {','.join(rows[0])}", file=file, location="row 1")
    problems: list[Problem] = []
    contrasts: list[Contrast] = []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        try:
            contrasts.append(_contrast_from_row(dict(zip(header, cells)), number, file, columns))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(f"{len(problems)} bad row(s) in the contrast file", file=file, problems=problems)
    if not contrasts:
        raise InputError("the file has no contrast rows", file=file)
    return contrasts


def _study_problems(study: str, rows: list[Contrast]) -> list[Problem]:
    """Multi-arm checks: every pair present, estimates from arm effects, SEs from arm variances."""
    import numpy as np

    arms = sorted({t for c in rows for t in (c.treat1, c.treat2)})
    m = len(arms)
    file = rows[0].source or None
    where = ", ".join(c.where() for c in rows)
    if len(rows) != m * (m - 1) // 2:
        have = {frozenset((c.treat1, c.treat2)) for c in rows}
        missing = [f"{a} vs {b}" for i, a in enumerate(arms) for b in arms[i + 1 :] if frozenset((a, b)) not in have]
        return [
            Problem(
                f"study {study} has {m} arms ({', '.join(arms)}) but gives {len(rows)} of their "
                f"{m * (m - 1) // 2} contrasts; missing: {', '.join(missing)}",
                file,
                where,
            )
        ]
    index = {t: i for i, t in enumerate(arms)}
    design = np.zeros((len(rows), m))
    for k, c in enumerate(rows):
        design[k, index[c.treat1]], design[k, index[c.treat2]] = 1.0, -1.0
    y = np.array([c.log_hr for c in rows])
    fit = design @ np.linalg.lstsq(design, y, rcond=None)[0]
    out = []
    if float(np.max(np.abs(fit - y))) > TOL_MULTIARM:
        out.append(
            Problem(
                f"study {study}: the log HRs of its contrasts are inconsistent (e.g. A vs C must equal A vs B plus "
                f"B vs C; largest misfit {float(np.max(np.abs(fit - y))):.4g})",
                file,
                where,
            )
        )
    s2 = np.array([c.se**2 for c in rows])
    variances = np.linalg.lstsq(np.abs(design), s2, rcond=None)[0]
    misfit = float(np.max(np.abs(np.abs(design) @ variances - s2) / s2))
    if np.any(variances < -1e-10 * float(s2.max())) or misfit > TOL_MULTIARM:
        bad = ", ".join(f"{a} {v:.3g}" for a, v in zip(arms, variances))
        out.append(
            Problem(
                f"study {study}: the standard errors of its contrasts cannot come from arm variances "
                f"(se_ab² = v_a + v_b gives {bad})",
                file,
                where,
            )
        )
    return out


def check_contrasts(contrasts: Sequence[Contrast]) -> None:
    """Raise one :class:`InputError` listing every problem: SE ≤ 0, self-comparison, a pair listed twice in a
    study, an incomplete or inconsistent multi-arm study."""
    problems: list[Problem] = []
    seen: dict[tuple[str, frozenset[str]], Contrast] = {}
    by_study: dict[str, list[Contrast]] = {}
    for c in contrasts:
        file = c.source or None
        if not (math.isfinite(c.se) and c.se > 0):
            problems.append(Problem(f"study {c.study}: standard error is {c.se:g}; it must be > 0", file, c.where()))
            continue
        if not math.isfinite(c.log_hr):
            problems.append(Problem(f"study {c.study}: log HR is {c.log_hr}; expected a number", file, c.where()))
            continue
        if c.treat1 == c.treat2:
            problems.append(Problem(f"study {c.study}: {c.treat1} is compared with itself", file, c.where()))
            continue
        key = (c.study, frozenset((c.treat1, c.treat2)))
        if key in seen:
            first = seen[key]
            problems.append(
                Problem(
                    f"study {c.study} lists {c.treat1} vs {c.treat2} twice ({first.where()} and {c.where()}); "
                    "keep one estimate per study and comparison",
                    file,
                    c.where(),
                )
            )
            continue
        seen[key] = c
        by_study.setdefault(c.study, []).append(c)
    for study, rows in by_study.items():
        if len(rows) > 1:
            problems.extend(_study_problems(study, rows))
    if problems:
        file = contrasts[0].source if contrasts else None
        raise InputError(f"{len(problems)} problem(s) in the network input", file=file or None, problems=problems)


def parts(contrasts: Iterable[Contrast]) -> list[tuple[str, ...]]:
    """Connected parts of the network (each a sorted tuple of treatments), largest first."""
    parent: dict[str, str] = {}

    def root(t: str) -> str:
        parent.setdefault(t, t)
        while parent[t] != t:
            parent[t] = parent[parent[t]]
            t = parent[t]
        return t

    for c in contrasts:
        parent[root(c.treat1)] = root(c.treat2)
    groups: dict[str, list[str]] = {}
    for t in parent:
        groups.setdefault(root(t), []).append(t)
    return sorted((tuple(sorted(g, key=str.casefold)) for g in groups.values()), key=lambda g: (-len(g), g))


def prepare_network(contrasts: Sequence[Contrast], *, part: int | None = None, source: str = "") -> NetworkData:
    """Normalise names, check the rows and connectivity; with ``part`` (1-based) keep only that part."""
    if not contrasts:
        raise InputError("there are no contrasts to analyse", file=source or None)
    named, mapping = normalise_names(contrasts)
    check_contrasts(named)
    found = parts(named)
    if part is not None:
        if not 1 <= part <= len(found):
            raise InputError(f"part {part} does not exist: the network has {len(found)} part(s)", file=source or None)
        keep = set(found[part - 1])
        named = [c for c in named if c.treat1 in keep]
    elif len(found) > 1:
        studies = [tuple(dict.fromkeys(c.study for c in named if c.treat1 in p)) for p in found]
        raise DisconnectedNetwork(found, studies, source or None)
    treatments = tuple(sorted({t for c in named for t in (c.treat1, c.treat2)}, key=str.casefold))
    if len(treatments) < 2:
        raise InputError("a network needs at least two treatments", file=source or None)
    used = {t for c in named for t in (c.treat1, c.treat2)}
    return NetworkData(tuple(named), treatments, {k: v for k, v in mapping.items() if v in used}, source)
