import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finsam.domain.indicators import transfer
from finsam.domain.indicators.definitions import RESPONDENT_GROUPS
from finsam.domain.problems import DomainValidationError

from .strategies import definition_sets

STARTER = Path(__file__).resolve().parents[3] / "finsam" / "indicators" / "data" / "starter.json"


def _canonical(definitions):
    return (
        sorted(definitions.indicators, key=lambda i: i.number),
        sorted(
            (
                q.key,
                q.title,
                q.status,
                q.starter,
                q.scale,
                sorted(q.items, key=lambda i: i.position),
            )
            for q in definitions.questionnaires
        ),
    )


def test_the_starter_set_is_valid_marked_and_covers_every_group():
    data = STARTER.read_text(encoding="utf-8")
    definitions = transfer.parse_json(data)
    assert definitions.starter is True
    assert "STARTUPPSÄTTNING" in definitions.note
    assert {q.respondent_group for q in definitions.questionnaires} == set(RESPONDENT_GROUPS)
    assert all(q.starter and q.status == "published" for q in definitions.questionnaires)
    texts = " ".join(i.text for q in definitions.questionnaires for i in q.items)
    for theme in ("behov", "håller ihop", "plan", "redo för arbete"):
        assert theme in texts


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(definition_sets())
def test_json_round_trip(definitions):
    back = transfer.parse_json(transfer.to_json(definitions))
    assert _canonical(back) == _canonical(definitions)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(definition_sets())
def test_csv_round_trip(definitions):
    back = transfer.parse_csv(transfer.to_csv(definitions))
    assert _canonical(back)[1] == _canonical(definitions)[1]
    used = {i.indicator for q in definitions.questionnaires for i in q.items}
    assert {i.number for i in back.indicators} == used


@given(st.text(max_size=300))
def test_the_parser_only_ever_answers_with_problems(text):
    try:
        transfer.parse(text)
    except DomainValidationError as exc:
        assert exc.problems and all(p.message for p in exc.problems)


def test_csv_problems_name_row_and_column_and_are_all_reported():
    header = ",".join(transfer.CSV_COLUMNS)
    row_ok = "staff,1,T,published,0,1,6,a|b|c|d|e|f,2,Kan inte bedöma,P1,1,Text,1,Ind,Org"
    row_bad = "staff,x,T,published,0,1,6,a|b|c|d|e|f,2,Kan inte bedöma,P2,2,Text,1,Ind,Org"
    row_conflict = "staff,1,T,published,0,1,6,a|b|c|d|e|f,2,Kan inte bedöma,P3,3,Text,1,Annat,Org"
    with pytest.raises(DomainValidationError) as exc:
        transfer.parse_csv("\n".join([header, row_ok, row_bad, row_conflict]))
    messages = [p.message for p in exc.value.problems]
    # the lines a spreadsheet shows: the header is line 1
    assert any("Rad 3, kolumnen version" in m for m in messages)
    assert any("Rad 4" in m and "indikator 1" in m for m in messages)


def test_csv_header_problems():
    with pytest.raises(DomainValidationError) as exc:
        transfer.parse_csv("respondent_group,version,whatever\nstaff,1,x\n")
    rules = {p.rule for p in exc.value.problems}
    assert rules == {"indicators.csv_unknown_column", "indicators.csv_missing_column"}


def test_semicolon_csv_is_read():
    definitions = transfer.parse_json(STARTER.read_text(encoding="utf-8"))
    text = transfer.to_csv(definitions).replace(",", ";")
    # labels and texts hold no commas in the starter set, so this is still a valid file
    assert len(transfer.parse_csv(text).questionnaires) == len(definitions.questionnaires)


def test_json_problems_are_specific():
    bad = {
        "format": "finsam-indicators",
        "format_version": 1,
        "indicators": [{"number": "1", "name": "A", "perspective": "P"}],
        "questionnaires": [],
    }
    with pytest.raises(DomainValidationError) as exc:
        transfer.parse_json(json.dumps(bad))
    assert "Indikator nr 1" in exc.value.problems[0].message
    with pytest.raises(DomainValidationError) as exc:
        transfer.parse_json('{"format": "other"}')
    assert {p.rule for p in exc.value.problems} == {
        "indicators.json_format",
        "indicators.json_format_version",
    }
    with pytest.raises(DomainValidationError) as exc:
        transfer.parse_json("{nope")
    assert exc.value.problems[0].rule == "indicators.json_syntax"


def test_duplicate_versions_in_one_file_are_refused():
    data = json.loads(STARTER.read_text(encoding="utf-8"))
    data["questionnaires"].append(data["questionnaires"][0])
    with pytest.raises(DomainValidationError) as exc:
        transfer.parse_json(json.dumps(data))
    assert "indicators.version_unique" in {p.rule for p in exc.value.problems}
