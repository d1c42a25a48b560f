"""Schemathesis against a real running server: ``gunicorn`` on a free port with its own SQLite
file, a token from ``finsam api-token``, and the CLI over ``/api/openapi.json`` with bounded
examples. Checks: no server errors; status codes, content types and bodies as the document says."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
SEED = """
from datetime import date
from finsam.access.models import InterventionAssignment, RoleAssignment
from finsam.accounts.models import User
from finsam.domain.access import Role
from finsam.registry import services
system = User.objects.create_user("sys", password="pw-sys-123456", is_superuser=True)
a = services.association_save(actor=system, code="SBG", name="Sundbyberg",
                              start_date=date(2018, 7, 1))
services.area_add(actor=system, association=a, municipality_code="0183",
                  valid_from=date(2018, 7, 1))
m = services.member_add(actor=system, association=a, kind="FK", organisation_code="FK",
                        name="Försäkringskassan")
p = services.intervention_save(actor=system, association=a, providers=[m], code="SBG-IND",
    name="Individ", orientation="individual", registration="persons",
    start_date=date(2019, 1, 1), status="ongoing")
v = services.intervention_save(actor=system, association=a, code="SBG-VOL", name="Volym",
    orientation="structural", registration="volume", start_date=date(2019, 1, 1),
    status="ongoing")
h = User.objects.create_user("handler", password="pw-handler-123")
RoleAssignment.objects.create(user=h, role=Role.PARTICIPANT_HANDLER, association=a)
for i in (p, v):
    InterventionAssignment.objects.create(user=h, intervention=i, kind="handler")
services.episode_enrol(actor=h, intervention=p, data=services.enrolment_input_from(dict(
    identity_level="anonymous", sex="K", birth_year=1990, home_municipality="0183",
    start_date=date(2024, 3, 1), support_before=["FSS"])))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, process, seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server stopped")
        try:
            urllib.request.urlopen(url, timeout=2).close()  # noqa: S310 – http://127.0.0.1 only
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the server did not answer")


@pytest.fixture
def server(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "finsam.settings.test",
        "FINSAM_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'api.sqlite3'}",
        "FINSAM_API_RATE_LIMIT": "100000",
    }

    def finsam(*args):
        return subprocess.run(
            [str(BIN / "finsam"), *args], env=env, check=True, capture_output=True, text=True
        ).stdout

    finsam("migrate", "-v0")
    finsam("shell", "-c", SEED)
    token = finsam("api-token", "--user", "handler", "--name", "schemathesis").strip()
    port = _free_port()
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "finsam.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "server.log", "w"),  # noqa: SIM115
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(f"{base}/healthz", process)
        yield base, token, tmp_path
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_schemathesis_finds_no_server_errors_and_no_schema_violations(server):
    base, token, tmp = server
    result = subprocess.run(
        [
            str(BIN / "schemathesis"),
            "run",
            f"{base}/api/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,"
            "response_schema_conformance",
            "--phases",
            "examples,fuzzing",
            "--max-examples",
            "15",
            "--seed",
            "1",
            "--workers",
            "1",
            "--request-timeout",
            "30",
        ],
        capture_output=True,
        text=True,
        timeout=540,
        cwd=tmp,  # schemathesis keeps a cache folder in the working directory
        env={**os.environ, "NO_COLOR": "1"},
    )
    log = (tmp / "server.log").read_text()
    print(result.stdout[-4000:])
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:] + log[-3000:]
    assert "Traceback" not in log, log[-3000:]
