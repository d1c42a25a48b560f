"""Reading interchange files: CSV (UTF-8, BOM accepted, ``,`` or ``;``) or xlsx (first sheet).

Rows are streamed, never loaded whole. Structural problems (encoding, header, row length) are
reported as :class:`Problem` with the line number a spreadsheet shows (1 = the header, 2 = the
first data row; blank lines count).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from finsam.domain.problems import Problem
from finsam.domain.safe_cells import csv_unquote
from finsam.interchange.formats import FileFormat

HEADER_LINE = 1
"""The header's line number: problems carry the line a spreadsheet shows (header = line 1)."""

MAX_FIELD_CHARS = 10_000
"""A longer cell is an error (no registry field is anywhere near this long)."""
XLSX_MAGIC = b"PK\x03\x04"
_WHITESPACE_OR_NUL = re.compile(r"[\s\x00]")
"""Any character ``str.strip`` could remove (ASCII), or NUL."""
_ENCODING_PROBLEM = Problem(
    "",
    "file.encoding",
    "Filen är inte kodad som UTF-8. Spara den som ”CSV UTF-8” och försök igen.",
)


class ColumnChunk(NamedTuple):
    """Data rows column-wise: ``numbers[i]`` is the file row of ``columns[col][i]``."""

    numbers: list[int]
    columns: dict[str, Sequence[str]]
    """Every header column (a cell a short row lacks is ``""``)."""
    ragged: dict[int, dict[str, str]]
    """Rows shorter than the header: index → their ``{column: text}`` as :meth:`Table.rows`
    gives it (the columns they lack are absent)."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Table:
    """An opened file: its header problems, and an iterator over the data rows."""

    path: Path
    fmt: FileFormat
    header: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    size: int = 0
    position: int = 0
    """Bytes read so far (for progress)."""
    unquote: bool = False
    """A CSV file: a text with the formula-guard quote Finsam's exports add reads back without
    it (``finsam.domain.safe_cells``); xlsx text cells are never quoted."""

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """``(row number, {column: text})``; structural problems go to ``self.problems``."""
        xlsx = self._is_xlsx()
        self.unquote = not xlsx
        source = _xlsx_rows(self.path) if xlsx else _csv_rows(self)
        for number, cells in self._data_cells(source):
            values = self._row_values(number, cells)
            if values is not None:
                yield number, values

    def _is_xlsx(self) -> bool:
        with open(self.path, "rb") as fh:
            return fh.read(4) == XLSX_MAGIC

    def _data_cells(self, source: Iterator[list]) -> Iterator[tuple[int, list]]:
        """The header (checked, into ``self.header``), then ``(row number, cells)`` of every
        data row; an empty or unreadable file and a bad header go to ``self.problems``."""
        try:
            first = next(source, None)
            if first is None:
                self.problems.append(Problem("", "file.empty", "Filen är tom (ingen rubrikrad)."))
                return
            self.header = [str(h or "").strip().lstrip("\ufeff").lower() for h in first]
            if not self._check_header():
                return
            yield from enumerate(source, start=HEADER_LINE + 1)
        except UnicodeDecodeError:
            self.problems.append(_ENCODING_PROBLEM)
        except (csv.Error, ValueError, KeyError, OSError) as exc:
            self.problems.append(
                Problem(
                    "", "file.format", f"Filen kan inte läsas som CSV eller xlsx ({_short(exc)})."
                )
            )

    def _row_values(self, number: int, cells: list) -> dict[str, str] | None:
        """One data row as ``{column: text}`` (``None``: a blank row, or one with too many
        fields, which is reported)."""
        width = len(self.header)
        if not any(str(c).strip() for c in cells):
            return None
        if len(cells) > width and any(str(c).strip() for c in cells[width:]):
            self.problems.append(
                Problem(
                    "",
                    "file.row_length",
                    f"Rad {number} har fler fält ({len(cells)}) än rubrikraden ({width}).",
                    len(cells),
                    row=number,
                )
            )
            return None
        return {
            col: self._cell(number, col, cell)
            for col, cell in zip(self.header, cells, strict=False)
        }

    def _cell(self, number: int, col: str, cell) -> str:
        text = str(cell).strip()
        if self.unquote and text[:1] == "'":
            text = csv_unquote(text)
        if "\x00" in text:
            self.problems.append(
                Problem(
                    col,
                    "format.control_character",
                    f"{col}: fältet innehåller ett otillåtet tecken (NUL).",
                    None,
                    row=number,
                )
            )
            text = ""
        if len(text) > MAX_FIELD_CHARS:
            self.problems.append(
                Problem(
                    col,
                    "format.too_long",
                    f"{col}: fältet är för långt ({len(text)} tecken).",
                    None,
                    row=number,
                )
            )
            text = ""
        return text

    def column_chunks(self, size: int) -> Iterator[ColumnChunk]:
        """The data rows ``size`` at a time, column-wise – the same rows, texts and structural
        problems as :meth:`rows`. A CSV file's cells are checked a whole column at a time (a
        column without whitespace, NUL and over-long cells is kept as read); anything else goes
        through the row-wise checks of :meth:`rows`."""
        if self._is_xlsx():
            yield from self._chunks_from_rows(size)
            return
        self.unquote = True
        data = self._data_cells(_csv_rows(self))
        while batch := list(islice(data, size)):
            numbers, cells = zip(*batch, strict=True)
            yield self._columns(list(numbers), list(cells), len(self.header))

    def _columns(self, numbers: list[int], batch: list[list[str]], width: int) -> ColumnChunk:
        ragged: dict[int, dict[str, str]] = {}
        if any(len(cells) != width or not cells[0].strip() for cells in batch):
            # Blank, short or long rows: the row-wise checks of rows().
            kept_numbers, kept = [], []
            for number, cells in zip(numbers, batch, strict=True):
                if len(cells) == width and cells[0].strip():
                    kept_numbers.append(number)
                    kept.append(cells)
                    continue
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) != width:
                    values = self._row_values(number, cells)
                    if values is None:
                        continue
                    if len(values) < width:
                        ragged[len(kept)] = values
                    cells = [values.get(col, "") for col in self.header]
                kept_numbers.append(number)
                kept.append(cells)
            numbers, batch = kept_numbers, kept
        if not batch:
            return ColumnChunk(numbers, dict.fromkeys(self.header, ()), ragged)
        columns: dict[str, Sequence[str]] = {}
        for k, col in enumerate(self.header):
            cells = list(map(itemgetter(k), batch))
            joined = "\x01".join(cells)
            if (
                joined.isascii()
                and "'" not in joined
                and not _WHITESPACE_OR_NUL.search(joined)
                and max(map(len, cells)) <= MAX_FIELD_CHARS
            ):
                columns[col] = cells  # strip()/unquote would change nothing, none refused
            else:
                columns[col] = [
                    self._cell(number, col, cell)
                    for number, cell in zip(numbers, cells, strict=True)
                ]
        return ColumnChunk(numbers, columns, ragged)

    def _chunks_from_rows(self, size: int) -> Iterator[ColumnChunk]:
        numbers: list[int] = []
        rows: list[dict[str, str]] = []
        for number, values in self.rows():
            numbers.append(number)
            rows.append(values)
            if len(rows) >= size:
                yield self._chunk_of(numbers, rows)
                numbers, rows = [], []
        if rows:
            yield self._chunk_of(numbers, rows)

    def _chunk_of(self, numbers: list[int], rows: list[dict[str, str]]) -> ColumnChunk:
        width = len(self.header)
        ragged = {i: values for i, values in enumerate(rows) if len(values) < width}
        columns = {col: [values.get(col, "") for values in rows] for col in self.header}
        return ColumnChunk(numbers, columns, ragged)

    def _check_header(self) -> bool:
        known = set(self.fmt.accepted)
        ok = True
        seen: set[str] = set()
        for col in self.header:
            if col in seen:
                self.problems.append(
                    Problem(
                        col,
                        "file.duplicate_column",
                        f"Kolumnen ”{col}” förekommer två gånger.",
                        col,
                        row=HEADER_LINE,
                    )
                )
                ok = False
            seen.add(col)
            if col not in known:
                self.problems.append(
                    Problem(
                        col,
                        "file.unknown_column",
                        f"Okänd kolumn ”{_clip(col)}”. Tillåtna kolumner för {self.fmt.kind}: "
                        f"{', '.join(self.fmt.accepted)}.",
                        _clip(col),
                        row=HEADER_LINE,
                    )
                )
                ok = False
        for col in self.fmt.required:
            if col not in seen:
                self.problems.append(
                    Problem(
                        col,
                        "file.missing_column",
                        f"Kolumnen ”{col}” saknas (den är obligatorisk).",
                        col,
                        row=HEADER_LINE,
                    )
                )
                ok = False
        return ok


def open_table(path: Path | str, fmt: FileFormat) -> Table:
    path = Path(path)
    return Table(path=path, fmt=fmt, size=path.stat().st_size)


def _clip(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[:n] + "…"


def _short(exc: Exception) -> str:
    return _clip(str(exc) or type(exc).__name__, 120)


class _Counting(io.RawIOBase):
    def __init__(self, fh, table: Table):
        self._fh, self._table = fh, table

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self._fh.readinto(buffer)
        self._table.position += n or 0
        return n


def _csv_rows(table: Table) -> Iterator[list[str]]:
    csv.field_size_limit(MAX_FIELD_CHARS * 4)
    with open(table.path, "rb") as raw:
        stream = io.TextIOWrapper(
            io.BufferedReader(_Counting(raw, table), 1 << 16),
            encoding="utf-8-sig",
            errors="strict",
            newline="",
        )
        first_line = stream.readline()
        if not first_line.strip():
            return
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        reader = csv.reader(_chain(first_line, stream), delimiter=delimiter)
        yield from reader


def _chain(first: str, rest) -> Iterator[str]:
    yield first
    yield from rest


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # any unreadable workbook is one file problem
        raise ValueError(f"ogiltig xlsx-fil: {_short(exc)}") from None
    try:
        sheet = wb.worksheets[0]
        for cells in sheet.iter_rows(values_only=True):
            yield [_cell_text(c) for c in cells]
    finally:
        wb.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
