"""Follow-ups and volume are imported a chunk at a time (one look-up per table, one bulk write per
chunk): the same problems, row numbers, counts, stored rows and change rows whatever the chunk
size, and the same rules as the registry services (``followup_record``, ``volume_record``)."""

from datetime import date

import pytest

from finsam.domain.signoff import SignoffPeriod
from tests.interchange.conftest import episode_rows, write_csv

FOLLOWUP_HEADER = [
    "episode_key",
    "months_after",
    "support",
    "occupation",
    "work_hours",
    "study_hours",
]
VOLUME_HEADER = ["intervention_code", "month", "women", "men", "other"]


def _outcome(result):
    return (
        result.ok,
        (result.created, result.updated, result.unchanged, result.rows),
        [(p.row, p.field, p.rule, p.message) for p in result.problems],
    )


def _stored_followups():
    from finsam.registry.models import FollowUp

    return sorted(
        FollowUp.objects.values_list(
            "episode__key", "months_after", "support", "occupation", "work_hours", "source"
        )
    )


@pytest.fixture
def exited(world, episodes_file):
    from finsam.interchange.importers import import_file

    assert import_file("episodes", episodes_file(episode_rows(3))).ok


FOLLOWUP_ROWS = [
    ["K-1", "6", "ING", "ARB", "40", ""],
    ["K-1", "12", "ING", "", "", ""],
    ["K-1", "06", "ING", "STU", "", "20"],  # the same follow-up as row 2 spelt otherwise
    ["K-404", "6", "ING", "", "", ""],
    ["K-1", "24", "XYZ", "", "", ""],
    ["K-1", "7", "ING", "", "", ""],
]


EXPECTED_PROBLEMS = [(5, "episode.unknown"), (6, "code.unknown"), (7, "followup.months")]


@pytest.mark.parametrize("chunk_rows", [1, 2, 5000])
def test_followups_same_result_whatever_the_chunk(exited, tmp_path, chunk_rows):
    from finsam.interchange.importers import import_file

    path = write_csv(tmp_path / "f.csv", FOLLOWUP_HEADER, FOLLOWUP_ROWS)
    result = import_file("followups", path, chunk_rows=chunk_rows)
    assert _outcome(result) == _outcome(import_file("followups", path, chunk_rows=1))
    assert [(p.row, p.rule) for p in result.problems] == EXPECTED_PROBLEMS
    good = write_csv(tmp_path / "g.csv", FOLLOWUP_HEADER, FOLLOWUP_ROWS[:3])
    result = import_file("followups", good, chunk_rows=chunk_rows)
    assert (result.ok, result.created, result.updated) == (True, 2, 1)
    assert _stored_followups() == [
        ("K-1", 6, result_mask("ING"), "STU", None, "register"),
        ("K-1", 12, result_mask("ING"), "", None, "register"),
    ]
    again = import_file("followups", good, chunk_rows=chunk_rows)
    # Row 2 and row 4 are one follow-up: each sets its values again, as row by row.
    assert (again.ok, again.created, again.updated, again.unchanged) == (True, 0, 2, 1)


def result_mask(*codes):
    from finsam.domain import codelists as cl

    return cl.support_mask(list(codes))


def test_a_changed_followup_is_updated_with_its_change_row(exited, tmp_path):
    from finsam.audit.models import AuditLog
    from finsam.interchange.importers import import_file
    from finsam.registry.models import FollowUp

    first = write_csv(tmp_path / "a.csv", FOLLOWUP_HEADER, [["K-1", "6", "ING", "ARB", "40", ""]])
    assert import_file("followups", first).created == 1
    assert not AuditLog.objects.filter(action="followup_record").exists()
    changed = write_csv(tmp_path / "b.csv", FOLLOWUP_HEADER, [["K-1", "6", "ING", "STU", "", "20"]])
    result = import_file("followups", changed)
    assert (result.ok, result.updated) == (True, 1)
    row = FollowUp.objects.get()
    assert (row.occupation, row.work_hours, row.study_hours) == ("STU", None, 20.0)
    log = AuditLog.objects.get(action="followup_record")
    assert log.object_id == str(row.pk)
    assert log.changes["occupation"] == ["ARB", "STU"]
    assert AuditLog.objects.filter(action="import_followups").count() == 2


def test_volume_rules_counts_and_change_rows(world, tmp_path):
    from finsam.audit.models import AuditLog
    from finsam.interchange.importers import import_file
    from finsam.registry.models import VolumeCount

    rows = [
        ["SBG-VOL", "2024-01", "3", "4", ""],
        ["SBG-VOL", "2024-02", "1", "0", "0"],
        ["SBG-IND", "2024-01", "3", "", ""],
        ["NOPE", "2024-01", "3", "", ""],
        ["SBG-VOL", "2999-01", "3", "", ""],
    ]
    path = write_csv(tmp_path / "v.csv", VOLUME_HEADER, rows)
    one = import_file("volume", path, chunk_rows=1)
    many = import_file("volume", path)
    assert _outcome(one) == _outcome(many)
    assert [(p.row, p.rule) for p in many.problems] == [
        (4, "volume.not_volume_intervention"),
        (5, "code.unknown"),
        (6, "date.future"),
    ]
    good = write_csv(tmp_path / "w.csv", VOLUME_HEADER, rows[:2])
    assert import_file("volume", good).created == 2
    assert import_file("volume", good).unchanged == 2
    changed = write_csv(tmp_path / "x.csv", VOLUME_HEADER, [["SBG-VOL", "2024-01", "5", "4", ""]])
    result = import_file("volume", changed)
    assert (result.ok, result.updated) == (True, 1)
    assert VolumeCount.objects.get(month=date(2024, 1, 1)).women == 5
    assert AuditLog.objects.get(action="volume_record").changes == {"women": [3, 5]}


def test_signed_periods_lock_imported_followups_and_volume(world, exited, tmp_path):
    from finsam.interchange.importers import import_file
    from finsam.registry.models import FollowUp, VolumeCount
    from finsam.registry.services.signoff import period_sign_off

    period_sign_off(
        actor=world["users"]["association_admin"],
        association=world["association"],
        period=SignoffPeriod(2024, None),
        today=date(2025, 3, 1),
    )
    vol = write_csv(tmp_path / "v.csv", VOLUME_HEADER, [["SBG-VOL", "2024-06", "1", "1", "0"]])
    result = import_file("volume", vol)
    assert [(p.row, p.field, p.rule) for p in result.problems] == [(2, "month", "signoff.locked")]
    # K-1 exited 2024-09-30: 6 months after lies in 2025 (open), the lock is on 2024 only.
    fu = write_csv(tmp_path / "f.csv", FOLLOWUP_HEADER, [["K-1", "6", "ING", "", "", ""]])
    assert import_file("followups", fu).ok
    assert VolumeCount.objects.count() == 0 and FollowUp.objects.count() == 1
