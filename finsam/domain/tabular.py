"""Reading the small tabular files users bring (model inputs, parameter tables, budget lines):
CSV in UTF-8 (a BOM accepted, ``,`` or – when the header uses it – ``;``) or the first sheet of an
xlsx file, per ``spec/interchange.md``; and checking their header. One place for both, so every
file gives the same Swedish messages. (Registry files of any size stream through
``finsam.interchange.reader``, which uses :func:`check_header` too.)
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from finsam.domain.problems import Problem
from finsam.domain.safe_cells import csv_unquote


@dataclass(frozen=True, slots=True)
class Opened:
    """A table file after the checks every reader shares (found, readable, UTF-8, a header row),
    before its rows are parsed: CSV ``text`` with its ``delimiter``, or the bytes of an xlsx
    file. ``problems`` non-empty: the file cannot be read (and the rest is empty)."""

    problems: list[Problem]
    text: str = ""
    delimiter: str = ","
    xlsx: bytes | None = None
    data: bytes = b""
    """The CSV file's bytes as read (with any BOM), when it was given or read as bytes: a
    columnar reader parses these (``encoding="utf-8-sig"``) rather than a copy of the text."""


def open_table(source) -> Opened:
    """:class:`Opened` from a path, bytes, text or an open file; never raises for bad input.
    :func:`read_table` parses the rows; a reader of large columnar files (the evaluation's
    panels) parses :attr:`Opened.text` itself, with the same file-level messages."""
    try:
        if isinstance(source, bytes):
            data: bytes | str = source
        elif isinstance(source, Path | os.PathLike) or (
            isinstance(source, str) and "\n" not in source and "," not in source
        ):
            path = Path(source)
            if not path.is_file():
                return Opened(
                    [Problem("", "file.not_found", f"Filen {path} finns inte.", str(path))]
                )
            data = path.read_bytes()
        elif isinstance(source, str):
            data = source
        else:
            data = source.read()
    except OSError as exc:
        return Opened([Problem("", "file.unreadable", f"Filen kan inte läsas ({exc}).")])
    if isinstance(data, bytes) and data[:2] == b"PK":
        return Opened([], xlsx=data)
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return Opened([Problem("", "file.encoding", "Filen är inte UTF-8-kodad.")])
    else:
        text = data.removeprefix("\ufeff")
    # the first line as str.splitlines() gives it, without splitting the whole file
    first = next(iter(text.split("\n", 1)[0].splitlines()), "")
    if not first.strip():
        return Opened([Problem("", "file.empty", "Filen är tom (rubrikrad saknas).")])
    delimiter = ";" if ";" in first and "," not in first else ","
    return Opened([], text, delimiter, data=data if isinstance(data, bytes) else b"")


def read_table(source) -> tuple[list[str], list[list[str]], list[Problem]]:
    """``(header, rows, problems)`` from a path, bytes, text or an open file. Never raises for
    bad input: a file that cannot be read gives a problem and no rows."""
    opened = open_table(source)
    if opened.problems:
        return [], [], opened.problems
    if opened.xlsx is not None:
        return _read_xlsx(opened.xlsx)
    # newline="": the csv module itself must see the line ends (a lone \r included)
    reader = csv.reader(io.StringIO(opened.text, newline=""), delimiter=opened.delimiter)
    try:
        header = [h.strip() for h in next(reader)]
        # a text Finsam wrote with a formula-guard quote reads back as it was (safe_cells)
        return header, [[csv_unquote(c) for c in r] for r in reader], []
    except csv.Error as exc:
        line = reader.line_num
        return [], [], [Problem("", "file.csv", f"Rad {line}: filen är inte giltig CSV ({exc}).")]


def read_content(content: str | bytes) -> tuple[list[str], list[list[str]], list[Problem]]:
    """:func:`read_table` of a file's contents (text or bytes), never taken for a path."""
    if isinstance(content, str):
        # surrogatepass: text that cannot be UTF-8 becomes the reader's encoding problem
        content = content.encode("utf-8", errors="surrogatepass")
    return read_table(content)


FIRST_DATA_LINE = 2
"""The line a spreadsheet shows for the first data row (the header is line 1)."""


def data_rows(records: Iterable[list[str]]) -> list[tuple[int, list[str]]]:
    """The rows that hold a value, each with the line a spreadsheet shows (header = line 1;
    blank lines count but are left out). Empty cells at a row's end (an xlsx sheet is as wide as
    its widest row) are dropped."""
    rows = []
    for line, record in enumerate(records, start=FIRST_DATA_LINE):
        cells = list(record)
        while cells and not str(cells[-1]).strip():
            cells.pop()
        if cells:
            rows.append((line, cells))
    return rows


def _read_xlsx(data: bytes) -> tuple[list[str], list[list[str]], list[Problem]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for broken files
        return [], [], [Problem("", "file.xlsx", f"Excelfilen kan inte läsas: {exc}.")]
    sheet = workbook.worksheets[0]
    table = [
        ["" if v is None else _cell_text(v) for v in row]
        for row in sheet.iter_rows(values_only=True)
    ]
    workbook.close()
    while table and not any(v.strip() for v in table[-1]):
        table.pop()
    if not table or not any(v.strip() for v in table[0]):
        return [], [], [Problem("", "file.empty", "Filen är tom (rubrikrad saknas).")]
    header = list(table[0])
    while header and not header[-1].strip():
        header.pop()
    return [h.strip() for h in header], table[1:], []


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value)


def check_header(
    header: Sequence[str], columns: Iterable[str], required: Iterable[str], *, file_label: str = ""
) -> list[Problem]:
    """Unknown columns (typos must not be ignored), missing required and duplicated columns."""
    allowed = list(columns)
    names = [h.strip().lower() for h in header]
    where = f" i {file_label}" if file_label else ""
    problems = [
        Problem(
            h,
            "file.unknown_column",
            f"Okänd kolumn {h!r}{where} (tillåtna: {', '.join(allowed)}).",
            h,
        )
        for h in names
        if h and h not in allowed
    ]
    problems += [
        Problem(h, "file.missing_column", f"Kolumnen {h!r} saknas{where}.", h)
        for h in sorted(set(required) - set(names))
    ]
    problems += [
        Problem(h, "file.duplicate_column", f"Kolumnen {h!r} förekommer flera gånger.", h)
        for h in sorted({h for h in names if h and names.count(h) > 1})
    ]
    return problems
