"""National reports read through the read replica alias; writes never go there
(finsam/settings/routers.py). The test settings define ``replica`` as a mirror of the test
database (``TEST: {"MIRROR": "default"}``); these tests switch the routing on."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from finsam.domain.reports.core import Period
from finsam.reports import extract, runner
from finsam.settings import routers

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])
WRITES = ("INSERT", "UPDATE", "DELETE")
YEAR = Period.year(2025)


@pytest.fixture(autouse=True)
def replica_on(settings):
    settings.FINSAM_READ_REPLICA = True
    extract.forget()
    yield
    extract.forget()


def _sql(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries]


def _reads_episodes(queries: list[str]) -> bool:
    """An episode query – or, on PostgreSQL, the settings of the binary ``COPY`` of the episodes,
    which runs on the same connection but outside Django's query log."""
    return any("registry_episode" in q or "SET LOCAL jit" in q for q in queries)


def _run(plan):
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        run = runner.run_report(plan)
    return run, _sql(primary), _sql(replica)


def test_a_national_report_reads_the_replica_only(registry, settings):
    settings.FINSAM_REPORT_EXTRACT = "off"  # the selectors' own query
    analyst = registry["users"]["national_analyst"]
    plan = runner.plan_report(analyst, "utfall", period=YEAR, levels=("country",))
    assert runner.reads_replica(plan)
    run, primary, replica = _run(plan)
    assert run.result.tables
    assert _reads_episodes(replica)
    assert not _reads_episodes(primary)
    assert not any(q.lstrip().upper().startswith(WRITES) for q in replica)


def test_the_extract_is_patched_on_the_primary_and_then_read_from_memory(registry, settings):
    """The extract's patch reads the changed rows in the transaction that prunes their log rows,
    so it runs on the primary even inside a national report (a lagging replica must never make
    it miss a change); once current, the report reads no episodes from either database."""
    settings.FINSAM_REPORT_EXTRACT = "always"
    analyst = registry["users"]["national_analyst"]
    plan = runner.plan_report(analyst, "utfall", period=YEAR, levels=("country",))
    first, primary, replica = _run(plan)
    assert _reads_episodes(primary)
    assert not any(q.lstrip().upper().startswith(WRITES) for q in replica)
    again, primary, replica = _run(plan)
    assert not _reads_episodes(primary) and not _reads_episodes(replica)
    assert again.result.tables == first.result.tables


def test_an_association_report_reads_the_primary(registry, settings):
    settings.FINSAM_REPORT_EXTRACT = "off"
    board = registry["users"]["board_reader"]
    plan = runner.plan_report(board, "utfall", period=YEAR)
    assert not runner.reads_replica(plan)
    _, primary, replica = _run(plan)
    assert replica == []
    assert _reads_episodes(primary)


def test_writes_go_to_the_primary_even_inside_report_reads(registry, enrol):
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
        routers.report_reads(),
    ):
        assert routers.report_alias() == "replica"
        enrol(anonymous=True, start_date=date(2025, 5, 5))
    assert not any(q.lstrip().upper().startswith(WRITES) for q in _sql(replica))
    assert any(q.lstrip().upper().startswith("INSERT") for q in _sql(primary))


def test_the_router(settings):
    r = routers.ReportReplicaRouter()
    from finsam.registry.models import Episode

    assert r.db_for_read(Episode) is None  # Django's default choice: the primary
    with routers.report_reads():
        assert r.db_for_read(Episode) == "replica"
        assert r.db_for_write(Episode) == "default"
        with routers.report_reads(False):  # nested: still a report read
            assert routers.report_alias() == "replica"
    assert routers.report_alias() == "default"
    assert r.allow_migrate("default", "registry") and not r.allow_migrate("replica", "registry")
    settings.FINSAM_READ_REPLICA = False
    with routers.report_reads():
        assert routers.report_alias() == "default"
