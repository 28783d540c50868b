"""Plain-text report of a pooled estimate (CLI)."""

from __future__ import annotations

from evidence_app.core.formatting import fmt_p
from evidence_app.core.results import PooledEstimate, SubgroupPooling
from evidence_app.core.synthesis.methods import method_label


def _num(x: float | None, digits: int = 3) -> str:
    return "NA" if x is None or x != x else f"{x:.{digits}f}"


def pooled_block(p: PooledEstimate, title: str = "Pooled") -> list[str]:
    method = method_label(p.method, p.hk)
    lines = [
        f"{title}: HR {p.estimate:.2f} ({p.lower:.2f}–{p.upper:.2f}), p {fmt_p(p.p)}  [{method}; k = {p.k}]",
        f"  heterogeneity: Q = {_num(p.q, 2)} (df {p.q_df}, p {fmt_p(p.q_p)}), "
        f"I² = {_num(p.i2, 1)}% ({_num(p.i2_lower, 1)}–{_num(p.i2_upper, 1)}), "
        f"τ² = {_num(p.tau2, 4)}, τ = {_num(p.tau, 4)}",
        f"  95% prediction interval: {_num(p.pi_lower, 2)}–{_num(p.pi_upper, 2)}",
        "  weights: " + ", ".join(f"{e.study} {w:.1f}%" for e, w in zip(p.studies, p.weights)),
    ]
    if p.note:
        lines.append(f"  note: {p.note}")
    return lines


def pooled_text(pooled: PooledEstimate, groups: SubgroupPooling | None = None) -> str:
    lines = pooled_block(pooled, "Overall")
    if groups is not None:
        for name, g in groups.groups.items():
            lines += [""] + pooled_block(g, f"Subgroup {name}")
        lines += [
            "",
            f"Test for subgroup differences: Q = {groups.q_between:.2f}, df {groups.df_between}, "
            f"p {fmt_p(groups.p_between)}",
        ]
    return "\n".join(lines)
