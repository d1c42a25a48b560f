"""Questionnaire definitions as plain data, and the rules every definition must follow.

An :class:`IndicatorDef` is one core indicator (number, name, perspective). A
:class:`QuestionnaireDef` is one *version* of the questionnaire for one respondent group: its
response scale and its items (statements), each mapped to an indicator. A published version is
frozen: its items never change (:func:`check_editable`, :func:`published_differences`); a new
wording is a new version, and results only ever compare answers to the same version's items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from finsam.domain import inputs
from finsam.domain.access import gettext_noop
from finsam.domain.problems import Problem

RESPONDENT_GROUPS: dict[str, str] = {
    "participant_during": gettext_noop("Deltagare under insatsen"),
    "participant_exit": gettext_noop("Deltagare vid avslut"),
    "staff": gettext_noop("Personal i insatsen"),
    "board": gettext_noop("Styrelseledamöter"),
    "manager": gettext_noop("Chefer i samverkande organisationer"),
    "referrer": gettext_noop("Remittenter"),
}
"""Respondent group code → Swedish label (the order is the order shown)."""

PARTICIPANT_GROUPS = frozenset({"participant_during", "participant_exit"})

DRAFT, PUBLISHED = "draft", "published"
STATUSES = {DRAFT: gettext_noop("Utkast"), PUBLISHED: gettext_noop("Publicerad")}

CANNOT_JUDGE_LABEL = "Kan inte bedöma"
MIN_POINTS, MAX_POINTS = 2, 11
MAX_TEXT = 500
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")


@dataclass(frozen=True, slots=True)
class Scale:
    """An integer response scale ``minimum..maximum`` with one label per point, plus the
    "kan inte bedöma" option (never a point on the scale, never part of a mean)."""

    minimum: int
    maximum: int
    labels: tuple[str, ...]
    top_categories: int
    """How many of the highest points count as "the top categories" (e.g. 2 → 5 and 6 on 1–6)."""
    cannot_judge_label: str = CANNOT_JUDGE_LABEL

    @property
    def points(self) -> tuple[int, ...]:
        return tuple(range(self.minimum, self.maximum + 1))

    @property
    def top_threshold(self) -> int:
        """The lowest point that is in the top categories."""
        return self.maximum - self.top_categories + 1

    def label_of(self, point: int) -> str:
        return self.labels[point - self.minimum]


@dataclass(frozen=True, slots=True)
class IndicatorDef:
    number: int
    name: str
    perspective: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class ItemDef:
    code: str
    """Stable key of the statement inside its version (e.g. ``D1``)."""
    position: int
    text: str
    indicator: int
    """The indicator number the statement measures."""


@dataclass(frozen=True, slots=True)
class QuestionnaireDef:
    respondent_group: str
    version: int
    title: str
    scale: Scale
    items: tuple[ItemDef, ...] = ()
    status: str = DRAFT
    starter: bool = False
    """Part of Finsam's starter set (to be replaced by NNS's official wording)."""
    note: str = ""

    @property
    def key(self) -> tuple[str, int]:
        return (self.respondent_group, self.version)

    def content(self) -> tuple:
        """What may never change once the version is published: title, scale and items."""
        return (
            self.title,
            self.scale,
            tuple(sorted((i.code, i.position, i.text, i.indicator) for i in self.items)),
        )


@dataclass(frozen=True, slots=True)
class DefinitionSet:
    indicators: tuple[IndicatorDef, ...] = ()
    questionnaires: tuple[QuestionnaireDef, ...] = ()
    starter: bool = False
    note: str = ""


@dataclass(slots=True)
class _Collector:
    problems: list[Problem] = field(default_factory=list)

    def add(self, field_name, rule, message, value=None, row=None):
        self.problems.append(Problem(field_name, rule, message, value, row))


def _no_control(c: _Collector, field_name: str, label: str, text: str, row) -> None:
    """No control or invisible formatting characters (``finsam.domain.inputs``)."""
    problem = inputs.check_name(field_name, label, text or "")
    if problem is not None:
        c.add(problem.field, problem.rule, problem.message, problem.value, row)


def group_label(code: str) -> str:
    return RESPONDENT_GROUPS.get(code, code)


def validate_scale(scale: Scale, *, row: int | None = None) -> list[Problem]:
    c = _Collector()
    points = scale.maximum - scale.minimum + 1
    if not MIN_POINTS <= points <= MAX_POINTS:
        c.add(
            "scale",
            "indicators.scale_points",
            f"Svarsskala: skalan måste ha {MIN_POINTS}–{MAX_POINTS} steg "
            f"(nu {scale.minimum}–{scale.maximum}).",
            (scale.minimum, scale.maximum),
            row,
        )
        return c.problems
    if len(scale.labels) != points:
        c.add(
            "scale_labels",
            "indicators.scale_labels",
            f"Skalans etiketter: ange en etikett per steg, {points} stycken (nu "
            f"{len(scale.labels)}).",
            len(scale.labels),
            row,
        )
    elif any(not label.strip() for label in scale.labels):
        c.add(
            "scale_labels",
            "indicators.scale_label_empty",
            "Skalans etiketter: ingen etikett får vara tom.",
            None,
            row,
        )
    if not 1 <= scale.top_categories < points:
        c.add(
            "top_categories",
            "indicators.top_categories",
            f"Antal toppkategorier: ange 1–{points - 1} (nu {scale.top_categories}).",
            scale.top_categories,
            row,
        )
    if not scale.cannot_judge_label.strip():
        c.add(
            "cannot_judge_label",
            "indicators.cannot_judge_label",
            "Svarsalternativet för ”kan inte bedöma” måste ha en text.",
            None,
            row,
        )
    return c.problems


def validate_indicator(ind: IndicatorDef, *, row: int | None = None) -> list[Problem]:
    c = _Collector()
    if not 1 <= ind.number <= 999:
        c.add(
            "number",
            "indicators.number",
            f"Indikatornummer: ange ett heltal 1–999 (nu {ind.number}).",
            ind.number,
            row,
        )
    if not ind.name.strip():
        c.add("name", "indicators.name", "Indikatorns namn måste anges.", None, row)
    elif len(ind.name) > 200:
        c.add("name", "indicators.name_length", "Indikatorns namn: högst 200 tecken.", None, row)
    _no_control(c, "name", "Indikatorns namn", ind.name, row)
    if not ind.perspective.strip():
        c.add("perspective", "indicators.perspective", "Perspektiv måste anges.", None, row)
    elif len(ind.perspective) > 100:
        c.add(
            "perspective",
            "indicators.perspective_length",
            "Perspektiv: högst 100 tecken.",
            None,
            row,
        )
    return c.problems


def validate_item(item: ItemDef, known_indicators: set[int], *, row=None) -> list[Problem]:
    c = _Collector()
    if not CODE_PATTERN.match(item.code or ""):
        c.add(
            "code",
            "indicators.item_code",
            f"Frågekod: 1–20 tecken, bokstäver a–z, siffror, punkt, bindestreck eller understreck "
            f"(nu ”{item.code}”).",
            item.code,
            row,
        )
    if not 1 <= item.position <= 999:
        c.add(
            "position",
            "indicators.item_position",
            f"Ordning: ange ett heltal 1–999 (nu {item.position}).",
            item.position,
            row,
        )
    if not item.text.strip():
        c.add("text", "indicators.item_text", "Påståendets text måste anges.", None, row)
    elif len(item.text) > MAX_TEXT:
        c.add(
            "text",
            "indicators.item_text_length",
            f"Påståendets text: högst {MAX_TEXT} tecken (nu {len(item.text)}).",
            None,
            row,
        )
    _no_control(c, "text", "Påståendets text", item.text, row)
    if item.indicator not in known_indicators:
        c.add(
            "indicator",
            "indicators.item_indicator",
            f"Indikator: indikator {item.indicator} finns inte; lägg till den först.",
            item.indicator,
            row,
        )
    return c.problems


def validate_questionnaire(
    q: QuestionnaireDef, known_indicators: set[int], *, row: int | None = None
) -> list[Problem]:
    """Every problem of one questionnaire version (group, version, title, scale, items)."""
    c = _Collector()
    if q.respondent_group not in RESPONDENT_GROUPS:
        c.add(
            "respondent_group",
            "indicators.respondent_group",
            f"Svarandegrupp: ”{q.respondent_group}” finns inte; välj en av "
            f"{', '.join(RESPONDENT_GROUPS)}.",
            q.respondent_group,
            row,
        )
    if not 1 <= q.version <= 999:
        c.add(
            "version",
            "indicators.version",
            f"Version: ange ett heltal 1–999 (nu {q.version}).",
            q.version,
            row,
        )
    if not q.title.strip():
        c.add("title", "indicators.title", "Enkätens rubrik måste anges.", None, row)
    elif len(q.title) > 200:
        c.add("title", "indicators.title_length", "Enkätens rubrik: högst 200 tecken.", None, row)
    _no_control(c, "title", "Enkätens rubrik", q.title, row)
    if q.status not in STATUSES:
        c.add(
            "status",
            "indicators.status",
            f"Status: ange {DRAFT} eller {PUBLISHED} (nu ”{q.status}”).",
            q.status,
            row,
        )
    c.problems += validate_scale(q.scale, row=row)
    seen_codes: set[str] = set()
    seen_positions: set[int] = set()
    for item in q.items:
        c.problems += validate_item(item, known_indicators, row=row)
        if item.code in seen_codes:
            c.add(
                "code",
                "indicators.item_code_unique",
                f"Frågekod: ”{item.code}” förekommer två gånger i samma version.",
                item.code,
                row,
            )
        if item.position in seen_positions:
            c.add(
                "position",
                "indicators.item_position_unique",
                f"Ordning: nummer {item.position} förekommer två gånger i samma version.",
                item.position,
                row,
            )
        seen_codes.add(item.code)
        seen_positions.add(item.position)
    if q.status == PUBLISHED and not q.items:
        c.add(
            "items",
            "indicators.publish_empty",
            "En version utan påståenden kan inte publiceras; lägg till minst ett påstående.",
            None,
            row,
        )
    return c.problems


def check_editable(status: str, *, label: str = "Versionen") -> list[Problem]:
    """A published version is frozen: its title, scale and items never change."""
    if status == PUBLISHED:
        return [
            Problem(
                "",
                "indicators.published_frozen",
                f"{label} är publicerad och kan inte ändras. En ny formulering blir en ny "
                "version: skapa en ny version och ändra i den.",
            )
        ]
    return []


def check_publishable(q: QuestionnaireDef, known_indicators: set[int]) -> list[Problem]:
    """Problems that stop a draft from being published."""
    return validate_questionnaire(
        QuestionnaireDef(
            respondent_group=q.respondent_group,
            version=q.version,
            title=q.title,
            scale=q.scale,
            items=q.items,
            status=PUBLISHED,
        ),
        known_indicators,
    )


def published_differences(existing: QuestionnaireDef, incoming: QuestionnaireDef) -> list[Problem]:
    """An import may repeat a published version only word for word (it is then left as it is)."""
    if existing.status != PUBLISHED or existing.content() == incoming.content():
        return []
    return [
        Problem(
            "version",
            "indicators.published_changed",
            f"{group_label(existing.respondent_group)} version {existing.version} är publicerad "
            "och filen ändrar den. Publicerade versioner ändras aldrig: ge den nya formuleringen "
            "ett nytt versionsnummer.",
            existing.version,
        )
    ]
