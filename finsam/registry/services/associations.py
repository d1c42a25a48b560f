"""Associations, their area (municipalities over time), members and board."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Q

from finsam.audit.services import audit_change, diff
from finsam.domain import associations as org
from finsam.domain.problems import Problem, raise_if_errors
from finsam.registry.models import (
    Association,
    AssociationMunicipality,
    BoardMember,
    Member,
)
from finsam.registry.selectors import (
    municipality_codes,
)
from finsam.registry.services._shared import _snapshot

ASSOCIATION_FIELDS = [
    "code",
    "name",
    "org_number",
    "start_date",
    "end_date",
    "description",
    "address",
    "contact_person",
    "contact_email",
    "seat_municipality_id",
    "municipal_split",
    "majority_rules",
]


validate_association = org.validate_association
"""The checks of :func:`association_save` except code uniqueness (shared with the importer)."""


@transaction.atomic
def association_save(*, actor, association: Association | None = None, **values) -> Association:
    """Create (``association=None``) or update an association."""
    current = _snapshot(association, ASSOCIATION_FIELDS) if association else {}
    merged = {**current, **values}
    problems = validate_association(merged)
    code_taken = Association.objects.filter(code=merged.get("code"))
    if association is not None:
        code_taken = code_taken.exclude(pk=association.pk)
    if code_taken.exists():
        problems.append(
            Problem(
                "code",
                "unique",
                f"Koden ”{merged.get('code')}” används redan av ett annat förbund.",
            )
        )
    raise_if_errors(problems)
    obj = association or Association()
    for key, value in values.items():
        setattr(obj, key, value)
    obj.save()
    audit_change(
        actor=actor,
        action="association_create" if association is None else "association_update",
        obj=obj,
        association_id=obj.pk,
        changes=diff(current, _snapshot(obj, ASSOCIATION_FIELDS)),
    )
    return obj


def validate_area(
    *, municipality_code: str, valid_from: date | None, valid_to: date | None
) -> list[Problem]:
    """The checks of one area row except the overlap with other associations."""
    return org.validate_area(
        municipality_code=municipality_code,
        valid_from=valid_from,
        valid_to=valid_to,
        known_municipalities=municipality_codes(),
    )


def area_overlap(
    *,
    municipality_code: str,
    valid_from: date,
    valid_to: date | None,
    exclude_id: int | None = None,
) -> list[Problem]:
    """A municipality belongs to at most one association at a time."""
    clash = (
        AssociationMunicipality.objects.filter(municipality_id=municipality_code)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
        .select_related("association")
    )
    if valid_to:
        clash = clash.filter(valid_from__lte=valid_to)
    if exclude_id is not None:
        clash = clash.exclude(pk=exclude_id)
    clash = clash.first()
    if clash is None:
        return []
    return [
        Problem(
            "municipality",
            "area.overlap",
            f"Kommunen hör redan till {clash.association} under en överlappande period "
            f"(från {clash.valid_from}). En kommun kan bara tillhöra ett förbund åt gången.",
            municipality_code,
        )
    ]


@transaction.atomic
def area_add(
    *,
    actor,
    association: Association,
    municipality_code: str,
    valid_from: date,
    valid_to: date | None = None,
) -> AssociationMunicipality:
    raise_if_errors(
        validate_area(municipality_code=municipality_code, valid_from=valid_from, valid_to=valid_to)
    )
    raise_if_errors(
        area_overlap(municipality_code=municipality_code, valid_from=valid_from, valid_to=valid_to)
    )
    row = AssociationMunicipality.objects.create(
        association=association,
        municipality_id=municipality_code,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    audit_change(
        actor=actor,
        action="area_add",
        obj=row,
        association_id=association.pk,
        summary=f"{municipality_code} från {valid_from}",
    )
    return row


@transaction.atomic
def area_update(
    *,
    actor,
    row: AssociationMunicipality,
    valid_to: date | None,
) -> AssociationMunicipality:
    """Change the end of an area row (e.g. a municipality leaves the association)."""
    raise_if_errors(
        validate_area(
            municipality_code=row.municipality_id, valid_from=row.valid_from, valid_to=valid_to
        )
    )
    raise_if_errors(
        area_overlap(
            municipality_code=row.municipality_id,
            valid_from=row.valid_from,
            valid_to=valid_to,
            exclude_id=row.pk,
        )
    )
    before = {"valid_to": row.valid_to}
    row.valid_to = valid_to
    row.save(update_fields=["valid_to"])
    audit_change(
        actor=actor,
        action="area_update",
        obj=row,
        association_id=row.association_id,
        changes=diff(before, {"valid_to": valid_to}),
    )
    return row


def validate_member(*, kind: str, organisation_code: str, name: str) -> list[Problem]:
    """The checks of :func:`member_add` (shared with the importer)."""
    return org.validate_member(
        kind=kind,
        organisation_code=organisation_code,
        name=name,
        known_municipalities=municipality_codes(),
    )


@transaction.atomic
def member_add(
    *,
    actor,
    association: Association,
    kind: str,
    organisation_code: str,
    name: str,
    contribution_percent=None,
) -> Member:
    raise_if_errors(validate_member(kind=kind, organisation_code=organisation_code, name=name))
    member, _ = Member.objects.update_or_create(
        association=association,
        kind=kind,
        organisation_code=organisation_code,
        defaults={"name": name, "contribution_percent": contribution_percent},
    )
    audit_change(
        actor=actor, action="member_save", obj=member, association_id=association.pk, summary=name
    )
    return member


@transaction.atomic
def board_member_add(
    *,
    actor,
    member: Member,
    name: str,
    role: str,
    period_start: date,
    period_end: date | None = None,
    is_chair: bool = False,
) -> BoardMember:
    problems: list[Problem] = []
    if not (name or "").strip():
        problems.append(Problem("name", "required", "Namn måste anges."))
    if role not in BoardMember.Role.values:
        problems.append(
            Problem("role", "code.unknown", "Uppdrag ska vara ledamot eller ersättare.")
        )
    if period_end and period_end < period_start:
        problems.append(
            Problem(
                "period_end",
                "date.end_before_start",
                "Mandatperiodens slut får inte vara före dess start.",
            )
        )
    raise_if_errors(problems)
    row = BoardMember.objects.create(
        association=member.association,
        member=member,
        name=name,
        role=role,
        period_start=period_start,
        period_end=period_end,
        is_chair=is_chair,
    )
    audit_change(
        actor=actor,
        action="board_member_add",
        obj=row,
        association_id=member.association_id,
        summary=name,
    )
    return row
