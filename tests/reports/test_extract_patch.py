"""The extract patched with the changed episodes equals a full rebuild, whatever the writes."""

from __future__ import annotations

import multiprocessing
import random
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from finsam.domain.problems import DomainValidationError
from finsam.domain.reports.core import Period
from finsam.interchange.importers import import_file
from finsam.registry import services
from finsam.registry.models import Episode, Participant
from finsam.reports import extract, runner
from finsam.reports.models import ExtractState, RegistryChange
from tests.interchange.conftest import EPISODE_HEADER, episode_rows, write_csv

TODAY = date(2026, 11, 22)
# protected reports are offered for calendar grid periods only (finsam.domain.reports.periods)
PERIODS = [Period.year(2024), Period.year(2025), Period.year(2026)]


@pytest.fixture(autouse=True)
def _fresh_memory(settings):
    settings.FINSAM_REPORT_EXTRACT = "always"
    extract.forget()
    yield
    extract.forget()


def _rebuilt() -> dict[str, np.ndarray]:
    return extract._sorted(extract.read_compact(extract.extract_queryset()))


def _keys(raw: pd.DataFrame) -> pd.DataFrame:
    keys = raw["person_key"].astype(object)
    return raw.assign(person_key=keys.where(keys.notna(), None))


def _assert_equals_rebuild(settings) -> None:
    patched = extract.for_read(every_association=True)
    assert patched is not None
    assert not RegistryChange.objects.exists()  # applied and pruned
    full = _rebuilt()
    assert patched.compact.keys() == full.keys()
    for name, values in full.items():
        np.testing.assert_array_equal(patched.compact[name], values, err_msg=name)
        assert patched.compact[name].dtype == values.dtype
    # the person key: the same keys (its categories may be in another order; only codes are read)
    pd.testing.assert_frame_equal(_keys(patched.raw), _keys(extract.decode(full)))
    for period in PERIODS:  # the same report results as straight from the registry
        settings.FINSAM_REPORT_EXTRACT = "always"
        plan = runner.plan_report(None, "utfall", period=period, levels=("country",))
        from_extract = runner.run_report(plan, with_quality=False).result
        settings.FINSAM_REPORT_EXTRACT = "off"
        from_registry = runner.run_report(plan, with_quality=False).result
        settings.FINSAM_REPORT_EXTRACT = "always"
        assert repr(from_extract) == repr(from_registry)


def _step(rng: random.Random, world, enrol, tmp_path, i: int) -> str:
    handler = world["users"]["participant_handler"]
    episodes = list(Episode.objects.order_by("id"))
    open_ = [e for e in episodes if e.end_date is None and e.exit_reason != "FEL"]
    op = rng.choice(
        ["enrol", "enrol", "exit", "correct", "error", "erase", "import", "sql", "delete"]
    )
    try:
        if op == "enrol" or not episodes:
            enrol(
                intervention=rng.choice([world["persons"], world["other_persons"]]),
                anonymous=True,
                sex=rng.choice("KMX"),
                birth_year=rng.randint(1960, 2000),
                start_date=date(2023, 1, 1) + timedelta(days=rng.randint(0, 900)),
                home_municipality=rng.choice(["0183", "0180"]),
            )
        elif op == "exit" and open_:
            e = rng.choice(open_)
            services.episode_exit(
                actor=handler,
                episode=e,
                data=services.exit_input_from(
                    {
                        "end_date": min(TODAY, e.start_date + timedelta(days=rng.randint(1, 400))),
                        "exit_reason": rng.choice(["ARB", "STU", "AVB"]),
                        "support_after": ["ING"],
                        "occupation_after": "ARB",
                        "work_hours": float(rng.randint(0, 40)),
                        "study_hours": 0.0,
                    }
                ),
                today=TODAY,
            )
        elif op == "correct" and open_:
            e = rng.choice(open_)
            services.episode_correct(
                actor=handler,
                episode=e,
                start_date=e.start_date - timedelta(days=rng.randint(0, 30)),
                home_municipality=rng.choice(["0183", "0180"]),
                support_before=["SJP"],
                education="GYM",
                reason="rättelse",
                today=TODAY,
            )
        elif op == "error" and open_:
            services.episode_mark_error(actor=handler, episode=rng.choice(open_), reason="fel")
        elif op == "erase":
            named = list(Participant.objects.filter(pseudonym__isnull=False))
            if named:
                services.participant_erase(
                    actor=handler, participant=rng.choice(named), reason="radering"
                )
        elif op == "import":
            rows = [[f"S{i}-{r[0]}", *r[1:]] for r in episode_rows(8)[2:]]
            assert import_file(
                "episodes", write_csv(tmp_path / f"e{i}.csv", EPISODE_HEADER, rows)
            ).ok
        elif op == "sql":  # writes that bypass the services: the triggers still see them
            e = rng.choice(episodes)
            Episode.objects.filter(pk=e.pk).update(work_hours_before=float(rng.randint(0, 9)))
            Participant.objects.filter(pk=e.participant_id).update(
                birth_year=rng.randint(1950, 2005)
            )
        elif op == "delete":
            Episode.objects.filter(pk=rng.choice(episodes).pk).delete()
        op += ":ok"
    except (DomainValidationError, ValidationError):  # refused: nothing written; go on
        op += ":refused"
    return op


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_writes_patched_equal_a_full_rebuild(
    registry, world, enrol, settings, tmp_path, seed
):
    settings.FINSAM_REPORT_EXTRACT_DIR = str(tmp_path / "extract")
    rng = random.Random(seed)
    _assert_equals_rebuild(settings)
    done = []
    for i in range(12):
        for _ in range(rng.randint(1, 3)):
            done.append(_step(rng, world, enrol, tmp_path, i))
        _assert_equals_rebuild(settings)
        if rng.random() < 0.3:  # another process: maps the file instead of patching memory
            extract.forget()
    print(done)
    assert len({d for d in done if d.endswith(":ok")}) >= 4, done


