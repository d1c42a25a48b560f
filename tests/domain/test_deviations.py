"""The pure core of deviation reports: identity numbers in free text, validation, workflow and
report calculations."""

from __future__ import annotations

import re
import statistics
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from finsam.domain import deviations as dv
from finsam.domain.problems import DomainValidationError
from finsam.domain.protection import Flag

TODAY = date(2026, 11, 22)
CATEGORIES = dv.CATEGORIES.code_values
MEMBERS = ("1", "2", "3", "4")


# --- identity numbers in free text --------------------------------------------------------------


def _number(birth: date, serial: int, coordination: bool) -> tuple[str, str]:
    """(12-digit date part, 4-digit tail) of a valid identity or coordination number."""
    day = birth.day + (60 if coordination else 0)
    ymd = f"{birth.year:04d}{birth.month:02d}{day:02d}"
    body = f"{ymd[2:]}{serial:03d}"
    return ymd, f"{serial:03d}{luhn.calc_check_digit(body)}"


FORMATS = {
    "YYYYMMDD-NNNN": lambda ymd, tail: f"{ymd}-{tail}",
    "YYYYMMDDNNNN": lambda ymd, tail: f"{ymd}{tail}",
    "YYYYMMDD NNNN": lambda ymd, tail: f"{ymd} {tail}",
    "YYMMDD-NNNN": lambda ymd, tail: f"{ymd[2:]}-{tail}",
    "YYMMDDNNNN": lambda ymd, tail: f"{ymd[2:]}{tail}",
    "YYMMDD+NNNN": lambda ymd, tail: f"{ymd[2:]}+{tail}",
    "YYMMDD NNNN": lambda ymd, tail: f"{ymd[2:]} {tail}",
    "YYMMDD - NNNN": lambda ymd, tail: f"{ymd[2:]} - {tail}",
    "YYMMDD–NNNN (en dash)": lambda ymd, tail: f"{ymd[2:]}\u2013{tail}",
}

_DIGIT = re.compile(r"\d")
not_digit_end = st.text(max_size=40).filter(lambda s: not s or not _DIGIT.match(s[-1]))
not_digit_start = st.text(max_size=40).filter(lambda s: not s or not _DIGIT.match(s[0]))


@given(
    birth=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    serial=st.integers(0, 999),
    coordination=st.booleans(),
    fmt=st.sampled_from(sorted(FORMATS)),
    prefix=not_digit_end,
    suffix=not_digit_start,
)
def test_every_valid_number_embedded_in_text_is_found(
    birth, serial, coordination, fmt, prefix, suffix
):
    ymd, tail = _number(birth, serial, coordination)
    number = FORMATS[fmt](ymd, tail)
    text = prefix + number + suffix
    found = dv.find_identity_numbers(text, today=TODAY)
    assert any(f.start == len(prefix) for f in found), (fmt, number)
    assert dv.check_free_text("description", "Beskrivning", text, today=TODAY)


@given(
    birth=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    serial=st.integers(0, 999),
    wrong=st.integers(1, 9),
    fmt=st.sampled_from(sorted(FORMATS)),
)
def test_a_wrong_check_digit_is_not_an_identity_number(birth, serial, wrong, fmt):
    ymd, tail = _number(birth, serial, False)
    bad = tail[:3] + str((int(tail[3]) + wrong) % 10)
    assert dv.find_identity_numbers(f"Ärende {FORMATS[fmt](ymd, bad)} gick fel", today=TODAY) == []


