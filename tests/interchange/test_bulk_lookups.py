"""``field__any=`` (one parameter for a long value list) and the import's SQLite page cache."""

from __future__ import annotations

import pytest
from django.db import connection

from finsam.interchange.importers import import_file
from finsam.registry.models import Episode, Intervention, Participant
from tests.interchange.conftest import EPISODE_HEADER, episode_rows, write_csv


def test_any_matches_like_in_for_strings_ints_sets_and_empty_lists(world, tmp_path):
    path = write_csv(tmp_path / "e.csv", EPISODE_HEADER, episode_rows())
    assert import_file("episodes", path).ok
    keys = list(Episode.objects.values_list("key", flat=True))
    wanted = [keys[0], keys[3], "NO-SUCH-KEY", 'O\'Brien "x" ; --']
    assert (
        set(Episode.objects.filter(key__any=wanted).values_list("key", flat=True))
        == set(Episode.objects.filter(key__in=wanted).values_list("key", flat=True))
        == {keys[0], keys[3]}
    )
    ids = set(Participant.objects.values_list("id", flat=True))
    assert Episode.objects.filter(participant_id__any=ids).count() == Episode.objects.count()
    many = [*range(-5000, 0), min(ids)]
    assert Episode.objects.filter(participant_id__any=many).count() == (
        Episode.objects.filter(participant_id=min(ids)).count()
    )
    assert not Episode.objects.filter(key__any=[]).exists()
    assert Intervention.objects.filter(code__any={world["persons"].code}).get() == world["persons"]


def test_episode_import_restores_the_sqlite_page_cache(world, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    path = write_csv(tmp_path / "e.csv", EPISODE_HEADER, episode_rows())
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        assert import_file("episodes", path).ok
        cursor.execute("PRAGMA cache_size")
        assert cursor.fetchone()[0] == before
