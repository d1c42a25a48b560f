"""Reading the small CSV files of the socio-economic commands (``spec/interchange.md``).

UTF-8 with or without a BOM, comma separator (semicolon when the header uses it), one header row,
decimal point. Unknown columns are an error; missing optional columns are fine. Problems are
collected, never raised one at a time, so a user sees every problem in one go.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

from finsam.domain import tabular
from finsam.domain.problems import Problem

CsvSource = str | Path | Iterable[dict[str, str]]
"""A path (``.csv`` or ``.xlsx``), the text of a CSV file, or parsed rows (dicts by column)."""


def read_rows(
    source: CsvSource, *, required: tuple[str, ...], optional: tuple[str, ...], file_label: str
) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    """Parse ``source`` into numbered rows keyed by column name, checking the header.

    ``source`` is a :class:`~pathlib.Path`, the text of a CSV file (a ``str`` holding a newline
    or a comma) or an iterable of dicts. Returns ``(number, row)`` pairs (values stripped) and
    header problems; a file's rows are numbered by the line a spreadsheet shows (header = line 1,
    blank lines counted but left out), dict rows from 1.
    """
    if isinstance(source, Path | str):
        header, records, problems = tabular.read_table(source)
        if problems:
            return [], problems
        header = [h.strip() for h in header]
        rows = [
            (line, {h: _clean(v) for h, v in zip(header, record, strict=False) if h})
            for line, record in tabular.data_rows(records)
            if any(str(v).strip() for v in record)
        ]
    else:
        rows = [
            (number, {str(k).strip(): _clean(v) for k, v in row.items()})
            for number, row in enumerate(source, start=1)
        ]
        header = list(rows[0][1].keys()) if rows else list(required)
    problems = tabular.check_header(header, (*required, *optional), required, file_label=file_label)
    return rows, problems


def _clean(value: object) -> str:
    return "" if value is None else str(value).strip()


def parse_number(
    value: str, *, field: str, row: int, label: str, problems: list[Problem]
) -> float | None:
    """A decimal-point number, or ``None`` (with a problem recorded) when it is not one."""
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if value == "" or not math.isfinite(number):
        problems.append(
            Problem(
                field,
                "number.invalid",
                f"{label} måste vara ett tal med decimalpunkt (rad {row}: '{value}').",
                value,
                row,
            )
        )
        return None
    return number
