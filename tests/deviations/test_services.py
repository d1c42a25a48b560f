"""The deviation services: validation, workflow, audit, all-or-nothing."""

from __future__ import annotations

from datetime import date

import pytest

from finsam.audit.models import AuditLog
from finsam.deviations import services
from finsam.deviations.models import DeviationAction, DeviationReport
from finsam.domain.problems import DomainValidationError

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def test_filing_stores_the_report_and_audits_it(world, file_report, members):
    report = file_report()
    assert report.status == "new"
    assert set(report.organisations.all()) == {members["FK"], members["AF"]}
    log = AuditLog.objects.get(action="deviation_file")
    assert log.object_id == str(report.pk)
    assert log.association_id == world["association"].pk
    assert log.actor == world["users"]["participant_handler"]


def test_a_personal_number_in_the_text_is_refused_and_nothing_is_written(file_report):
    with pytest.raises(DomainValidationError) as exc:
        file_report(description="Anna, 19900101-0009, nekades hos båda.")
    assert exc.value.problems[0].field == "description"
    assert exc.value.problems[0].rule == "deviation.identity_number"
    assert DeviationReport.objects.count() == 0
    assert not AuditLog.objects.filter(action="deviation_file").exists()


def test_organisations_of_another_association_are_refused(world, file_report):
    other_member = world["other"].members.first()
    from finsam.domain import deviations as core

    with pytest.raises(DomainValidationError) as exc:
        services.deviation_file(
            actor=world["users"]["association_admin"],
            association=world["association"],
            data=core.ReportInput(
                report_date=date(2026, 10, 1),
                organisations=(str(other_member.pk),),
                category="PLAN",
                description="Ingen plan.",
            ),
            today=TODAY,
        )
    assert exc.value.problems[0].rule == "deviation.organisation_not_member"


def test_a_category_added_in_the_code_list_can_be_used_and_an_ended_one_cannot(file_report):
    from finsam.registry.models import CodeListEntry

    CodeListEntry.objects.create(
        list_name="deviation_category",
        code="BOSTAD",
        label="Bostad saknas",
        valid_from=date(2026, 1, 1),
    )
    CodeListEntry.objects.filter(list_name="deviation_category", code="OVRIGT").update(
        valid_to=date(2025, 12, 31)
    )
    assert file_report(category="BOSTAD").category == "BOSTAD"
    with pytest.raises(DomainValidationError) as exc:
        file_report(category="OVRIGT")
    assert exc.value.problems[0].rule == "deviation.category"
    assert file_report(category="OVRIGT", report_date=date(2025, 6, 1)).category == "OVRIGT"


def test_the_whole_workflow(world, file_report, members):
    admin = world["users"]["association_admin"]
    report = file_report()
    with pytest.raises(DomainValidationError) as exc:
        services.deviation_action_add(
            actor=admin, report=report, action_date=date(2026, 10, 2), text="Möte", today=TODAY
        )
    assert exc.value.problems[0].rule == "deviation.transition"

    report = services.deviation_classify(
        actor=admin,
        report=report,
        category="VANTETID",
        owner_id=members["REGION"].pk,
        today=TODAY,
    )
    assert (report.status, report.category, report.owner) == (
        "classified",
        "VANTETID",
        members["REGION"],
    )
    with pytest.raises(DomainValidationError):
        services.deviation_close(
            actor=admin, report=report, closed_date=TODAY, closing_note="Klart", today=TODAY
        )
    services.deviation_action_add(
        actor=admin,
        report=report,
        action_date=date(2026, 10, 10),
        text="Gemensamt möte",
        organisation_id=members["FK"].pk,
        today=TODAY,
    )
    report.refresh_from_db()
    assert report.status == "in_progress"
    with pytest.raises(DomainValidationError) as exc:
        services.deviation_close(
            actor=admin,
            report=report,
            closed_date=date(2026, 10, 9),
            closing_note="Klart",
            today=TODAY,
        )
    assert exc.value.problems[0].rule == "deviation.early_date"
    report = services.deviation_close(
        actor=admin,
        report=report,
        closed_date=date(2026, 11, 1),
        closing_note="Ny rutin för remisser.",
        today=TODAY,
    )
    assert report.status == "closed"
    assert report.closed_date == date(2026, 11, 1)
    assert list(
        AuditLog.objects.filter(object_id=str(report.pk), object_type="deviations.DeviationReport")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["deviation_file", "deviation_classify", "deviation_action_add", "deviation_close"]
    with pytest.raises(DomainValidationError):
        services.deviation_classify(
            actor=admin, report=report, category="PLAN", owner_id=members["FK"].pk
        )


def test_an_action_text_with_a_coordination_number_is_refused(world, file_report, members):
    admin = world["users"]["association_admin"]
    report = services.deviation_classify(
        actor=admin, report=file_report(), category="PLAN", owner_id=members["AF"].pk
    )
    with pytest.raises(DomainValidationError) as exc:
        services.deviation_action_add(
            actor=admin,
            report=report,
            action_date=date(2026, 10, 5),
            text="Ringde om 900161-0006",
            today=TODAY,
        )
    assert exc.value.problems[0].field == "text"
    assert DeviationAction.objects.count() == 0
    report.refresh_from_db()
    assert report.status == "classified"
