"""Questionnaire definitions in and out as JSON and CSV (all-or-nothing).

JSON (``format: finsam-indicators``, ``format_version: 1``)::

    {"format": "finsam-indicators", "format_version": 1, "starter": false, "note": "",
     "indicators": [{"number": 1, "name": "…", "perspective": "…", "description": ""}],
     "questionnaires": [{"respondent_group": "participant_during", "version": 1, "title": "…",
        "status": "published", "starter": false, "note": "",
        "scale": {"minimum": 1, "maximum": 6, "labels": ["…", …], "top_categories": 2,
                  "cannot_judge_label": "Kan inte bedöma"},
        "items": [{"code": "D1", "position": 1, "text": "…", "indicator": 1}]}]}

CSV: one row per statement, the questionnaire's and the indicator's columns repeated on every
row of that version (:data:`CSV_COLUMNS`); scale labels are separated by ``|``. Rows of one
version must agree on the version's columns and rows of one indicator on its name and
perspective. A version without statements can only travel as JSON.

:func:`parse_json` and :func:`parse_csv` return a :class:`DefinitionSet` or raise
:class:`DomainValidationError` with every problem (row numbers for CSV); they never write.
"""

from __future__ import annotations

import builtins
import io
import json
from collections.abc import Iterable
from dataclasses import replace

from finsam.domain import safe_cells, tabular
from finsam.domain.indicators.definitions import (
    CANNOT_JUDGE_LABEL,
    DRAFT,
    DefinitionSet,
    IndicatorDef,
    ItemDef,
    QuestionnaireDef,
    Scale,
    validate_indicator,
    validate_questionnaire,
)
from finsam.domain.problems import DomainValidationError, Problem, raise_if_errors

FORMAT = "finsam-indicators"
FORMAT_VERSION = 1
LABEL_SEPARATOR = "|"

CSV_COLUMNS = (
    "respondent_group",
    "version",
    "title",
    "status",
    "starter",
    "scale_min",
    "scale_max",
    "scale_labels",
    "top_categories",
    "cannot_judge_label",
    "item_code",
    "position",
    "text",
    "indicator_number",
    "indicator_name",
    "perspective",
)
_CSV_OPTIONAL = ("status", "starter", "cannot_judge_label")


def check_set(definitions: DefinitionSet) -> list[Problem]:
    """Every problem of a whole definition set: indicators, versions, duplicates."""
    problems: list[Problem] = []
    numbers: set[int] = set()
    for ind in definitions.indicators:
        problems += validate_indicator(ind)
        if ind.number in numbers:
            problems.append(
                Problem(
                    "number",
                    "indicators.number_unique",
                    f"Indikatornummer {ind.number} förekommer två gånger.",
                    ind.number,
                )
            )
        numbers.add(ind.number)
    keys: set[tuple[str, int]] = set()
    for q in definitions.questionnaires:
        problems += [
            replace(p, message=f"{q.respondent_group} version {q.version}: {p.message}")
            for p in validate_questionnaire(q, numbers)
        ]
        if q.key in keys:
            problems.append(
                Problem(
                    "version",
                    "indicators.version_unique",
                    f"Svarandegrupp {q.respondent_group} version {q.version} förekommer två "
                    "gånger.",
                    q.version,
                )
            )
        keys.add(q.key)
    return problems


# --- JSON ---------------------------------------------------------------------------------------


def to_json_data(definitions: DefinitionSet) -> dict:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "starter": definitions.starter,
        "note": definitions.note,
        "indicators": [
            {
                "number": i.number,
                "name": i.name,
                "perspective": i.perspective,
                "description": i.description,
            }
            for i in sorted(definitions.indicators, key=lambda i: i.number)
        ],
        "questionnaires": [
            {
                "respondent_group": q.respondent_group,
                "version": q.version,
                "title": q.title,
                "status": q.status,
                "starter": q.starter,
                "note": q.note,
                "scale": {
                    "minimum": q.scale.minimum,
                    "maximum": q.scale.maximum,
                    "labels": list(q.scale.labels),
                    "top_categories": q.scale.top_categories,
                    "cannot_judge_label": q.scale.cannot_judge_label,
                },
                "items": [
                    {
                        "code": i.code,
                        "position": i.position,
                        "text": i.text,
                        "indicator": i.indicator,
                    }
                    for i in sorted(q.items, key=lambda i: i.position)
                ],
            }
            for q in definitions.questionnaires
        ],
    }


