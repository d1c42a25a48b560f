"""Reading the small CSV files of the socio-economic commands (``spec/interchange.md``).

UTF-8 with or without a BOM, comma separator (semicolon when the header uses it), one header row,
decimal point. Unknown columns are an error; missing optional columns are fine. Problems are
collected, never raised one at a time, so a user sees every problem in one go.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from pathlib import Path

from finsam.domain.problems import Problem

CsvSource = str | Path | Iterable[dict[str, str]]
"""A path (``.csv`` or ``.xlsx``), the text of a CSV file, or parsed rows (dicts by column)."""


def read_rows(
    source: CsvSource, *, required: tuple[str, ...], optional: tuple[str, ...], file_label: str
) -> tuple[list[dict[str, str]], list[Problem]]:
    """Parse ``source`` into rows keyed by column name, checking the header.

    ``source`` is a :class:`~pathlib.Path`, the text of a CSV file (a ``str`` holding a newline
    or a comma) or an iterable of dicts. Returns the rows (values stripped) and header problems.
    """
    if isinstance(source, Path) and source.suffix.lower() == ".xlsx":
        rows, header = _parse_xlsx(source)
    elif isinstance(source, Path):
        text = source.read_bytes().decode("utf-8-sig")
        rows, header = _parse_text(text)
    elif isinstance(source, str):
        rows, header = _parse_text(source.removeprefix("\ufeff"))
    else:
        rows = [{str(k).strip(): _clean(v) for k, v in row.items()} for row in source]
        header = list(rows[0].keys()) if rows else list(required)
    problems: list[Problem] = []
    allowed = set(required) | set(optional)
    for column in header:
        if column not in allowed:
            problems.append(
                Problem(
                    column,
                    "file.unknown_column",
                    f"Okänd kolumn '{column}' i {file_label}; tillåtna kolumner är "
                    f"{', '.join(required + optional)}.",
                    column,
                )
            )
    for column in required:
        if column not in header:
            problems.append(
                Problem(
                    column,
                    "file.missing_column",
                    f"Kolumnen '{column}' saknas i {file_label}.",
                )
            )
    return rows, problems


def _clean(value: object) -> str:
    return "" if value is None else str(value).strip()


def _parse_text(text: str) -> tuple[list[dict[str, str]], list[str]]:
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    lines = [line for line in reader if any(cell.strip() for cell in line)]
    if not lines:
        return [], []
    header = [cell.strip() for cell in lines[0]]
    rows = []
    for line in lines[1:]:
        padded = line + [""] * (len(header) - len(line))
        rows.append({column: _clean(value) for column, value in zip(header, padded, strict=False)})
    return rows, header


def _parse_xlsx(path: Path) -> tuple[list[dict[str, str]], list[str]]:
    """The first sheet of an xlsx file, same columns as the CSV (``interchange.md``)."""
    from openpyxl import load_workbook  # only needed for xlsx input

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        lines = [
            ["" if cell is None else _cell_text(cell) for cell in line]
            for line in sheet.iter_rows(values_only=True)
        ]
    finally:
        workbook.close()
    lines = [line for line in lines if any(cell.strip() for cell in line)]
    if not lines:
        return [], []
    header = [cell.strip() for cell in lines[0]]
    rows = [
        {column: value.strip() for column, value in zip(header, line, strict=False)}
        for line in lines[1:]
    ]
    return rows, header


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


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
