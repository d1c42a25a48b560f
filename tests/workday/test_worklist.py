"""The handler's start page is a worklist: follow-ups in their window, overdue open episodes,
exits missing required data and withdrawn consent – each linked to the form that settles it."""

from datetime import date

import pytest
from django.urls import reverse

from finsam.domain import worklist as rules
from tests.conftest import PNR_MAN

TODAY = date(2026, 11, 22)


def exit_episode(world, episode, end, **kw):
    from finsam.registry import services

    data = {
        "end_date": end,
        "exit_reason": "ARB",
        "support_after": ["ING"],
        "occupation_after": "ARB",
        "work_hours": 40,
        "study_hours": 0,
    }
    data.update(kw)
    return services.episode_exit(
        actor=world["users"]["participant_handler"],
        episode=episode,
        data=services.exit_input_from(data),
        today=TODAY,
    )


def test_add_months_keeps_the_day_or_the_month_end():
    assert rules.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert rules.add_months(date(2026, 11, 22), -12) == date(2025, 11, 22)
    assert rules.add_months(date(2026, 1, 15), -1) == date(2025, 12, 15)


def test_followup_window_opens_a_month_before_and_closes_two_after():
    exit_day = date(2026, 5, 22)  # six months before TODAY
    assert rules.in_followup_window(exit_day, 6, TODAY)
    assert rules.in_followup_window(date(2026, 6, 22), 6, TODAY)  # due in a month: open
    assert not rules.in_followup_window(date(2026, 6, 23), 6, TODAY)  # not yet
    assert rules.in_followup_window(date(2026, 3, 22), 6, TODAY)  # two months late: still
    assert not rules.in_followup_window(date(2026, 3, 21), 6, TODAY)  # window closed


@pytest.fixture
def worklist_world(world, enrol):
    from finsam.registry import services
    from finsam.registry.models import Episode

    due = enrol(start_date=date(2025, 1, 10))
    exit_episode(world, due, date(2026, 5, 20))  # 6-month follow-up due 2026-11-20
    done = enrol(personal_number=PNR_MAN, start_date=date(2025, 2, 1))
    exit_episode(world, done, date(2026, 5, 25))
    services.followup_record(
        actor=world["users"]["participant_handler"],
        episode=done,
        months_after=6,
        support=["ING"],
    )
    overdue = enrol(anonymous=True, start_date=date(2023, 1, 5))  # open for almost 4 years
    missing = enrol(anonymous=True, start_date=date(2024, 1, 5))
    exit_episode(world, missing, date(2024, 6, 1))
    Episode.objects.filter(pk=missing.pk).update(occupation_after="")  # as an old import left it
    withdrawn = enrol(personal_number="19900161-0006", start_date=date(2026, 2, 1))
    services.consent_withdraw(
        actor=world["users"]["participant_handler"],
        participant=withdrawn.participant,
        withdrawn_date=date(2026, 10, 1),
    )
    return {
        "due": due,
        "done": done,
        "overdue": overdue,
        "missing": missing,
        "withdrawn": withdrawn,
    }


def test_each_kind_lists_the_right_episodes(world, worklist_world):
    from finsam.registry.worklist import worklist

    w = worklist(world["users"]["participant_handler"], today=TODAY)
    keys = {kind: [i.episode_id for i in items] for kind, items in w.items.items()}
    assert keys["followup"] == [worklist_world["due"].pk]
    assert keys["overdue"] == [worklist_world["overdue"].pk]
    assert keys["missing_exit"] == [worklist_world["missing"].pk]
    assert keys["withdrawn"] == [worklist_world["withdrawn"].pk]
    assert w.totals == {"followup": 1, "overdue": 1, "missing_exit": 1, "withdrawn": 1}
    [row] = w.per_intervention
    assert row["pk"] == world["persons"].pk and row["counts"] == [1, 1, 1, 1]
    item = w.items["followup"][0]
    assert item.url == reverse("followup_record", args=[item.episode_id]) + "?months_after=6"
    assert item.due == date(2026, 11, 20)
    assert w.items["overdue"][0].url == reverse("episode_exit", args=[worklist_world["overdue"].pk])
    assert "sysselsättning efter" in w.items["missing_exit"][0].detail


def test_a_new_consent_takes_the_episode_off_the_list(world, worklist_world):
    from finsam.registry.models import Consent
    from finsam.registry.worklist import worklist

    Consent.objects.create(
        participant=worklist_world["withdrawn"].participant, given_date=date(2026, 11, 1)
    )
    w = worklist(world["users"]["participant_handler"], today=TODAY)
    assert w.totals["withdrawn"] == 0


def test_other_handlers_see_nothing_of_it(world, worklist_world, django_user_model):
    from finsam.access.models import RoleAssignment
    from finsam.domain.access import Role
    from finsam.registry.worklist import worklist

    stranger = django_user_model.objects.create_user("h2", password="pw-h2-123456")
    RoleAssignment.objects.create(
        user=stranger, role=Role.PARTICIPANT_HANDLER, association=world["other"]
    )
    assert worklist(stranger, today=TODAY).total == 0


def test_start_page_shows_the_worklist_with_links(client, world, worklist_world):
    client.force_login(world["users"]["participant_handler"])
    html = client.get(reverse("home")).content.decode()
    assert "Att göra" in html and "Antal per insats" in html
    assert reverse("episode_exit", args=[worklist_world["overdue"].pk]) in html
    assert reverse("episode_exit", args=[worklist_world["missing"].pk]) in html
    assert reverse("episode_detail", args=[worklist_world["withdrawn"].pk]) in html


def test_followup_link_preselects_the_months(client, world, worklist_world):
    client.force_login(world["users"]["participant_handler"])
    url = reverse("followup_record", args=[worklist_world["due"].pk]) + "?months_after=12"
    html = client.get(url).content.decode()
    assert '<option value="12" selected>' in html


def test_worklist_kind_filters_the_search(client, world, worklist_world):
    client.force_login(world["users"]["participant_handler"])
    html = client.get(reverse("participant_search"), {"status": "overdue"}).content.decode()
    assert worklist_world["overdue"].key in html
    assert worklist_world["due"].key not in html
    assert "1–1 av 1" in html


def test_board_has_no_worklist(client, world, worklist_world):
    client.force_login(world["users"]["board_reader"])
    html = client.get(reverse("home")).content.decode()
    assert "Att göra" not in html
    assert reverse("dashboard") in html