def to_json(definitions: DefinitionSet) -> str:
    return json.dumps(to_json_data(definitions), ensure_ascii=False, indent=2) + "\n"


class _Reader:
    """Typed access to a parsed JSON object, collecting a problem per bad value."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems

    def bad(self, where: str, rule: str, message: str, value=None) -> None:
        self.problems.append(Problem(where, rule, message, value))

    def obj(self, value, where: str) -> dict:
        if isinstance(value, dict):
            return value
        self.bad(where, "indicators.json_object", f"{where}: ska vara ett objekt {{…}}.")
        return {}

    def list(self, value, where: str) -> list:
        if isinstance(value, list):
            return value
        self.bad(where, "indicators.json_list", f"{where}: ska vara en lista […].")
        return []

    def int(self, data: dict, key: str, where: str, default=None) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.bad(
                f"{where}.{key}",
                "indicators.json_int",
                f"{where}: fältet ”{key}” ska vara ett heltal (nu {value!r}).",
                value,
            )
            return 0
        return value

    def str(self, data: dict, key: str, where: str, default=None) -> str:
        value = data.get(key, default)
        if not isinstance(value, str):
            self.bad(
                f"{where}.{key}",
                "indicators.json_text",
                f"{where}: fältet ”{key}” ska vara en text (nu {value!r}).",
                value,
            )
            return ""
        return value.strip()

    def bool(self, data: dict, key: builtins.str, where: builtins.str) -> builtins.bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.bad(
                f"{where}.{key}",
                "indicators.json_bool",
                f"{where}: fältet ”{key}” ska vara true eller false (nu {value!r}).",
                value,
            )
            return False
        return value


def parse_json(text: str) -> DefinitionSet:
    """A definition set from JSON text, or :class:`DomainValidationError` with every problem."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise DomainValidationError(
            [
                Problem(
                    "file",
                    "indicators.json_syntax",
                    f"Filen är inte giltig JSON ({getattr(exc, 'msg', 'för djupt nästlad')}, "
                    f"rad {getattr(exc, 'lineno', '?')}).",
                )
            ]
        ) from None
    problems: list[Problem] = []
    r = _Reader(problems)
    root = r.obj(data, "filen")
    if root and root.get("format") != FORMAT:
        r.bad("format", "indicators.json_format", f"Filen: fältet ”format” ska vara ”{FORMAT}”.")
    if root and root.get("format_version") != FORMAT_VERSION:
        r.bad(
            "format_version",
            "indicators.json_format_version",
            f"Filen: formatversion {root.get('format_version')!r} stöds inte (bara "
            f"{FORMAT_VERSION}).",
        )
    raise_if_errors(problems)
    indicators = []
    for n, raw in enumerate(r.list(root.get("indicators", []), "indicators"), start=1):
        where = f"Indikator nr {n}"
        obj = r.obj(raw, where)
        indicators.append(
            IndicatorDef(
                number=r.int(obj, "number", where),
                name=r.str(obj, "name", where),
                perspective=r.str(obj, "perspective", where),
                description=r.str(obj, "description", where, ""),
            )
        )
    questionnaires = []
    for n, raw in enumerate(r.list(root.get("questionnaires", []), "questionnaires"), start=1):
        where = f"Enkät nr {n}"
        obj = r.obj(raw, where)
        scale_obj = r.obj(obj.get("scale"), f"{where}, scale")
        labels = r.list(scale_obj.get("labels", []), f"{where}, scale.labels")
        if not all(isinstance(label, str) for label in labels):
            r.bad(
                "scale_labels", "indicators.json_text", f"{where}: skalans etiketter ska vara text."
            )
            labels = []
        items = []
        for m, raw_item in enumerate(r.list(obj.get("items", []), f"{where}, items"), start=1):
            iw = f"{where}, påstående nr {m}"
            item_obj = r.obj(raw_item, iw)
            items.append(
                ItemDef(
                    code=r.str(item_obj, "code", iw),
                    position=r.int(item_obj, "position", iw),
                    text=r.str(item_obj, "text", iw),
                    indicator=r.int(item_obj, "indicator", iw),
                )
            )
        questionnaires.append(
            QuestionnaireDef(
                respondent_group=r.str(obj, "respondent_group", where),
                version=r.int(obj, "version", where),
                title=r.str(obj, "title", where),
                status=r.str(obj, "status", where, DRAFT),
                starter=r.bool(obj, "starter", where),
                note=r.str(obj, "note", where, ""),
                scale=Scale(
                    minimum=r.int(scale_obj, "minimum", f"{where}, scale"),
                    maximum=r.int(scale_obj, "maximum", f"{where}, scale"),
                    labels=tuple(label.strip() for label in labels),
                    top_categories=r.int(scale_obj, "top_categories", f"{where}, scale"),
                    cannot_judge_label=r.str(
                        scale_obj, "cannot_judge_label", f"{where}, scale", CANNOT_JUDGE_LABEL
                    ),
                ),
                items=tuple(items),
            )
        )
    raise_if_errors(problems)
    definitions = DefinitionSet(
        indicators=tuple(indicators),
        questionnaires=tuple(questionnaires),
        starter=r.bool(root, "starter", "filen"),
        note=r.str(root, "note", "filen", ""),
    )
    raise_if_errors(problems + check_set(definitions))
    return definitions


