"""Each rule of domain.md §3 at the domain level (the web-form tests repeat them end to end)."""

from datetime import date

import pytest

from finsam.domain import registration as rules
from finsam.domain.codelists import support_codes, support_mask
from tests.conftest import PNR_WOMAN

TODAY = date(2026, 11, 22)
INTV = rules.InterventionFacts(
    code="I",
    name="Insats",
    orientation="individual",
    registration="persons",
    start_date=date(2019, 1, 1),
    end_date=date(2026, 12, 31),
    area_municipalities=frozenset({"0183"}),
)
MUNICIPALITIES = frozenset({"0183", "0180"})


def enrol(**kw):
    base = dict(
        identity_level="identified",
        personal_number=PNR_WOMAN,
        consent_date=date(2024, 1, 1),
        home_municipality="0183",
        start_date=date(2024, 1, 1),
        support_before=["FSS"],
    )
    base.update(kw)
    intervention = base.pop("intervention", INTV)
    periods = base.pop("periods", ())
    return rules.validate_enrolment(
        rules.EnrolmentInput(**base),
        intervention=intervention,
        known_municipalities=MUNICIPALITIES,
        other_periods_in_intervention=periods,
        today=TODAY,
    )


def rules_of(check_or_problems):
    problems = getattr(check_or_problems, "problems", check_or_problems)
    return {p.rule for p in problems if not p.warning}


def test_a_valid_identified_enrolment_derives_sex_birth_and_age():
    check = enrol()
    assert check.ok
    assert check.sex == "K" and check.birth_year == 1990 and check.age_at_start == 34


def test_anonymous_enrolment_keeps_strata_but_no_identity():
    check = enrol(
        identity_level="anonymous", personal_number="", sex="M", birth_year=2000, consent_date=None
    )
    assert check.ok and check.person is None and check.age_at_start == 24


@pytest.mark.parametrize(
    ("kw", "rule"),
    [
        ({"personal_number": "19900101-0008"}, "identity.checksum"),
        ({"periods": [(date(2023, 6, 1), None)]}, "enrolment.overlap"),
        ({"periods": [(date(2023, 6, 1), date(2024, 2, 1))]}, "enrolment.overlap"),
        ({"consent_date": None}, "consent.required"),
        ({"consent_withdrawn_date": date(2024, 2, 1)}, "consent.withdrawn"),
        ({"protected_identity": True}, "identity.protected"),
        (
            {
                "intervention": rules.InterventionFacts(
                    "V", "Volym", "structural", "volume", date(2019, 1, 1), None
                )
            },
            "enrolment.intervention_kind",
        ),
        ({"start_date": date(2018, 12, 31)}, "enrolment.outside_intervention"),
        ({"start_date": date(2003, 12, 31)}, "date.before_law"),
        ({"start_date": date(2027, 1, 1)}, "date.future"),
        ({"home_municipality": "9999"}, "code.unknown"),
        ({"support_before": []}, "support.required"),
        ({"support_before": ["SAK"]}, "support.missing_before"),
        ({"support_before": ["XYZ"]}, "code.unknown"),
        ({"support_before": ["ING", "FSS"]}, "support.none_combined"),
        ({"work_hours_before": 200}, "hours.range"),
    ],
)
def test_enrolment_rules(kw, rule):
    check = enrol(**kw)
    assert rule in rules_of(check)
    assert all(p.message and p.field for p in check.problems)


def test_an_earlier_closed_period_does_not_overlap():
    assert enrol(periods=[(date(2022, 1, 1), date(2023, 1, 1))]).ok


def test_home_municipality_outside_the_area_only_warns():
    check = enrol(home_municipality="0180")
    assert check.ok
    assert [p.rule for p in check.problems if p.warning] == ["enrolment.outside_area"]


@pytest.mark.parametrize(
    ("kw", "rule"),
    [
        ({"end_date": date(2023, 12, 31)}, "date.end_before_start"),
        ({"end_date": date(2027, 1, 1)}, "date.future"),
        ({"end_date": None}, "required"),
        ({"exit_reason": ""}, "required"),
        ({"exit_reason": "NOPE"}, "code.unknown"),
        ({"support_after": []}, "support.required"),
        ({"support_after": ["SAK", "FSS"]}, "support.missing_combined"),
        ({"work_hours": -1}, "hours.range"),
    ],
)
def test_exit_rules(kw, rule):
    data = dict(end_date=date(2024, 6, 1), exit_reason="ARB", support_after=["ING"])
    data.update(kw)
    problems = rules.validate_exit(
        rules.ExitInput(**data), start_date=date(2024, 1, 1), today=TODAY
    )
    assert rule in rules_of(problems)


def test_missing_support_after_is_allowed_as_a_code():
    data = rules.ExitInput(end_date=date(2024, 6, 1), exit_reason="UTU", support_after=["SAK"])
    assert rules.validate_exit(data, start_date=date(2024, 1, 1), today=TODAY) == []


@pytest.mark.parametrize(
    ("kw", "rule"),
    [
        ({"women": -1}, "volume.non_negative_integer"),
        ({"men": 2.5}, "volume.non_negative_integer"),
        ({"month": date(2003, 1, 1)}, "date.before_law"),
        ({"registration": "persons"}, "volume.not_volume_intervention"),
    ],
)
def test_volume_rules(kw, rule):
    data = dict(registration="volume", month=date(2024, 1, 1), women=1, men=2, other=0)
    data.update(kw)
    assert rule in rules_of(rules.validate_volume(**data, today=TODAY))


def test_work_study_increase_is_derived_when_both_ends_are_known():
    derive = rules.derive_work_study_increased
    assert derive(work_before=0, study_before=0, work_after=20, study_after=0) is True
    assert derive(work_before=40, study_before=0, work_after=45, study_after=0) is False
    assert (
        derive(work_before=None, study_before=None, work_after=20, study_after=None, recorded=None)
        is None
    )


def test_association_lacking_a_member_kind_is_flagged():
    problems = rules.member_completeness_problems(["FK", "AF", "MUNICIPALITY"])
    assert problems and problems[0].warning and "Region" in problems[0].message
    assert rules.member_completeness_problems(["FK", "AF", "REGION", "MUNICIPALITY"]) == []


def test_support_masks_round_trip():
    assert support_codes(support_mask(["FSS", "SJP"])) == ("SJP", "FSS")
