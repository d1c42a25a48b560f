"""Report pages and downloads through the test client: who sees what, protected or not, and the
same suppressed cells in every format."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse

from finsam.domain.reports.export import CSV_COLUMNS, CSV_COLUMNS_WITH_LABEL

REPORT_NAMES = [
    "utfall",
    "forsorjning-fore",
    "forsorjning-efter",
    "avslutningsanledningar",
    "sysselsattning",
    "deltagare",
    "insatser",
    "kostnader",
    "uppfoljning",
]
YEAR = "?period_type=year&year=2025&levels=association"
UNPROTECTED = "Oskyddade tal"
SYMBOL = ".."


def url(name, query=YEAR, **extra):
    q = query + "".join(f"&{k}={v}" for k, v in extra.items())
    return reverse("report_page", args=[name]) + q


@pytest.mark.parametrize("name", REPORT_NAMES)
def test_every_report_page_protected_for_the_board_unprotected_for_the_administrator(
    client, registry, name
):
    client.force_login(registry["users"]["board_reader"])
    board = client.get(url(name))
    assert board.status_code == 200
    html = board.content.decode()
    assert "uppgiften visas inte" in html
    assert UNPROTECTED not in html
    assert "Samordningsförbundet Sundbyberg" in html and "Annat förbund" not in html
    client.force_login(registry["users"]["association_admin"])
    admin = client.get(url(name)).content.decode()
    assert UNPROTECTED in admin
    assert SYMBOL not in admin.split('id="skydd"')[1]  # no suppressed cell below the note


def test_small_counts_are_the_symbol_for_the_board_and_numbers_for_the_handler(client, registry):
    client.force_login(registry["users"]["board_reader"])
    html = client.get(url("utfall")).content.decode()
    tables = html.split('class="table report"')[1]
    assert SYMBOL in tables
    assert '<td class="num">3</td>' not in tables  # 3 exited episodes: hidden
    client.force_login(registry["users"]["participant_handler"])
    html = client.get(url("utfall")).content.decode()
    tables = html.split('class="table report"')[1]
    assert '<td class="num">3</td>' in tables and SYMBOL not in tables


def test_administrator_may_ask_for_protected_numbers(client, registry):
    client.force_login(registry["users"]["association_admin"])
    html = client.get(url("utfall", protected="on")).content.decode()
    assert UNPROTECTED not in html and SYMBOL in html


def test_national_analyst_sees_all_associations_county_and_country_protected(client, registry):
    client.force_login(registry["users"]["national_analyst"])
    q = "?period_type=year&year=2025&levels=association&levels=county&levels=country"
    html = client.get(url("utfall", q)).content.decode()
    assert "Annat förbund" in html and "Stockholms län" in html and "Riket" in html
    assert UNPROTECTED not in html and SYMBOL in html
    assert 'name="protected"' not in html  # no choice: always protected


def test_levels_and_associations_outside_the_scope_are_refused_in_swedish(client, registry):
    client.force_login(registry["users"]["association_admin"])
    html = client.get(url("utfall", YEAR + "&levels=county")).content.decode()
    assert "error-summary" in html and "Nivå: välj bland alternativen" in html
    assert 'class="table report"' not in html
    assert client.get(url("utfall", associations="OTH")).status_code == 403
    assert client.get(url("utfall", associations="OTH", format="csv")).status_code == 403
    html = client.get(url("utfall", associations="NOPE")).content.decode()
    assert "Förbund: välj bland alternativen" in html
    assert 'class="table report"' not in html


def test_bad_period_keeps_what_was_typed(client, registry):
    client.force_login(registry["users"]["board_reader"])
    q = "?period_type=dates&date_from=2025-12-31&date_to=2025-01-01"
    html = client.get(url("utfall", q)).content.decode()
    assert "Periodens slutdatum" in html and "error-summary" in html
    assert 'value="2025-12-31"' in html and 'class="table report"' not in html
    html = client.get(url("utfall", "?period_type=months&month_from=2025-13")).content.decode()
    assert "Från månad: ange en månad som ÅÅÅÅ-MM." in html
    assert "Till och med månad måste anges." in html


def test_month_range_and_age_split(client, registry):
    client.force_login(registry["users"]["association_admin"])
    q = "?period_type=months&month_from=2025-05&month_to=2025-05&split=sex_age"
    html = client.get(url("utfall", q)).content.decode()
    assert "R1 Utfall" in html and "31 maj 2025" in html
    assert "16–19" in html  # an age band column
    # only e1 exited in May 2025
    assert html.split('class="table report"')[1].count('<td class="num">1</td>') >= 1


def test_system_administrator_has_no_reports(client, registry):
    client.force_login(registry["users"]["system_admin"])
    assert client.get(reverse("report_index")).status_code == 403
    assert client.get(url("utfall")).status_code == 403
    assert client.get(url("utfall", format="csv")).status_code == 403


def test_quality_links_only_for_users_who_may_see_the_episodes(client, registry):
    e3 = registry["episodes"][2]  # still enrolled, no education
    link = reverse("episode_detail", args=[e3.pk])
    quality = reverse("report_quality") + "?period_type=year&year=2025"
    client.force_login(registry["users"]["participant_handler"])
    html = client.get(quality).content.decode()
    assert link in html
    client.force_login(registry["users"]["board_reader"])
    html = client.get(quality).content.decode()
    assert "Utbildningsnivå saknas" in html and link not in html
    assert SYMBOL in html  # small counts protected for the board


def test_overdue_limit_is_configurable(client, registry):
    client.force_login(registry["users"]["association_admin"])
    quality = reverse("report_quality") + "?period_type=year&year=2025&overdue_months="
    row = "Samordningsförbundet Sundbyberg"
    many = client.get(quality + "1").content.decode().split(row)[1].split("</tr>")[0]
    few = client.get(quality + "24").content.decode().split(row)[1].split("</tr>")[0]
    assert many != few
    html = client.get(quality + "0").content.decode()
    assert "Maxtid för inskrivning (månader): värdet måste vara minst 1." in html


def _csv(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("name", ["utfall", "avslutningsanledningar"])
def test_downloads_suppress_the_same_cells(client, registry, name):
    import openpyxl

    client.force_login(registry["users"]["board_reader"])
    rows = _csv(client.get(url(name, format="csv")))
    header = CSV_COLUMNS_WITH_LABEL if name == "avslutningsanledningar" else CSV_COLUMNS
    assert tuple(rows[0]) == header
    first = len(header) - 3
    hidden_csv = {
        (r[1], r[3], c)
        for r in rows[1:]
        for c, v in zip("twm", r[first:], strict=True)
        if v == ".."
    }
    assert hidden_csv

    data = json.loads(client.get(url(name, format="json")).content)
    main = data["tables"][0]
    hidden_json = {
        (a["code"], row["key"], col[0])
        for row in main["rows"]
        for a in row["areas"]
        for col, cell in a["cells"].items()
        if cell["display"] == ".."
    }
    hidden_json = {(a, r, {"t": "t", "w": "w", "m": "m"}[c]) for a, r, c in hidden_json}
    assert hidden_json == hidden_csv
    assert all(
        cell["value"] is None
        for row in main["rows"]
        for a in row["areas"]
        for cell in a["cells"].values()
        if cell["display"] == ".."
    )
    assert "data_quality" in data and data["protected"] is True

    book = openpyxl.load_workbook(io.BytesIO(client.get(url(name, format="xlsx")).content))
    assert "Definitioner" in book.sheetnames
    assert len(book.sheetnames) == len(data["tables"]) + 1
    sheet = book[book.sheetnames[0]]
    hidden_xlsx = {
        (r[1], r[3], c)
        for r in sheet.iter_rows(min_row=2, values_only=True)
        for c, v in zip("twm", r[5:8], strict=True)
        if v == ".."
    }
    assert hidden_xlsx == hidden_csv
    notes = " ".join(str(c.value) for c in book["Definitioner"]["A"])
    assert "5" in notes and "skydd" in notes.lower()

    page = client.get(url(name)).content.decode().split('class="table report"')[1]
    page = page.split("</table>")[0]
    assert page.count(SYMBOL) == len(hidden_csv)

    pdf = client.get(url(name, format="pdf"))
    assert pdf.content.startswith(b"%PDF")
    assert pdf["Content-Type"] == "application/pdf"


def test_unprotected_downloads_for_the_handler(client, registry):
    client.force_login(registry["users"]["participant_handler"])
    rows = _csv(client.get(url("utfall", format="csv")))
    assert not any(".." in v for r in rows for v in r)
    assert [
        "association",
        "SBG",
        "Samordningsförbundet Sundbyberg",
        "antal_avslutade",
        "3",
        "1",
        "1",
    ] in rows
    data = json.loads(client.get(url("utfall", format="json")).content)
    assert data["protected"] is False


def test_index_lists_every_report_and_the_nav_has_reports(client, registry):
    client.force_login(registry["users"]["board_reader"])
    html = client.get(reverse("report_index")).content.decode()
    for name in REPORT_NAMES:
        assert reverse("report_page", args=[name]) in html
    assert ">Rapporter</a></li>" in html
    client.force_login(registry["users"]["system_admin"])
    assert ">Rapporter</a></li>" not in client.get(reverse("home")).content.decode()


def test_empty_registry_shows_an_empty_report_not_an_error(client, db):
    from finsam.access.models import RoleAssignment
    from finsam.accounts.models import User
    from finsam.domain.access import Role

    analyst = User.objects.create_user("analytiker", password="pw-analyst-123")
    RoleAssignment.objects.create(user=analyst, role=Role.NATIONAL_ANALYST)
    client.force_login(analyst)
    for name in REPORT_NAMES:
        assert client.get(reverse("report_page", args=[name])).status_code == 200, name
    assert client.get(url("utfall", format="csv")).content.decode().startswith("level,")


def test_quality_page_reads_a_bounded_number_of_queries(
    client, registry, enrol, django_assert_max_num_queries
):
    from datetime import date

    for day in range(1, 11):  # ten more episodes with missing data, all linked
        enrol(anonymous=True, start_date=date(2025, 3, day), support_before=["SJP"])
    client.force_login(registry["users"]["participant_handler"])
    quality = reverse("report_quality") + "?period_type=year&year=2025"
    with django_assert_max_num_queries(20):
        html = client.get(quality).content.decode()
    assert html.count("Inskrivning ") >= 10
