"""Every write of the indicators app: one transaction each, checked by the core, audited.

A published questionnaire version is frozen: every service that changes a version or its items
asks :func:`finsam.domain.indicators.definitions.check_editable` first and changes nothing when
it says no. Web answers are stored without identity; the one-time link is marked used in the
same transaction, with a conditional update so that two simultaneous submissions of the same
link cannot both succeed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from finsam.audit.models import LogType
from finsam.audit.services import audit_change, audit_record, diff
from finsam.domain.indicators import collection as rounds_core
from finsam.domain.indicators import definitions as core
from finsam.domain.indicators import transfer
from finsam.domain.indicators.answers import CANNOT_JUDGE, parse_answer_file, parse_answers
from finsam.domain.problems import DomainValidationError, Problem, raise_if_errors
from finsam.indicators.models import (
    Answer,
    CollectionRound,
    Indicator,
    Item,
    QuestionnaireVersion,
    Response,
    ResponseToken,
)
from finsam.indicators.selectors import definition_of

STARTER_FILE = Path(__file__).resolve().parent / "data" / "starter.json"


def _frozen(version: QuestionnaireVersion) -> None:
    raise_if_errors(core.check_editable(version.status, label=str(version)))


def _known_indicators() -> set[int]:
    return set(Indicator.objects.values_list("number", flat=True))


# --- indicators ---------------------------------------------------------------------------------


@transaction.atomic
def indicator_save(
    *,
    actor,
    indicator: Indicator | None = None,
    number: int,
    name: str,
    perspective: str,
    description: str = "",
) -> Indicator:
    values = core.IndicatorDef(number, name.strip(), perspective.strip(), description.strip())
    problems = core.validate_indicator(values)
    clash = Indicator.objects.filter(number=number)
    if indicator is not None:
        clash = clash.exclude(pk=indicator.pk)
    if clash.exists():
        problems.append(
            Problem(
                "number",
                "indicators.number_unique",
                f"Indikatornummer: nummer {number} används redan av en annan indikator.",
                number,
            )
        )
    raise_if_errors(problems)
    before = (
        {}
        if indicator is None
        else {
            "number": indicator.number,
            "name": indicator.name,
            "perspective": indicator.perspective,
            "description": indicator.description,
        }
    )
    after = {
        "number": values.number,
        "name": values.name,
        "perspective": values.perspective,
        "description": values.description,
    }
    if indicator is None:
        indicator = Indicator.objects.create(**after)
        action = "indicator_create"
    else:
        for key, value in after.items():
            setattr(indicator, key, value)
        indicator.save()
        action = "indicator_update"
    audit_change(
        actor=actor,
        action=action,
        obj=indicator,
        changes=diff(before, after),
        summary=str(indicator),
    )
    return indicator


# --- questionnaire versions ---------------------------------------------------------------------


def _scale_values(scale: core.Scale) -> dict:
    return {
        "scale_min": scale.minimum,
        "scale_max": scale.maximum,
        "scale_labels": list(scale.labels),
        "top_categories": scale.top_categories,
        "cannot_judge_label": scale.cannot_judge_label,
    }


def _next_version(group: str) -> int:
    latest = QuestionnaireVersion.objects.filter(respondent_group=group).aggregate(m=Max("version"))
    return (latest["m"] or 0) + 1


@transaction.atomic
def questionnaire_create(
    *, actor, respondent_group: str, title: str, scale: core.Scale, note: str = ""
) -> QuestionnaireVersion:
    """A new, empty draft version (the next version number of the group)."""
    draft = core.QuestionnaireDef(
        respondent_group=respondent_group,
        version=_next_version(respondent_group)
        if respondent_group in core.RESPONDENT_GROUPS
        else 1,
        title=title.strip(),
        scale=scale,
        note=note.strip(),
    )
    raise_if_errors(core.validate_questionnaire(draft, _known_indicators()))
    version = QuestionnaireVersion.objects.create(
        respondent_group=draft.respondent_group,
        version=draft.version,
        title=draft.title,
        note=draft.note,
        **_scale_values(scale),
    )
    audit_change(actor=actor, action="questionnaire_create", obj=version, summary=str(version))
    return version


@transaction.atomic
def questionnaire_update(
    *, actor, questionnaire: QuestionnaireVersion, title: str, scale: core.Scale, note: str = ""
) -> QuestionnaireVersion:
    questionnaire = QuestionnaireVersion.objects.select_for_update().get(pk=questionnaire.pk)
    _frozen(questionnaire)
    current = definition_of(questionnaire)
    proposed = replace(current, title=title.strip(), scale=scale, note=note.strip())
    raise_if_errors(core.validate_questionnaire(proposed, _known_indicators()))
    before = {
        "title": questionnaire.title,
        "note": questionnaire.note,
        **_scale_values(current.scale),
    }
    after = {"title": proposed.title, "note": proposed.note, **_scale_values(scale)}
    for key, value in after.items():
        setattr(questionnaire, key, value)
    questionnaire.save()
    audit_change(
        actor=actor,
        action="questionnaire_update",
        obj=questionnaire,
        changes=diff(before, after),
        summary=str(questionnaire),
    )
    return questionnaire


@transaction.atomic
def questionnaire_publish(*, actor, questionnaire: QuestionnaireVersion) -> QuestionnaireVersion:
    questionnaire = QuestionnaireVersion.objects.select_for_update().get(pk=questionnaire.pk)
    _frozen(questionnaire)
    raise_if_errors(core.check_publishable(definition_of(questionnaire), _known_indicators()))
    questionnaire.status = core.PUBLISHED
    questionnaire.published_at = timezone.now()
    questionnaire.save(update_fields=["status", "published_at"])
    audit_change(
        actor=actor,
        action="questionnaire_publish",
        obj=questionnaire,
        changes={"status": [core.DRAFT, core.PUBLISHED]},
        summary=f"{questionnaire}: {questionnaire.items.count()} påståenden",
    )
    return questionnaire


@transaction.atomic
def questionnaire_new_version(*, actor, source: QuestionnaireVersion) -> QuestionnaireVersion:
    """A draft copy of ``source`` with the next version number of its group, ready to reword."""
    draft = QuestionnaireVersion.objects.create(
        respondent_group=source.respondent_group,
        version=_next_version(source.respondent_group),
        title=source.title,
        starter=False,
        note=source.note,
        **_scale_values(source.scale),
    )
    Item.objects.bulk_create(
        Item(
            questionnaire=draft,
            code=i.code,
            position=i.position,
            text=i.text,
            indicator_id=i.indicator_id,
        )
        for i in source.items.all()
    )
    audit_change(
        actor=actor,
        action="questionnaire_new_version",
        obj=draft,
        summary=f"{draft} (kopia av version {source.version})",
    )
    return draft


@transaction.atomic
def questionnaire_delete_draft(*, actor, questionnaire: QuestionnaireVersion) -> None:
    questionnaire = QuestionnaireVersion.objects.select_for_update().get(pk=questionnaire.pk)
    _frozen(questionnaire)
    audit_change(
        actor=actor,
        action="questionnaire_delete_draft",
        obj=questionnaire,
        summary=str(questionnaire),
    )
    questionnaire.delete()


# --- items --------------------------------------------------------------------------------------


@transaction.atomic
def item_save(
    *,
    actor,
    questionnaire: QuestionnaireVersion,
    item: Item | None = None,
    code: str,
    position: int,
    text: str,
    indicator_number: int,
) -> Item:
    """Add or change a statement of a draft version (never of a published one)."""
    questionnaire = QuestionnaireVersion.objects.select_for_update().get(pk=questionnaire.pk)
    _frozen(questionnaire)
    if item is not None and item.questionnaire_id != questionnaire.pk:
        raise DomainValidationError(
            [Problem("", "indicators.item_version", "Påståendet hör inte till den här versionen.")]
        )
    values = core.ItemDef(code.strip(), position, text.strip(), indicator_number)
    problems = core.validate_item(values, _known_indicators())
    others = (
        questionnaire.items.exclude(pk=item.pk) if item is not None else questionnaire.items.all()
    )
    if others.filter(code=values.code).exists():
        problems.append(
            Problem(
                "code",
                "indicators.item_code_unique",
                f"Frågekod: ”{values.code}” används redan i den här versionen.",
                values.code,
            )
        )
    if others.filter(position=values.position).exists():
        problems.append(
            Problem(
                "position",
                "indicators.item_position_unique",
                f"Ordning: nummer {values.position} används redan i den här versionen.",
                values.position,
            )
        )
    raise_if_errors(problems)
    indicator = Indicator.objects.get(number=indicator_number)
    before = (
        {}
        if item is None
        else {
            "code": item.code,
            "position": item.position,
            "text": item.text,
            "indicator": item.indicator.number,
        }
    )
    after = {
        "code": values.code,
        "position": values.position,
        "text": values.text,
        "indicator": indicator_number,
    }
    if item is None:
        item = Item(questionnaire=questionnaire)
    item.code, item.position, item.text, item.indicator = (
        values.code,
        values.position,
        values.text,
        indicator,
    )
    item.save()
    audit_change(
        actor=actor,
        action="item_save",
        obj=item,
        changes=diff(before, after),
        summary=f"{questionnaire}: {item.code}",
    )
    return item


@transaction.atomic
def item_delete(*, actor, item: Item) -> None:
    questionnaire = QuestionnaireVersion.objects.select_for_update().get(pk=item.questionnaire_id)
    _frozen(questionnaire)
    audit_change(
        actor=actor, action="item_delete", obj=item, summary=f"{questionnaire}: {item.code}"
    )
    item.delete()


# --- import -------------------------------------------------------------------------------------


@transaction.atomic
def definitions_import(*, actor, definitions: core.DefinitionSet) -> dict[str, int]:
    """Store a definition set, all or nothing.

    Indicators are matched by number (name, perspective, description updated). A version that
    exists and is published may only be repeated word for word (it is then left as it is); a
    draft is replaced; a new version is created with the file's status. Returns counts.
    """
    problems = transfer.check_set(definitions)
    existing = {
        (v.respondent_group, v.version): v for v in QuestionnaireVersion.objects.select_for_update()
    }
    for q in definitions.questionnaires:
        current = existing.get(q.key)
        if current is not None:
            problems += core.published_differences(definition_of(current), q)
    known = _known_indicators() | {i.number for i in definitions.indicators}
    for q in definitions.questionnaires:
        for item in q.items:
            if item.indicator not in known:
                problems.append(
                    Problem(
                        "indicator",
                        "indicators.item_indicator",
                        f"Indikator: indikator {item.indicator} finns inte.",
                        item.indicator,
                    )
                )
    raise_if_errors(problems)
    counts = {"indikatorer": 0, "nya versioner": 0, "ersatta utkast": 0, "oförändrade": 0}
    for ind in definitions.indicators:
        obj = Indicator.objects.filter(number=ind.number).first()
        values = {
            "name": ind.name,
            "perspective": ind.perspective,
            # CSV carries no description: an empty one keeps what is stored
            "description": ind.description or (obj.description if obj else ""),
        }
        if obj is None or any(getattr(obj, k) != v for k, v in values.items()):
            indicator_save(actor=actor, indicator=obj, number=ind.number, **values)
            counts["indikatorer"] += 1
    indicators = dict(Indicator.objects.values_list("number", "pk"))
    for q in definitions.questionnaires:
        current = existing.get(q.key)
        if current is not None and current.is_published:
            counts["oförändrade"] += 1
            continue
        if current is not None:
            current.items.all().delete()
            version = current
            for key, value in {
                "title": q.title,
                "note": q.note,
                "starter": q.starter,
                **_scale_values(q.scale),
            }.items():
                setattr(version, key, value)
            counts["ersatta utkast"] += 1
        else:
            version = QuestionnaireVersion(
                respondent_group=q.respondent_group,
                version=q.version,
                title=q.title,
                note=q.note,
                starter=q.starter,
                **_scale_values(q.scale),
            )
            counts["nya versioner"] += 1
        version.status = q.status
        version.published_at = timezone.now() if q.status == core.PUBLISHED else None
        version.save()
        Item.objects.bulk_create(
            Item(
                questionnaire=version,
                code=i.code,
                position=i.position,
                text=i.text,
                indicator_id=indicators[i.indicator],
            )
            for i in q.items
        )
        audit_change(
            actor=actor,
            action="questionnaire_import",
            obj=version,
            summary=f"{version}: {len(q.items)} påståenden, {q.status}",
        )
    return counts


def starter_load(*, actor) -> dict[str, int]:
    """Load Finsam's starter set (idempotent: published versions already there stay)."""
    definitions = transfer.parse_json(STARTER_FILE.read_text(encoding="utf-8"))
    return definitions_import(actor=actor, definitions=definitions)