_word = st.sampled_from(
    [
        "personen",
        "fick",
        "vänta",
        "hos",
        "FK",
        "AF",
        "regionen",
        "kommunen",
        "avslag",
        "på",
        "beslut",
        "ingen",
        "plan",
        "kr",
        "dagar",
        "veckor",
        "sedan",
        "läkarintyg",
        "möte",
        "och",
    ]
)
_iso_date = st.dates(min_value=date(2004, 1, 1), max_value=TODAY).map(lambda d: d.isoformat())
MONTHS = ["jan", "feb", "mars", "april", "maj", "juni", "juli", "aug", "sep", "okt", "nov", "dec"]
_sv_date = st.dates(min_value=date(2004, 1, 1), max_value=TODAY).map(
    lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}"
)
_slash_date = st.dates(min_value=date(2004, 1, 1), max_value=TODAY).map(
    lambda d: f"{d.day}/{d.month} {d.year}"
)
_amount = st.integers(0, 99_999_999).map(lambda n: f"{n:,}".replace(",", " ") + " kr")
_decimal = st.integers(0, 9_999_999).map(
    lambda n: f"{n // 100:,}".replace(",", " ") + f",{n % 100:02d} kr"
)
_percent = st.integers(0, 100).map(lambda n: f"{n} %")
_time = st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda t: f"{t[0]:02d}:{t[1]:02d}")
_phone = st.tuples(st.integers(0, 999), st.integers(0, 99), st.integers(0, 99)).map(
    lambda t: f"070-{t[0]:03d} {t[1]:02d} {t[2]:02d}"
)
_case = st.tuples(st.integers(2004, 2026), st.integers(1, 9999)).map(lambda t: f"Dnr {t[0]}/{t[1]}")
ordinary_text = st.lists(
    st.one_of(
        _word,
        _iso_date,
        _sv_date,
        _slash_date,
        _amount,
        _decimal,
        _percent,
        _time,
        _phone,
        _case,
        st.integers(0, 9999).map(str),
    ),
    max_size=30,
).map(" ".join)


@given(ordinary_text)
def test_ordinary_text_with_dates_and_amounts_is_not_rejected(text):
    assert dv.find_identity_numbers(text, today=TODAY) == []
    assert dv.check_free_text("description", "Beskrivning", text, today=TODAY) == []


@pytest.mark.parametrize(
    "text",
    [
        "Personen (900101-0009) fick inget stöd",
        "pnr 19900101-0009",
        "19900101 0009 nekades",
        "9001010009",
        "samordningsnummer 900161-0006",
        "Född 850615-2399, nekad",
    ],
)
def test_known_numbers_are_found(text):
    assert dv.find_identity_numbers(text, today=TODAY)


@pytest.mark.parametrize(
    "text",
    [
        "Ärende 123456-7890 utan personnummer",
        "Väntade 2024-03-15 till 2024-06-01, kostade 12 345 kr",
        "telefon 070-123 45 67",
        "",
    ],
)
def test_ordinary_text_is_not_flagged(text):
    assert dv.find_identity_numbers(text, today=TODAY) == []


def test_the_message_names_the_field_and_the_rule():
    (problem,) = dv.check_free_text("consequence", "Konsekvens", "Se 900101-0009.", today=TODAY)
    assert problem.field == "consequence"
    assert problem.rule == "deviation.identity_number"
    assert problem.message.startswith("Konsekvens:")
    assert "0009" not in problem.message  # the number itself is never echoed


# --- validation ---------------------------------------------------------------------------------


def _report(**kw):
    data = dict(
        report_date=date(2026, 10, 1),
        organisations=("1", "2"),
        category="NEKAD",
        description="FK väntade på regionens intyg, regionen på FK:s beslut.",
        consequence="Tre månader utan ersättning.",
        improvement="Gemensamt möte inom två veckor.",
    )
    data.update(kw)
    return dv.ReportInput(**data)


def _rules(problems):
    return {(p.field, p.rule) for p in problems}


def test_a_valid_report_has_no_problems():
    assert dv.validate_report(_report(), members=MEMBERS, categories=CATEGORIES, today=TODAY) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"report_date": None}, ("report_date", "deviation.required")),
        ({"report_date": TODAY + timedelta(days=1)}, ("report_date", "deviation.future_date")),
        ({"report_date": date(2003, 12, 31)}, ("report_date", "deviation.early_date")),
        ({"organisations": ()}, ("organisations", "deviation.organisations_required")),
        ({"organisations": ("1", "99")}, ("organisations", "deviation.organisation_not_member")),
        ({"category": ""}, ("category", "deviation.required")),
        ({"category": "XYZ"}, ("category", "deviation.category")),
        ({"description": "  "}, ("description", "deviation.required")),
        ({"description": "x" * 4001}, ("description", "deviation.too_long")),
        ({"description": "Anna 900101-0009"}, ("description", "deviation.identity_number")),
        ({"consequence": "pnr 9001010009"}, ("consequence", "deviation.identity_number")),
        ({"improvement": "19900101 0009"}, ("improvement", "deviation.identity_number")),
    ],
)
def test_report_problems(change, expected):
    problems = dv.validate_report(
        _report(**change), members=MEMBERS, categories=CATEGORIES, today=TODAY
    )
    assert expected in _rules(problems)
    assert all(p.message for p in problems)


# --- workflow -----------------------------------------------------------------------------------


