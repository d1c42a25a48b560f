from datetime import date

import pytest

from finsam.domain.problems import DomainValidationError
from finsam.socioeconomics import selectors

from .conftest import EXPECTED_GAIN, EXPECTED_MONTHS

YEAR_2025 = {"date_from": date(2025, 1, 1), "date_to": date(2025, 12, 31)}


def test_flows_come_from_the_registry_without_errors_or_other_periods(world, flows_registry):
    flows = selectors.episode_flows(association=world["association"], **YEAR_2025)
    by_key = {f.key: f for f in flows}
    r = flows_registry
    assert set(by_key) == {r["a"].key, r["b"].key, r["c"].key}
    assert by_key[r["a"].key].support_before == {"FSS"}
    assert by_key[r["a"].key].support_after == {"ING"}
    assert by_key[r["a"].key].work_hours_after == 40
    assert by_key[r["b"].key].support_after == {"AKA"}
    follow = by_key[r["c"].key].followups
    assert [(f.months_after, f.support, f.work_hours) for f in follow] == [(6, {"ING"}, 20)]
    assert all(f.intervention_code == "SBG-IND" for f in flows)
    # The intervention filter gives the same three; the other association's flow is its own.
    assert len(selectors.episode_flows(intervention=world["persons"], **YEAR_2025)) == 3
    other = selectors.episode_flows(association=world["other"], **YEAR_2025)
    assert [f.key for f in other] == [r["other"].key]


def test_payback_per_actor_is_the_hand_computed_one(world, flows_registry, parameters):
    result = selectors.payback(association=world["association"], parameters=parameters, **YEAR_2025)
    assert result.intervention_cost == 1_200_000
    assert result.participants == 3
    assert result.participants_without_outcome == 0
    actors = result.by_actor()
    assert set(actors) == set(EXPECTED_GAIN)
    for actor, gain in EXPECTED_GAIN.items():
        assert actors[actor].monthly_gain == pytest.approx(gain), actor
    for actor, months in EXPECTED_MONTHS.items():
        if months is None:
            assert actors[actor].payback_months is None, actor  # "aldrig"
        else:
            assert actors[actor].payback_months == pytest.approx(months), actor
    assert actors["fk"].intervention_cost == 300_000
    assert actors["society"].intervention_cost == 1_200_000
    assert actors["municipality"].profit_1y == pytest.approx(12 * 27_500 - 300_000)


def test_payback_of_one_intervention_and_fk_only_split(world, flows_registry, parameters):
    from finsam.domain.socioeconomics.payback import PaybackSettings, StateSplit

    result = selectors.payback(
        association=world["association"],
        intervention=world["persons"],
        parameters=parameters,
        settings=PaybackSettings(state_split=StateSplit.FK_ONLY),
        **YEAR_2025,
    )
    actors = result.by_actor()
    assert actors["fk"].intervention_cost == 600_000
    assert actors["fk"].payback_months == pytest.approx(30.0)
    assert actors["af"].intervention_cost == 0
    assert actors["af"].payback_months is None  # no cost but a loss: never


def test_payback_without_a_cost_in_the_budget_is_refused(world, flows_registry, parameters):
    with pytest.raises(DomainValidationError) as exc:
        selectors.payback(
            association=world["association"],
            parameters=parameters,
            date_from=date(2024, 1, 1),
            date_to=date(2024, 12, 31),
        )
    assert exc.value.problems[0].rule == "cost.missing"
    assert "Ingen insatskostnad" in str(exc.value)


def test_the_stored_default_table_is_the_shipped_one(db):
    from finsam.domain.socioeconomics.parameters import default_parameters

    parameters, parameter_set = selectors.current_parameters(2026)
    assert parameter_set is not None and parameter_set.is_default and parameter_set.version == 1
    assert parameters.rows == default_parameters(2024).rows
    assert all(r.assumption for r in parameters.rows)


def test_year_participants_count_pseudonyms_once_and_anonymous_episodes_each(
    world, flows_registry, enrol
):
    # A second episode of participant A in another intervention the same year: still one person.
    enrol(
        personal_number="19900101-0009",
        intervention=world["other_persons"],
        start_date=date(2025, 6, 1),
        home_municipality="0183",
    )
    people = selectors.year_participants(2025)
    keys = {p.person_key for p in people}
    # A, B (identified) + C, early? (no: ended 2024-12-31), other (anonymous); error left out.
    assert len([k for k in keys if k.startswith("p")]) == 2
    assert len([k for k in keys if k.startswith("e")]) == 2
    assert selectors.municipality_association_map(2025) == {"0183": "SBG", "0180": "OTH"}
