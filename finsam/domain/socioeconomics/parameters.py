"""The dated, editable parameter table of the payback calculation (``socioeconomics.md`` §1).

One row says what one person on one support code costs one actor per month, or what one full-time
job brings an actor in tax and fees (``WORK_FULLTIME``), or what a full-time job produces for
society (``PRODUCTION_FULLTIME``). A table is valid for one year; the Django layer stores it as
dated, editable data and the defaults shipped here (``data/payback_parameters_<year>.csv``) are the
seed.

File layout (``interchange.md``, socio-economic commands): ``item, actor, monthly_sek`` required;
``source, year, assumption (0|1), note`` optional.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from finsam.domain.codelists import SUPPORT, SUPPORT_ONLY_AFTER
from finsam.domain.problems import Problem, raise_if_errors

from ._csvio import CsvSource, parse_number, read_rows

WORK_FULLTIME = "WORK_FULLTIME"
"""Monthly tax and fee income to an actor from one full-time job (scaled by hours / 40)."""
PRODUCTION_FULLTIME = "PRODUCTION_FULLTIME"
"""Monthly production value of one full-time job; only for ``society``."""
SPECIAL_ITEMS = (WORK_FULLTIME, PRODUCTION_FULLTIME)

SUPPORT_ITEMS = tuple(c for c in SUPPORT.code_values if c not in SUPPORT_ONLY_AFTER)
"""Support codes that can carry a cost (``SAK`` = missing is not a state that costs anything)."""
ITEMS = SUPPORT_ITEMS + SPECIAL_ITEMS

ACTORS: tuple[str, ...] = ("municipality", "region", "fk", "af", "state", "justice", "society")
ACTOR_LABELS: Mapping[str, str] = {
    "municipality": "Kommunen",
    "region": "Regionen",
    "fk": "Försäkringskassan",
    "af": "Arbetsförmedlingen",
    "state": "Staten (övrigt)",
    "justice": "Rättsväsendet",
    "society": "Samhället",
}
SOCIETY = "society"

COLUMNS_REQUIRED = ("item", "actor", "monthly_sek")
COLUMNS_OPTIONAL = ("source", "year", "assumption", "note")
COLUMNS = COLUMNS_REQUIRED + COLUMNS_OPTIONAL

FILE_LABEL = "parameterfilen"
_DEFAULT_FILE = re.compile(r"payback_parameters_(\d{4})\.csv")


@dataclass(frozen=True, slots=True)
class ParameterRow:
    item: str
    """A support code, ``WORK_FULLTIME`` or ``PRODUCTION_FULLTIME``."""
    actor: str
    monthly_sek: float
    source: str = ""
    year: int | None = None
    """The year the figure refers to (its source year), not the table's valid year."""
    assumption: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class PaybackParameters:
    """A validated parameter table valid for ``valid_year``."""

    valid_year: int | None
    rows: tuple[ParameterRow, ...]
    _index: dict[tuple[str, str], float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "_index", {(r.item, r.actor): float(r.monthly_sek) for r in self.rows}
        )

    def monthly(self, item: str, actor: str) -> float:
        """The monthly amount for an item and actor; 0 when the table has no row for it."""
        return self._index.get((item, actor), 0.0)

    def support_cost(self, codes: Iterable[str], actor: str) -> float:
        """Monthly cost to ``actor`` of one person on all of ``codes`` at once (summed)."""
        return sum(self.monthly(code, actor) for code in set(codes))

    def work_income(self, actor: str) -> float:
        return self.monthly(WORK_FULLTIME, actor)

    def production_value(self) -> float:
        return self.monthly(PRODUCTION_FULLTIME, SOCIETY)

    @property
    def actors(self) -> tuple[str, ...]:
        """Actors that appear in the table, in the standard order."""
        present = {r.actor for r in self.rows}
        return tuple(a for a in ACTORS if a in present)

    @property
    def assumptions(self) -> tuple[ParameterRow, ...]:
        return tuple(r for r in self.rows if r.assumption)

    def with_changes(self, changes: Mapping[tuple[str, str], float]) -> PaybackParameters:
        """A copy with some ``(item, actor)`` amounts replaced or added (validated again)."""
        rows = {(r.item, r.actor): r for r in self.rows}
        for (item, actor), amount in changes.items():
            old = rows.get((item, actor))
            rows[(item, actor)] = ParameterRow(
                item,
                actor,
                amount,
                old.source if old else "Ändrat av användaren",
                old.year if old else self.valid_year,
                True,
                "Ändrat av användaren",
            )
        return build_parameters(rows.values(), valid_year=self.valid_year)


