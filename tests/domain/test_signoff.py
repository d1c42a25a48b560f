"""The pure sign-off rules: periods, the lock, what may be signed and reopened."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from finsam.domain.problems import Problem
from finsam.domain.signoff import (
    SignoffPeriod,
    check_reopen,
    check_sign_off,
    check_unlocked,
    covers,
    followup_date,
    is_locked,
    parse_period,
    period_of,
)

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


def test_parse_period():
    assert parse_period("2025") == SignoffPeriod(2025)
    assert parse_period("2025h2") == SignoffPeriod(2025, 2)
    problem = parse_period("2025H3")
    assert isinstance(problem, Problem) and problem.rule == "signoff.period_format"
    assert "Period:" in problem.message


def test_half_year_bounds():
    h1, h2 = SignoffPeriod(2024, 1), SignoffPeriod(2024, 2)
    assert (h1.start, h1.end) == (date(2024, 1, 1), date(2024, 6, 30))
    assert (h2.start, h2.end) == (date(2024, 7, 1), date(2024, 12, 31))
    assert h1.code == "2024H1" and SignoffPeriod(2024).code == "2024"


@given(days, st.booleans())
def test_a_day_lies_in_its_period(day, half):
    period = period_of(day, half_year=half)
    assert period.contains(day)
    assert not period.contains(period.start - timedelta(days=1))
    assert not period.contains(period.end + timedelta(days=1))
    assert parse_period(period.code) == period


@given(days)
def test_locked_exactly_in_signed_periods(day):
    signed = [SignoffPeriod(2024, 1)]
    assert is_locked(day, signed) == (date(2024, 1, 1) <= day <= date(2024, 6, 30))
    assert bool(check_unlocked("start_date", day, signed)) == is_locked(day, signed)


def test_lock_problem_names_field_and_rule():
    (problem,) = check_unlocked("end_date", date(2024, 3, 1), [SignoffPeriod(2024)])
    assert problem.field == "end_date" and problem.rule == "signoff.locked"
    assert problem.message.startswith("Slutdatum: 2024-03-01 ligger i perioden 2024")
    assert check_unlocked("end_date", None, [SignoffPeriod(2024)]) == []


def test_sign_off_rules():
    today = date(2025, 3, 1)
    assert check_sign_off(SignoffPeriod(2024), signed=[], today=today) == []
    (p,) = check_sign_off(SignoffPeriod(2025, 1), signed=[], today=today)
    assert p.rule == "signoff.not_ended"
    (p,) = check_sign_off(SignoffPeriod(2024), signed=[SignoffPeriod(2024, 2)], today=today)
    assert p.rule == "signoff.already_signed"
    assert (
        check_sign_off(SignoffPeriod(2024, 2), signed=[SignoffPeriod(2024, 1)], today=today) == []
    )


def test_reopen_needs_a_reason():
    assert check_reopen("  ")[0].rule == "signoff.reason_required"
    assert check_reopen("Rättelse av avslut efter revision") == []


def test_covers():
    h1, h2 = SignoffPeriod(2024, 1), SignoffPeriod(2024, 2)
    assert covers([h1, h2], date(2024, 1, 1), date(2024, 12, 31))
    assert covers([SignoffPeriod(2024)], date(2024, 2, 1), date(2024, 5, 31))
    assert not covers([h1], date(2024, 1, 1), date(2024, 12, 31))
    assert not covers([h2], date(2024, 1, 1), date(2024, 6, 30))
    assert not covers([], date(2024, 1, 1), date(2024, 1, 1))


def test_followup_date():
    assert followup_date(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert followup_date(date(2024, 9, 30), 6) == date(2025, 3, 30)
    assert followup_date(date(2024, 12, 15), 12) == date(2025, 12, 15)
