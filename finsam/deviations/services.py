"""Writes of deviation reports: file, classify, record an action, close.

Each service validates with ``finsam.domain.deviations``, writes, and records its audit row in
the same transaction; on a problem it raises ``DomainValidationError`` and nothing is written.
The row is locked while its state changes, so two people cannot move it past a rule at once.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from finsam.audit.services import audit_change, diff
from finsam.deviations import selectors
from finsam.deviations.models import DeviationAction, DeviationReport
from finsam.domain import deviations as core
from finsam.domain.problems import raise_if_errors


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _member_keys(association) -> dict[str, object]:
    return {str(m.pk): m for m in association.members.all()}


@transaction.atomic
def deviation_file(
    *, actor, association, data: core.ReportInput, today: date | None = None
) -> DeviationReport:
    """File a new report (status *new*) for ``association``."""
    today = _today(today)
    members = _member_keys(association)
    categories = selectors.category_codes(on=data.report_date or today)
    raise_if_errors(core.validate_report(data, members=members, categories=categories, today=today))
    report = DeviationReport.objects.create(
        association=association,
        report_date=data.report_date,
        category=data.category,
        description=data.description.strip(),
        consequence=data.consequence.strip(),
        improvement=data.improvement.strip(),
        status=core.Status.NEW.value,
    )
    report.organisations.set([members[k] for k in dict.fromkeys(data.organisations)])
    audit_change(
        actor=actor,
        action="deviation_file",
        obj=report,
        association_id=association.pk,
        summary=f"{report}: {data.category}, {len(set(data.organisations))} organisationer",
    )
    return report


def _locked(report: DeviationReport) -> DeviationReport:
    return DeviationReport.objects.select_for_update().get(pk=report.pk)


@transaction.atomic
def deviation_classify(
    *, actor, report: DeviationReport, category: str, owner_id, today: date | None = None
) -> DeviationReport:
    """The preparatory group sets (or changes) the category and the owner organisation."""
    report = _locked(report)
    members = _member_keys(report.association)
    owner_key = str(owner_id) if owner_id else None
    raise_if_errors(
        core.validate_classification(
            status=report.status,
            category=category,
            owner=owner_key,
            categories=selectors.category_codes(on=report.report_date),
            members=members,
        )
    )
    before = {"status": report.status, "category": report.category, "owner": report.owner_id}
    report.status = core.next_status(report.status, core.Event.CLASSIFY).value
    report.category = category
    report.owner = members[owner_key]
    report.classified_date = report.classified_date or _today(today)
    report.save()
    after = {"status": report.status, "category": report.category, "owner": report.owner_id}
    audit_change(
        actor=actor,
        action="deviation_classify",
        obj=report,
        association_id=report.association_id,
        changes=diff(before, after),
        summary=f"{report}: {category}, ansvarig {report.owner}",
    )
    return report


@transaction.atomic
def deviation_action_add(
    *,
    actor,
    report: DeviationReport,
    action_date: date | None,
    text: str,
    organisation_id=None,
    today: date | None = None,
) -> DeviationAction:
    """Record a dated action; the first one moves a classified report to *in progress*."""
    report = _locked(report)
    members = _member_keys(report.association)
    raise_if_errors(
        core.validate_action(
            status=report.status,
            action_date=action_date,
            text=text,
            filed=report.report_date,
            today=_today(today),
            organisation=str(organisation_id) if organisation_id else None,
            members=members,
        )
    )
    action = DeviationAction.objects.create(
        report=report,
        action_date=action_date,
        text=text.strip(),
        organisation=members[str(organisation_id)] if organisation_id else None,
    )
    old = report.status
    report.status = core.next_status(report.status, core.Event.RECORD_ACTION).value
    report.save(update_fields=["status", "updated_at"])
    audit_change(
        actor=actor,
        action="deviation_action_add",
        obj=report,
        association_id=report.association_id,
        changes=diff({"status": old}, {"status": report.status}),
        summary=f"{report}: åtgärd {action_date:%Y-%m-%d}",
    )
    return action


@transaction.atomic
def deviation_close(
    *,
    actor,
    report: DeviationReport,
    closed_date: date | None,
    closing_note: str,
    today: date | None = None,
) -> DeviationReport:
    """Close a report that is in progress (dated on or after its last action)."""
    report = _locked(report)
    last = report.actions.aggregate(m=Max("action_date"))["m"]
    raise_if_errors(
        core.validate_close(
            status=report.status,
            closed_date=closed_date,
            closing_note=closing_note,
            last_action=last,
            filed=report.report_date,
            today=_today(today),
        )
    )
    old = report.status
    report.status = core.next_status(report.status, core.Event.CLOSE).value
    report.closed_date = closed_date
    report.closing_note = closing_note.strip()
    report.save()
    audit_change(
        actor=actor,
        action="deviation_close",
        obj=report,
        association_id=report.association_id,
        changes={"status": [old, report.status], "closed_date": [None, closed_date.isoformat()]},
        summary=f"{report}: avslutad",
    )
    return report
