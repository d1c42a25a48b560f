"""The handler's worklist rules (pure): when a follow-up falls due, when an open episode is
overdue, and which exits lack required data (``domain.md`` §1 and §3).

A follow-up at *m* months (6, 12, 24) is due ``m`` months after the exit date and stays on the
worklist from :data:`FOLLOWUP_OPENS_BEFORE` months before until :data:`FOLLOWUP_CLOSES_AFTER`
months after that date (the window; after it the measurement is left to the register import).
An episode still open :data:`~finsam.domain.reports.quality.DEFAULT_OVERDUE_MONTHS` months after
its start is overdue (the data-quality report's rule).
"""

from __future__ import annotations

import calendar
from datetime import date

from finsam.domain.access import gettext_noop as _
from finsam.domain.codelists import FOLLOWUP_MONTHS
from finsam.domain.reports.quality import DEFAULT_OVERDUE_MONTHS

FOLLOWUP_OPENS_BEFORE = 1
FOLLOWUP_CLOSES_AFTER = 2

KINDS: tuple[tuple[str, str], ...] = (
    ("followup", _("Uppföljning att göra")),
    ("overdue", _("Öppen längre än maxtiden")),
    ("missing_exit", _("Avslut saknar uppgifter")),
    ("withdrawn", _("Samtycket återkallat")),
)
KIND_LABELS = dict(KINDS)

__all__ = [
    "DEFAULT_OVERDUE_MONTHS",
    "FOLLOWUP_MONTHS",
    "KINDS",
    "add_months",
    "followup_due",
    "followup_exit_range",
    "overdue_before",
]


def add_months(day: date, months: int) -> date:
    """``day`` moved ``months`` calendar months (negative: back); the 31st becomes the month's
    last day when the month is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def followup_due(end_date: date, months: int) -> date:
    return add_months(end_date, months)


def followup_exit_range(months: int, today: date) -> tuple[date, date]:
    """The exit dates whose ``months`` follow-up is in its window on ``today`` (inclusive)."""
    return (
        add_months(today, -(months + FOLLOWUP_CLOSES_AFTER)),
        add_months(today, -(months - FOLLOWUP_OPENS_BEFORE)),
    )


def in_followup_window(end_date: date, months: int, today: date) -> bool:
    first, last = followup_exit_range(months, today)
    return first <= end_date <= last


def overdue_before(today: date, overdue_months: int = DEFAULT_OVERDUE_MONTHS) -> date:
    """Open episodes that started before this date are overdue."""
    return add_months(today, -overdue_months)
