"""The Reconstruction intervals sheet: for datasets whose arms are reconstructed from digitized curves,
the usual CI of the HR, each median and landmark survival next to the reconstruction interval, which
adds the uncertainty of digitizing (``core.stats.reconstruction_intervals``)."""

from __future__ import annotations

from evidence_app.core.stats.reconstruction_intervals import reconstruction_uncertainty
from evidence_app.export.sheets import AnalyzedDataset, Column, Table
from evidence_app.export.xlsx_format import PROB_FORMAT

COLUMNS = (
    Column("Dataset id", 30),
    Column("Arm (or comparison)", 26),
    Column("Quantity", 16),
    Column("Estimate", 9, PROB_FORMAT),
    Column("Usual 95% CI lower", 9, PROB_FORMAT),
    Column("Usual 95% CI upper", 9, PROB_FORMAT),
    Column("Reconstruction interval lower (sampling + digitization)", 12, PROB_FORMAT),
    Column("Reconstruction interval upper (sampling + digitization)", 12, PROB_FORMAT),
    Column("Digitization SD", 9, PROB_FORMAT),
    Column("Notes", 40, wrap=True),
)
NOTE = (
    "Derived: re-reconstructed from {n} perturbed digitizations; interval = estimate ± 1.96·√(SE² + SD²); "
    "the HR's SD is on the log scale"
)


def reconstruction_interval_table(items: list[AnalyzedDataset], replicates: int = 20) -> Table | None:
    """One row per HR, median and landmark of every dataset with reconstructed arms; None when there is none."""
    table = Table(COLUMNS)
    for item in items:
        if item.analysis is None:
            continue
        u = reconstruction_uncertainty(item.analysis, replicates=replicates)
        if u is None:
            continue
        note = NOTE.format(n=u.replicates)
        labels = {a.id: a.label for a in item.dataset.arms}
        rows = [("comparison (HR)", u.hazard_ratio)] if u.hazard_ratio else []
        rows += [(labels.get(arm, arm), x) for arm, xs in u.arms.items() for x in xs]
        for where, x in rows:
            table.add(
                item.dataset.id,
                where,
                x.quantity,
                x.estimate,
                x.sampling_lower,
                x.sampling_upper,
                x.lower,
                x.upper,
                x.digitization_sd,
                note,
            )
    return table if table.rows else None
