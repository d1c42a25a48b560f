import math
import statistics

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finsam.domain.indicators.answers import CANNOT_JUDGE
from finsam.domain.indicators.definitions import ItemDef, QuestionnaireDef, Scale
from finsam.domain.indicators.results import (
    NATIONAL,
    OWN,
    Record,
    result_table,
    summarise,
    unit_score,
)
from finsam.domain.protection import ProtectionRule

SCALE = Scale(1, 6, ("a", "b", "c", "d", "e", "f"), 2)
Q = QuestionnaireDef(
    "participant_exit",
    1,
    "Enkät",
    SCALE,
    (ItemDef("A1", 1, "Behov", 1), ItemDef("A2", 2, "Plan", 2), ItemDef("A3", 3, "Plan 2", 2)),
    "published",
)
NAMES = {1: "Behov", 2: "Plan"}


def test_summary_by_hand():
    s = summarise([6, 5, 2, 1, CANNOT_JUDGE], top_threshold=5)
    assert (s.n, s.n_scored, s.n_top, s.n_cannot_judge) == (5, 4, 2, 1)
    assert s.mean == 3.5
    assert math.isclose(s.sd, statistics.stdev([6, 5, 2, 1]))
    assert s.top_share == 0.5
    assert s.cannot_judge_share == 0.2


def test_only_cannot_judge_has_no_mean():
    s = summarise([CANNOT_JUDGE, CANNOT_JUDGE], top_threshold=5)
    assert (s.n, s.mean, s.sd, s.top_share, s.cannot_judge_share) == (2, None, None, None, 1.0)


def test_indicator_score_is_the_mean_of_its_statements():
    assert unit_score({"A2": 6, "A3": 3}, ("A2", "A3")) == 4.5
    assert unit_score({"A2": CANNOT_JUDGE, "A3": 3}, ("A2", "A3")) == 3
    assert unit_score({"A2": CANNOT_JUDGE}, ("A2", "A3")) == CANNOT_JUDGE
    assert unit_score({"A1": 3}, ("A2", "A3")) is None


def _records(association, period, values):
    return [Record(association, period, {"A1": v}) for v in values]


def test_own_and_national_with_suppression():
    records = (
        _records("own", 2025, [6, 6, 5, 4, 3, 2])
        + _records("big", 2025, [5] * 10)
        + _records("tiny", 2025, [1, 1])  # below threshold: left out of the national figure
        + _records("own", 2024, [4, 4, 4])  # own 2024: n = 3 → hidden
    )
    table = result_table(records, Q, NAMES, association="own", rule=ProtectionRule())
    unit = next(u for u in table.units if u.kind == "indicator" and u.key == 1)
    assert table.periods == (2024, 2025)
    assert table.shown(OWN, unit, 2025, "n") == 6
    assert table.shown(OWN, unit, 2025, "mean") == 26 / 6
    assert table.shown(NATIONAL, unit, 2025, "n") == 16
    assert table.shown(NATIONAL, unit, 2025, "mean") == (26 + 50) / 16
    assert table.contributing[("indicator", 1, 2025)] == 2
    for measure in ("n", "mean", "sd", "top", "cj"):
        assert table.is_hidden(OWN, unit, 2024, measure)
        assert table.shown(OWN, unit, 2024, measure) is None
    # the change since 2024 would give the hidden 2024 mean back: hidden
    assert table.is_hidden(OWN, unit, 2025, "change")
    assert table.shown(OWN, unit, 2024, "change") is None
    assert not table.is_hidden(OWN, unit, 2024, "change")  # first period: nothing to compare
    # the indicator with no answers at all is empty, not hidden
    plan = next(u for u in table.units if u.kind == "indicator" and u.key == 2)
    assert table.shown(OWN, plan, 2025, "n") == 0
    assert not table.is_hidden(OWN, plan, 2025, "mean")


def test_mean_hidden_when_few_scored_even_if_many_answered():
    records = _records("own", 2025, [6, 5, CANNOT_JUDGE, CANNOT_JUDGE, CANNOT_JUDGE, CANNOT_JUDGE])
    table = result_table(records, Q, NAMES, association="own")
    unit = table.units[0]
    assert table.shown(OWN, unit, 2025, "n") == 6
    assert table.shown(OWN, unit, 2025, "cj") == 4 / 6
    assert table.is_hidden(OWN, unit, 2025, "mean")
    assert table.is_hidden(OWN, unit, 2025, "top")


