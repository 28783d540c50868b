"""Domain exceptions carrying what the user needs to fix a problem.

The GUI turns every :class:`EvidenceError` into one kind of message dialog; the CLI into
one line on stderr and a non-zero exit code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One problem found in user input.

    Parameters
    ----------
    message
        What was wrong and what was expected, in plain words.
    file
        The file the problem is in, if any.
    location
        Row number (1-based, as a spreadsheet shows it) or field path such as ``arms[1].n``.
    """

    message: str
    file: str | None = None
    location: str | None = None

    def __str__(self) -> str:
        where = ": ".join(p for p in (self.file, self.location) if p)
        return f"{where}: {self.message}" if where else self.message


class EvidenceError(Exception):
    """Base class of every error the app reports to a user."""

    def __init__(self, message: str, *, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems: list[Problem] = list(problems or [])

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        return self.message + "\n" + "\n".join(f"  - {p}" for p in self.problems)


class InputError(EvidenceError):
    """A user-supplied file or value is malformed (CSV, dataset file, image, effect table)."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        location: str | None = None,
        problems: list[Problem] | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.location = location
        if problems is None:
            problems = [Problem(message, self.file, location)]
        super().__init__(message, problems=problems)

    def __str__(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        return super().__str__()


class DatasetValidationError(InputError):
    """A dataset file does not follow the dataset schema."""


class AnalysisError(EvidenceError):
    """A computation cannot be done with the data given (e.g. too few events)."""


class ExportError(EvidenceError):
    """A file cannot be written (folder not writable, file locked, exists without --force)."""


class Cancelled(EvidenceError):
    """Long work was cancelled by the user."""

    def __init__(self) -> None:
        super().__init__("Cancelled by the user.")
