"""One respondent's answers to one questionnaire version, checked against its scale.

Raw answers come from the web form, paper entry or the demo as text per item code: ``""`` (not
answered), ``"kb"`` ("kan inte bedöma") or a point on the scale. :func:`parse_answers` returns
the clean answers (:data:`CANNOT_JUDGE` or an ``int``; unanswered items are left out) and the
problems, naming the statement.
"""

from __future__ import annotations

from collections.abc import Mapping

from finsam.domain import tabular
from finsam.domain.indicators.definitions import QuestionnaireDef
from finsam.domain.problems import DomainValidationError, Problem

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


MAX_IMPORT_ROWS = 20_000


def parse_answer_file(
    questionnaire: QuestionnaireDef, source: str | bytes
) -> list[dict[str, Answer]]:
    """Many respondents' answers from a file's contents (CSV text or bytes, or an xlsx file, read
    by :mod:`finsam.domain.tabular`): one row per questionnaire, one column per statement code
    (``1``–``max``, ``kb`` or empty). All rows are checked and every problem is reported with
    the line a spreadsheet shows (header = line 1); nothing is returned unless all are valid
    (:class:`DomainValidationError`)."""
    header, records, problems = tabular.read_content(source)
    if problems:
        raise DomainValidationError(problems)
    codes = {i.code for i in questionnaire.items}
    unknown = [h for h in header if h not in codes]
    if unknown:
        problems.append(
            Problem(
                "header",
                "indicators.answers_unknown_column",
                f"Rubrikraden: {', '.join(unknown)} är inte frågekoder i enkätversionen "
                f"(giltiga: {', '.join(sorted(codes))}).",
                unknown,
            )
        )
    if len(set(header)) != len(header):
        problems.append(
            Problem(
                "header", "indicators.answers_duplicate_column", "Rubrikraden: en kolumn upprepas."
            )
        )
    body = [(n, r) for n, r in tabular.data_rows(records) if any(v.strip() for v in r)]
    if not body and not problems:
        problems.append(
            Problem("file", "indicators.answers_no_rows", "Filen innehåller inga svar.")
        )
    if len(body) > MAX_IMPORT_ROWS:
        problems.append(
            Problem(
                "file",
                "indicators.answers_too_many",
                f"Filen har {len(body)} rader; högst {MAX_IMPORT_ROWS} per import.",
            )
        )
    if problems:
        raise DomainValidationError(problems)
    parsed = []
    for number, record in body:
        if len(record) > len(header):
            problems.append(
                Problem(
                    "",
                    "indicators.answers_row_length",
                    f"Rad {number}: fler värden ({len(record)}) än kolumner ({len(header)}).",
                    None,
                    number,
                )
            )
            continue
        raw = {h: (record[i] if i < len(record) else "") for i, h in enumerate(header)}
        answers, row_problems = parse_answers(questionnaire, raw)
        problems += [
            Problem(p.field, p.rule, f"Rad {number}: {p.message}", p.value, number)
            for p in row_problems
        ]
        parsed.append(answers)
    if problems:
        raise DomainValidationError(problems)
    return parsed
