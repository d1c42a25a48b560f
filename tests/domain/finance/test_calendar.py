"""The budget calendar (``domain/finance/calendar.py``): deadlines, statuses and warnings."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from finsam.domain.finance import calendar as cal


def test_default_deadlines_of_budget_year_2026():
    d = cal.default_deadlines(2026)
    assert d == {
        "consultation": date(2025, 2, 28),
        "member_letters": date(2025, 4, 30),
        "preliminary_allocation": date(2025, 6, 30),
        "member_replies": date(2025, 8, 31),
        "workday": date(2025, 9, 30),
        "budget_adopted": date(2025, 11, 30),
        "annual_report_adopted": date(2027, 3, 31),
        "audit_done": date(2027, 4, 30),
    }
    assert cal.default_deadlines(2025)["consultation"] == date(2024, 2, 29)  # leap year


def test_statuses_and_warnings_on_a_day():
    today = date(2025, 11, 10)
    statuses = cal.calendar_status(
        2026,
        {"member_letters": date(2025, 4, 10), "member_replies": date(2025, 9, 5)},
        today,
        planned={"workday": date(2025, 10, 15), "budget_adopted": date(2026, 1, 15)},
    )
    by = {s.key: s for s in statuses}
    assert by["consultation"].status == cal.OVERDUE
    assert by["member_letters"].status == cal.DONE
    assert by["member_replies"].status == cal.LATE
    assert by["workday"].status == cal.OVERDUE and by["workday"].deadline == date(2025, 10, 15)
    # a legal deadline cannot be moved by a planned date
    assert by["budget_adopted"].deadline == date(2025, 11, 30)
    assert by["budget_adopted"].status == cal.DUE_SOON and by["budget_adopted"].days_left == 20
    assert by["annual_report_adopted"].status == cal.UPCOMING
    warnings = cal.calendar_warnings(2026, statuses)
    rules = [w.rule for w in warnings]
    assert [w.field for w in warnings] == [
        "consultation",
        "preliminary_allocation",
        "workday",
        "budget_adopted",
    ]
    assert rules == ["calendar.step_overdue"] * 3 + ["calendar.budget_adopted_approaching"]
    assert "2025-11-30, om 20 dagar" in warnings[-1].message


def test_legal_steps_missed_and_late():
    statuses = cal.calendar_status(2025, {"budget_adopted": date(2024, 12, 3)}, date(2026, 4, 2))
    warnings = {w.rule: w for w in cal.calendar_warnings(2025, statuses)}
    assert "calendar.budget_adopted_late" in warnings
    assert "calendar.annual_report_adopted_missed" in warnings
    assert "2026-03-31" in warnings["calendar.annual_report_adopted_missed"].message


@given(
    year=st.integers(min_value=2005, max_value=2099),
    offset=st.integers(min_value=-800, max_value=800),
)
def test_every_step_has_exactly_one_status(year, offset):
    today = date(year, 6, 15).fromordinal(date(year, 6, 15).toordinal() + offset)
    statuses = cal.calendar_status(year, {}, today)
    assert [s.key for s in statuses] == list(cal.STEP_KEYS)
    for s in statuses:
        assert s.status in (cal.OVERDUE, cal.DUE_SOON, cal.UPCOMING)
        assert (s.status == cal.OVERDUE) == (today > s.deadline)
