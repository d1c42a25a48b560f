"""The director's and board's dashboard: this year against last year, protected, with charts
that have a table beside them."""

from datetime import date

from django.urls import reverse

from tests.conftest import PNR_MAN


def test_dashboard_for_the_board_is_protected_and_has_tables(client, world, enrol):
    from finsam.registry import services

    exited = [enrol(start_date=date(2025, 3, 1))]
    exited += [enrol(anonymous=True, start_date=date(2025, 2, 1)) for _ in range(7)]
    for e in exited:
        services.episode_exit(
            actor=world["users"]["participant_handler"],
            episode=e,
            data=services.exit_input_from(
                {
                    "end_date": date(2025, 9, 1),
                    "exit_reason": "ARB",
                    "support_after": ["ING"],
                    "occupation_after": "ARB",
                    "work_hours": 40,
                    "study_hours": 0,
                }
            ),
            today=date(2026, 11, 22),
        )
    enrol(personal_number=PNR_MAN, start_date=date(2024, 5, 1))
    client.force_login(world["users"]["board_reader"])
    response = client.get(
        reverse("dashboard"), {"year": 2025, "association": world["association"].pk}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Översikt 2025" in html
    for title in (
        "efter kön",
        "Nya och återkommande",
        "Utfall",
        "Försörjning före → efter",
        "Avslutningsanledningar",
        "kostnad per deltagare",
    ):
        assert title in html, title
    assert "<svg" in html and 'aria-hidden="true"' in html
    assert "Diagrammet visar talen i tabellen nedan" in html
    # protected even for users who may see unprotected reports: 8 exited in 2025 are shown,
    # the protection note is the rule's, never the "unprotected" one
    assert "Skydd:" in html and "Oskyddade tal" not in html
    outcome = html.split('id="p-utfall"')[1].split("</table>")[0]
    assert ">8<" in outcome
    client.force_login(world["users"]["association_admin"])
    admin = client.get(
        reverse("dashboard"), {"year": 2025, "association": world["association"].pk}
    ).content.decode()
    assert "Oskyddade tal" not in admin
    assert "<script" not in html and 'style="' not in html.split("<main")[1].split("<svg")[0]


def test_dashboard_refuses_users_without_reports(client, world):
    from finsam.accounts.models import User

    nobody = User.objects.create_user("nobody", password="pw-nobody-1234")
    client.force_login(nobody)
    assert client.get(reverse("dashboard")).status_code == 403


def test_dashboard_rejects_a_bad_year_with_a_message(client, world):
    client.force_login(world["users"]["association_admin"])
    html = client.get(
        reverse("dashboard"), {"year": "1999", "association": world["association"].pk}
    )
    assert "tidigast 2004" in html.content.decode()
