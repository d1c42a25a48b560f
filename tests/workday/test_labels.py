"""Code-list labels instead of codes: budget lines, plan cost types, an episode's follow-ups and
history."""

from datetime import date
from types import SimpleNamespace

from django.urls import reverse

from tests.workday.test_charts import budget_2025  # noqa: F401 (fixture)
from tests.workday.test_worklist import exit_episode


def test_budget_line_categories_as_words():
    from finsam.finance.templatetags.finance import budget_line_category, cost_type_label

    def line(kind, category):
        return SimpleNamespace(line=kind, category=category)

    assert budget_line_category(line("admin_cost", "PREMISES")) == "Lokaler"
    assert budget_line_category(line("admin_cost", "AUDIT")) == "Revision"
    assert budget_line_category(line("resource", "0183")) == "Kommun (0183)"
    assert budget_line_category(line("resource", "EK")) == "Eget kapital från tidigare år"
    assert budget_line_category(line("intervention_cost", "ESF")) == "ESF-finansierad del"
    assert budget_line_category(line("intervention_cost", "")) == "–"
    assert cost_type_label("BOARD") == "Styrelsearvoden" and cost_type_label("") == "–"


def test_budget_page_lists_lines_by_label(client, budget_2025):  # noqa: F811
    world = budget_2025
    client.force_login(world["users"]["association_admin"])
    html = client.get(reverse("budget_year", args=[world["association"].pk, 2025])).content.decode()
    lines = html.split('id="h-lines"')[1].split("</section>")[0]
    assert "<td>Lokaler</td>" in lines and "<td>Förbundschef</td>" in lines
    assert ">PREMISES<" not in lines and ">DIRECTOR<" not in lines
    assert f"<td>{world['persons'].name}</td>" in lines


def test_episode_page_shows_follow_up_support_and_history_as_words(client, world, enrol):
    from finsam.registry import services

    episode = enrol(start_date=date(2025, 1, 10))
    exit_episode(world, episode, date(2025, 6, 1))
    services.followup_record(
        actor=world["users"]["participant_handler"],
        episode=episode,
        months_after=6,
        support=["ING"],
    )
    client.force_login(world["users"]["participant_handler"])
    html = client.get(reverse("episode_detail", args=[episode.pk])).content.decode()
    followups = html.split('id="h-fu"')[1].split("</section>")[0]
    assert "6 månader: Ingen offentlig försörjning" in followups and "ING" not in followups
    history = html.split('id="h-hist"')[1].split("</section>")[0]
    assert "Skrev in deltagare" in history and "Skrev ut deltagare" in history
    assert "episode_enrol" not in history and "exit_reason" not in history
