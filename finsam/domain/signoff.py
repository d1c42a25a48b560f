"""Period sign-off: which period a date falls in and whether a signed period locks it.

An association's administrator signs off a calendar year or a half-year once the data-quality
report is clean; registrations dated in a signed period are then locked until the period is
reopened (with a reason). Pure rules, no Django.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from finsam.domain.problems import Problem


def gettext_noop(text: str) -> str:
    return text


HALF_LABELS = {
    None: gettext_noop("helår"),
    1: gettext_noop("första halvåret"),
    2: gettext_noop("andra halvåret"),
}

FIELD_LABELS = {
    "start_date": gettext_noop("Startdatum"),
    "end_date": gettext_noop("Slutdatum"),
    "month": gettext_noop("Månad"),
    "months_after": gettext_noop("Uppföljning"),
    "reason": gettext_noop("Orsak"),
    "period": gettext_noop("Period"),
}


@dataclass(frozen=True, slots=True, order=True)
class SignoffPeriod:
    """A calendar year (``half=None``) or one of its halves (1 = Jan–Jun, 2 = Jul–Dec)."""

    year: int
    half: int | None = None

    @property
    def start(self) -> date:
        return date(self.year, 7 if self.half == 2 else 1, 1)

    @property
    def end(self) -> date:
        return date(self.year, 6, 30) if self.half == 1 else date(self.year, 12, 31)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def overlaps(self, other: SignoffPeriod) -> bool:
        return self.start <= other.end and other.start <= self.end

    @property
    def code(self) -> str:
        """``2025`` or ``2025H1``/``2025H2`` (used in URLs, files and commands)."""
        return f"{self.year}" if self.half is None else f"{self.year}H{self.half}"

    @property
    def label(self) -> str:
        return f"{self.year}" if self.half is None else f"{self.year} {HALF_LABELS[self.half]}"


_CODE = re.compile(r"^\s*(\d{4})\s*(?:[Hh]\s*([12]))?\s*$")


def parse_period(text: str) -> SignoffPeriod | Problem:
    """``2025``, ``2025H1`` or ``2025H2``; a Swedish problem for anything else."""
    match = _CODE.match(text or "")
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        return Problem(
            "period",
            "signoff.period_format",
            f"Period: ange ett år (t.ex. 2025) eller ett halvår (2025H1, 2025H2), inte {text!r}.",
            text,
        )
    return SignoffPeriod(int(match.group(1)), int(match.group(2)) if match.group(2) else None)


def period_of(day: date, *, half_year: bool = False) -> SignoffPeriod:
    """The year – or with ``half_year`` the half-year – ``day`` falls in."""
    if not half_year:
        return SignoffPeriod(day.year)
    return SignoffPeriod(day.year, 1 if day.month <= 6 else 2)


def locking_period(day: date | None, signed: Iterable[SignoffPeriod]) -> SignoffPeriod | None:
    """The signed period that locks ``day``, or ``None`` when the day is open."""
    if day is None:
        return None
    for period in signed:
        if period.contains(day):
            return period
    return None


def is_locked(day: date | None, signed: Iterable[SignoffPeriod]) -> bool:
    return locking_period(day, signed) is not None


def check_unlocked(field: str, day: date | None, signed: Iterable[SignoffPeriod]) -> list[Problem]:
    """A problem when ``day`` (the value of ``field``) falls in a signed period."""
    period = locking_period(day, signed)
    if period is None or day is None:
        return []
    label = FIELD_LABELS.get(field, field)
    return [
        Problem(
            field,
            "signoff.locked",
            f"{label}: {day.isoformat()} ligger i perioden {period.label}, som förbundet har "
            "undertecknat (låst). Förbundsadministratören måste öppna perioden igen, med en "
            "motivering, innan registreringen kan ändras.",
            day.isoformat(),
        )
    ]


def check_sign_off(
    period: SignoffPeriod, *, signed: Iterable[SignoffPeriod], today: date
) -> list[Problem]:
    """May ``period`` be signed off: it has ended and no signed period overlaps it."""
    problems: list[Problem] = []
    if period.end >= today:
        problems.append(
            Problem(
                "period",
                "signoff.not_ended",
                f"Period: {period.label} är inte avslutad (slutar {period.end.isoformat()}); "
                "en period kan undertecknas först när den är slut.",
                period.code,
            )
        )
    for other in signed:
        if other.overlaps(period):
            problems.append(
                Problem(
                    "period",
                    "signoff.already_signed",
                    f"Period: {period.label} överlappar perioden {other.label}, som redan är "
                    "undertecknad.",
                    period.code,
                )
            )
            break
    return problems


def check_reopen(reason: str) -> list[Problem]:
    if len((reason or "").strip()) < 5:
        return [
            Problem(
                "reason",
                "signoff.reason_required",
                "Orsak: ange varför perioden öppnas igen (minst fem tecken); orsaken sparas i "
                "loggen.",
            )
        ]
    return []


def covers(signed: Iterable[SignoffPeriod], start: date, end: date) -> bool:
    """Do the signed periods together cover every day from ``start`` to ``end``?"""
    ordered = sorted(signed, key=lambda p: p.start)
    cursor = start
    for period in ordered:
        if period.start > cursor:
            break
        if period.end >= cursor:
            cursor = date.fromordinal(period.end.toordinal() + 1)
        if cursor > end:
            return True
    return cursor > end


def followup_date(end_date: date, months_after: int) -> date:
    """The date a follow-up refers to: ``months_after`` months after the exit (the last day of
    the month when the exit's day does not exist then)."""
    month0 = end_date.month - 1 + months_after
    year, month = end_date.year + month0 // 12, month0 % 12 + 1
    for day in (end_date.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")
