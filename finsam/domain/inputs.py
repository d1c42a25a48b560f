"""Limits every typed-in or imported value must keep, whatever the field (issue 14 item 8).

The field-specific rules (``registration.py``, ``finance/``, …) say what a value *means*; these
say what no value may be, so nothing reaches the database that it cannot store or that misleads
a reader:

* **codes** (``code``, ``…_code``): letters (å, ä, ö included), digits, ``-``, ``_`` and ``.``;
  never ``/``, ``\\`` or ``..`` (a code ends up in file names and addresses);
* **names** and other one-line text: no control or invisible formatting character (Unicode
  categories Cc and Cf – e.g. U+202E, which turns the rest of a name around on screen);
* **free text** (descriptions): the same, except tab and line breaks;
* **dates** between 1900-01-01 and 2100-12-31;
* **numbers** inside the range of their database column (:func:`check_number_range`).

Each check returns a :class:`Problem` (field, rule, Swedish message) or ``None``; forms
(``finsam.ui.field_limits``) and the importers (``finsam.interchange.parsing``) apply them.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from finsam.domain.problems import Problem

DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2100, 12, 31)
INTEGER_MIN = -(2**31)
INTEGER_MAX = 2**31 - 1
"""A 32-bit integer column (``IntegerField`` on PostgreSQL), the widest integer a form writes."""
AMOUNT_MAX = 10**15
"""No amount, count or rate in Finsam comes near a thousand million million."""
CODE_MAX_LENGTH = 40

# Unicode categories Cc and Cf (control and format characters), as of Unicode 15; the test
# checks it against the running Python's unicodedata.
_CC_CF = (
    "\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
_CONTROL = re.compile(f"[{_CC_CF}]")
_CONTROL_EXCEPT_LINES = re.compile(f"(?![\t\n\r])[{_CC_CF}]")
_CODE = re.compile(r"[0-9A-Za-zÅÄÖåäöÉéÜü_.\-]+")


def control_characters(text: str, *, multiline: bool = False) -> list[str]:
    """The control/format characters in ``text`` as code points like ``U+202E`` (tab and line
    breaks allowed when ``multiline``)."""
    pattern = _CONTROL_EXCEPT_LINES if multiline else _CONTROL
    return sorted({f"U+{ord(c):04X}" for c in pattern.findall(text)})


def check_name(field: str, label: str, value: str) -> Problem | None:
    """One-line text (names, titles, short answers)."""
    found = control_characters(value)
    if found:
        return Problem(
            field,
            "text.control_character",
            f"{label}: texten innehåller otillåtna styrtecken eller osynliga tecken "
            f"({', '.join(found[:3])}). Skriv in texten igen utan dem.",
            value[:40],
        )
    return None


def check_free_text(field: str, label: str, value: str) -> Problem | None:
    """Several lines of text: tab and line breaks are allowed, other control characters not."""
    found = control_characters(value, multiline=True)
    if found:
        return Problem(
            field,
            "text.control_character",
            f"{label}: texten innehåller otillåtna styrtecken eller osynliga tecken "
            f"({', '.join(found[:3])}). Skriv in texten igen utan dem.",
            value[:40],
        )
    return None


def check_code(field: str, label: str, value: str) -> Problem | None:
    if not value:
        return None
    if _CODE.fullmatch(value) is None or ".." in value or value.startswith("."):
        return Problem(
            field,
            "code.characters",
            f"{label}: en kod får bara innehålla bokstäver, siffror, bindestreck (-), "
            "understreck (_) och punkt (.) – inte mellanslag, snedstreck eller ”..”.",
            value[:40],
        )
    if len(value) > CODE_MAX_LENGTH:
        return Problem(
            field,
            "code.too_long",
            f"{label}: en kod får vara högst {CODE_MAX_LENGTH} tecken.",
            value[:40],
        )
    return None


def check_date_range(field: str, label: str, value: date | None) -> Problem | None:
    if value is None:
        return None
    if value < DATE_MIN or value > DATE_MAX:
        return Problem(
            field,
            "date.range",
            f"{label}: datumet måste ligga mellan {DATE_MIN.isoformat()} och "
            f"{DATE_MAX.isoformat()} (nu {value.isoformat()}).",
            value.isoformat(),
        )
    return None


def _number(value: int | float | Decimal) -> str:
    if isinstance(value, int) or (isinstance(value, Decimal | float) and value == int(value)):
        return f"{int(value):,}".replace(",", "\u00a0")
    return str(value).replace(".", ",")


def check_number_range(
    field: str,
    label: str,
    value: int | float | Decimal | None,
    *,
    minimum: int | float | Decimal | None = None,
    maximum: int | float | Decimal | None = None,
) -> Problem | None:
    if value is None:
        return None
    if maximum is not None and value > maximum:
        return Problem(
            field,
            "number.range",
            f"{label}: värdet får vara högst {_number(maximum)}.",
            str(value)[:40],
        )
    if minimum is not None and value < minimum:
        return Problem(
            field,
            "number.range",
            f"{label}: värdet får vara minst {_number(minimum)}.",
            str(value)[:40],
        )
    return None
