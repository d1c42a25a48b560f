"""The dashboard's indicator panel: the latest protected mean per indicator, chart and table."""

from datetime import date

from django.urls import reverse

from finsam.indicators import services
from tests.conftest import login

from .conftest import answer


def _dashboard(client, world):
    return client.get(
        reverse("dashboard"), {"year": 2025, "association": world["association"].pk}
    ).content.decode()


def _panel(html):
    return html.split('id="p-indikatorer"')[1].split("</section>")[0]


def test_dashboard_shows_indicator_means_with_chart_and_table(
    client, world, exit_version, collection_round
):
    for value in (6, 6, 5, 4, 3, "kb"):
        answer(collection_round, {"A1": value, "A3": 4})
    login(client, world["users"]["board_reader"])
    panel = _panel(_dashboard(client, world))
    assert "4,80" in panel and "n = 6, 2025" in panel
    assert "<svg" in panel and 'aria-hidden="true"' in panel and "<table" in panel


def test_dashboard_indicator_panel_hides_small_groups(client, world, exit_version):
    small = services.round_open(
        actor=None,
        association=world["association"],
        questionnaire=exit_version,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
    )
    for value in (1, 2, 6):
        answer(small, {"A1": value})
    login(client, world["users"]["board_reader"])
    panel = _panel(_dashboard(client, world))
    assert "3,00" not in panel and "<svg" not in panel  # mean of three answers: not shown
    assert "<table" in panel


def test_indicator_overview_page_has_a_chart(client, world, exit_version, collection_round):
    for value in (6, 6, 5, 4, 3):
        answer(collection_round, {"A1": value})
    login(client, world["users"]["board_reader"])
    html = client.get(reverse("indicators_results")).content.decode()
    overview = html.split('id="h-overview"')[1]
    assert "<svg" in overview.split("<table")[0]
    assert "Diagrammet visar medelvärdena i tabellen nedan" in overview


def test_indicator_panel_is_empty_for_other_associations_and_users_without_the_right(
    world, exit_version, collection_round
):
    from finsam.accounts.models import User
    from finsam.indicators.templatetags.indicator_panels import indicator_results_panel

    for value in (6, 6, 5, 4, 3):
        answer(collection_round, {"A1": value})
    nobody = User.objects.create_user("nobody", password="pw-nobody-1234")
    assert indicator_results_panel(nobody, world["association"]) == {"shown": False}
    board = world["users"]["board_reader"]
    assert indicator_results_panel(board, world["other"]) == {"shown": False}
    assert indicator_results_panel(board, world["association"])["shown"] is True
