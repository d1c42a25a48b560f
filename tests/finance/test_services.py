"""The finance services: audited writes, nothing saved on bad input; the forms keep the input."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from finsam.audit.models import AuditLog
from finsam.domain.problems import DomainValidationError
from finsam.finance import services
from finsam.finance.models import AssociationYear, BudgetLine


def test_year_save_writes_an_audit_row_with_the_changes(world):
    admin, assoc = world["users"]["association_admin"], world["association"]
    services.association_year_save(actor=admin, association=assoc, year=2025, equity_start=1000)
    services.association_year_save(actor=admin, association=assoc, year=2025, equity_start=2500)
    assert AssociationYear.objects.get(association=assoc, year=2025).equity_start == 2500
    rows = AuditLog.objects.filter(action="budget_year_save").order_by("pk")
    assert rows.count() == 2
    assert rows.last().actor == admin
    assert rows.last().changes["equity_start"] == ["1000.00", "2500.00"]


@pytest.mark.parametrize(
    ("kwargs", "field", "rule"),
    [
        ({"year": 1999}, "year", "budget.year_range"),
        ({"year": 2025, "state_offer": -1}, "state_offer", "amount.negative"),
        ({"year": 2025, "equity_start": 10**12}, "equity_start", "amount.too_large"),
        (
            {"year": 2025, "budget_adopted": date(2026, 2, 1)},
            "budget_adopted",
            "budget.adopted_after_year",
        ),
        (
            {"year": 2025, "annual_report_adopted": date(2025, 12, 1)},
            "annual_report_adopted",
            "budget.report_before_year_end",
        ),
    ],
)
def test_year_save_rejects_bad_input_and_saves_nothing(world, kwargs, field, rule):
    with pytest.raises(DomainValidationError) as exc:
        services.association_year_save(
            actor=world["users"]["association_admin"], association=world["association"], **kwargs
        )
    assert [(p.field, p.rule) for p in exc.value.problems] == [(field, rule)]
    assert AssociationYear.objects.count() == 0
    assert AuditLog.objects.filter(action="budget_year_save").count() == 0


def test_line_save_validates_with_the_core_and_the_registry(world):
    admin, assoc = world["users"]["association_admin"], world["association"]
    cases = [
        ({"line": "resource", "category": "XYZ"}, "budget.unknown_funder"),
        ({"line": "admin_cost", "category": "CAKE"}, "budget.unknown_cost_type"),
        ({"line": "intervention_cost", "intervention_code": "NOPE"}, "budget.unknown_intervention"),
        (
            {"line": "intervention_cost", "intervention_code": world["other_persons"].code},
            "budget.intervention_other_association",
        ),
        ({"line": "resource", "category": "FK", "budget": -5}, "amount.negative"),
        ({"line": "resource", "category": "FK", "budget": 10**13}, "amount.too_large"),
    ]
    for kwargs, rule in cases:
        with pytest.raises(DomainValidationError) as exc:
            services.budget_line_save(
                actor=admin, association=assoc, year=2025, **{"budget": 1, **kwargs}
            )
        assert rule in {p.rule for p in exc.value.problems}
    assert BudgetLine.objects.count() == 0
    assert not AuditLog.objects.filter(action="budget_line_save").exists()


def test_line_save_update_and_delete_are_audited(world):
    admin, assoc = world["users"]["association_admin"], world["association"]
    line = services.budget_line_save(
        actor=admin, association=assoc, year=2025, line="resource", category="fk", budget=10
    )
    assert line.category == "FK"  # codes are stored upper case
    with pytest.raises(DomainValidationError) as exc:
        services.budget_line_save(
            actor=admin, association=assoc, year=2025, line="resource", category="FK", budget=20
        )
    assert exc.value.problems[0].rule == "budget.duplicate_line"
    services.budget_line_save(
        actor=admin,
        association=assoc,
        year=2025,
        line="resource",
        category="FK",
        budget=20,
        actual=5,
        budget_line=line,
    )
    line.refresh_from_db()
    assert (line.budget, line.actual) == (Decimal("20.00"), Decimal("5.00"))
    services.budget_line_delete(actor=admin, budget_line=line)
    assert BudgetLine.objects.count() == 0
    actions = list(AuditLog.objects.order_by("pk").values_list("action", flat=True))
    assert actions[-3:] == ["budget_line_save", "budget_line_save", "budget_line_delete"]


def test_the_form_keeps_what_was_typed_and_names_the_rule(client, world):
    client.force_login(world["users"]["association_admin"])
    url = reverse("budget_line_add", args=[world["association"].pk, 2025])
    response = client.post(url, {"line": "resource", "category": "XYZ", "budget": "1234"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Okänd finansiär" in html and 'value="XYZ"' in html and 'value="1234"' in html
    assert "error-summary" in html
    assert BudgetLine.objects.count() == 0
    response = client.post(url, {"line": "resource", "category": "FK", "budget": "1234"})
    assert response.status_code == 302
    assert BudgetLine.objects.get().budget == 1234


def test_year_form_saves_through_the_service(client, world):
    client.force_login(world["users"]["association_admin"])
    url = reverse("budget_year_edit", args=[world["association"].pk, 2025])
    bad = client.post(url, {"state_offer": "-3", "budget_adopted": "2024-11-20"})
    assert bad.status_code == 200 and "inte vara negativt" in bad.content.decode()
    assert AssociationYear.objects.count() == 0
    ok = client.post(url, {"state_offer": "3000", "budget_adopted": "2024-11-20"})
    assert ok.status_code == 302
    assert AssociationYear.objects.get().state_offer == 3000


def test_board_reader_cannot_write(client, world):
    client.force_login(world["users"]["board_reader"])
    response = client.post(
        reverse("budget_line_add", args=[world["association"].pk, 2025]),
        {"line": "resource", "category": "FK", "budget": "1"},
    )
    assert response.status_code == 403
    assert BudgetLine.objects.count() == 0
