"""The budget page of an association-year: numbers, warnings, downloads and who may see it."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from finsam.finance import selectors


def test_sundbyberg_budget_numbers(sundbyberg, enrol):
    assoc = sundbyberg["association"]
    enrol(start_date=date(2019, 2, 1))
    o = selectors.budget_overview(assoc, 2019, today=date(2026, 11, 22))
    t = o["totals"]
    assert t["budget"]["revenue"] == 2_000_000
    assert t["budget"]["admin"] == 829_980 + 100_000 + 160_000
    assert t["budget"]["interventions"] == 800_000
    assert t["budget"]["result"] == 2_000_000 - 1_889_980
    assert t["budget"]["equity_end"] == 300_000 + 110_020
    r = o["ratios"]["budget"]
    assert r.administration_share == pytest.approx(1_089_980 / 1_889_980)
    assert r.structural_share == pytest.approx(0.25)
    assert r.individual_share == pytest.approx(0.75)
    # planned participants from the registry's intervention, 600 000 / 30
    assert r.participants == 30 and r.cost_per_participant == pytest.approx(20_000)
    assert r.budget_per_inhabitant_16_64 == pytest.approx(2_000_000 / 30_000)
    assert r.esf_financing == pytest.approx(150_000)
    assert r.recommended_max_equity == pytest.approx(400_000)  # 20 % of 2 MSEK
    assert r.equity_excess == pytest.approx(10_020)
    # actuals: participants from the registry's episodes (one enrolled in 2019)
    actual = o["ratios"]["actual"]
    assert actual.participants == 1 and actual.cost_per_participant == pytest.approx(540_000)
    # the contribution plan: 2 000 000 → state 1 000 000, region 500 000, municipality 500 000
    plan = {m.organisation_code: m.amount for m in o["plan"].members}
    assert plan == {"FK": 1_000_000, "AF": 0, "01": 500_000, "0183": 500_000}
    assert o["cap"]["state"] == 1_000_000 and not o["cap"]["over_cap"]


def test_mid_year_start_is_pro_rata(sundbyberg):
    from finsam.finance import services

    assoc, system = sundbyberg["association"], sundbyberg["users"]["system_admin"]
    services.association_year_save(
        actor=system, association=assoc, year=2018, contribution_total=2_000_000
    )
    o = selectors.budget_overview(assoc, 2018, today=date(2026, 11, 22))
    assert o["plan"].months == 6
    assert o["plan"].year_amounts.total == 1_000_000
    assert {m.organisation_code: m.amount for m in o["plan"].members}["0183"] == 250_000


def test_warnings(sundbyberg):
    from finsam.finance import services

    assoc, system = sundbyberg["association"], sundbyberg["users"]["system_admin"]
    services.association_year_save(
        actor=system, association=assoc, year=2027, contribution_total=1_000_000
    )
    services.budget_line_save(
        actor=system, association=assoc, year=2027, line="resource", category="ESF", budget=50_000
    )
    services.budget_line_save(
        actor=system, association=assoc, year=2027, line="resource", category="FK", budget=900_000
    )
    services.budget_line_save(
        actor=system, association=assoc, year=2027, line="resource", category="01", budget=100_000
    )
    services.budget_line_save(
        actor=system,
        association=assoc,
        year=2027,
        line="intervention_cost",
        intervention_code=sundbyberg["persons"].code,
        budget=100_000,
    )
    o = selectors.budget_overview(assoc, 2027, today=date(2026, 11, 22))
    rules = {w.rule for w in o["warnings"]}
    assert "deadline.budget_approaching" in rules  # 30 November 2026 is 8 days away
    assert "contributions.non_member_revenue" in rules  # ESF is not a member
    assert "contributions.min_parties" in rules  # FK + AF are one party
    assert "contributions.state_over_cap" in rules  # 900 000 > 2 × min(100 000, 0)
    late = selectors.budget_overview(assoc, 2027, today=date(2026, 12, 5))
    assert "deadline.budget_missed" in {w.rule for w in late["warnings"]}


def test_budget_page_shows_the_numbers(client, sundbyberg):
    client.force_login(sundbyberg["users"]["board_reader"])
    url = reverse("budget_year", args=[sundbyberg["association"].pk, 2019])
    html = client.get(url).content.decode()
    assert "1\u00a0000\u00a0000" in html and "500\u00a0000" in html and "829\u00a0980" in html
    assert "Administrationsandel" in html and "57,7\u00a0%" in html  # 1 089 980 / 1 889 980
    assert "Rekommenderat högsta eget kapital" in html and "400\u00a0000" in html
    assert 'scope="row"' in html
    # read-only for the board: no edit links
    assert reverse("budget_line_add", args=[sundbyberg["association"].pk, 2019]) not in html
    detail = client.get(reverse("association_detail", args=[sundbyberg["association"].pk]))
    assert reverse("budget_list", args=[sundbyberg["association"].pk]) in detail.content.decode()


def test_budget_xlsx_and_pdf(client, sundbyberg):
    client.force_login(sundbyberg["users"]["national_analyst"])
    url = reverse("budget_year", args=[sundbyberg["association"].pk, 2019])
    response = client.get(url, {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert {"Intäkter", "Administration", "Insatser", "Nyckeltal", "Medlemsbidrag"} <= set(
        book.sheetnames
    )
    fk = [r for r in book["Medlemsbidrag"].iter_rows(values_only=True) if r[1] == "FK"]
    assert fk[0][3] == 1_000_000
    pdf = client.get(url, {"format": "pdf"})
    assert pdf.content[:5] == b"%PDF-"


@pytest.mark.parametrize(
    ("role", "view", "edit"),
    [
        ("system_admin", 200, 200),
        ("association_admin", 200, 200),
        ("intervention_manager", 200, 403),
        ("participant_handler", 200, 403),
        ("board_reader", 200, 403),
        ("national_analyst", 200, 403),
    ],
)
def test_budget_permissions(client, sundbyberg, role, view, edit):
    client.force_login(sundbyberg["users"][role])
    own, other = sundbyberg["association"].pk, sundbyberg["other"].pk
    assert client.get(reverse("budget_year", args=[own, 2019])).status_code == view
    assert client.get(reverse("budget_year_edit", args=[own, 2019])).status_code == edit
    assert client.get(reverse("budget_line_add", args=[own, 2019])).status_code == edit
    expected_other = 200 if role in ("system_admin", "national_analyst") else 403
    assert client.get(reverse("budget_year", args=[other, 2019])).status_code == expected_other


def test_participant_counts_are_protected_for_a_reader_without_unprotected_reports(
    client, sundbyberg, enrol
):
    """One person in the individual intervention in 2019: the board reader sees the protection
    symbol for the intervention's count, the key ratio and the cost per participant (540 000 / 1
    would give the count back), in the page and in the xlsx; the association administrator, who
    may see the association's participants, sees 1."""
    from finsam.domain.protection import ProtectionRule

    enrol(start_date=date(2019, 2, 1))
    assoc = sundbyberg["association"]
    rule = ProtectionRule.for_threshold(5)
    o = selectors.budget_overview(assoc, 2019, today=date(2026, 11, 22), rule=rule)
    persons = next(i for i in o["interventions"] if i["code"] == sundbyberg["persons"].code)
    assert persons["actual_participants"] == rule.symbol
    actual, forecast = o["ratios"]["actual"], o["ratios"]["forecast"]
    assert actual.participants == rule.symbol and actual.cost_per_participant == rule.symbol
    assert forecast.participants == rule.symbol
    assert o["ratios"]["budget"].participants == 30  # planned participants are not registry data

    url = reverse("budget_year", args=[assoc.pk, 2019])
    client.force_login(sundbyberg["users"]["board_reader"])
    html = client.get(url).content.decode()
    assert "540\u00a0000" in html  # the intervention's actual cost is shown …
    assert html.count(f">{rule.symbol}<") >= 3  # … but neither its count nor the ratios
    book = openpyxl.load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content))
    rows = [[c.value for c in r] for r in book["Insatser"].iter_rows()]
    persons_row = next(r for r in rows if r[0] == sundbyberg["persons"].code)
    assert persons_row[-1] == rule.symbol

    client.force_login(sundbyberg["users"]["association_admin"])
    o = client.get(url).context["interventions"]
    assert next(i for i in o if i["code"] == sundbyberg["persons"].code)["actual_participants"] == 1
