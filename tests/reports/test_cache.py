"""The report cache (finsam/reports/cache.py): a result is shared only within one permission
scope and never outlives a registration."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import caches

from finsam.domain.reports.core import Period
from finsam.reports import cache as report_cache
from finsam.reports import extract, runner
from finsam.reports import render as rr
from tests.reports.test_pages import url

MEMORY = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "reports": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"},
}
YEAR = Period.year(2025)


@pytest.fixture(autouse=True)
def memory_cache(settings):
    settings.CACHES = MEMORY
    caches["reports"].clear()
    extract.forget()
    yield
    if report_cache.enabled():
        caches["reports"].clear()
    extract.forget()


def _csv(run):
    return rr.csv_table(run.result)


def test_the_second_run_of_a_plan_comes_from_the_cache(registry):
    analyst = registry["users"]["national_analyst"]
    plan = runner.plan_report(analyst, "utfall", period=YEAR, levels=("country",))
    first = report_cache.run_report(analyst, plan)
    again = report_cache.run_report(analyst, plan)
    assert "cached" not in first.timings and "cached" in again.timings
    assert _csv(again) == _csv(first) == _csv(runner.run_report(plan))
    assert again.quality.associations == first.quality.associations


def test_a_registration_is_in_the_next_report(registry, enrol):
    analyst = registry["users"]["national_analyst"]
    plan = runner.plan_report(
        analyst, "deltagare", period=YEAR, levels=("association",), unprotected=False
    )
    before = report_cache.run_report(analyst, plan)
    assert "cached" in report_cache.run_report(analyst, plan).timings
    enrol(anonymous=True, start_date=date(2025, 5, 5), sex="M", birth_year=1990)
    after = report_cache.run_report(analyst, plan)
    assert "cached" not in after.timings
    assert _csv(after) == _csv(runner.run_report(plan)) != _csv(before)


def test_a_follow_up_is_in_the_next_follow_up_report(registry):
    from finsam.registry import services

    analyst = registry["users"]["national_analyst"]
    plan = runner.plan_report(analyst, "uppfoljning", period=YEAR, unprotected=False)
    before = report_cache.run_report(analyst, plan)
    services.followup_record(
        actor=registry["users"]["participant_handler"],
        episode=registry["episodes"][0],
        months_after=12,
        support=["ING"],
        occupation="ARB",
        work_hours=40.0,
    )
    after = report_cache.run_report(analyst, plan)
    assert "cached" not in after.timings
    assert _csv(after) == _csv(runner.run_report(plan)) != _csv(before)


def test_scopes_never_share_an_entry(registry):
    users = registry["users"]
    analyst, board, admin = (
        users["national_analyst"],
        users["board_reader"],
        users["association_admin"],
    )
    sbg = (registry["association"].code,)
    plans = {
        name: runner.plan_report(u, "utfall", period=YEAR, association_codes=sbg)
        for name, u in (("analyst", analyst), ("board", board), ("admin", admin))
    }
    keys = {
        name: report_cache.key(u, plans[name], with_quality=True, with_report=True)
        for name, u in (("analyst", analyst), ("board", board), ("admin", admin))
    }
    assert len(set(keys.values())) == 3  # national scope, protected SBG, unprotected SBG
    # the same user and plan: the same key
    same = report_cache.key(board, plans["board"], with_quality=True, with_report=True)
    assert keys["board"] == same
    assert report_cache.scope(analyst).startswith("all:")
    assert report_cache.scope(board).startswith("some:")


def test_pages_with_the_cache_show_each_user_only_their_own(client, registry):
    users = registry["users"]
    client.force_login(users["national_analyst"])
    national = client.get(url("utfall")).content.decode()
    assert "Annat förbund" in national
    client.force_login(users["board_reader"])
    board = client.get(url("utfall")).content.decode()
    assert "Annat förbund" not in board and "uppgiften visas inte" in board
    client.force_login(users["association_admin"])
    admin = client.get(url("utfall")).content.decode()
    assert "Oskyddade tal" in admin and "Annat förbund" not in admin
    client.force_login(users["board_reader"])
    assert client.get(url("utfall")).content.decode().count("Annat förbund") == 0


def test_the_chart_is_drawn_once_per_result(registry, monkeypatch):
    analyst = registry["users"]["national_analyst"]
    plan = runner.plan_report(analyst, "utfall", period=YEAR, levels=("country",))
    drawn = []
    real = rr.chart_svg

    def counting(result):
        drawn.append(1)
        return real(result)

    monkeypatch.setattr(rr, "chart_svg", counting)
    svg = report_cache.chart_svg(report_cache.run_report(analyst, plan))
    assert report_cache.chart_svg(report_cache.run_report(analyst, plan)) == svg
    assert len(drawn) == 1


def test_off_without_the_alias(registry, settings):
    settings.CACHES = {"default": MEMORY["default"]}
    analyst = registry["users"]["national_analyst"]
    plan = runner.plan_report(analyst, "utfall", period=YEAR)
    assert not report_cache.enabled()
    assert "cached" not in report_cache.run_report(analyst, plan).timings
    assert "cached" not in report_cache.run_report(analyst, plan).timings
