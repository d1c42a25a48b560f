"""National reports say which associations have signed off the period and can be restricted to
them (``finsam report --signed-only`` and the filter option on the report pages)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from finsam.domain.signoff import SignoffPeriod

PERIOD = ["--from", "2025-01-01", "--to", "2025-12-31"]


@pytest.fixture
def signed(world, registry):
    from finsam.registry.services.signoff import period_sign_off

    period_sign_off(
        actor=world["users"]["association_admin"],
        association=world["association"],
        period=SignoffPeriod(2025),
        today=date(2026, 11, 22),
    )


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("report", *args, stdout=out, stderr=err)
    return list(csv.reader(io.StringIO(out.getvalue()))), err.getvalue()


def test_command_restricts_to_signed_associations(signed):
    rows, note = run("utfall", *PERIOD)
    assert {r[1] for r in rows[1:]} == {"SBG", "OTH"}
    assert "1 av 2 förbund har undertecknat perioden: SBG" in note
    rows, note = run("utfall", *PERIOD, "--signed-only")
    assert {r[1] for r in rows[1:]} == {"SBG"}
    assert "Endast förbund som har undertecknat perioden" in note


def test_country_figure_counts_only_signed_associations(signed):
    association, _ = run("utfall", *PERIOD, "--signed-only")
    country, _ = run("utfall", *PERIOD, "--level", "country", "--signed-only")
    everyone, _ = run("utfall", *PERIOD, "--level", "country")
    by_measure = {r[3]: r[4:] for r in association[1:]}
    assert {r[1] for r in country[1:]} == {"SE"}
    assert {r[3]: r[4:] for r in country[1:]} == by_measure
    assert {r[3]: r[4:] for r in everyone[1:]} != by_measure


def test_a_period_nobody_signed_is_refused(registry):
    with pytest.raises(CommandError, match="inget av förbunden i rapporten har undertecknat"):
        run("utfall", *PERIOD, "--signed-only")


def test_report_page_filter_option(client, world, signed):
    client.force_login(world["users"]["national_analyst"])
    url = reverse("report_page", args=["utfall"])
    query = {"period_type": "year", "year": "2025", "levels": ["association"]}
    html = client.get(url, query).content.decode()
    assert "Endast förbund som har undertecknat perioden" in html  # the filter option
    assert "1 av 2 förbund har undertecknat perioden: SBG" in html
    html = client.get(url, {**query, "signed_only": "on"}).content.decode()
    assert "Endast förbund som har undertecknat perioden: 1 förbund (SBG)" in html
    assert "Annat förbund" not in html.split('id="undertecknat"')[1]
