"""The column-wise episode import gives exactly the row-wise result.

The column-wise stage (``episode_prep.prepare_columns``) calls every format check and rule once
per distinct value; the reference here sends every row through the row-wise path instead (the
same functions, one row at a time), and the problems, warnings, counts and stored data must be
the same.
"""

from __future__ import annotations

import pytest
from django.db import connection

from finsam.interchange import episode_prep as prep
from finsam.interchange import episodes
from finsam.interchange.formats import FORMATS
from finsam.interchange.importers import import_file
from finsam.interchange.reader import open_table
from finsam.registry.models import Consent, Episode, Participant
from finsam.registry.services import bulk
from tests.interchange.conftest import EPISODE_HEADER, write_csv
from tests.interchange.test_parallel import mixed_rows, outcome, pnr, row, stored


def more_problem_rows() -> list[list[str]]:
    """Rows for the rules the mixed file of test_parallel leaves out."""
    return [
        row("Z-1", sex="Q"),  # anonymous, unknown sex
        row("Z-2", birth_year="1850"),  # anonymous, birth year out of range
        row("Z-3", birth_year=""),  # anonymous, no birth year
        row("Z-4", pnr(60), protected_identity="1"),  # identified with protected identity
        row("Z-5", pnr(61), consent_date="2099-01-01"),  # consent in the future
        row("Z-6", pnr(62), consent_date=""),  # no consent
        row("Z-7", pnr(63), support_before="FSS;XYZ"),  # unknown support code
        row("Z-8", pnr(64), support_before="SAK"),  # "missing" before
        row("Z-9", pnr(65), end="2024-06-01", exit_reason=""),  # exit without a reason
        row("Z-10", pnr(66), end="2024-06-01", work_hours="200"),  # hours out of range
        row("Z-11", pnr(67), start="2003-12-31"),  # before the law
        row("Z-12", pnr(68), start="2099-01-01"),  # in the future
        row("Z-13", pnr(69), home_municipality="0180", end="2024-06-30"),  # warning only
        row("Z-14", home_municipality="0180", sex="m"),  # anonymous, warning only
        row("Z-15", pnr(70), work_hours_before="x"),  # not a number
        row("Z-16", pnr(71), protected_identity="2"),  # not a flag
        row("Z-17", "", sex="K", birth_year="1990", end="2024-05-01", exit_reason="ARB"),
    ]


def row_wise(monkeypatch):
    """Send every row through the row-wise path."""
    real = prep.prepare_columns

    def everything_slow(columns, n, cfg):
        prepared = real(columns, n, cfg)
        return prepared._replace(slow=list(range(n)), warnings={})

    monkeypatch.setattr(prep, "prepare_columns", everything_slow)


def clear():
    Episode.objects.all().delete()
    Consent.objects.all().delete()
    Participant.objects.all().delete()


@pytest.mark.parametrize("chunk_rows", [7, 1000])
def test_problems_and_warnings_are_those_of_the_row_wise_path(
    world, tmp_path, monkeypatch, chunk_rows
):
    path = write_csv(tmp_path / "mixed.csv", EPISODE_HEADER, mixed_rows() + more_problem_rows())
    column_wise = import_file("episodes", path, chunk_rows=chunk_rows, workers=0)
    with monkeypatch.context() as m:
        row_wise(m)
        reference = import_file("episodes", path, chunk_rows=chunk_rows, workers=0)
    assert not reference.ok
    rules = {p.rule for p in reference.problems}
    assert {
        "required",
        "number.range",
        "identity.protected",
        "date.future",
        "consent.required",
        "code.unknown",
        "support.missing_before",
        "hours.range",
        "date.before_law",
        "format.number",
        "format.flag",
    } <= rules
    assert {p.rule for p in reference.warnings} == {"enrolment.outside_area"}
    assert outcome(column_wise) == outcome(reference)