def test_one_change_is_patched_not_rebuilt(registry, settings, monkeypatch):
    first = extract.for_read(every_association=True)
    Episode.objects.filter(pk=registry["episodes"][0].pk).update(work_hours=7.0)
    assert RegistryChange.objects.filter(episode_id=registry["episodes"][0].pk).exists()
    read = []
    real = extract.read_compact
    monkeypatch.setattr(
        extract, "read_compact", lambda qs, few=False: read.append(real(qs, few)) or read[-1]
    )
    patched = extract.for_read(every_association=True)
    assert [len(r["episode_id"]) for r in read] == [1]  # only the changed episode was read
    assert patched.generation > first.generation == patched.base
    assert ExtractState.objects.get().generation == patched.generation
    assert not RegistryChange.objects.exists()
    assert extract.current() is patched


def test_a_participant_change_patches_every_episode_of_theirs(registry, settings):
    extract.for_read(every_association=True)
    woman = registry["episodes"][0].participant
    Participant.objects.filter(pk=woman.pk).update(pseudonym=None)  # erased: now anonymous
    patched = extract.for_read(every_association=True)
    rows = np.isin(patched.compact["participant_id"], [woman.pk])
    assert rows.sum() >= 2 and (patched.compact["anonymous"][rows] == 1).all()


def test_generation_token_changes_with_every_write_and_not_otherwise(registry, settings):
    token = extract.current_generation()
    assert extract.current_generation() == token
    Episode.objects.filter(pk=registry["episodes"][0].pk).update(work_hours=5.0)
    changed = extract.current_generation()
    assert changed != token
    extract.for_read(every_association=True)  # applying the change gives a new state again
    assert extract.current_generation() not in (token, changed)


def _patcher(n: int, ids: list[int]) -> None:
    connections.close_all()
    for k in range(n):
        Episode.objects.filter(pk=ids[k % len(ids)]).update(work_hours=float(k))
        extract.refresh()
    connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_two_processes_patching_at_once_never_corrupt_it(world, enrol, settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("two processes need a database they can share (PostgreSQL)")
    settings.FINSAM_REPORT_EXTRACT_DIR = str(tmp_path)
    for k in range(6):
        enrol(anonymous=True, start_date=date(2024, 1, 1) + timedelta(days=30 * k))
    extract.refresh()
    ids = list(Episode.objects.values_list("id", flat=True))
    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_patcher, args=(8, ids[j::2])) for j in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    extract.forget()  # as a third process: map the file the others left
    Episode.objects.filter(pk=ids[0]).update(work_hours=99.0)
    patched = extract.for_read(every_association=True)
    assert patched is not None
    for name, values in _rebuilt().items():
        np.testing.assert_array_equal(patched.compact[name], values, err_msg=name)