def validate_parameter_rows(
    rows: Iterable[ParameterRow], *, lines: Sequence[int] | None = None
) -> list[Problem]:
    """Every problem in a list of parameter rows, numbered by ``lines`` (a file's lines as a
    spreadsheet shows them, header = line 1) or from 1 in the given order."""
    problems: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}
    rows = list(rows)
    numbers = list(lines) if lines is not None else range(1, len(rows) + 1)
    for number, r in zip(numbers, rows, strict=True):
        if r.item not in ITEMS:
            if r.item in SUPPORT_ONLY_AFTER:
                message = (
                    f"Posten '{r.item}' (uppgift saknas) kan inte ha någon kostnad (rad {number})."
                )
            else:
                message = (
                    f"Okänd post '{r.item}' i kolumnen item (rad {number}); tillåtna är "
                    f"försörjningskoderna {', '.join(SUPPORT_ITEMS)} samt "
                    f"{WORK_FULLTIME} och {PRODUCTION_FULLTIME}."
                )
            problems.append(Problem("item", "parameters.unknown_item", message, r.item, number))
        if r.actor not in ACTORS:
            problems.append(
                Problem(
                    "actor",
                    "parameters.unknown_actor",
                    f"Okänd aktör '{r.actor}' i kolumnen actor (rad {number}); tillåtna är "
                    f"{', '.join(ACTORS)}.",
                    r.actor,
                    number,
                )
            )
        if r.monthly_sek < 0:
            problems.append(
                Problem(
                    "monthly_sek",
                    "parameters.negative",
                    f"Beloppet i monthly_sek får inte vara negativt (rad {number}: "
                    f"{r.monthly_sek:g} kr för {r.item}/{r.actor}).",
                    r.monthly_sek,
                    number,
                )
            )
        if r.item == PRODUCTION_FULLTIME and r.actor != SOCIETY:
            problems.append(
                Problem(
                    "actor",
                    "parameters.production_society_only",
                    f"{PRODUCTION_FULLTIME} gäller bara aktören society, inte '{r.actor}' "
                    f"(rad {number}).",
                    r.actor,
                    number,
                )
            )
        key = (r.item, r.actor)
        if key in seen:
            problems.append(
                Problem(
                    "item",
                    "parameters.duplicate",
                    f"Posten {r.item} för aktören {r.actor} förekommer två gånger "
                    f"(rad {seen[key]} och rad {number}).",
                    f"{r.item}/{r.actor}",
                    number,
                )
            )
        else:
            seen[key] = number
    return problems


def build_parameters(
    rows: Iterable[ParameterRow], *, valid_year: int | None = None
) -> PaybackParameters:
    """Validate rows and build a table; raises ``DomainValidationError`` listing every problem."""
    rows = tuple(rows)
    raise_if_errors(validate_parameter_rows(rows))
    return PaybackParameters(valid_year, rows)


def read_parameters(source: CsvSource, *, valid_year: int | None = None) -> PaybackParameters:
    """Read and validate a user's parameter file (path, CSV text or dict rows).

    All-or-nothing: any bad row raises ``DomainValidationError`` with every problem and nothing
    is returned.
    """
    raw, problems = read_rows(
        source, required=COLUMNS_REQUIRED, optional=COLUMNS_OPTIONAL, file_label=FILE_LABEL
    )
    if problems:
        raise_if_errors(problems)
    rows: list[ParameterRow] = []
    for number, values in raw:
        amount = parse_number(
            values.get("monthly_sek", ""),
            field="monthly_sek",
            row=number,
            label="Beloppet i monthly_sek",
            problems=problems,
        )
        year_text = values.get("year", "")
        year: int | None = None
        if year_text:
            if re.fullmatch(r"\d{4}", year_text):
                year = int(year_text)
            else:
                problems.append(
                    Problem(
                        "year",
                        "parameters.year",
                        f"Året i kolumnen year måste vara fyra siffror (rad {number}: "
                        f"'{year_text}').",
                        year_text,
                        number,
                    )
                )
        flag = values.get("assumption", "") or "0"
        if flag not in ("0", "1"):
            problems.append(
                Problem(
                    "assumption",
                    "parameters.assumption_flag",
                    f"Kolumnen assumption ska vara 0 eller 1 (rad {number}: '{flag}').",
                    flag,
                    number,
                )
            )
        rows.append(
            ParameterRow(
                item=values.get("item", "").upper(),
                actor=values.get("actor", "").lower(),
                monthly_sek=amount if amount is not None else 0.0,
                source=values.get("source", ""),
                year=year,
                assumption=flag == "1",
                note=values.get("note", ""),
            )
        )
    problems.extend(validate_parameter_rows(rows, lines=[n for n, _v in raw]))
    raise_if_errors(problems)
    return PaybackParameters(valid_year, tuple(rows))


def default_parameter_years() -> tuple[int, ...]:
    """The valid years of the shipped default tables."""
    folder = resources.files(__package__) / "data"
    years = []
    for entry in folder.iterdir():
        match = _DEFAULT_FILE.fullmatch(entry.name)
        if match:
            years.append(int(match.group(1)))
    return tuple(sorted(years))


def default_parameters(year: int | None = None) -> PaybackParameters:
    """The shipped defaults valid for ``year`` (the latest table not after it; latest if None)."""
    years = default_parameter_years()
    eligible = [y for y in years if year is None or y <= year] or list(years[:1])
    chosen = max(eligible)
    path = resources.files(__package__) / "data" / f"payback_parameters_{chosen}.csv"
    return read_parameters(Path(str(path)), valid_year=chosen)


def parameters_csv_rows(parameters: PaybackParameters) -> list[dict[str, str]]:
    """The table in the file layout (for export and for storing as editable data)."""
    return [
        {
            "item": r.item,
            "actor": r.actor,
            "monthly_sek": f"{r.monthly_sek:g}",
            "source": r.source,
            "year": "" if r.year is None else str(r.year),
            "assumption": "1" if r.assumption else "0",
            "note": r.note,
        }
        for r in parameters.rows
    ]