def test_written_data_is_that_of_the_row_wise_path(world, tmp_path, monkeypatch):
    valid = [
        *mixed_rows()[:40],
        row("W-1", pnr(69), home_municipality="0180", end="2024-06-30"),  # a warning
        row("W-2", home_municipality="0180", sex="m", birth_year="1970"),
        row("W-3", pnr(3), intervention_code="SBG-IND", start="2024-09-01"),  # after A-3 ends
    ]
    second = [
        row("A-1", pnr(1), end="2024-07-31"),  # stored, changed: update
        row("A-2", pnr(2)),  # stored, unchanged
        row("Y-2", pnr(7), start="2024-09-01"),  # returning person, after A-7 ended
        row("Y-3", pnr(80)),  # a new person
        row("Y-4", pnr(80), start="2024-01-01", end="2024-02-01"),  # the same, before
    ]
    a = write_csv(tmp_path / "a.csv", EPISODE_HEADER, valid)
    b = write_csv(tmp_path / "b.csv", EPISODE_HEADER, second)
    runs = []
    for reference in (False, True):
        clear()
        with monkeypatch.context() as m:
            if reference:
                row_wise(m)
            one = import_file("episodes", a, chunk_rows=6, workers=0)
            assert one.ok, one.problems
            two = import_file("episodes", b, chunk_rows=2, workers=0)
            assert two.ok, two.problems
            again = import_file("episodes", b, chunk_rows=2, workers=0)
            assert again.ok and (again.created, again.updated) == (0, 0)
        runs.append((outcome(one), outcome(two), outcome(again), stored()))
    assert runs[0] == runs[1]


def test_column_chunks_are_the_rows(tmp_path):
    fmt = FORMATS["episodes"]
    header = list(fmt.columns)
    pad = "," * (len(header) - 4)

    def line(*cells: str) -> str:
        return ",".join(cells) + pad + "\n"

    path = tmp_path / "odd.csv"
    path.write_text(
        ",".join(header)
        + "\n"
        + line("A", "SBG-IND", "", "K")
        + "\n"
        + line("", "", "", "")
        + line("  B ", " SBG-IND ", "\t", "k")
        + "C,SBG-IND\n"  # short
        + line("D", "SBG-IND", "", "K")[:-1]
        + ",,\n"  # longer, blank extras
        + line("E", "SBG-IND", "", "K")[:-1]
        + ",extra\n"  # longer: refused
        + line("F", "Göteborg", "", "\u00a0K")
        + line("G", "x\x00y", "", "K")
        + line("H", "x" * 10_001, "", "K")
        + line(" ", " ", " ", " ")
        + line("I", "SBG-IND", "", "M"),
        encoding="utf-8",
    )
    reference = open_table(path, fmt)
    rows = list(reference.rows())
    assert [n for n, _ in rows] == [2, 5, 6, 7, 9, 10, 11, 13]  # lines as a spreadsheet shows them
    assert {p.rule for p in reference.problems} == {
        "file.row_length",
        "format.control_character",
        "format.too_long",
    }
    for size in (1, 3, 100):
        table = open_table(path, fmt)
        flat = []
        for chunk in table.column_chunks(size):
            for i, number in enumerate(chunk.numbers):
                values = chunk.ragged.get(i) or {c: chunk.columns[c][i] for c in header}
                flat.append((number, values))
        assert flat == rows
        key = lambda p: (p.row or 0, p.field, p.rule)  # noqa: E731
        assert sorted(table.problems, key=key) == sorted(reference.problems, key=key)


def constraints():
    with connection.cursor() as cursor:
        return {
            model: sorted(
                (name, tuple(c["columns"]), bool(c["foreign_key"]), c["unique"], c["index"])
                for name, c in connection.introspection.get_constraints(
                    cursor, model._meta.db_table
                ).items()
            )
            for model in (Episode, Participant, Consent)
        }


def test_large_import_defers_indexes_and_restores_them(world, tmp_path, monkeypatch):
    monkeypatch.setattr(bulk, "BULK_MIN_ROWS", 1)
    monkeypatch.setattr(episodes, "BYTES_PER_ROW", 1)
    dropped = []
    restore = episodes.DeferredIndexes.restore

    def recording(self):
        dropped.append(len(self.recreate))
        restore(self)

    monkeypatch.setattr(episodes.DeferredIndexes, "restore", recording)
    before = constraints()
    valid = write_csv(tmp_path / "ok.csv", EPISODE_HEADER, mixed_rows()[:40])
    bad = write_csv(tmp_path / "bad.csv", EPISODE_HEADER, mixed_rows())

    assert import_file("episodes", valid, dry_run=True, workers=0).ok
    assert not import_file("episodes", bad, workers=0).ok
    assert constraints() == before and not any(dropped)  # rolled back, not restored by hand
    result = import_file("episodes", valid, chunk_rows=9, workers=0)
    assert result.ok and result.created == 40
    assert len(dropped) == 1 and dropped[0] > 0
    assert constraints() == before
    assert Episode.objects.count() == 40