# --- CSV ----------------------------------------------------------------------------------------


def csv_rows(definitions: DefinitionSet) -> list[list[str]]:
    """The CSV body (without header): one row per statement."""
    names = {i.number: i for i in definitions.indicators}
    rows = []
    for q in definitions.questionnaires:
        for item in sorted(q.items, key=lambda i: i.position):
            ind = names.get(item.indicator)
            rows.append(
                [
                    q.respondent_group,
                    str(q.version),
                    q.title,
                    q.status,
                    "1" if q.starter else "0",
                    str(q.scale.minimum),
                    str(q.scale.maximum),
                    LABEL_SEPARATOR.join(q.scale.labels),
                    str(q.scale.top_categories),
                    q.scale.cannot_judge_label,
                    item.code,
                    str(item.position),
                    item.text,
                    str(item.indicator),
                    ind.name if ind else "",
                    ind.perspective if ind else "",
                ]
            )
    return rows


def to_csv(definitions: DefinitionSet) -> str:
    buffer = io.StringIO()
    writer = safe_cells.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(definitions))
    return buffer.getvalue()


def _int_cell(value: str, column: str, row: int, problems: list[Problem]) -> int:
    try:
        return int(value.strip())
    except ValueError:
        problems.append(
            Problem(
                column,
                "indicators.csv_int",
                f"Rad {row}, kolumnen {column}: ange ett heltal (nu ”{value}”).",
                value,
                row,
            )
        )
        return 0


def parse_csv(source: str | bytes) -> DefinitionSet:
    """A definition set from a CSV file's contents (comma or semicolon separated) or an xlsx
    file, read by :mod:`finsam.domain.tabular`; or :class:`DomainValidationError` with every
    problem, rows numbered as a spreadsheet shows them (header = line 1)."""
    header, records, problems = tabular.read_content(source)
    raise_if_errors(problems)
    unknown = [h for h in header if h not in CSV_COLUMNS]
    missing = [c for c in CSV_COLUMNS if c not in header and c not in _CSV_OPTIONAL]
    if unknown:
        problems.append(
            Problem(
                "header",
                "indicators.csv_unknown_column",
                f"Rubrikraden: okända kolumner {', '.join(unknown)}.",
                unknown,
            )
        )
    if missing:
        problems.append(
            Problem(
                "header",
                "indicators.csv_missing_column",
                f"Rubrikraden: kolumner saknas: {', '.join(missing)}.",
                missing,
            )
        )
    if len(set(header)) != len(header):
        problems.append(
            Problem("header", "indicators.csv_duplicate_column", "Rubrikraden: en kolumn upprepas.")
        )
    raise_if_errors(problems)
    rows = []
    for number, record in tabular.data_rows(records):
        if not any(v.strip() for v in record):
            continue
        if len(record) > len(header):
            problems.append(
                Problem(
                    "",
                    "indicators.csv_row_length",
                    f"Rad {number}: fler värden ({len(record)}) än kolumner ({len(header)}).",
                    None,
                    number,
                )
            )
            continue
        row = {h: (record[i].strip() if i < len(record) else "") for i, h in enumerate(header)}
        rows.append((number, row))
    if not rows and not problems:
        problems.append(
            Problem("file", "indicators.csv_no_rows", "Filen innehåller inga påståenden.")
        )
    raise_if_errors(problems)
    return _assemble(rows, problems)


