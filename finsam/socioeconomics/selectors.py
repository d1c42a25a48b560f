"""Reads for the socio-economic pages and commands: the stored parameter table, the registry's
episodes as payback flows, intervention costs for a period, and participants per area and year.

Nothing here returns identity: flows carry the episode key only, needs participants an internal
key (participant or episode id) that never leaves the calculation.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from finsam.domain import codelists as cl
from finsam.domain.problems import DomainValidationError, Problem, raise_if_errors
from finsam.domain.socioeconomics import needs as needs_core
from finsam.domain.socioeconomics import payback as payback_core
from finsam.domain.socioeconomics.parameters import (
    ParameterRow as CoreRow,
)
from finsam.domain.socioeconomics.parameters import (
    PaybackParameters,
    build_parameters,
    default_parameters,
)
from finsam.registry.models import (
    Association,
    AssociationMunicipality,
    Episode,
    FollowUp,
    Intervention,
)
from finsam.socioeconomics.models import ParameterSet

# --- parameter table ----------------------------------------------------------------------------


def parameter_sets() -> QuerySet[ParameterSet]:
    return ParameterSet.objects.select_related("uploaded_by").order_by("-valid_year", "-version")


def current_parameter_set(year: int | None = None) -> ParameterSet | None:
    """The newest version of the latest table whose valid year is not after ``year`` (the
    earliest table when every table is later; the newest overall when ``year`` is None)."""
    qs = ParameterSet.objects.order_by("-valid_year", "-version")
    if year is not None:
        chosen = qs.filter(valid_year__lte=year).first()
        if chosen is not None:
            return chosen
        return ParameterSet.objects.order_by("valid_year", "-version").first()
    return qs.first()


def parameters_of(parameter_set: ParameterSet) -> PaybackParameters:
    rows = [
        CoreRow(
            item=r.item,
            actor=r.actor,
            monthly_sek=float(r.monthly_sek),
            source=r.source,
            year=r.year,
            assumption=r.assumption,
            note=r.note,
        )
        for r in parameter_set.rows.order_by("position", "pk")
    ]
    return build_parameters(rows, valid_year=parameter_set.valid_year)


def current_parameters(year: int | None = None) -> tuple[PaybackParameters, ParameterSet | None]:
    """The stored table for ``year`` (falls back to the shipped defaults if none is stored)."""
    parameter_set = current_parameter_set(year)
    if parameter_set is None:
        return default_parameters(year), None
    return parameters_of(parameter_set), parameter_set


# --- payback flows ------------------------------------------------------------------------------


def _codes(mask: int) -> frozenset[str]:
    return frozenset(cl.support_codes(mask))


def episode_flows(
    *,
    association: Association | None = None,
    intervention: Intervention | None = None,
    date_from: date,
    date_to: date,
) -> list[payback_core.EpisodeFlow]:
    """The episodes of an association or intervention that ended in the period, as flows.

    Registration errors (exit reason ``FEL``) are left out. Support masks become codes; the
    follow-ups come along (the core uses the latest one with known support).
    """
    qs = Episode.objects.filter(end_date__gte=date_from, end_date__lte=date_to).exclude(
        exit_reason=cl.EXIT_REGISTRATION_ERROR
    )
    if intervention is not None:
        qs = qs.filter(intervention=intervention)
    elif association is not None:
        qs = qs.filter(intervention__association=association)
    rows = list(
        qs.order_by("pk").values(
            "pk",
            "key",
            "support_before",
            "support_after",
            "work_hours_before",
            "work_hours",
            "study_hours_before",
            "study_hours",
            "end_date",
            "exit_reason",
            "intervention__code",
            "intervention__association__code",
        )
    )
    followups: dict[int, list[payback_core.FollowUp]] = {}
    for f in FollowUp.objects.filter(episode_id__in=[r["pk"] for r in rows]).order_by(
        "months_after"
    ):
        followups.setdefault(f.episode_id, []).append(
            payback_core.FollowUp(f.months_after, _codes(f.support), f.work_hours, f.study_hours)
        )
    return [
        payback_core.EpisodeFlow(
            key=r["key"],
            support_before=_codes(r["support_before"]),
            support_after=_codes(r["support_after"]) if r["support_after"] else None,
            work_hours_before=r["work_hours_before"],
            work_hours_after=r["work_hours"],
            study_hours_before=r["study_hours_before"],
            study_hours_after=r["study_hours"],
            followups=tuple(followups.get(r["pk"], ())),
            intervention_code=r["intervention__code"],
            association_code=r["intervention__association__code"],
            end_date=r["end_date"],
            exit_reason=r["exit_reason"],
        )
        for r in rows
    ]


def period_cost(
    *,
    association: Association,
    intervention: Intervention | None = None,
    date_from: date,
    date_to: date,
) -> float:
    """The intervention cost in the period from the finance module (actual, else budget).

    For an association: the sum over its interventions. Raises ``DomainValidationError`` when
    the budget has no intervention cost for the period (a payback without a cost is meaningless).
    """
    from finsam.finance.selectors import intervention_costs

    costs = intervention_costs(association_id=association.pk, date_from=date_from, date_to=date_to)
    if intervention is not None:
        if intervention.code in costs:
            return costs[intervention.code]
        what = f"insatsen {intervention.code}"
    elif costs:
        return sum(costs.values())
    else:
        what = gettext("förbundet %(code)s") % {"code": association.code}
    raise DomainValidationError(
        [
            Problem(
                "intervention_cost",
                "cost.missing",
                gettext(
                    "Ingen insatskostnad finns i budgeten för %(what)s under perioden "
                    "%(isoformat)s–%(isoformat2)s; registrera kostnaden i ekonomidelen först."
                )
                % {
                    "what": what,
                    "isoformat": date_from.isoformat(),
                    "isoformat2": date_to.isoformat(),
                },
                what,
            )
        ]
    )


def validate_period(date_from: date | None, date_to: date | None) -> list[Problem]:
    if date_from and date_to and date_to < date_from:
        return [
            Problem(
                "date_to",
                "period.order",
                gettext("Periodens slutdatum (till) får inte vara före startdatumet (från)."),
                date_to,
            )
        ]
    return []


def payback(
    *,
    association: Association,
    intervention: Intervention | None = None,
    date_from: date,
    date_to: date,
    parameters: PaybackParameters,
    settings: payback_core.PaybackSettings | None = None,
) -> payback_core.PaybackResult:
    """Payback per actor from the registry's flows and the finance module's cost."""
    raise_if_errors(validate_period(date_from, date_to))
    cost = period_cost(
        association=association, intervention=intervention, date_from=date_from, date_to=date_to
    )
    flows = episode_flows(
        association=association, intervention=intervention, date_from=date_from, date_to=date_to
    )
    return payback_core.compute_payback(flows, parameters, cost, settings)


# --- needs: areas and participants ---------------------------------------------------------------


def _overlapping_year(year: int) -> Q:
    return Q(valid_from__lte=date(year, 12, 31)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=date(year, 1, 1))
    )


def municipality_association_map(year: int) -> dict[str, str]:
    """Municipality code → association code by the area membership in force in ``year`` (the
    latest membership that year when a municipality changed association)."""
    mapping: dict[str, str] = {}
    for code, association_code in (
        AssociationMunicipality.objects.filter(_overlapping_year(year))
        .order_by("valid_from", "pk")
        .values_list("municipality_id", "association__code")
    ):
        mapping[code] = association_code
    return mapping


def association_names() -> dict[str, str]:
    return dict(Association.objects.values_list("code", "name"))


def year_participants(year: int) -> list[needs_core.Participant]:
    """Participants with an episode active in ``year``, by home municipality.

    An identified participant counts once (keyed by the participant, i.e. the pseudonym); an
    anonymous episode – or one whose identity has been erased – counts as one person on its own.
    Registration errors are left out.
    """
    qs = (
        Episode.objects.filter(start_date__lte=date(year, 12, 31))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=date(year, 1, 1)))
        .exclude(exit_reason=cl.EXIT_REGISTRATION_ERROR)
        .values_list("pk", "participant_id", "participant__pseudonym", "home_municipality_id")
    )
    return [
        needs_core.Participant(
            person_key=f"p{participant_id}" if pseudonym else f"e{episode_id}",
            municipality_code=municipality,
        )
        for episode_id, participant_id, pseudonym, municipality in qs
    ]


def needs_rows(
    counts: list[needs_core.RegisterCount],
    shares: dict[str, float] | None,
    *,
    year: int,
    with_participants: bool,
) -> list[needs_core.NeedsRow]:
    """The needs estimate with names, the registry's area membership in ``year`` and (when
    asked) the registry's distinct participants that year per area."""
    from finsam.geo.models import County, Municipality

    return needs_core.estimate_needs(
        counts,
        shares,
        municipality_to_association=municipality_association_map(year),
        municipality_names=dict(Municipality.objects.values_list("code", "name")),
        association_names=association_names(),
        county_names=dict(County.objects.values_list("code", "name")),
        participants=year_participants(year) if with_participants else None,
    )


def known_municipalities() -> set[str]:
    from finsam.geo.models import Municipality

    return set(Municipality.objects.values_list("code", flat=True))
