"""Issue 14 item 8: numeric ranges, dates, control characters and codes, missing fields."""

from __future__ import annotations

import sys
import unicodedata
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from finsam.domain import inputs
from tests.conftest import login

BIDI = "Insats\u202eevil"


def test_the_control_class_covers_every_cc_and_cf_character():
    missing = [
        f"U+{c:04X}"
        for c in range(sys.maxunicode + 1)
        if unicodedata.category(chr(c)) in ("Cc", "Cf") and not inputs.control_characters(chr(c))
    ]
    assert missing == []
    assert inputs.control_characters("Åsa Öberg-Ärlig, 2:a") == []
    assert inputs.control_characters("rad 1\nrad 2\tx", multiline=True) == []
    assert inputs.control_characters("a\u202eb", multiline=True) == ["U+202E"]


@pytest.mark.parametrize("code", ["SBG-IND", "sbg_2.0", "Åre-1", "0183"])
def test_safe_codes(code):
    assert inputs.check_code("code", "Kod", code) is None


@pytest.mark.parametrize(
    "code", ["../etc", "a/b", "a b", "a\\b", "..", ".hidden", "x\u202e", "a;b"]
)
def test_unsafe_codes_are_refused_in_swedish(code):
    problem = inputs.check_code("code", "Kod", code)
    assert problem is not None and problem.rule == "code.characters"
    assert problem.message.startswith("Kod: en kod får bara")


def test_dates_and_numbers():
    assert inputs.check_date_range("d", "Startdatum", date(2100, 12, 31)) is None
    assert "2100-12-31" in inputs.check_date_range("d", "Startdatum", date(9999, 12, 31)).message
    assert inputs.check_date_range("d", "Startdatum", date(1, 1, 1)).rule == "date.range"
    problem = inputs.check_number_range("n", "Antal", 10**20, maximum=2**31 - 1)
    assert problem.message == "Antal: värdet får vara högst 2\u00a0147\u00a0483\u00a0647."
    assert inputs.check_number_range("n", "Antal", Decimal("-5"), minimum=0).rule == "number.range"


# ---------------------------------------------------------------- forms


def _intervention_post(world, **changes):
    data = {
        "code": "SBG-NY",
        "name": "Ny insats",
        "start_date": "2024-01-01",
        "status": "ongoing",
        "orientation": "individual",
        "registration": "persons",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "field_message"),
    [
        ({"planned_participants": "99999999999999999999"}, "högst 2\u00a0147\u00a0483\u00a0647"),
        ({"name": BIDI}, "otillåtna styrtecken"),
        ({"description": "ok\u202e"}, "otillåtna styrtecken"),
        ({"code": "../../etc"}, "en kod får bara"),
        ({"start_date": "9999-12-31"}, "mellan 1900-01-01 och 2100-12-31"),
        ({"end_date": "0001-01-01"}, "mellan 1900-01-01 och 2100-12-31"),
    ],
)
def test_the_intervention_form_refuses_with_a_swedish_field_message(
    world, client, changes, field_message
):
    from finsam.registry.models import Intervention

    login(client, world["users"]["association_admin"])
    before = Intervention.objects.count()
    url = reverse("intervention_create", args=[world["association"].pk])
    response = client.post(url, _intervention_post(world, **changes))
    assert response.status_code == 200
    assert field_message in response.content.decode()
    assert Intervention.objects.count() == before


def test_a_valid_intervention_still_saves(world, client):
    from finsam.registry.models import Intervention

    login(client, world["users"]["association_admin"])
    url = reverse("intervention_create", args=[world["association"].pk])
    response = client.post(url, _intervention_post(world, planned_participants="2147483647"))
    assert response.status_code == 302
    assert Intervention.objects.get(code="SBG-NY").planned_participants == 2147483647


def test_a_small_integer_column_gets_its_own_range(world, client):
    from finsam.registry.models import ExtraQuestion

    login(client, world["users"]["association_admin"])
    url = reverse("extra_question_add", args=[world["association"].pk])
    response = client.post(
        url, {"text": "Fråga", "answer_type": "text", "phase": "start", "order": "40000"}
    )
    assert response.status_code == 200
    assert "högst 32\u00a0767" in response.content.decode()
    assert ExtraQuestion.objects.count() == 0


