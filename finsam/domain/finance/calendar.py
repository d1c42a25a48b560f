"""The budget calendar with the members: the dated steps of one budget year (seed 001, § 3.1).

For the budget year ``Y`` the year runs from the members' consultation in February of ``Y − 1``
to the audit of the annual report in the spring of ``Y + 1``:

====================  =====================================  ======================  ======
step                  what                                   default deadline        legal
====================  =====================================  ======================  ======
consultation          Medlemssamråd (budget discussed)        end of February Y − 1
member_letters        Skrivelse till medlemmarna              30 April Y − 1
preliminary_alloc.    Statens preliminära fördelning          30 June Y − 1
member_replies        Medlemmarnas svar på fördelningen       31 August Y − 1
workday               Arbetsdag styrelse/beredningsgrupp       30 September Y − 1
budget_adopted        Budget och treårsplan fastställd         30 November Y − 1       § 19
annual_report_adopt.  Årsredovisning fastställd               31 March Y + 1          § 23
audit_done            Revision klar                           30 April Y + 1
====================  =====================================  ======================  ======

The two legal deadlines come from :mod:`contributions` (dated rules); the others are the seed's
calendar and can be moved per association-year (a planned date). :func:`calendar_status` gives each
step's status on a day and :func:`calendar_warnings` the warnings before (and after) the legal
deadlines and for overdue steps.
"""

from __future__ import annotations

import calendar as _cal
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from finsam.domain.access import gettext_noop
from finsam.domain.finance.contributions import (
    DEFAULT_WARN_DAYS,
    annual_report_deadline,
    budget_deadline,
)
from finsam.domain.problems import Problem


def _month_end(year: int, month: int) -> date:
    return date(year, month, _cal.monthrange(year, month)[1])


@dataclass(frozen=True, slots=True)
class StepDef:
    key: str
    label: str
    deadline: Callable[[int], date]
    legal: bool = False
    note: str = ""


STEPS: tuple[StepDef, ...] = (
    StepDef(
        "consultation",
        gettext_noop("Medlemssamråd"),
        lambda y: _month_end(y - 1, 2),
        note=gettext_noop("Årsredovisningen är klar och budgeten för kommande år diskuteras."),
    ),
    StepDef(
        "member_letters",
        gettext_noop("Skrivelse till medlemmarna om medelstilldelning"),
        lambda y: _month_end(y - 1, 4),
    ),
    StepDef(
        "preliminary_allocation",
        gettext_noop("Statens preliminära fördelning"),
        lambda y: _month_end(y - 1, 6),
    ),
    StepDef(
        "member_replies",
        gettext_noop("Medlemmarnas svar på statens fördelning"),
        lambda y: _month_end(y - 1, 8),
    ),
    StepDef(
        "workday",
        gettext_noop("Arbetsdag styrelse och beredningsgrupp (budget och plan år 2 och 3)"),
        lambda y: _month_end(y - 1, 9),
    ),
    StepDef(
        "budget_adopted",
        gettext_noop("Budget och treårig finansiell plan fastställd"),
        budget_deadline,
        legal=True,
        note=gettext_noop(
            "Styrelsen fastställer budgeten före utgången av november, efter samråd."
        ),
    ),
    StepDef(
        "annual_report_adopted",
        gettext_noop("Årsredovisning fastställd"),
        annual_report_deadline,
        legal=True,
        note=gettext_noop("Inom tre månader efter årets slut."),
    ),
    StepDef("audit_done", gettext_noop("Revision klar"), lambda y: _month_end(y + 1, 4)),
)
STEP_KEYS = tuple(s.key for s in STEPS)
STEP_LABELS = {s.key: s.label for s in STEPS}
RECORDED_ON_YEAR = frozenset({"budget_adopted", "annual_report_adopted"})
"""Steps whose date is the association-year's own adoption date (not a calendar row)."""

DONE, LATE, OVERDUE, DUE_SOON, UPCOMING = "done", "late", "overdue", "due_soon", "upcoming"
STATUS_LABELS = {
    DONE: gettext_noop("Klar"),
    LATE: gettext_noop("Klar efter sista dag"),
    OVERDUE: gettext_noop("Försenad"),
    DUE_SOON: gettext_noop("Snart sista dag"),
    UPCOMING: gettext_noop("Kommande"),
}


@dataclass(frozen=True, slots=True)
class StepStatus:
    key: str
    label: str
    deadline: date
    legal: bool
    done: date | None
    status: str
    days_left: int
    """Days from ``today`` to the deadline (negative after it)."""

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def default_deadlines(year: int) -> dict[str, date]:
    return {s.key: s.deadline(year) for s in STEPS}


def calendar_status(
    year: int,
    done: Mapping[str, date | None],
    today: date,
    planned: Mapping[str, date | None] | None = None,
    warn_days: int = DEFAULT_WARN_DAYS,
) -> list[StepStatus]:
    """Each step of budget year ``year`` on ``today``: done (on time or late), overdue, due soon
    (within ``warn_days`` of its deadline) or upcoming. A planned date replaces the default deadline
    of a step that is not legal; a legal deadline cannot be moved."""
    planned = planned or {}
    out = []
    for s in STEPS:
        deadline = s.deadline(year)
        if not s.legal and (moved := planned.get(s.key)):
            deadline = moved
        recorded = done.get(s.key)
        if recorded is not None:
            status = LATE if recorded > deadline else DONE
        elif today > deadline:
            status = OVERDUE
        elif today >= deadline - timedelta(days=warn_days):
            status = DUE_SOON
        else:
            status = UPCOMING
        out.append(
            StepStatus(s.key, s.label, deadline, s.legal, recorded, status, (deadline - today).days)
        )
    return out


def calendar_warnings(year: int, statuses: list[StepStatus]) -> list[Problem]:
    """Warnings: a legal deadline approaching, missed or met late; any other step overdue."""
    out = []
    for st in statuses:
        what = f"{st.label} ({year})"
        if st.status == DUE_SOON and st.legal:
            out.append(
                Problem(
                    st.key,
                    f"calendar.{st.key}_approaching",
                    f"{what}: sista dag enligt lagen är {st.deadline.isoformat()}, om "
                    f"{st.days_left} dagar.",
                    st.deadline,
                    warning=True,
                )
            )
        elif st.status == OVERDUE:
            legal = gettext_noop(" enligt lagen") if st.legal else ""
            out.append(
                Problem(
                    st.key,
                    f"calendar.{st.key}_missed" if st.legal else "calendar.step_overdue",
                    f"{what} saknas: sista dag{legal} var {st.deadline.isoformat()}.",
                    st.deadline,
                    warning=True,
                )
            )
        elif st.status == LATE and st.legal and st.done is not None:  # late = done after it
            out.append(
                Problem(
                    st.key,
                    f"calendar.{st.key}_late",
                    f"{what} blev klar {st.done.isoformat()}, efter sista dag enligt lagen "
                    f"{st.deadline.isoformat()}.",
                    st.done,
                    warning=True,
                )
            )
    return out
