"""The association's own extra questions and the answers to them."""

from __future__ import annotations

from django.db import transaction

from finsam.audit.services import audit_change
from finsam.domain import registration as rules
from finsam.domain.problems import Problem, raise_if_errors
from finsam.registry.models import (
    Association,
    Episode,
    ExtraAnswer,
    ExtraQuestion,
    FollowUp,
)


def extra_answers_save(
    *, episode: Episode, answers: dict[int, object], followup: FollowUp | None = None
) -> None:
    """Validate and store answers (question id → value) for an episode, in the caller's
    transaction. Unknown questions and invalid answers raise; empty answers delete."""
    questions = {
        q.pk: q
        for q in ExtraQuestion.objects.filter(
            pk__in=list(answers), association_id=episode.intervention.association_id
        )
    }
    problems: list[Problem] = []
    for qid, value in answers.items():
        question = questions.get(qid)
        if question is None:
            problems.append(
                Problem(f"q_{qid}", "extra.unknown", "Frågan hör inte till insatsens förbund.")
            )
            continue
        problems += rules.validate_extra_answer(
            field_name=f"q_{qid}",
            question=question.text,
            answer_type=question.answer_type,
            choices=question.choices,
            value=value,
        )
    raise_if_errors(problems)
    for qid, value in answers.items():
        if value in (None, "", []):
            ExtraAnswer.objects.filter(question_id=qid, episode=episode, followup=followup).delete()
        else:
            ExtraAnswer.objects.update_or_create(
                question_id=qid, episode=episode, followup=followup, defaults={"value": value}
            )


@transaction.atomic
def extra_question_add(
    *, actor, association: Association, choices: list[str] | None = None, **values
) -> ExtraQuestion:
    """Add one of the association's own questions (``values``: text, answer_type, phase, order,
    valid_from, valid_to; ``choices`` for questions with choices) and its audit row."""
    question = ExtraQuestion.objects.create(
        association=association, choices=choices or [], **values
    )
    audit_change(
        actor=actor,
        action="extra_question_add",
        obj=question,
        association_id=association.pk,
        summary=question.text,
    )
    return question
