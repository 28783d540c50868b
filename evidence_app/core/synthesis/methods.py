"""The pooling methods: one registry that every view, export and command reads.

Adding a method is one :class:`PoolingMethod` entry here (and its estimator in ``meta.py``). The
CLI's ``--method``/``--pool`` choices, the GUI's method box, figure footnotes, the workbook's
Forest and Methods sheets and the CLI reports all take their wording from this module, so the
same method has the same name everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from evidence_app.errors import AnalysisError


@dataclass(frozen=True)
class PoolingMethod:
    key: str
    """Canonical name used in code, settings, JSON and on the command line (``REML``)."""
    label: str
    """Name for menus and tables (``Random effects, REML``)."""
    short: str
    """Compact name for narrow columns (``REML``)."""
    model: str
    """``common`` or ``random``."""
    tau2_estimator: str | None
    """How τ² is estimated (``None`` for the common-effect model)."""
    description: str
    """One sentence for the Methods sheet and reports."""
    reference: str
    aliases: tuple[str, ...] = ()


HK_LABEL = "Hartung–Knapp adjustment"
"""The one wording of the Hartung–Knapp(–Sidik–Jonkman) CI adjustment."""
HK_DESCRIPTION = (
    "When requested: the CI uses a t distribution with k − 1 df and the Hartung–Knapp–Sidik–"
    "Jonkman variance (no truncation)."
)
HK_REFERENCE = "Hartung & Knapp, Stat Med 2001;20:3875–89; Sidik & Jonkman, Stat Med 2002;21:3153–9"

METHODS: tuple[PoolingMethod, ...] = (
    PoolingMethod(
        "REML",
        "Random effects, REML",
        "REML",
        "random",
        "restricted maximum likelihood",
        "Inverse-variance weights 1/(SE² + τ²), τ² by restricted maximum likelihood (Fisher scoring).",
        "Viechtbauer, J Educ Behav Stat 2005;30:261–93",
    ),
    PoolingMethod(
        "DL",
        "Random effects, DerSimonian–Laird",
        "DL",
        "random",
        "DerSimonian–Laird",
        "Inverse-variance weights 1/(SE² + τ²), τ² by the DerSimonian–Laird moment estimator.",
        "DerSimonian & Laird, Control Clin Trials 1986;7:177–88",
    ),
    PoolingMethod(
        "PM",
        "Random effects, Paule–Mandel",
        "PM",
        "random",
        "Paule–Mandel",
        "Inverse-variance weights 1/(SE² + τ²), τ² as the root of the generalised Q statistic.",
        "Paule & Mandel, J Res Natl Bur Stand 1982;87:377–85",
    ),
    PoolingMethod(
        "fixed",
        "Fixed effect (inverse variance)",
        "Fixed",
        "common",
        None,
        "Inverse-variance weighted mean of the log hazard ratios.",
        "Borenstein et al., Introduction to Meta-Analysis, 2009",
        aliases=("fe", "ee", "common"),
    ),
)
DEFAULT_METHOD = "REML"
_BY_NAME = {name.lower(): m for m in METHODS for name in (m.key, *m.aliases)}


def method_keys() -> list[str]:
    return [m.key for m in METHODS]


def get_method(name: str) -> PoolingMethod:
    """The method for a key or alias, any case; an unknown name raises :class:`AnalysisError`."""
    try:
        return _BY_NAME[name.strip().lower()]
    except KeyError:
        raise AnalysisError(f"unknown pooling method {name!r}; use {', '.join(method_keys())}") from None


def normalise_method(name: str) -> str:
    """The canonical key (``fixed``, ``DL``, ``REML`` or ``PM``) of a key or alias."""
    return get_method(name).key


def method_label(name: str, hk: bool = False, short: bool = False, in_sentence: bool = False) -> str:
    """``Random effects, REML, Hartung–Knapp adjustment`` (HK only applies to random effects).

    ``in_sentence``: the first letter in lower case, for running text ("Pooled: random effects, REML").
    """
    method = get_method(name)
    text = method.short if short else method.label
    if in_sentence and not short:
        text = text[0].lower() + text[1:]
    if hk and method.model == "random":
        text += " + HK" if short else f", {HK_LABEL}"
    return text
