"""Period sign-off: the lock in every write path (services, web forms, import), reopening with a
reason, the status page and the report restriction, and the role matrix of the new pages."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from finsam.domain.problems import DomainValidationError
from finsam.domain.signoff import SignoffPeriod
from tests.interchange.conftest import EPISODE_HEADER, episode_rows, write_csv

TODAY = date(2026, 11, 22)


@pytest.fixture
def sign(world):
    from finsam.registry.services.signoff import period_sign_off

    def _sign(code="2024", association=None):
        year, _, half = code.partition("H")
        return period_sign_off(
            actor=world["users"]["association_admin"],
            association=association or world["association"],
            period=SignoffPeriod(int(year), int(half) if half else None),
            today=TODAY,
        )

    return _sign


def _rules(exc) -> list[tuple[str, str]]:
    return [(p.field, p.rule) for p in exc.value.problems]


def test_signing_is_audited_and_overlaps_are_refused(world, sign):
    from finsam.audit.models import AuditLog

    row = sign("2024H1")
    log = AuditLog.objects.get(action="period_sign_off")
    assert log.association_id == world["association"].pk and "2024" in log.summary
    with pytest.raises(DomainValidationError) as exc:
        sign("2024")
    assert _rules(exc) == [("period", "signoff.already_signed")]
    assert row.active


def test_lock_in_every_service(world, enrol, sign):
    from finsam.registry import services
    from finsam.registry.models import Episode, FollowUp, VolumeCount

    open_episode = enrol(start_date=date(2024, 3, 1))
    exited = enrol(start_date=date(2024, 2, 1), personal_number="19850615-2399")
    services.episode_exit(
        actor=world["users"]["participant_handler"],
        episode=exited,
        data=services.exit_input_from(
            {"end_date": date(2024, 5, 1), "exit_reason": "ARB", "support_after": ["ING"]}
        ),
        today=TODAY,
    )
    sign("2024H1")
    handler = world["users"]["participant_handler"]
    before = Episode.objects.count()
    with pytest.raises(DomainValidationError) as exc:
        enrol(start_date=date(2024, 4, 1), anonymous=True)
    assert ("start_date", "signoff.locked") in _rules(exc)
    assert Episode.objects.count() == before
    with pytest.raises(DomainValidationError) as exc:
        services.episode_exit(
            actor=handler,
            episode=open_episode,
            data=services.exit_input_from(
                {"end_date": date(2024, 6, 1), "exit_reason": "ARB", "support_after": ["ING"]}
            ),
            today=TODAY,
        )
    assert _rules(exc) == [("end_date", "signoff.locked")]
    # An exit after the signed period is allowed, even for an episode that started in it.
    services.episode_exit(
        actor=handler,
        episode=open_episode,
        data=services.exit_input_from(
            {"end_date": date(2024, 8, 1), "exit_reason": "ARB", "support_after": ["ING"]}
        ),
        today=TODAY,
    )
    with pytest.raises(DomainValidationError) as exc:
        services.episode_correct(
            actor=handler,
            episode=exited,
            start_date=date(2024, 2, 2),
            home_municipality="0183",
            support_before=["FSS"],
            today=TODAY,
        )
    assert ("start_date", "signoff.locked") in _rules(exc)
    with pytest.raises(DomainValidationError) as exc:
        services.episode_mark_error(actor=handler, episode=exited, reason="Fel person")
    assert ("start_date", "signoff.locked") in _rules(exc)
    sign("2024H2")
    with pytest.raises(DomainValidationError) as exc:
        services.followup_record(actor=handler, episode=exited, months_after=6, support=["ING"])
    assert _rules(exc) == [("months_after", "signoff.locked")]
    assert FollowUp.objects.count() == 0
    # 12 months after the exit (May 2024) lies outside the signed year.
    services.followup_record(actor=handler, episode=exited, months_after=12, support=["ING"])
    manager = world["users"]["intervention_manager"]
    with pytest.raises(DomainValidationError) as exc:
        services.volume_record(
            actor=manager,
            intervention=world["volume"],
            month=date(2024, 6, 1),
            women=1,
            men=1,
            other=0,
        )
    assert _rules(exc) == [("month", "signoff.locked")]
    services.volume_record(
        actor=manager,
        intervention=world["volume"],
        month=date(2025, 7, 1),
        women=1,
        men=1,
        other=0,
    )
    assert VolumeCount.objects.count() == 1
    exited.refresh_from_db()
    assert exited.start_date == date(2024, 2, 1) and exited.exit_reason == "ARB"


def test_other_association_is_not_locked(world, sign, enrol):
    sign("2024", association=world["other"])
    assert enrol(start_date=date(2024, 4, 1)).pk


def test_reopen_with_reason_unlocks(world, enrol, sign):
    from finsam.audit.models import AuditLog
    from finsam.registry.services.signoff import period_reopen

    row = sign("2024")
    with pytest.raises(DomainValidationError):
        enrol(start_date=date(2024, 4, 1))
    with pytest.raises(DomainValidationError) as exc:
        period_reopen(actor=world["users"]["association_admin"], signoff=row, reason="")
    assert _rules(exc) == [("reason", "signoff.reason_required")]
    period_reopen(
        actor=world["users"]["association_admin"], signoff=row, reason="Revisionen hittade fel"
    )
    log = AuditLog.objects.get(action="period_reopen")
    assert "Revisionen hittade fel" in log.summary
    assert enrol(start_date=date(2024, 4, 1)).pk
    with pytest.raises(DomainValidationError) as exc:
        period_reopen(actor=world["users"]["association_admin"], signoff=row, reason="Igen igen")
    assert _rules(exc) == [("period", "signoff.not_signed")]


def test_web_form_shows_the_lock(client, world, sign):
    from finsam.registry.models import VolumeCount

    sign("2024")
    client.force_login(world["users"]["intervention_manager"])
    url = reverse("volume_edit", args=[world["volume"].pk])
    response = client.post(url, {"month": "2024-03", "women": "3", "men": "2", "other": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "ligger i perioden 2024, som förbundet har undertecknat" in html
    assert VolumeCount.objects.count() == 0


def test_import_is_refused_all_or_nothing(world, sign, tmp_path):
    from finsam.interchange.importers import import_file
    from finsam.registry.models import Episode

    admin = world["users"]["association_admin"]
    path = write_csv(tmp_path / "e.csv", EPISODE_HEADER, episode_rows(8))
    sign("2024H1")
    result = import_file("episodes", path, actor=admin, association=world["association"])
    assert not result.ok and Episode.objects.count() == 0
    locked = [p for p in result.problems if p.rule == "signoff.locked"]
    assert locked and {p.field for p in locked} <= {"start_date", "end_date"}
    assert all(p.row for p in locked)


def test_import_row_wise_changes_refused_unchanged_accepted(world, tmp_path):
    from finsam.interchange.importers import import_file
    from finsam.registry.models import Episode
    from finsam.registry.services.signoff import period_sign_off

    admin = world["users"]["association_admin"]
    rows = episode_rows(4)
    path = write_csv(tmp_path / "e.csv", EPISODE_HEADER, rows)
    assert import_file("episodes", path, actor=admin, association=world["association"]).ok
    period_sign_off(
        actor=admin, association=world["association"], period=SignoffPeriod(2024), today=TODAY
    )
    again = import_file("episodes", path, actor=admin, association=world["association"])
    assert again.ok and again.unchanged == 4
    rows[0][9] = "AKS"  # support before changed on an episode of the signed year
    path = write_csv(tmp_path / "e2.csv", EPISODE_HEADER, rows)
    changed = import_file("episodes", path, actor=admin, association=world["association"])
    assert not changed.ok
    assert {(p.row, p.field, p.rule) for p in changed.problems} == {  # line 2: header = 1
        (2, "start_date", "signoff.locked"),
        (2, "end_date", "signoff.locked"),
    }
    assert Episode.objects.get(key="K-1").support_before_codes == ("FSS",)


def test_volume_and_followup_import_refused(world, sign, tmp_path):
    from finsam.interchange.importers import import_file
    from finsam.registry.models import VolumeCount

    sign("2024")
    path = write_csv(
        tmp_path / "v.csv",
        ["intervention_code", "month", "women", "men", "other"],
        [["SBG-VOL", "2025-01", "1", "2", "0"], ["SBG-VOL", "2024-05", "1", "2", "0"]],
    )
    result = import_file(
        "volume",
        path,
        actor=world["users"]["association_admin"],
        association=world["association"],
    )
    assert not result.ok and [p.rule for p in result.problems] == ["signoff.locked"]
    assert VolumeCount.objects.count() == 0


def test_signoff_pages(client, world):
    from finsam.registry.models import PeriodSignoff

    own = world["association"]
    client.force_login(world["users"]["association_admin"])
    url = reverse("signoff_page", args=[own.pk])
    page = client.get(url).content.decode()
    assert "datakvalitetsrapporten" in page
    response = client.post(url, {"period": "2024H3"})
    assert "Period: ange ett år" in response.content.decode()
    response = client.post(url, {"period": "2099"})
    assert "är inte avslutad" in response.content.decode()
    assert client.post(url, {"period": "2024"}).status_code == 302
    row = PeriodSignoff.objects.get()
    reopen = reverse("signoff_reopen", args=[own.pk, row.pk])
    assert "minst fem tecken" in client.post(reopen, {"reason": "x"}).content.decode() or (
        "Orsak" in client.post(reopen, {"reason": "x"}).content.decode()
    )
    row.refresh_from_db()
    assert row.active
    assert client.post(reopen, {"reason": "Rättelse efter revision"}).status_code == 302
    row.refresh_from_db()
    assert not row.active and row.reopen_reason == "Rättelse efter revision"


def test_status_table(client, world, sign):
    sign("2024")
    client.force_login(world["users"]["national_analyst"])
    html = client.get(reverse("signoff_status")).content.decode()
    assert "Samordningsförbundet Sundbyberg" in html and "Annat förbund" in html
    assert "Helår undertecknat" in html and "Inte undertecknat" in html


ROLES = [
    "system_admin",
    "association_admin",
    "intervention_manager",
    "participant_handler",
    "board_reader",
    "national_analyst",
]


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix_of_the_signoff_pages(client, world, role):
    from finsam.registry.models import PeriodSignoff

    own, other = world["association"], world["other"]
    row = PeriodSignoff.objects.create(association=own, year=2023)
    other_row = PeriodSignoff.objects.create(association=other, year=2023)
    entries = [
        ("own", reverse("signoff_page", args=[own.pk]), {"association_admin"}),
        ("other", reverse("signoff_page", args=[other.pk]), set()),
        ("reopen own", reverse("signoff_reopen", args=[own.pk, row.pk]), {"association_admin"}),
        ("reopen other", reverse("signoff_reopen", args=[other.pk, other_row.pk]), set()),
        ("status", reverse("signoff_status"), {"system_admin", "national_analyst"}),
    ]
    client.force_login(world["users"][role])
    wrong = []
    for name, url, allowed in entries:
        status = client.get(url).status_code
        expected = 200 if role in allowed else 403
        if status != expected:
            wrong.append(f"{name}: {status} (expected {expected})")
        if role not in allowed:
            assert (
                client.post(url, {"period": "2022", "reason": "Försök att öppna"}).status_code
                == 403
            )
    assert not wrong
    assert PeriodSignoff.objects.filter(reopened_at__isnull=True).count() == 2
