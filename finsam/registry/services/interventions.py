"""Interventions."""

from __future__ import annotations

from django.db import transaction

from finsam.audit.services import audit_change, diff
from finsam.domain import registration as rules
from finsam.domain.problems import Problem, raise_if_errors
from finsam.registry.models import (
    Association,
    Intervention,
    Member,
)
from finsam.registry.services._shared import _snapshot

INTERVENTION_FIELDS = [
    "code",
    "name",
    "description",
    "start_date",
    "end_date",
    "status",
    "orientation",
    "registration",
    "partner_organisations",
    "target_groups",
    "esf",
    "planned_participants",
]


@transaction.atomic
def intervention_save(
    *,
    actor,
    association: Association,
    intervention: Intervention | None = None,
    providers: list[Member] | None = None,
    **values,
) -> Intervention:
    current = _snapshot(intervention, INTERVENTION_FIELDS) if intervention else {}
    merged = {**current, **values}
    problems = rules.validate_intervention(
        code=merged.get("code", ""),
        name=merged.get("name", ""),
        orientation=merged.get("orientation", ""),
        registration=merged.get("registration", ""),
        start_date=merged.get("start_date"),
        end_date=merged.get("end_date"),
        planned_participants=merged.get("planned_participants"),
        target_groups=merged.get("target_groups") or [],
    )
    taken = Intervention.objects.filter(code=merged.get("code"))
    if intervention is not None:
        taken = taken.exclude(pk=intervention.pk)
    if taken.exists():
        problems.append(
            Problem(
                "code", "unique", f"Koden ”{merged.get('code')}” används redan av en annan insats."
            )
        )
    if providers and any(m.association_id != association.pk for m in providers):
        problems.append(
            Problem(
                "providers",
                "provider.other_association",
                "Anordnare måste vara medlemmar i förbundet.",
            )
        )
    if (
        intervention is not None
        and "registration" in values
        and (values["registration"] != intervention.registration and intervention.episodes.exists())
    ):
        problems.append(
            Problem(
                "registration",
                "intervention.has_episodes",
                "Registreringssättet kan inte ändras när insatsen har inskrivningar.",
            )
        )
    raise_if_errors(problems)
    obj = intervention or Intervention(association=association)
    for key, value in values.items():
        setattr(obj, key, value)
    obj.save()
    if providers is not None:
        obj.providers.set(providers)
    audit_change(
        actor=actor,
        action="intervention_create" if intervention is None else "intervention_update",
        obj=obj,
        association_id=association.pk,
        changes=diff(current, _snapshot(obj, INTERVENTION_FIELDS)),
    )
    return obj
