"""Reads of the indicators app, filtered by permission where they span associations."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.db.models import Count, Q

from finsam.access.permissions import association_filter, can, intervention_filter
from finsam.domain.access import Action
from finsam.domain.indicators import definitions as core
from finsam.domain.indicators.answers import CANNOT_JUDGE
from finsam.domain.indicators.results import (
    NATIONAL,
    OWN,
    Record,
    ResultTable,
    latest_by_indicator,
    result_table,
)
from finsam.domain.protection import ProtectionRule
from finsam.indicators.models import (
    Answer,
    CollectionRound,
    Indicator,
    QuestionnaireVersion,
)
from finsam.registry.models import Association


def protection_rule() -> ProtectionRule:
    return ProtectionRule.for_threshold(settings.FINSAM_PROTECTION_THRESHOLD)


def definition_of(version: QuestionnaireVersion) -> core.QuestionnaireDef:
    return core.QuestionnaireDef(
        respondent_group=version.respondent_group,
        version=version.version,
        title=version.title,
        scale=version.scale,
        items=tuple(
            core.ItemDef(i.code, i.position, i.text, i.indicator.number)
            for i in version.items.select_related("indicator").order_by("position")
        ),
        status=version.status,
        starter=version.starter,
        note=version.note,
    )


def indicator_defs() -> tuple[core.IndicatorDef, ...]:
    return tuple(
        core.IndicatorDef(i.number, i.name, i.perspective, i.description)
        for i in Indicator.objects.order_by("number")
    )


def definition_set(versions=None) -> core.DefinitionSet:
    versions = versions if versions is not None else questionnaire_list()
    versions = list(versions)
    return core.DefinitionSet(
        indicators=indicator_defs(),
        questionnaires=tuple(definition_of(v) for v in versions),
        starter=any(v.starter for v in versions),
    )


def indicator_list():
    return Indicator.objects.order_by("number")


def round_by_pk(pk: int) -> CollectionRound | None:
    return (
        CollectionRound.objects.select_related("association", "intervention", "questionnaire")
        .filter(pk=pk)
        .first()
    )


def round_counts(collection_round: CollectionRound) -> dict[str, int]:
    """The links handed out and used, and the responses (of them on paper), of one round."""
    tokens = collection_round.tokens
    responses = collection_round.responses
    return {
        "n_tokens": tokens.count(),
        "n_used": tokens.filter(used=True).count(),
        "n_responses": responses.count(),
        "n_paper": responses.filter(channel="paper").count(),
    }


def questionnaire_list():
    return QuestionnaireVersion.objects.annotate(n_items=Count("items")).order_by(
        "respondent_group", "-version"
    )


def published_versions():
    return QuestionnaireVersion.objects.filter(status=core.PUBLISHED).order_by(
        "respondent_group", "-version"
    )


def starter_in_use() -> bool:
    return QuestionnaireVersion.objects.filter(starter=True, status=core.PUBLISHED).exists()


def round_list_for(user):
    """Rounds the user may manage (own association) or enter paper answers for."""
    manage = association_filter(user, Action.MANAGE_INDICATOR_ROUNDS, prefix="association__")
    enter_assoc = association_filter(user, Action.ENTER_INDICATOR_ANSWERS, prefix="association__")
    enter_intv = intervention_filter(user, Action.ENTER_INDICATOR_ANSWERS, prefix="intervention__")
    return (
        CollectionRound.objects.filter(
            manage
            | (Q(intervention__isnull=True) & enter_assoc)
            | (Q(intervention__isnull=False) & enter_intv)
        )
        .select_related("association", "intervention", "questionnaire")
        .annotate(
            n_responses=Count("responses", distinct=True),
            n_tokens=Count("tokens", distinct=True),
            n_used=Count("tokens", filter=Q(tokens__used=True), distinct=True),
        )
        .order_by("-period_start", "-pk")
    )


def can_enter_answers(user, collection_round: CollectionRound) -> bool:
    return can(
        user,
        Action.ENTER_INDICATOR_ANSWERS,
        association=collection_round.association_id,
        intervention=collection_round.intervention,
    )


def result_associations(user):
    return Association.objects.filter(
        association_filter(user, Action.VIEW_INDICATOR_RESULTS)
    ).order_by("name")


def versions_with_answers():
    """Published versions that have at least one answer (the results page's choices)."""
    return (
        QuestionnaireVersion.objects.filter(rounds__responses__isnull=False)
        .distinct()
        .order_by("respondent_group", "-version")
    )


def records_of(version: QuestionnaireVersion) -> list[Record]:
    """Every association's answers to ``version`` (the national aggregate needs them all)."""
    responses: dict[int, tuple[int, int]] = {}
    answers: dict[int, dict] = defaultdict(dict)
    rows = Answer.objects.filter(response__round__questionnaire=version).values_list(
        "response_id",
        "response__round__association_id",
        "response__round__period_start",
        "item__code",
        "value",
        "cannot_judge",
    )
    for response_id, association_id, period_start, code, value, cannot in rows.iterator():
        responses[response_id] = (association_id, period_start.year)
        answers[response_id][code] = CANNOT_JUDGE if cannot else value
    return [
        Record(association=assoc, period=period, answers=answers[rid])
        for rid, (assoc, period) in responses.items()
    ]


def results(version: QuestionnaireVersion, *, association: Association | None) -> ResultTable:
    names = dict(Indicator.objects.values_list("number", "name"))
    return result_table(
        records_of(version),
        definition_of(version),
        names,
        association=association.pk if association is not None else None,
        rule=protection_rule(),
    )


def overview(association: Association | None) -> tuple[list[QuestionnaireVersion], list[dict]]:
    """Per indicator, its latest shown mean in each respondent group (the newest version with
    answers of each group). Returns the versions (columns) and one row per indicator."""
    latest: dict[str, QuestionnaireVersion] = {}
    for version in versions_with_answers():
        latest.setdefault(version.respondent_group, version)
    columns = [latest[g] for g in core.RESPONDENT_GROUPS if g in latest]
    scope = OWN if association is not None else NATIONAL
    cells = {v.pk: latest_by_indicator(results(v, association=association), scope) for v in columns}
    numbers = sorted({n for per_version in cells.values() for n in per_version})
    names = dict(Indicator.objects.filter(number__in=numbers).values_list("number", "name"))
    rows = [
        {
            "number": n,
            "name": names.get(n, ""),
            "cells": [cells[v.pk].get(n) for v in columns],
        }
        for n in numbers
    ]
    return columns, rows
