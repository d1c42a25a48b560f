"""Turning the text cells of one file row into typed values, collecting format problems.

Only the *format* is checked here (a date is a date, a number a number, a cell not too long); every
registration rule is applied by ``finsam.domain.registration`` through the registry services.
"""

from __future__ import annotations

import re
from datetime import date

from finsam.domain import codelists as cl
from finsam.domain import inputs
from finsam.domain.problems import Problem
from finsam.interchange.formats import column_label

_PSEUDONYM = re.compile(r"[0-9a-fA-F]{64}")


class Row:
    def __init__(self, number: int, values: dict[str, str]):
        self.number = number
        self.values = values
        self.problems: list[Problem] = []

    def _problem(self, col: str, rule: str, message: str, value=None) -> None:
        self.problems.append(
            Problem(col, rule, f"{column_label(col)}: {message}", value, row=self.number)
        )

    def has(self, col: str) -> bool:
        return bool(self.values.get(col, ""))

    def text(
        self, col: str, *, max_length: int = 200, required: bool = False, upper: bool = False
    ) -> str:
        value = self.values.get(col, "")
        if required and not value:
            self._problem(col, "required", "värdet måste anges.")
        if len(value) > max_length:
            self._problem(
                col,
                "format.too_long",
                f"högst {max_length} tecken är tillåtna (nu {len(value)}).",
                value[:40] + "…",
            )
            return ""
        check = inputs.check_code if col == "code" or col.endswith("_code") else inputs.check_name
        problem = check(col, column_label(col), value)
        if problem is not None:
            self._problem(col, problem.rule, problem.message.split(": ", 1)[-1], value[:40])
            return ""
        return value.upper() if upper else value

    def pseudonym(self, col: str) -> str:
        """A person's pseudonym as Finsam exports it: 64 hexadecimal characters (lower-cased)."""
        value = self.values.get(col, "")
        if value and not _PSEUDONYM.fullmatch(value):
            self._problem(
                col,
                "format.pseudonym",
                "en pseudonym är 64 hexadecimala tecken (0–9, a–f), så som Finsam exporterar den.",
                value[:40],
            )
            return ""
        return value.lower()

    def date(self, col: str, *, required: bool = False) -> date | None:
        value = self.values.get(col, "")
        if not value:
            if required:
                self._problem(col, "required", "datum måste anges (ÅÅÅÅ-MM-DD).")
            return None
        try:
            if len(value) != 10:
                raise ValueError
            parsed = date.fromisoformat(value)
        except ValueError:
            self._problem(
                col, "format.date", f"”{value[:40]}” är inget datum (ÅÅÅÅ-MM-DD).", value[:40]
            )
            return None
        problem = inputs.check_date_range(col, column_label(col), parsed)
        if problem is not None:
            self._problem(col, problem.rule, problem.message.split(": ", 1)[-1], value)
            return None
        return parsed

    def month(self, col: str) -> date | None:
        value = self.values.get(col, "")
        if not value:
            return None
        try:
            if len(value) != 7:
                raise ValueError
            return date.fromisoformat(value + "-01")
        except ValueError:
            self._problem(
                col, "format.month", f"”{value[:40]}” är ingen månad (ÅÅÅÅ-MM).", value[:40]
            )
            return None

    def integer(self, col: str, *, required: bool = False) -> int | None:
        value = self.values.get(col, "")
        if not value:
            if required:
                self._problem(col, "required", "ett heltal måste anges.")
            return None
        try:
            if len(value) > 12:
                raise ValueError
            number = int(value)
        except ValueError:
            self._problem(col, "format.integer", f"”{value[:40]}” är inget heltal.", value[:40])
            return None
        problem = inputs.check_number_range(
            col, column_label(col), number, minimum=inputs.INTEGER_MIN, maximum=inputs.INTEGER_MAX
        )
        if problem is not None:
            self._problem(col, problem.rule, problem.message.split(": ", 1)[-1], value[:40])
            return None
        return number

    def decimal(self, col: str) -> float | None:
        value = self.values.get(col, "")
        if not value:
            return None
        try:
            if len(value) > 20:
                raise ValueError
            number = float(value)
            if number != number or abs(number) > inputs.AMOUNT_MAX:
                raise ValueError
            return number
        except ValueError:
            self._problem(
                col,
                "format.number",
                f"”{value[:40]}” är inget tal (använd decimalpunkt).",
                value[:40],
            )
            return None

    def flag(self, col: str) -> bool | None:
        value = self.values.get(col, "")
        if not value:
            return None
        if value in ("0", "1"):
            return value == "1"
        self._problem(col, "format.flag", f"ska vara 0 eller 1, inte ”{value[:40]}”.", value[:40])
        return None

    def multi(self, col: str) -> list[str]:
        value = self.values.get(col, "")
        if len(value) > 200:
            self._problem(col, "format.too_long", "för många koder.", value[:40] + "…")
            return []
        return cl.split_multi(value)
