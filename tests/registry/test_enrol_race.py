"""Issue 14 item 8: concurrent registrations of one identity number – one enrolment, every other
request the Swedish "already registered" message, never a 500."""

from __future__ import annotations

import os
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from tests.conftest import PNR_WOMAN

THREADS = 8


def _post(world, user, results, barrier):
    client = Client()
    client.raise_request_exception = False
    client.force_login(user)
    data = {
        "identity_level": "identified",
        "personal_number": PNR_WOMAN,
        "consent_date": "2024-03-01",
        "home_municipality": "0183",
        "start_date": "2024-03-01",
        "support_before": ["FSS"],
    }
    try:
        barrier.wait()
        response = client.post(reverse("episode_enrol", args=[world["persons"].pk]), data)
        results.append((response.status_code, response.content.decode()))
    finally:
        connections.close_all()


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="a real race needs PostgreSQL (SQLite serialises the whole database)",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_of_one_person(world):
    assert connection.vendor == "postgresql"
    from finsam.registry.models import Episode, Participant

    user = world["users"]["participant_handler"]
    results: list[tuple[int, str]] = []
    barrier = threading.Barrier(THREADS)
    threads = [
        threading.Thread(target=_post, args=(world, user, results, barrier)) for _ in range(THREADS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(code for code, _ in results)
    assert len(results) == THREADS and 500 not in codes
    assert codes.count(302) == 1  # one enrolment, redirected to its page
    for code, body in results:
        if code != 302:
            assert code == 200 and ("redan inskriven" in body or "redan registrerad" in body)
    assert Participant.objects.count() == 1
    assert Episode.objects.filter(intervention=world["persons"]).count() == 1


def test_a_duplicate_key_at_the_insert_is_the_swedish_message(world, monkeypatch):
    """The service boundary maps the unique violation itself (e.g. a second application server
    without the advisory lock) to the same message."""
    from datetime import date

    from django.db import IntegrityError

    from finsam.domain import registration as rules
    from finsam.domain.problems import DomainValidationError
    from finsam.registry import services
    from finsam.registry.models import Participant

    def clash(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(Participant.objects, "create", clash)
    data = services.enrolment_input_from(
        dict(
            identity_level=rules.IDENTIFIED,
            personal_number=PNR_WOMAN,
            consent_date=date(2024, 3, 1),
            home_municipality="0183",
            start_date=date(2024, 3, 1),
            support_before=["FSS"],
        )
    )
    with pytest.raises(DomainValidationError) as exc:
        services.episode_enrol(
            actor=world["users"]["participant_handler"],
            intervention=world["persons"],
            data=data,
            today=date(2026, 11, 22),
        )
    assert exc.value.problems[0].rule == "enrolment.already_registered"
    assert "redan registrerad" in exc.value.problems[0].message
