"""One respondent's answers to one questionnaire version, checked against its scale.

Raw answers come from the web form, paper entry or the demo as text per item code: ``""`` (not
answered), ``"kb"`` ("kan inte bedöma") or a point on the scale. :func:`parse_answers` returns
the clean answers (:data:`CANNOT_JUDGE` or an ``int``; unanswered items are left out) and the
problems, naming the statement.
"""

from __future__ import annotations

from collections.abc import Mapping

from finsam.domain.indicators.definitions import QuestionnaireDef
from finsam.domain.problems import Problem

CANNOT_JUDGE = "kb"
"""The stored and posted value of "kan inte bedöma"."""

Answer = int | str
"""A point on the scale, or :data:`CANNOT_JUDGE`."""


def parse_answers(
    questionnaire: QuestionnaireDef, raw: Mapping[str, object]
) -> tuple[dict[str, Answer], list[Problem]]:
    """Check ``raw`` (item code → posted value). Unknown item codes are an error, unanswered
    items are fine, but at least one statement must be answered."""
    scale = questionnaire.scale
    items = {i.code: i for i in questionnaire.items}
    answers: dict[str, Answer] = {}
    problems: list[Problem] = []
    for code in raw:
        if code not in items:
            problems.append(
                Problem(
                    code,
                    "indicators.answer_unknown_item",
                    f"Frågan ”{code}” finns inte i enkäten.",
                    code,
                )
            )
    for item in sorted(questionnaire.items, key=lambda i: i.position):
        value = raw.get(item.code)
        text = "" if value is None else str(value).strip()
        if text == "":
            continue
        if text.lower() == CANNOT_JUDGE:
            answers[item.code] = CANNOT_JUDGE
            continue
        try:
            point = int(text)
        except ValueError:
            point = None
        if point is None or not scale.minimum <= point <= scale.maximum:
            problems.append(
                Problem(
                    item.code,
                    "indicators.answer_scale",
                    f"Påstående {item.position} (”{_short(item.text)}”): välj ett av "
                    f"svarsalternativen {scale.minimum}–{scale.maximum} eller "
                    f"”{scale.cannot_judge_label}”.",
                    text,
                )
            )
            continue
        answers[item.code] = point
    if not answers and not problems:
        problems.append(
            Problem(
                "",
                "indicators.answer_empty",
                "Svara på minst ett påstående innan du skickar in enkäten.",
            )
        )
    return answers, problems


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
