"""The pure checks of associations, area rows and members (``finsam/domain/associations.py``)."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from finsam.domain.associations import validate_area, validate_association, validate_member

KNOWN = frozenset({"0183", "0617"})


def rules_of(problems):
    return [(p.field, p.rule) for p in problems]


def test_association_requires_code_name_and_start():
    assert rules_of(validate_association({})) == [
        ("code", "required"),
        ("name", "required"),
        ("start_date", "required"),
    ]
    ok = {"code": "SBG", "name": "Sundbyberg", "start_date": date(2018, 7, 1)}
    assert validate_association(ok) == []
    late = {**ok, "end_date": date(2018, 6, 30)}
    assert rules_of(validate_association(late)) == [("end_date", "date.end_before_start")]


def test_area_row_checks_dates_and_the_municipality_code():
    problems = validate_area(
        municipality_code="9999",
        valid_from=date(2020, 1, 1),
        valid_to=date(2019, 1, 1),
        known_municipalities=KNOWN,
    )
    assert rules_of(problems) == [
        ("valid_to", "date.end_before_start"),
        ("municipality", "code.unknown"),
    ]
    assert "”9999” är ingen giltig kommunkod" in problems[1].message
    assert (
        validate_area(
            municipality_code="0183",
            valid_from=date(2020, 1, 1),
            valid_to=None,
            known_municipalities=KNOWN,
        )
        == []
    )


def test_member_codes_by_kind():
    def check(kind, code, name="Namn"):
        return rules_of(
            validate_member(
                kind=kind, organisation_code=code, name=name, known_municipalities=KNOWN
            )
        )

    assert check("MUNICIPALITY", "0183") == []
    assert check("MUNICIPALITY", "0184") == [("organisation_code", "code.unknown")]
    assert check("REGION", "01") == []
    assert check("REGION", "1") == [("organisation_code", "code.unknown")]
    assert check("FK", "FK") == check("AF", "AF") == []
    assert check("FK", "AF") == [("organisation_code", "code.unknown")]
    assert check("FK", "FK", name=" ") == [("name", "required")]


@given(st.text(max_size=6))
def test_a_region_code_is_exactly_two_digits(code):
    ok = len(code) == 2 and code.isdigit()
    problems = validate_member(
        kind="REGION", organisation_code=code, name="Region", known_municipalities=KNOWN
    )
    assert (problems == []) == ok