def _assemble(rows: Iterable[tuple[int, dict[str, str]]], problems: list[Problem]) -> DefinitionSet:
    indicators: dict[int, tuple[IndicatorDef, int]] = {}
    versions: dict[tuple[str, int], dict] = {}
    for number, row in rows:
        ind_number = _int_cell(row["indicator_number"], "indicator_number", number, problems)
        version = _int_cell(row["version"], "version", number, problems)
        position = _int_cell(row["position"], "position", number, problems)
        scale_min = _int_cell(row["scale_min"], "scale_min", number, problems)
        scale_max = _int_cell(row["scale_max"], "scale_max", number, problems)
        top = _int_cell(row["top_categories"], "top_categories", number, problems)
        starter = row.get("starter", "0") or "0"
        if starter not in ("0", "1"):
            problems.append(
                Problem(
                    "starter",
                    "indicators.csv_starter",
                    f"Rad {number}, kolumnen starter: ange 0 eller 1 (nu ”{starter}”).",
                    starter,
                    number,
                )
            )
        indicator = IndicatorDef(ind_number, row["indicator_name"], row["perspective"])
        if ind_number in indicators and indicators[ind_number][0] != indicator:
            problems.append(
                Problem(
                    "indicator_name",
                    "indicators.csv_indicator_conflict",
                    f"Rad {number}: indikator {ind_number} har ett annat namn eller perspektiv än "
                    f"på rad {indicators[ind_number][1]}.",
                    ind_number,
                    number,
                )
            )
        indicators.setdefault(ind_number, (indicator, number))
        head = {
            "title": row["title"],
            "status": row.get("status") or DRAFT,
            "starter": starter == "1",
            "scale": Scale(
                minimum=scale_min,
                maximum=scale_max,
                labels=tuple(p.strip() for p in row["scale_labels"].split(LABEL_SEPARATOR))
                if row["scale_labels"]
                else (),
                top_categories=top,
                cannot_judge_label=row.get("cannot_judge_label") or CANNOT_JUDGE_LABEL,
            ),
        }
        key = (row["respondent_group"], version)
        entry = versions.setdefault(key, {"head": head, "row": number, "items": []})
        if entry["head"] != head:
            problems.append(
                Problem(
                    "title",
                    "indicators.csv_version_conflict",
                    f"Rad {number}: {key[0]} version {version} har en annan rubrik, status eller "
                    f"skala än på rad {entry['row']}.",
                    version,
                    number,
                )
            )
        entry["items"].append(ItemDef(row["item_code"], position, row["text"], ind_number))
    raise_if_errors(problems)
    definitions = DefinitionSet(
        indicators=tuple(i for i, _ in indicators.values()),
        questionnaires=tuple(
            QuestionnaireDef(
                respondent_group=group,
                version=version,
                title=v["head"]["title"],
                status=v["head"]["status"],
                starter=v["head"]["starter"],
                scale=v["head"]["scale"],
                items=tuple(v["items"]),
            )
            for (group, version), v in versions.items()
        ),
    )
    raise_if_errors(check_set(definitions))
    return definitions


def parse(text: str, *, filename: str = "") -> DefinitionSet:
    """JSON when the name ends with ``.json`` or the text starts with ``{``, otherwise CSV
    (:func:`parse_csv`)."""
    if filename.lower().endswith(".json") or text.lstrip("\ufeff \n\r\t").startswith("{"):
        return parse_json(text.lstrip("\ufeff"))
    return parse_csv(text)