def test_an_edit_post_with_missing_fields_never_blanks_the_budget_year(world, client):
    from finsam.finance.models import AssociationYear
    from finsam.finance.services import association_year_save

    admin = world["users"]["association_admin"]
    association = world["association"]
    association_year_save(
        actor=admin,
        association=association,
        year=2025,
        budget_adopted=date(2024, 11, 20),
        annual_report_adopted=date(2026, 3, 1),
        equity_start=Decimal("120000.00"),
        contribution_total=Decimal("4000000.00"),
        state_offer=Decimal("2000000.00"),
        population_16_64=30000,
        notes="Antagen.",
    )
    login(client, admin)
    url = reverse("budget_year_edit", args=[association.pk, 2025])
    response = client.post(url, {"csrfmiddlewaretoken": "x"})
    assert response.status_code in (200, 302)
    stored = AssociationYear.objects.get(association=association, year=2025)
    assert stored.budget_adopted == date(2024, 11, 20)
    assert stored.annual_report_adopted == date(2026, 3, 1)
    assert stored.equity_start == Decimal("120000.00")
    assert stored.contribution_total == Decimal("4000000.00")
    assert stored.notes == "Antagen."
    # a field sent empty is a deliberate clearing
    client.post(url, {"notes": "", "equity_start": ""})
    stored.refresh_from_db()
    assert stored.notes == "" and stored.equity_start is None
    assert stored.budget_adopted == date(2024, 11, 20)


# ---------------------------------------------------------------- importers


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"name": BIDI}, "otillåtna styrtecken"),
        ({"code": "SBG/../X"}, "en kod får bara"),
        ({"start_date": "9999-12-31"}, "mellan 1900-01-01 och 2100-12-31"),
        ({"planned_participants": "999999999999"}, "högst 2\u00a0147\u00a0483\u00a0647"),
    ],
)
def test_the_importer_refuses_the_same_values(world, tmp_path, cells, message):
    import csv

    from finsam.registry.models import Intervention

    row = {
        "code": "SBG-IMP",
        "association_code": "SBG",
        "name": "Importerad",
        "orientation": "individual",
        "registration": "persons",
        "start_date": "2024-01-01",
        "planned_participants": "10",
    }
    row.update(cells)
    path = tmp_path / "interventions.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    before = Intervention.objects.count()
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("import", "interventions", str(path), stdout=out, stderr=err)
    assert message in out.getvalue() + err.getvalue()
    assert Intervention.objects.count() == before


def test_indicator_definitions_refuse_control_characters():
    from dataclasses import replace

    from finsam.domain.indicators import transfer
    from finsam.indicators.services import STARTER_FILE

    starter = transfer.parse(STARTER_FILE.read_text(encoding="utf-8"), filename="starter.json")
    first = starter.questionnaires[0]
    items = (replace(first.items[0], text="Jag fick\u202e hjälp"), *first.items[1:])
    hostile = replace(
        starter,
        questionnaires=(
            replace(first, title="Enkät\u200b", items=items),
            *starter.questionnaires[1:],
        ),
    )
    rules = {(p.field, p.rule) for p in transfer.check_set(hostile)}
    assert ("text", "text.control_character") in rules
    assert ("title", "text.control_character") in rules


def test_the_admin_forms_get_the_same_limits(world, rf):
    """A value the system administrator types in the Django admin is held to the same limits:
    a number beyond its column and a bidi override are field errors, not a 500 or a stored name."""
    from django.contrib import admin
    from django.forms.models import model_to_dict

    from finsam.registry.models import Intervention

    intervention = Intervention.objects.filter(association=world["association"]).first()
    request = rf.get("/admin/")
    request.user = world["users"]["system_admin"]
    model_admin = admin.site._registry[Intervention]
    form_class = model_admin.get_form(request, intervention, change=True)
    data = {k: v for k, v in model_to_dict(intervention).items() if v is not None}
    data.update(planned_participants="99999999999999999999", name=BIDI)
    form = form_class(data=data, instance=intervention)
    assert not form.is_valid()
    assert "planned_participants" in form.errors and "name" in form.errors
    assert "styrtecken" in " ".join(form.errors["name"])
    intervention.refresh_from_db()
    assert intervention.name != BIDI
