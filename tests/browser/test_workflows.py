"""Each role's main workflow, end to end in a real browser (chromium), with axe-core on every
page on the way and screenshots of the main pages."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from tests.browser.conftest import axe_violations, screenshot
from tests.conftest import PNR_WOMAN

pytestmark = pytest.mark.browser


def assert_accessible(page):
    problems = axe_violations(page)
    assert not problems, "\n".join(problems)


def test_handler_enrols_exits_and_follows_up(open_as, live_server, world):
    from finsam.registry.models import Episode, FollowUp

    page = open_as(world["users"]["participant_handler"])
    page.goto(f"{live_server.url}/insatser/{world['persons'].pk}/deltagare/ny/")
    assert_accessible(page)
    # progressive enhancement: the other kind's fields are hidden once a kind is chosen
    page.check("input[name=identity_level][value=anonymous]")
    assert page.locator("[data-applies=identified]").first.is_hidden()
    assert page.locator("input[name=birth_year]").is_visible()
    page.check("input[name=identity_level][value=identified]")
    assert page.locator("input[name=personal_number]").is_visible()
    assert page.locator("input[name=birth_year]").is_hidden()
    # every error at once
    page.click("main form.form button[type=submit]")
    summary = page.locator(".error-summary").inner_text()
    assert "Startdatum måste anges." in summary and "samtycke" in summary
    assert_accessible(page)
    page.fill("input[name=personal_number]", PNR_WOMAN)
    page.fill("input[name=consent_date]", "2025-01-10")
    page.fill("input[name=home_municipality]", "0183")
    page.fill("input[name=start_date]", "2025-01-10")
    page.check("input[name=support_before][value=FSS]")
    screenshot(page, "handler-enrolment-form")
    page.click("main form.form button[type=submit]")
    page.wait_for_url("**/deltagare/**")
    assert "Deltagaren är inskriven." in page.inner_text("main")
    episode = Episode.objects.get()
    page.click(f"text={episode.key}")
    page.click("text=Registrera avslut")
    page.fill("input[name=end_date]", "2025-06-01")
    page.select_option("select[name=exit_reason]", "ARB")
    page.check("input[name=support_after][value=ING]")
    page.select_option("select[name=occupation_after]", "ARB")
    page.fill("input[name=work_hours]", "40")
    page.fill("input[name=study_hours]", "0")
    assert_accessible(page)
    page.click("main form.form button[type=submit]")
    assert "Avslutet är registrerat." in page.inner_text("main")
    page.click("text=Registrera uppföljning")
    page.select_option("select[name=months_after]", "6")
    page.check("input[name=support][value=ING]")
    page.click("main form.form button[type=submit]")
    assert "Uppföljningen är sparad." in page.inner_text("main")
    assert_accessible(page)
    screenshot(page, "handler-episode-detail")
    assert FollowUp.objects.filter(episode=episode, months_after=6).exists()
    # the start page and the search
    page.goto(live_server.url + "/")
    assert "Att göra" in page.inner_text("main")
    assert_accessible(page)
    screenshot(page, "handler-worklist")
    page.goto(live_server.url + "/deltagare/")
    page.fill("input[name=q]", PNR_WOMAN)
    page.select_option("select[name=status]", "all")
    page.click("form[role=search] button[type=submit]")
    assert episode.key in page.inner_text("main") and PNR_WOMAN not in page.url
    assert_accessible(page)


def test_admin_imports_with_preview(open_as, live_server, world, tmp_path):
    from finsam.registry.models import Episode
    from tests.interchange.conftest import EPISODE_HEADER, episode_rows

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EPISODE_HEADER)
    writer.writerows(episode_rows(4))
    path = tmp_path / "inskrivningar.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    page = open_as(world["users"]["association_admin"])
    page.goto(live_server.url + "/import/")
    assert_accessible(page)
    page.select_option("select[name=kind]", "episodes")
    page.select_option("select[name=association]", str(world["association"].pk))
    page.set_input_files("input[name=file]", str(path))
    page.click("text=Kontrollera filen")
    assert "Filen kan importeras" in page.inner_text("main")
    assert Episode.objects.count() == 0
    assert_accessible(page)
    screenshot(page, "admin-import-preview")
    page.click("button:has-text('Importera')")
    page.wait_for_load_state()
    assert Episode.objects.count() == 4


def test_board_reads_a_report_and_downloads_it(open_as, live_server, world, enrol):
    enrol()
    page = open_as(world["users"]["board_reader"])
    page.goto(live_server.url + "/rapporter/utfall/?period_type=year&year=2024")
    assert_accessible(page)
    screenshot(page, "board-report-r1")
    with page.expect_download() as download:
        page.click(".downloads a:has-text('xlsx')")
    assert download.value.suggested_filename.endswith(".xlsx")
    page.goto(live_server.url + "/oversikt/")
    assert "Översikt" in page.inner_text("h1")
    assert_accessible(page)
    screenshot(page, "board-dashboard")


def test_analyst_runs_an_allocation_scenario(open_as, live_server, world, tmp_path):
    from tests.finance.conftest import ALLOCATION_CSV

    path = tmp_path / "allocation_input.csv"
    path.write_bytes(ALLOCATION_CSV)
    page = open_as(world["users"]["national_analyst"])
    page.goto(live_server.url + reverse("allocation"))
    page.set_input_files("input[name=file]", str(path))
    page.click("text=Läs in")
    page.click("button:has-text('Räkna')")
    main = page.inner_text("main")
    assert "Resultat, scenario A" in main
    assert_accessible(page)
    screenshot(page, "analyst-allocation")
    with page.expect_download() as download:
        page.click("a:has-text('xlsx')")
    assert download.value.suggested_filename.endswith(".xlsx")


def test_handler_files_a_deviation_report(open_as, live_server, world):
    from finsam.deviations.models import DeviationReport

    members = {m.kind: m for m in world["association"].members.all()}
    page = open_as(world["users"]["participant_handler"])
    page.goto(live_server.url + reverse("deviation_new", args=[world["association"].pk]))
    assert_accessible(page)
    page.fill("input[name=report_date]", "2026-10-01")
    page.check(f"input[name=organisations][value='{members['FK'].pk}']")
    page.check(f"input[name=organisations][value='{members['MUNICIPALITY'].pk}']")
    page.select_option("select[name=category]", "NEKAD")
    page.fill("textarea[name=description]", "Kommunen väntade på FK:s beslut och tvärtom.")
    page.fill("textarea[name=consequence]", "Försörjningsstöd i fyra månader.")
    page.click("main form.form button[type=submit]")
    page.wait_for_load_state()
    assert DeviationReport.objects.count() == 1
    assert_accessible(page)
    screenshot(page, "handler-deviation-report")


def test_board_reads_the_dashboard_and_budget_charts(open_as, live_server, world, enrol):
    """The dashboard with every panel filled (budget from R8, volume, trend) and the budget page
    with its charts: axe finds nothing, and every chart has its table."""
    from datetime import date

    from finsam.registry import services
    from tests.workday.test_charts import make_budget

    make_budget(world)
    for _ in range(6):
        enrol(anonymous=True, start_date=date(2025, 2, 1))
    services.volume_record(
        actor=world["users"]["participant_handler"],
        intervention=world["volume"],
        month=date(2025, 3, 1),
        women=10,
        men=8,
        other=0,
    )
    page = open_as(world["users"]["board_reader"])
    page.goto(live_server.url + f"/oversikt/?year=2025&association={world['association'].pk}")
    for key in ("kostnader", "volym", "trend"):
        section = page.locator(f"section[aria-labelledby='p-{key}']")
        assert section.locator("svg").count() >= 1, key
        assert section.locator("table").count() == 1, key
    assert_accessible(page)
    screenshot(page, "board-dashboard-charts")
    page.goto(live_server.url + reverse("budget_year", args=[world["association"].pk, 2025]))
    assert page.locator("section[aria-labelledby='h-result'] svg").count() >= 1
    assert_accessible(page)
    screenshot(page, "budget-charts")
