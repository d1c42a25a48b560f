"""``finsam indicators-load-starter``, ``indicators-import``, ``indicators-export`` and the demo."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from finsam.indicators.models import QuestionnaireVersion, Response


def test_load_starter_is_idempotent(db):
    out = StringIO()
    call_command("indicators-load-starter", stdout=out)
    assert "6 nya versioner" in out.getvalue() and "startuppsättning" in out.getvalue()
    call_command("indicators-load-starter", stdout=StringIO())
    assert QuestionnaireVersion.objects.count() == 6


def test_export_and_import_round_trip(db, tmp_path):
    call_command("indicators-load-starter", stdout=StringIO())
    target = tmp_path / "def.json"
    call_command(
        "indicators-export", "--format", "json", "--output", str(target), stdout=StringIO()
    )
    data = json.loads(target.read_text(encoding="utf-8"))
    data["questionnaires"] = [dict(data["questionnaires"][0], version=5)]
    target.write_text(json.dumps(data), encoding="utf-8")
    out = StringIO()
    call_command("indicators-import", str(target), stdout=out)
    assert "1 nya versioner" in out.getvalue()
    csv_out = StringIO()
    call_command("indicators-export", "--format", "csv", stdout=csv_out)
    assert csv_out.getvalue().startswith("respondent_group,version,title")


def test_import_refuses_a_bad_file_with_one_line(db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("respondent_group,version\nstaff,1\n", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("indicators-import", str(bad), stdout=StringIO())
    assert "kolumner saknas" in str(exc.value) and "\n" not in str(exc.value)
    with pytest.raises(CommandError, match="finns inte"):
        call_command("indicators-import", str(tmp_path / "missing.json"), stdout=StringIO())
    assert not QuestionnaireVersion.objects.exists()


def test_demo_has_indicator_answers_with_shown_results(db):
    call_command("demo", "--episodes", "20", stdout=StringIO())
    assert 300 <= Response.objects.count() <= 700
    from finsam.indicators import selectors
    from finsam.registry.models import Association

    version = QuestionnaireVersion.objects.get(respondent_group="participant_during", version=1)
    association = Association.objects.get(code="SUNDBYBERG")
    table = selectors.results(version, association=association)
    unit = table.units[0]
    assert table.shown("own", unit, table.periods[-1], "mean") is not None
    assert table.shown("national", unit, table.periods[-1], "n") > 0