def test_the_happy_path():
    s = dv.Status.NEW
    s = dv.next_status(s, dv.Event.CLASSIFY)
    assert s is dv.Status.CLASSIFIED
    s = dv.next_status(s, dv.Event.RECORD_ACTION)
    assert s is dv.Status.IN_PROGRESS
    assert dv.next_status(s, dv.Event.RECORD_ACTION) is dv.Status.IN_PROGRESS
    assert dv.next_status(s, dv.Event.CLASSIFY) is dv.Status.IN_PROGRESS
    assert dv.next_status(s, dv.Event.CLOSE) is dv.Status.CLOSED


@pytest.mark.parametrize(
    ("status", "event"),
    [
        (dv.Status.NEW, dv.Event.RECORD_ACTION),
        (dv.Status.NEW, dv.Event.CLOSE),
        (dv.Status.CLASSIFIED, dv.Event.CLOSE),
        (dv.Status.CLOSED, dv.Event.CLASSIFY),
        (dv.Status.CLOSED, dv.Event.RECORD_ACTION),
        (dv.Status.CLOSED, dv.Event.CLOSE),
    ],
)
def test_forbidden_transitions(status, event):
    with pytest.raises(DomainValidationError) as exc:
        dv.next_status(status, event)
    assert exc.value.problems[0].rule == "deviation.transition"


@given(st.lists(st.sampled_from(list(dv.Event)), max_size=12))
def test_any_event_sequence_stays_inside_the_transition_table(events):
    status = dv.Status.NEW
    closed_seen = False
    for event in events:
        if event in dv.allowed_events(status):
            status = dv.next_status(status, event)
        else:
            with pytest.raises(DomainValidationError):
                dv.next_status(status, event)
        closed_seen |= status is dv.Status.CLOSED
        if closed_seen:
            assert status is dv.Status.CLOSED  # closed is final


def test_classification_problems():
    ok = dict(status="new", category="PLAN", owner="2", categories=CATEGORIES, members=MEMBERS)
    assert dv.validate_classification(**ok) == []
    assert ("owner", "deviation.required") in _rules(
        dv.validate_classification(**{**ok, "owner": None})
    )
    assert ("owner", "deviation.owner_not_member") in _rules(
        dv.validate_classification(**{**ok, "owner": "9"})
    )
    assert ("status", "deviation.transition") in _rules(
        dv.validate_classification(**{**ok, "status": "closed"})
    )


def test_action_problems():
    ok = dict(
        status="classified", action_date=date(2026, 10, 5), text="Möte", filed=date(2026, 10, 1)
    )
    assert dv.validate_action(**ok, today=TODAY) == []
    assert ("action_date", "deviation.early_date") in _rules(
        dv.validate_action(**{**ok, "action_date": date(2026, 9, 30)}, today=TODAY)
    )
    assert ("text", "deviation.identity_number") in _rules(
        dv.validate_action(**{**ok, "text": "Ringde 900101-0009"}, today=TODAY)
    )
    assert ("status", "deviation.transition") in _rules(
        dv.validate_action(**{**ok, "status": "new"}, today=TODAY)
    )


def test_close_problems():
    ok = dict(
        status="in_progress",
        closed_date=date(2026, 11, 1),
        closing_note="Rutin ändrad.",
        last_action=date(2026, 10, 20),
        filed=date(2026, 10, 1),
    )
    assert dv.validate_close(**ok, today=TODAY) == []
    assert ("closed_date", "deviation.early_date") in _rules(
        dv.validate_close(**{**ok, "closed_date": date(2026, 10, 19)}, today=TODAY)
    )
    assert ("closing_note", "deviation.required") in _rules(
        dv.validate_close(**{**ok, "closing_note": ""}, today=TODAY)
    )
    assert ("status", "deviation.transition") in _rules(
        dv.validate_close(**{**ok, "status": "classified"}, today=TODAY)
    )


# --- reports ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "kind", "key"),
    [
        (date(2025, 3, 31), "month", "2025-03"),
        (date(2025, 3, 31), "quarter", "2025 K1"),
        (date(2025, 4, 1), "quarter", "2025 K2"),
        (date(2025, 12, 31), "quarter", "2025 K4"),
        (date(2025, 12, 31), "year", "2025"),
    ],
)
def test_period_key(day, kind, key):
    assert dv.period_key(day, kind) == key


