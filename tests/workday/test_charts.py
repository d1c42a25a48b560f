"""Charts on budget, volume and trends: drawn from the protected numbers only, each with its
table (the screen-reader alternative), in the one Swedish number format."""

from datetime import date

import pytest
from django.urls import reverse

from finsam.domain.formatting import NBSP

BUDGET_LINES = [
    ("resource", "FK", "", 1_000_000, 1_000_000),
    ("resource", "01", "", 500_000, 500_000),
    ("resource", "0183", "", 500_000, 450_000),
    ("admin_cost", "DIRECTOR", "", 829_980, 829_980),
    ("admin_cost", "PREMISES", "", 100_000, 110_000),
    ("intervention_cost", "", "persons", 600_000, 540_000),
    ("intervention_cost", "", "volume", 200_000, 200_000),
]


@pytest.fixture
def budget_2025(world):
    return make_budget(world)


def make_budget(world, year=2025):
    """The association's budget for ``year``: 2 000 000 budgeted and 1 950 000 received."""
    from finsam.finance import services

    assoc, system = world["association"], world["users"]["system_admin"]
    services.association_year_save(
        actor=system,
        association=assoc,
        year=year,
        budget_adopted=date(year - 1, 11, 20),
        annual_report_adopted=None,
        equity_start=300_000,
        population_16_64=30_000,
        contribution_total=2_000_000,
        state_offer=1_000_000,
    )
    for line, category, intervention, budget, actual in BUDGET_LINES:
        services.budget_line_save(
            actor=system,
            association=assoc,
            year=year,
            line=line,
            category=category,
            intervention_code=world[intervention].code if intervention else "",
            budget=budget,
            actual=actual,
        )
    return world


@pytest.fixture
def board_data(world, enrol, budget_2025):
    """2025: seven anonymous participants (shown); 2023: two (hidden, fewer than five);
    volume counts for three months of 2025."""
    from finsam.registry import services

    for _ in range(7):
        enrol(anonymous=True, start_date=date(2025, 2, 1))
    for _ in range(2):
        enrol(anonymous=True, start_date=date(2023, 2, 1))
    for month in (1, 2, 3):
        services.volume_record(
            actor=world["users"]["participant_handler"],
            intervention=world["volume"],
            month=date(2025, month, 1),
            women=10,
            men=8,
            other=0,
        )
    return world


def _panel(html: str, key: str) -> str:
    return html.split(f'id="p-{key}"')[1].split("</section>")[0]


def _values(chart) -> list[dict]:
    spec = chart.to_dict()
    return spec.get("data", {}).get("values") or [
        v for layer in spec.get("layer", []) for v in layer.get("data", {}).get("values", [])
    ]


def test_dashboard_budget_panel_reads_r8_budget_and_outcome(client, board_data):
    world = board_data
    client.force_login(world["users"]["board_reader"])
    html = client.get(
        reverse("dashboard"), {"year": 2025, "association": world["association"].pk}
    ).content.decode()
    panel = _panel(html, "kostnader")
    assert "Budget 2025" in panel and "Utfall 2025" in panel and "Utfall 2024" in panel
    assert f"2{NBSP}000{NBSP}000" in panel  # resources: budget
    assert f"1{NBSP}950{NBSP}000" in panel  # resources: outcome
    assert f"1{NBSP}679{NBSP}980" in panel  # costs: outcome (829 980 + 110 000 + 740 000)
    # cost per participant: 1 679 980 / 9 persons active in 2025, whole kronor
    assert f"186{NBSP}664" in panel
    assert "<svg" in panel and 'aria-hidden="true"' in panel
    assert "<table" in panel


def test_dashboard_trend_and_volume_charts_draw_only_shown_values(board_data):
    from finsam.reports import dashboard

    world = board_data
    board = dashboard.build(
        world["users"]["board_reader"], year=2025, association=world["association"]
    )
    panels = {p.key: p for p in board.panels}
    trend = panels["trend"]
    assert trend.columns == ("2021", "2022", "2023", "2024", "2025")
    active = next(r for r in trend.rows if r["key"] == "personer_aktiva")
    # 2023 and 2024: two persons active – hidden in the table and not drawn
    assert active["cells"][2] == ".." and active["cells"][3] == ".."
    assert active["cells"][4] == "9"
    drawn = {(v["år"], v["mått"]): v["värde"] for v in _values(trend.chart)}
    assert drawn[("2025", "Personer aktiva")] == 9
    assert ("2023", "Personer aktiva") not in drawn and ("2024", "Personer aktiva") not in drawn
    volume = panels["volym"]
    assert volume.chart is not None
    assert {v["år"]: v["värde"] for v in _values(volume.chart)} == {"2025": 54.0, "2024": 0.0}
    assert volume.rows[0]["this"] == "54"


def test_dashboard_page_shows_trend_and_volume_tables(client, board_data):
    world = board_data
    client.force_login(world["users"]["board_reader"])
    html = client.get(
        reverse("dashboard"), {"year": 2025, "association": world["association"].pk}
    ).content.decode()
    trend = _panel(html, "trend")
    assert "Deltagare per år 2021–2025" in trend and "<svg" in trend and "<table" in trend
    assert ">..<" in trend  # the hidden years are shown as the protection symbol
    assert "<svg" in _panel(html, "volym")


def test_budget_page_has_budget_against_outcome_charts(client, budget_2025):
    world = budget_2025
    client.force_login(world["users"]["association_admin"])
    html = client.get(reverse("budget_year", args=[world["association"].pk, 2025])).content.decode()
    result = html.split('id="h-result"')[1].split("</section>")[0]
    assert "<svg" in result and "Diagrammet visar talen i tabellen nedan" in result
    assert "Budget mot utfall och prognos" in result
    interventions = html.split('id="h-intv"')[1].split("</section>")[0]
    assert "<svg" in interventions and "<table" in interventions


def test_budget_charts_leave_out_missing_values():
    from finsam.finance import charts

    totals = {
        "budget": {"revenue": 100.0, "admin": 10.0, "interventions": 50.0, "costs": 60.0},
        "actual": {"revenue": None, "admin": None, "interventions": None, "costs": None},
        "forecast": {"revenue": 100.0, "admin": 10.0, "interventions": 50.0, "costs": 60.0},
    }
    values = charts.totals_chart(totals).to_dict()["data"]["values"]
    assert {v["serie"] for v in values} == {"Budget", "Prognos"}
    assert charts.interventions_chart([]) is None


def test_r8_report_charts_budget_against_outcome(budget_2025):
    from finsam.domain.reports.core import Period
    from finsam.reports import render, runner

    world = budget_2025
    plan = runner.plan_report(
        world["users"]["association_admin"],
        "kostnader",
        period=Period.year(2025),
        levels=("association",),
        association_codes=(world["association"].code,),
        unprotected=False,
    )
    result = runner.run_report(plan, with_quality=False).result
    chart = render.chart(result)
    values = {(v["rad"], v["serie"]): v["värde"] for v in chart.to_dict()["data"]["values"]}
    assert values[("Resurser totalt", "Budget")] == 2_000_000
    assert values[("Resurser totalt", "Utfall")] == 1_950_000
    assert values[("Administrationskostnader", "Utfall")] == 939_980
    assert not any("per deltagare" in rad for rad, _serie in values)
    assert "<svg" in render.chart_svg(result)
