"""Excel's hard limits, and what the export does when data would pass them — always saying so.

A worksheet holds at most 1,048,576 rows and a cell at most 32,767 characters; Excel refuses
(or "repairs") a file that goes further. Patient-level rows beyond one sheet go to further
sheets ("Patient data (2)", ...), or, when even that would make an unwieldy workbook, to a CSV
file beside it; over-long text is cut with a marker. Every such step is logged in a
:class:`LimitLog`, whose messages reach the export summary (the CLI prints them, the GUI shows
them) and the Methods sheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Rows in one worksheet (Excel 2007 and later), the header row included.
MAX_ROWS = 1_048_576
#: Characters in one cell.
MAX_CELL_CHARS = 32_767
#: Beyond this many patient rows the patient data go to a CSV file beside the workbook instead:
#: openpyxl holds every cell in memory (about 2 KB a patient row), so 1,200,000 rows took 2.6 GB,
#: over the 2 GB limit for any single input; 500,000 rows stay near 1.1 GB.
MAX_WORKBOOK_PATIENT_ROWS = 500_000
CUT_MARKER = " … [cut: {n:,} characters in all; Excel holds at most 32,767 in a cell]"


@dataclass
class LimitLog:
    """What was split, moved or cut to keep within Excel's limits (one plain sentence each)."""

    messages: list[str] = field(default_factory=list)

    def add(self, message: str) -> None:
        if message not in self.messages:
            self.messages.append(message)


def clip_text(text: str, log: LimitLog | None, sheet: str, cell: str) -> str:
    """``text`` if it fits a cell, else its start with a marker saying how long it was (logged)."""
    if len(text) <= MAX_CELL_CHARS:
        return text
    marker = CUT_MARKER.format(n=len(text))
    if log is None:
        raise ValueError(f"{sheet}!{cell}: {len(text):,} characters, more than a cell holds ({MAX_CELL_CHARS:,})")
    log.add(f"{sheet}!{cell}: text of {len(text):,} characters cut to Excel's limit of {MAX_CELL_CHARS:,}")
    return text[: MAX_CELL_CHARS - len(marker)] + marker


def row_chunks(n_rows: int, per_sheet: int = MAX_ROWS - 1) -> list[tuple[int, int]]:
    """``(start, stop)`` slices of ``n_rows`` data rows, each fitting one sheet under its header."""
    if n_rows == 0:
        return [(0, 0)]
    return [(start, min(start + per_sheet, n_rows)) for start in range(0, n_rows, per_sheet)]