def test_periods_between_lists_every_period_once():
    assert dv.periods_between(date(2025, 11, 15), date(2026, 2, 1), "month") == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    assert dv.periods_between(date(2025, 1, 1), date(2025, 12, 31), "quarter") == [
        "2025 K1",
        "2025 K2",
        "2025 K3",
        "2025 K4",
    ]
    assert dv.periods_between(date(2024, 6, 1), date(2026, 1, 1), "year") == [
        "2024",
        "2025",
        "2026",
    ]


def test_pairs_are_unordered_and_distinct():
    assert dv.organisation_pairs(["FK", "AF", "FK", "Region"]) == [
        ("AF", "FK"),
        ("AF", "Region"),
        ("FK", "Region"),
    ]
    assert dv.organisation_pairs(["FK"]) == []


def _fact(day, category="NEKAD", orgs=("FK", "AF"), closed=None):
    return dv.Fact(
        report_date=day,
        category=category,
        organisations=orgs,
        status=dv.Status.CLOSED if closed else dv.Status.NEW,
        closed_date=closed,
    )


def test_closure_times_median_and_mean():
    facts = [
        _fact(date(2025, 1, 1), closed=date(2025, 1, 11)),  # 10 days
        _fact(date(2025, 1, 1), closed=date(2025, 1, 21)),  # 20
        _fact(date(2025, 1, 1), closed=date(2025, 3, 2)),  # 60
        _fact(date(2025, 1, 1)),  # open
    ]
    times = dv.closure_times(facts)
    assert times == dv.ClosureTimes(3, 20.0, 30.0)
    assert dv.closure_times([_fact(date(2025, 1, 1))]) == dv.ClosureTimes(0, None, None)


facts_strategy = st.lists(
    st.builds(
        lambda day, cat, orgs, days: _fact(
            day, cat, tuple(orgs), day + timedelta(days=days) if days is not None else None
        ),
        st.dates(min_value=date(2024, 1, 1), max_value=date(2025, 12, 31)),
        st.sampled_from(CATEGORIES),
        st.lists(st.sampled_from(["FK", "AF", "Region", "Kommun"]), min_size=1, max_size=4),
        st.one_of(st.none(), st.integers(0, 400)),
    ),
    max_size=60,
)


@given(facts_strategy, st.sampled_from(list(dv.PeriodType)))
def test_unprotected_summary_adds_up(facts, period_type):
    s = dv.summarise(
        facts,
        categories=CATEGORIES,
        period_type=period_type,
        start=date(2024, 1, 1),
        end=date(2025, 12, 31),
        protected=False,
    )
    t = s.table
    assert s.total == len(facts)
    assert sum(t[("category", c)].value for c in s.categories) == len(facts)
    assert sum(t[("period", p)].value for p in s.periods) == len(facts)
    assert t[("open",)].value + t[("closed",)].value == len(facts)
    for pair in s.pairs:
        assert t[("pair", pair)].value == sum(1 for f in facts if set(pair) <= set(f.organisations))
    days = [(f.closed_date - f.report_date).days for f in facts if f.closed_date]
    if days:
        assert t[("closure", "median")].value == statistics.median(days)
    assert not t.hidden


@given(facts_strategy)
def test_protected_summary_never_shows_a_small_count(facts):
    s = dv.summarise(
        facts,
        categories=CATEGORIES,
        period_type="quarter",
        start=date(2024, 1, 1),
        end=date(2025, 12, 31),
        protected=True,
    )
    for key, cell in s.table.cells.items():
        if cell.kind.value == "count" and cell.value and 1 <= cell.value < 5:
            assert cell.hidden, key
            assert s.render(key) == ".."
    if 1 <= s.closure.n < 5:
        assert s.table[("closure", "mean")].hidden


def test_protection_hides_a_second_cell_so_the_first_cannot_be_recovered():
    facts = [_fact(date(2025, 1, 5), "NEKAD") for _ in range(10)]
    facts += [_fact(date(2025, 1, 5), "PLAN") for _ in range(2)]
    facts += [_fact(date(2025, 1, 5), "VANTETID") for _ in range(7)]
    s = dv.summarise(
        facts,
        categories=CATEGORIES,
        period_type="year",
        start=date(2025, 1, 1),
        end=date(2025, 12, 31),
        protected=True,
    )
    assert s.table[("category", "PLAN")].flag is Flag.PRIMARY
    assert s.table[("category", "VANTETID")].flag is Flag.SECONDARY
    assert s.render(("category", "NEKAD")) == "10"
    assert s.render(("total",)) == "19"