# --- collection ---------------------------------------------------------------------------------


@transaction.atomic
def round_open(
    *,
    actor,
    association,
    questionnaire: QuestionnaireVersion,
    period_start: date,
    period_end: date,
    intervention=None,
    name: str = "",
) -> CollectionRound:
    problems = rounds_core.validate_round(
        period_start=period_start,
        period_end=period_end,
        questionnaire_status=questionnaire.status,
        intervention_in_association=intervention is None
        or intervention.association_id == association.pk,
    )
    raise_if_errors(problems)
    collection_round = CollectionRound.objects.create(
        association=association,
        intervention=intervention,
        questionnaire=questionnaire,
        period_start=period_start,
        period_end=period_end,
        name=name.strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_change(
        actor=actor,
        action="indicator_round_open",
        obj=collection_round,
        association_id=association.pk,
        summary=f"{collection_round} ({questionnaire})",
    )
    return collection_round


@transaction.atomic
def round_close(*, actor, collection_round: CollectionRound) -> CollectionRound:
    collection_round = CollectionRound.objects.select_for_update().get(pk=collection_round.pk)
    raise_if_errors(rounds_core.check_round_open(collection_round.closed))
    collection_round.closed = True
    collection_round.save(update_fields=["closed"])
    audit_change(
        actor=actor,
        action="indicator_round_close",
        obj=collection_round,
        association_id=collection_round.association_id,
        changes={"closed": [False, True]},
        summary=str(collection_round),
    )
    return collection_round


@transaction.atomic
def tokens_generate(
    *, actor, collection_round: CollectionRound, count: int, today: date | None = None
) -> list[str]:
    """``count`` new one-time links; returns the tokens (only their hashes are stored)."""
    collection_round = CollectionRound.objects.select_for_update().get(pk=collection_round.pk)
    raise_if_errors(
        rounds_core.check_round_open(collection_round.closed)
        + rounds_core.validate_token_count(count)
    )
    today = today or timezone.localdate()
    tokens = [rounds_core.new_token() for _ in range(count)]
    ResponseToken.objects.bulk_create(
        ResponseToken(
            round=collection_round, token_hash=rounds_core.hash_token(t), created_on=today
        )
        for t in tokens
    )
    audit_change(
        actor=actor,
        action="indicator_tokens_generate",
        obj=collection_round,
        association_id=collection_round.association_id,
        summary=f"{count} engångslänkar till {collection_round}",
    )
    return tokens


def _items_by_code(collection_round: CollectionRound) -> dict[str, Item]:
    return {i.code: i for i in collection_round.questionnaire.items.all()}


def _answer_rows(response: Response, items: dict[str, Item], answers: dict) -> Iterator[Answer]:
    """The stored rows of one respondent's clean answers ("kan inte bedöma" has no value)."""
    for code, value in answers.items():
        yield Answer(
            response=response,
            item=items[code],
            value=None if value == CANNOT_JUDGE else value,
            cannot_judge=value == CANNOT_JUDGE,
        )


def _store_answers(collection_round: CollectionRound, answers: dict, *, channel: str, today: date):
    response = Response.objects.create(round=collection_round, submitted_on=today, channel=channel)
    Answer.objects.bulk_create(_answer_rows(response, _items_by_code(collection_round), answers))
    return response


class TokenUnusable(Exception):
    """The link is unknown, already used, or its round is closed (``reason``)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def token_round(token: str) -> CollectionRound:
    """The round a usable link belongs to, or :class:`TokenUnusable`."""
    if not rounds_core.looks_like_token(token):
        raise TokenUnusable("unknown")
    row = (
        ResponseToken.objects.select_related("round__questionnaire", "round__association")
        .filter(token_hash=rounds_core.hash_token(token))
        .first()
    )
    if row is None:
        raise TokenUnusable("unknown")
    if row.used:
        raise TokenUnusable("used")
    if row.round.closed:
        raise TokenUnusable("closed")
    return row.round


def response_submit(*, token: str, raw_answers: dict, today: date | None = None) -> Response:
    """A participant's answers through a one-time link: checked, stored without identity, and
    the link consumed – all or nothing. Raises :class:`TokenUnusable` or
    :class:`DomainValidationError`."""
    today = today or timezone.localdate()
    with transaction.atomic():
        collection_round = token_round(token)
        answers, problems = parse_answers(
            definition_of(collection_round.questionnaire), raw_answers
        )
        raise_if_errors(problems)
        consumed = ResponseToken.objects.filter(
            token_hash=rounds_core.hash_token(token), used=False
        ).update(used=True)
        if consumed != 1:
            raise TokenUnusable("used")
        response = _store_answers(
            collection_round, answers, channel=Response.Channel.WEB, today=today
        )
        audit_record(
            actor=None,
            log_type=LogType.CHANGE,
            action="indicator_response_web",
            obj=response,
            association_id=collection_round.association_id,
            summary=f"Webbsvar till {collection_round} ({len(answers)} påståenden)",
        )
    return response


@transaction.atomic
def response_enter_paper(
    *, actor, collection_round: CollectionRound, raw_answers: dict, today: date | None = None
) -> Response:
    """A questionnaire answered on paper, typed in by staff (the respondent stays anonymous)."""
    collection_round = CollectionRound.objects.select_for_update().get(pk=collection_round.pk)
    problems = rounds_core.check_round_open(collection_round.closed)
    answers, answer_problems = parse_answers(
        definition_of(collection_round.questionnaire), raw_answers
    )
    raise_if_errors(problems + answer_problems)
    response = _store_answers(
        collection_round,
        answers,
        channel=Response.Channel.PAPER,
        today=today or timezone.localdate(),
    )
    audit_change(
        actor=actor,
        action="indicator_response_paper",
        obj=response,
        association_id=collection_round.association_id,
        summary=f"Pappersenkät till {collection_round} ({len(answers)} påståenden)",
    )
    return response


@transaction.atomic
def responses_import(
    *, actor, collection_round: CollectionRound, text: str | bytes, today: date | None = None
) -> int:
    """Many answered questionnaires from a CSV or xlsx file's contents (one row each, one column
    per statement code), e.g. paper forms typed into a spreadsheet or earlier years' results.
    All or nothing; returns the number of questionnaires stored."""
    collection_round = CollectionRound.objects.select_for_update().get(pk=collection_round.pk)
    raise_if_errors(rounds_core.check_round_open(collection_round.closed))
    rows = parse_answer_file(definition_of(collection_round.questionnaire), text)
    today = today or timezone.localdate()
    items = _items_by_code(collection_round)
    responses = Response.objects.bulk_create(
        Response(round=collection_round, submitted_on=today, channel=Response.Channel.FILE)
        for _ in rows
    )
    Answer.objects.bulk_create(
        (
            row
            for response, answers in zip(responses, rows, strict=True)
            for row in _answer_rows(response, items, answers)
        ),
        batch_size=2000,
    )
    audit_change(
        actor=actor,
        action="indicator_responses_import",
        obj=collection_round,
        association_id=collection_round.association_id,
        summary=f"{len(rows)} enkätsvar importerade till {collection_round}",
    )
    return len(rows)
