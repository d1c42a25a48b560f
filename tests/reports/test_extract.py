"""The reports' columnar extract: the same rows as the query, never stale, kept on disk."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from django.db import connection, transaction

from finsam.domain.reports.core import Period
from finsam.registry.models import Episode, Participant
from finsam.reports import extract, selectors
from finsam.reports.models import RegistryChange

PERIODS = [
    Period.year(2025),
    Period.year(2024),
    Period(date(2025, 6, 1), date(2025, 12, 31)),
    Period(date(2025, 10, 1), date(2026, 3, 31)),
    Period.year(2023),
]


@pytest.fixture(autouse=True)
def _fresh_memory():
    extract.forget()
    yield
    extract.forget()


def _frame(settings, mode, selection, history=False):
    settings.FINSAM_REPORT_EXTRACT = mode
    frame = selectors.episodes_frame(selection, history=history)
    # the categories of the person key differ (the extract knows every person); the keys do not
    keys = frame["person_key"].astype(object)
    frame = frame.assign(person_key=keys.where(keys.notna(), None))
    return frame.sort_values("episode_id").reset_index(drop=True)


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: p.label)
@pytest.mark.parametrize("history", [False, True])
@pytest.mark.parametrize("scope", ["all", "sbg", "oth", "both"])
def test_extract_reads_exactly_the_rows_of_the_query(registry, settings, period, history, scope):
    ids = {
        "all": None,
        "sbg": (registry["association"].pk,),
        "oth": (registry["other"].pk,),
        "both": (registry["association"].pk, registry["other"].pk),
    }[scope]
    selection = selectors.Selection(period, ids)
    from_query = _frame(settings, "off", selection, history)
    from_extract = _frame(settings, "always", selection, history)
    pd.testing.assert_frame_equal(from_extract, from_query)
    assert extract.current() is not None  # "always" built it


def test_auto_builds_for_every_association_and_only_reuses_for_a_few(registry, settings):
    settings.FINSAM_REPORT_EXTRACT = "auto"
    sbg = selectors.Selection(Period.year(2025), (registry["association"].pk,))
    selectors.episodes_frame(sbg)
    assert extract.current() is None  # a few associations: read from the database
    everything = selectors.episodes_frame(selectors.Selection(Period.year(2025)))
    built = extract.current()
    assert built is not None and len(built) == 6  # every episode but the FEL one
    assert set(everything["episode_id"]) <= set(built.compact["episode_id"].tolist())
    selectors.episodes_frame(sbg)
    assert extract.current() is built  # now up to date: reused
    settings.FINSAM_REPORT_EXTRACT = "off"
    assert extract.current() is None


def test_every_write_to_episodes_or_participants_makes_it_stale(registry, settings):
    settings.FINSAM_REPORT_EXTRACT = "always"
    everything = selectors.Selection(Period.year(2025))

    def rebuilt() -> pd.DataFrame:
        assert extract.current() is None  # the write made the copy stale
        return selectors.episodes_frame(everything)

    selectors.episodes_frame(everything)
    episode = registry["episodes"][1]
    Episode.objects.filter(pk=episode.pk).update(work_hours=12.5)
    frame = rebuilt()
    assert frame.loc[frame["episode_id"] == episode.pk, "work_hours"].item() == 12.5

    participant = Participant.objects.get(episodes=episode)
    Participant.objects.filter(pk=participant.pk).update(pseudonym=None)
    frame = rebuilt()
    assert frame.loc[frame["episode_id"] == episode.pk, "person_key"].isna().all()

    followup_free = registry["episodes"][3]
    Episode.objects.filter(pk=followup_free.pk).update(exit_reason="FEL")
    frame = rebuilt()
    assert followup_free.pk not in set(frame["episode_id"])

    assert extract.current() is not None
    RegistryChange.objects.count()  # a read changes nothing
    assert extract.current() is not None


def test_a_rolled_back_write_never_gives_a_stale_fingerprint(registry):
    before = extract.fingerprint()
    episode = registry["episodes"][0]
    with transaction.atomic():
        sid = transaction.savepoint()
        Episode.objects.filter(pk=episode.pk).update(work_hours=1.0)
        rolled_back = extract.fingerprint()
        transaction.savepoint_rollback(sid)
    assert extract.fingerprint() == before
    Episode.objects.filter(pk=episode.pk).update(work_hours=2.0)
    after = extract.fingerprint()
    assert after != before
    if connection.vendor == "sqlite":
        # the same number of changes as the rolled-back write, but another token
        assert after != rolled_back


def test_unrelated_writes_keep_it(registry, settings):
    settings.FINSAM_REPORT_EXTRACT = "always"
    selectors.episodes_frame(selectors.Selection(Period.year(2025)))
    registry["association"].__class__.objects.filter(pk=registry["association"].pk).update(
        name="Nytt namn"
    )
    assert extract.current() is not None
    # …and the dimensions are read fresh: the new name shows at once
    frame = selectors.episodes_frame(selectors.Selection(Period.year(2025)))
    assert "Nytt namn" in set(frame["association_name"])


def test_kept_on_disk_for_the_next_process(registry, settings, tmp_path):
    settings.FINSAM_REPORT_EXTRACT_DIR = str(tmp_path)
    built = extract.build()
    files = list(tmp_path.rglob("episodes-*.extract"))
    assert len(files) == 1
    extract.forget()  # a new process: nothing in memory
    loaded = extract.current()
    assert loaded is not None and loaded is not built
    for name, values in built.compact.items():
        np.testing.assert_array_equal(loaded.compact[name], values)
        assert loaded.compact[name].dtype == values.dtype
    # a change: the file on disk is stale and not used; the next build writes the next
    # generation (the one before is kept a while for processes about to map it)
    Episode.objects.filter(pk=registry["episodes"][0].pk).update(work_hours=3.0)
    extract.forget()
    assert extract.current() is None
    extract.build()
    now = sorted(tmp_path.rglob("episodes-*.extract"))
    assert len(now) == 2 and files[0] in now
    extract.forget()
    assert extract.current() is not None


def test_a_damaged_file_is_ignored(registry, settings, tmp_path):
    settings.FINSAM_REPORT_EXTRACT_DIR = str(tmp_path)
    extract.build()
    (path,) = tmp_path.rglob("episodes-*.extract")
    path.write_bytes(b"not an extract file")
    extract.forget()
    assert extract.current() is None


def test_command_builds_it_with_progress(registry, settings, tmp_path, capsys):
    settings.FINSAM_REPORT_EXTRACT_DIR = str(tmp_path)
    call_command("report-extract")
    out = capsys.readouterr()
    assert "6 deltagarepisoder" in out.err + out.out
    assert extract.current() is not None
    assert len(list(tmp_path.rglob("episodes-*.extract"))) == 1
