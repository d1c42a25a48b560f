import os
import subprocess
import sys
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def test_demo_loads_every_role_and_kind(db):
    from finsam.access.models import RoleAssignment
    from finsam.domain.access import Role
    from finsam.registry.models import Association, Episode, Intervention

    out = StringIO()
    call_command("demo", "--episodes", "60", stdout=out)
    text = out.getvalue()
    for username in (
        "sysadmin",
        "forbundsadmin",
        "insatsansvarig",
        "handlaggare",
        "styrelse",
        "analytiker",
    ):
        assert username in text
    assert set(RoleAssignment.objects.values_list("role", flat=True)) == {r.value for r in Role}
    assert Association.objects.count() == 4
    kinds = set(Intervention.objects.values_list("orientation", "registration"))
    assert {("individual", "persons"), ("structural", "volume"), ("individual", "volume")} <= kinds
    assert Episode.objects.count() >= 50
    assert Episode.objects.filter(participant__identity_level="anonymous").exists()
    out = StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert "finns redan" in out.getvalue()


def test_retention_erases_old_identities_only(world, enrol):
    from finsam.registry import services
    from finsam.registry.models import Participant

    episode = enrol()
    services.episode_exit(
        actor=None,
        episode=episode,
        data=services.exit_input_from(
            {"end_date": date(2024, 6, 1), "exit_reason": "ARB", "support_after": ["ING"]}
        ),
    )
    call_command("retention", "--years", "1", stdout=StringIO())
    assert Participant.objects.get().pseudonym is None
    fresh = enrol(personal_number="19850615-2399")
    call_command("retention", "--years", "1", stdout=StringIO())
    assert Participant.objects.get(pk=fresh.participant_id).pseudonym


def _run(args, env_extra, tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("FINSAM_", "DJANGO_", "DATABASE_URL"))
    }
    env.update({"FINSAM_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT), **env_extra})
    return subprocess.run(
        [sys.executable, "-m", "finsam", *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_generates_secrets_once_outside_production(tmp_path):
    first = _run(["check"], {}, tmp_path)
    assert first.returncode == 0, first.stderr
    secrets_file = tmp_path / "secrets.json"
    content = secrets_file.read_text()
    assert oct(secrets_file.stat().st_mode & 0o777) == "0o600"
    assert _run(["check"], {}, tmp_path).returncode == 0
    assert secrets_file.read_text() == content


def test_production_refuses_to_start_without_secrets(tmp_path):
    result = _run(
        ["check"],
        {
            "DJANGO_SETTINGS_MODULE": "finsam.settings.production",
            "DATABASE_URL": "postgres://x@127.0.0.1/none",
        },
        tmp_path,
    )
    assert result.returncode != 0
    assert "FINSAM_SECRET_KEY" in result.stderr
    assert not (tmp_path / "secrets.json").exists()


@pytest.mark.parametrize(
    ("app", "command"), [("finsam.demo", "demo"), ("finsam.registry", "retention")]
)
def test_commands_have_swedish_help(app, command):
    from django.core.management import load_command_class

    cmd = load_command_class(app, command)
    assert "/" in cmd.help and any(c in cmd.help for c in "åäö")


AUDIT_ROLES = {"system_admin", "association_admin"}


def test_every_demo_user_logs_in_with_the_printed_password(client, db):
    from django.urls import reverse

    out = StringIO()
    call_command("demo", "--episodes", "40", stdout=out)
    passwords, passwords_roles = {}, {}
    for line in out.getvalue().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] in {
            "system_admin",
            "association_admin",
            "intervention_manager",
            "participant_handler",
            "board_reader",
            "national_analyst",
        }:
            passwords[parts[0]] = parts[1]
            passwords_roles[parts[0]] = parts[2]
    assert len(passwords) == 6
    for username, password in passwords.items():
        assert client.login(username=username, password=password), username
        assert client.get("/").status_code == 200
        audit = client.get(reverse("audit_list")).status_code
        # the association administrator reads the audit of their own association
        assert audit == (200 if passwords_roles[username] in AUDIT_ROLES else 403)
        client.logout()


def test_demo_has_budgets_following_the_law(db):
    from finsam.finance.models import BudgetLine
    from finsam.registry.models import Association

    call_command("demo", "--episodes", "20", stdout=StringIO())
    sundbyberg = Association.objects.get(code="SUNDBYBERG")
    lines = BudgetLine.objects.filter(
        association=sundbyberg,
        line="resource",
        year=BudgetLine.objects.order_by("-year").first().year,
    )
    by_category = {ln.category: float(ln.budget) for ln in lines}
    assert by_category == {"FK": 1_000_000, "01": 500_000, "0183": 500_000}
