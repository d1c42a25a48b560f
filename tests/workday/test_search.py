"""Finding a participant: by identity number (through the pseudonym, audited, identity still
only through the reveal), by episode key, by intervention, status and period; lists paginate."""

from datetime import date

import pytest
from django.urls import reverse

from tests.conftest import PNR_MAN, PNR_WOMAN


def search(client, user, **params):
    """Submit the search form (POST) and follow to the result list (GET)."""
    client.force_login(user)
    return client.post(reverse("participant_search"), params, follow=True)


@pytest.fixture
def people(world, enrol):
    woman = enrol(start_date=date(2024, 3, 1))
    man = enrol(personal_number=PNR_MAN, start_date=date(2025, 6, 1))
    anon = enrol(anonymous=True, start_date=date(2022, 2, 1))
    return {"woman": woman, "man": man, "anon": anon}


def test_identity_number_finds_the_person_and_is_audited(client, world, people):
    from finsam.audit.models import AuditLog

    before = AuditLog.objects.filter(action="identity_search").count()
    response = search(client, world["users"]["participant_handler"], q=PNR_WOMAN)
    [(address, _status)] = response.redirect_chain
    assert "person=" in address and "19900101" not in address and "0009" not in address
    html = response.content.decode()
    assert people["woman"].key in html
    assert people["man"].key not in html
    assert PNR_WOMAN not in html  # not on the page, not in any address
    assert "har loggats" in html
    rows = AuditLog.objects.filter(action="identity_search")
    assert rows.count() == before + 1
    row = rows.latest("pk")
    assert row.actor == world["users"]["participant_handler"] and row.log_type == "access"
    assert "19900101" not in row.summary + row.reason
    # the 10-digit form finds the same person
    html = search(client, world["users"]["participant_handler"], q="900101-0009").content.decode()
    assert people["woman"].key in html


def test_a_malformed_number_says_what_is_wrong(client, world, people):
    html = search(client, world["users"]["participant_handler"], q="19900101-0008").content.decode()
    assert "kontrollsiffra" in html and people["woman"].key not in html


def test_roles_without_identity_may_not_search_by_number(client, world, people):
    from finsam.audit.models import AuditLog

    before = AuditLog.objects.filter(action="identity_search").count()
    response = search(client, world["users"]["association_admin"], q=PNR_WOMAN)
    html = response.content.decode()
    assert "bara deltagaransvariga får söka på identitet" in html
    assert people["woman"].key not in html
    assert AuditLog.objects.filter(action="identity_search").count() == before


def test_episode_key_status_and_period_filters(client, world, people):
    user = world["users"]["participant_handler"]
    key = people["man"].key
    html = search(client, user, q=key[-5:], status="all").content.decode()
    assert key in html and people["woman"].key not in html
    html = search(client, user, status="open", period_from="2025-01-01").content.decode()
    assert people["man"].key in html and people["woman"].key in html
    html = search(client, user, status="open", period_to="2023-01-01").content.decode()
    assert people["anon"].key in html and people["man"].key not in html
    html = search(client, user, period_from="2025-01-01", period_to="2024-01-01").content.decode()
    assert "får inte vara före" in html


def test_intervention_filter_only_offers_own_interventions(client, world, people):
    user = world["users"]["participant_handler"]
    html = (
        client.get(reverse("participant_search")).content.decode()
        if client.force_login(user) is None
        else ""
    )
    assert f'<option value="{world["persons"].pk}"' in html
    assert f'<option value="{world["other_persons"].pk}"' not in html
    response = search(client, user, intervention=world["other_persons"].pk)
    assert "välj ett av alternativen" in response.content.decode()


def test_episode_list_paginates_and_says_how_many(client, world, enrol):
    from finsam.registry.models import Episode, Participant

    template = enrol(anonymous=True, start_date=date(2024, 1, 1))
    rows = []
    for i in range(120):
        p = Participant.objects.create(identity_level="anonymous", sex="K", birth_year=1990)
        rows.append(
            Episode(
                key=f"BULK-{i:04d}",
                intervention=world["persons"],
                participant=p,
                start_date=date(2024, 1, 2),
                home_municipality_id=template.home_municipality_id,
                sex="K",
            )
        )
    Episode.objects.bulk_create(rows)
    client.force_login(world["users"]["participant_handler"])
    url = reverse("episode_list", args=[world["persons"].pk])
    html = client.get(url).content.decode()
    assert "1–50 av 121" in html and "Sida 1 av 3" in html
    html = client.get(url, {"status": "open", "page": 3}).content.decode()
    assert "101–121 av 121" in html and 'rel="prev"' in html


def test_search_needs_episode_access(client, world):
    client.force_login(world["users"]["board_reader"])
    assert client.get(reverse("participant_search")).status_code == 403
