"""How the domain core reports bad input: one shape for forms, imports, commands and models.

A :class:`Problem` names the field, the rule that was broken and a Swedish message a user can
act on.
Functions that validate return a list of problems; functions that compute raise
:class:`DomainValidationError` carrying them, and change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Problem:
    field: str
    """The field (form field or file column) the problem is about; ``""`` for the whole record."""
    rule: str
    """A stable rule key, e.g. ``identity.checksum`` (used by tests, error reports and docs)."""
    message: str
    """Swedish message naming the field and the rule, written for the user."""
    value: object = None
    """The offending value, when there is one (never a clear-text identity number)."""
    row: int | None = None
    """The row's number, when there is one: in an imported file the line a spreadsheet shows
    (header = line 1; ``finsam.domain.tabular``)."""
    warning: bool = False
    """A warning is shown but does not stop the save (e.g. a home municipality outside the area)."""


@dataclass(slots=True)
class DomainValidationError(Exception):
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        Exception.__init__(self, "; ".join(p.message for p in self.problems))

    def __str__(self) -> str:
        return "; ".join(p.message for p in self.problems)


def errors_only(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if not p.warning]


def raise_if_errors(problems: list[Problem]) -> None:
    """Raise :class:`DomainValidationError` when any problem is an error (not a warning)."""
    errors = errors_only(problems)
    if errors:
        raise DomainValidationError(errors)