ANSWER = st.one_of(st.integers(1, 6), st.just(CANNOT_JUDGE))
RECORDS = st.lists(
    st.builds(
        Record,
        st.sampled_from(["a", "b", "c"]),
        st.sampled_from([2024, 2025]),
        st.fixed_dictionaries({}, optional={"A1": ANSWER, "A2": ANSWER, "A3": ANSWER}),
    ),
    max_size=60,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(RECORDS, st.sampled_from(["a", "b", None]), st.integers(1, 8))
def test_properties_of_every_result(records, association, threshold):
    rule = ProtectionRule.for_threshold(threshold)
    table = result_table(records, Q, NAMES, association=association, rule=rule)
    for (scope, kind, key, period), s in table.raw.items():
        unit = next(u for u in table.units if (u.kind, u.key) == (kind, key))
        if s.mean is not None:
            assert SCALE.minimum - 1e-9 <= s.mean <= SCALE.maximum + 1e-9
        if s.sd is not None:
            assert 0 <= s.sd <= (SCALE.maximum - SCALE.minimum)
        for share in (s.top_share, s.cannot_judge_share):
            assert share is None or 0 <= share <= 1
        if s.n:
            assert s.n_scored + s.n_cannot_judge == s.n
            # share of answers that are top + share cannot judge never exceeds 1
            assert s.n_top / s.n + s.cannot_judge_share <= 1 + 1e-9
        # suppression never reveals a cell based on 1..threshold-1 respondents
        if 1 <= s.n < threshold:
            for measure in ("n", "mean", "sd", "top", "cj"):
                assert table.shown(scope, unit, period, measure) is None
        if 1 <= s.n_scored < threshold:
            for measure in ("mean", "sd", "top"):
                assert table.shown(scope, unit, period, measure) is None


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(RECORDS, st.integers(2, 8))
def test_national_minus_any_association_never_gives_a_hidden_cell_back(records, threshold):
    rule = ProtectionRule.for_threshold(threshold)
    national = result_table(records, Q, NAMES, association=None, rule=rule)
    per_assoc = {a: result_table(records, Q, NAMES, association=a, rule=rule) for a in "abc"}
    for unit in national.units:
        for period in national.periods:
            shown_total = national.shown(NATIONAL, unit, period, "n") or 0
            visible = sum(
                per_assoc[a].shown(OWN, unit, period, "n") or 0
                for a in "abc"
                if per_assoc[a].shown(OWN, unit, period, "mean") is not None
            )
            # the national n is exactly the sum of associations whose own figures are shown
            assert shown_total == visible


def test_change_since_the_previous_period():
    records = _records("own", 2023, [4] * 5) + _records("own", 2025, [5] * 5)
    table = result_table(records, Q, NAMES, association="own")
    unit = table.units[0]
    assert table.periods == (2023, 2025)
    assert table.shown(OWN, unit, 2025, "change") == 1.0
    assert table.shown(NATIONAL, unit, 2025, "change") == 1.0


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(RECORDS, st.integers(2, 8))
def test_a_change_never_reveals_a_hidden_mean(records, threshold):
    table = result_table(
        records, Q, NAMES, association="a", rule=ProtectionRule.for_threshold(threshold)
    )
    for scope in (OWN, NATIONAL):
        for unit in table.units:
            for earlier, later in zip(table.periods, table.periods[1:], strict=False):
                if table.shown(scope, unit, later, "change") is not None:
                    assert table.shown(scope, unit, later, "mean") is not None
                    assert not table.is_hidden(scope, unit, earlier, "mean")


def test_latest_by_indicator_takes_the_last_period_with_answers_and_keeps_protection():
    from finsam.domain.indicators.results import latest_by_indicator

    records = _records("own", 2024, [4] * 6) + _records("own", 2025, [5, 5])
    table = result_table(records, Q, NAMES, association="own")
    own = latest_by_indicator(table, OWN)
    assert own[1].period == 2025 and own[1].n == ".." and own[1].mean is None
    assert 2 not in own  # no answers to indicator 2
    national = latest_by_indicator(table, NATIONAL)
    # the national figure pools only shown cells: 2025 has none, so 2024 is the latest
    assert national[1].period == 2024 and national[1].n == 6 and national[1].mean == 4
