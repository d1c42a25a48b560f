"""The episode import with worker processes gives exactly the serial import's result."""

from __future__ import annotations

from stdnum import luhn

from finsam.interchange.importers import import_file
from tests.interchange.conftest import EPISODE_HEADER, write_csv


def pnr(i: int) -> str:
    body = f"8{i % 10}0{1 + i % 9}{10 + i % 18:02d}{i % 1000:03d}"  # YYMMDDNNN
    return f"19{body[:6]}-{body[6:]}{luhn.calc_check_digit(body)}"


def row(key, pn="", start="2024-03-01", end="", **kw):
    cells = {
        "episode_key": key,
        "intervention_code": "SBG-IND",
        "personal_number": pn,
        "consent_date": "2024-01-15" if pn else "",
        "protected_identity": "",
        "sex": "" if pn else "K",
        "birth_year": "" if pn else "1985",
        "home_municipality": "0183",
        "start_date": start,
        "support_before": "FSS",
        "end_date": end,
        "exit_reason": "ARB" if end else "",
        "support_after": "ING" if end else "",
        "work_hours": "40" if end else "",
        "work_hours_before": "0" if end else "",
    }
    cells.update(kw)
    return [cells[c] for c in EPISODE_HEADER]


def mixed_rows() -> list[list[str]]:
    """Valid rows and every kind of problem, spread over several chunks of 7 rows."""
    rows = [row(f"A-{i}", pnr(i), end="2024-06-30" if i % 2 else "") for i in range(30)]
    rows += [row(f"N-{i}") for i in range(10)]
    rows += [
        row("A-3", pnr(3)),  # duplicate key
        row("X-1", pnr(4), start="2024-05-01"),  # overlaps A-4 (open) in the file
        row("X-2", pnr(5), start="2024-08-01"),  # after A-5 ended: fine, same person
        row("X-3", pnr(50)[:-1] + str((int(pnr(50)[-1]) + 1) % 10)),  # wrong check digit
        row("X-4", pnr(40), intervention_code="NOPE"),  # unknown intervention
        row("X-5", pnr(41), home_municipality="9999"),  # unknown municipality
        row("X-6", pnr(42), start="2024-13-01"),  # not a date
        row("X-7", pnr(43), home_municipality="0180"),  # outside the area: a warning
        row("X-8", pnr(44), end="2024-01-01"),  # ends before it starts
        row("X-9", pnr(6), start="2024-02-01", end="2024-04-01", exit_reason="FEL"),
    ]
    return rows


def outcome(result):
    return (
        result.ok,
        result.rows,
        result.created,
        result.updated,
        result.unchanged,
        [(p.row, p.field, p.rule, p.message) for p in result.problems],
        [(p.row, p.field, p.rule, p.message) for p in result.warnings],
    )


def stored():
    from finsam.registry import services
    from finsam.registry.models import Consent, Episode, Participant

    cipher = services.identity_cipher()
    identities = sorted(  # tokens differ (random nonces); what they decrypt to may not
        (p.pseudonym, cipher.decrypt(p.identity_encrypted))
        for p in Participant.objects.filter(identity_level="identified")
    )
    assert identities and all(len(number) == 12 for _, number in identities)
    episodes = sorted(
        Episode.objects.values_list(
            "key",
            "participant__pseudonym",
            "participant__sex",
            "participant__birth_year",
            "start_date",
            "end_date",
            "sex",
            "age_at_start",
            "support_before",
            "support_after",
            "exit_reason",
            "work_study_increased",
        ),
        key=lambda e: e[0],
    )
    consents = sorted(
        Consent.objects.values_list("participant__pseudonym", "given_date"),
        key=lambda c: (c[0] or "", c[1]),
    )
    return episodes, consents, identities


def test_problems_rows_and_counts_are_those_of_the_serial_import(world, tmp_path):
    path = write_csv(tmp_path / "mixed.csv", EPISODE_HEADER, mixed_rows())
    serial = import_file("episodes", path, chunk_rows=7, workers=0)
    parallel = import_file("episodes", path, chunk_rows=7, workers=2)
    assert not serial.ok
    rules = {p.rule for p in serial.problems}
    assert {"file.duplicate_key", "enrolment.overlap", "identity.checksum"} <= rules
    assert serial.warnings  # the municipality outside the area
    assert outcome(parallel) == outcome(serial)


def test_written_data_and_a_second_import_are_those_of_the_serial_import(world, tmp_path):
    from finsam.registry.models import Consent, Episode, Participant

    first = mixed_rows()[:40]  # the valid rows
    second = [
        row("A-1", pnr(1), end="2024-07-31"),  # stored, changed: update
        row("A-2", pnr(2)),  # stored, unchanged
        row("Y-1", pnr(2), start="2024-04-01"),  # overlaps the stored A-2
        row("Y-2", pnr(7), start="2024-09-01"),  # returning person, after A-7 ended
        row("Y-3", pnr(80)),  # a new person
    ]
    a = write_csv(tmp_path / "a.csv", EPISODE_HEADER, first)
    b = write_csv(tmp_path / "b.csv", EPISODE_HEADER, second)
    b_ok = write_csv(tmp_path / "b_ok.csv", EPISODE_HEADER, [r for r in second if r[0] != "Y-1"])

    runs = {}
    for workers in (0, 2):
        Episode.objects.all().delete()
        Consent.objects.all().delete()
        Participant.objects.all().delete()
        one = import_file("episodes", a, chunk_rows=7, workers=workers)
        assert one.ok and one.created == len(first)
        two = import_file("episodes", b, chunk_rows=2, workers=workers)
        assert [p.rule for p in two.problems] == ["enrolment.overlap"]
        three = import_file("episodes", b_ok, chunk_rows=2, workers=workers)
        assert three.ok and (three.created, three.updated, three.unchanged) == (2, 1, 1)
        runs[workers] = (outcome(one), outcome(two), outcome(three), stored())
    assert runs[2] == runs[0]
