"""A real OpenID Connect provider in a second process (``tests/oidc_op``), and helpers to sign
in through it as the person's browser would."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
CLIENT_ID = "finsam-test"
CLIENT_SECRET = "finsam-test-secret-" + "x" * 20
TEST_CALLBACK = "http://testserver/login/e-legitimation/svar/"

# Persons known to the provider (the e-ID side). Finsam accounts are linked in the tests.
PERSONS = {
    "anna": {"password": "anna-pw-123", "personal_number": "199001010009", "name": "Anna"},
    "okand": {"password": "okand-pw-123", "personal_number": "198506152399", "name": "Okänd"},
    "siths": {"password": "siths-pw-123", "hsa_id": "SE2321000016-ABCD", "name": "Sara"},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Provider:
    def __init__(self, base: str, workdir: Path, env: dict):
        self.base = base
        self.issuer = f"{base}/openid"
        self.workdir = workdir
        self.env = env
        self.redirect_uris = [TEST_CALLBACK]

    def configure(self, *redirect_uris: str) -> None:
        """(Re)register Finsam as a client with these redirect URIs and the test persons."""
        self.redirect_uris = sorted(set(self.redirect_uris) | set(redirect_uris))
        config = self.workdir / "config.json"
        config.write_text(
            json.dumps(
                {
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "redirect_uris": self.redirect_uris,
                    "persons": PERSONS,
                }
            ),
            encoding="utf-8",
        )
        subprocess.run(
            [sys.executable, "-m", "tests.oidc_op.setup_provider", str(config)],
            cwd=REPO,
            env=self.env,
            check=True,
            timeout=120,
        )

    def sign_in(self, authorize_url: str, username: str) -> str:
        """Play the person at the provider: open the authorization URL, log in, and return the
        URL the provider sends the browser back to (Finsam's callback with code and state)."""
        session = requests.Session()
        page = session.get(authorize_url, timeout=30)
        assert page.status_code == 200 and "Identifiera mig" in page.text, page.text[:500]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        next_value = re.search(r'name="next" value="([^"]*)"', page.text).group(1)
        response = session.post(
            page.url,
            data={
                "csrfmiddlewaretoken": token,
                "username": username,
                "password": PERSONS[username]["password"],
                "next": next_value.replace("&amp;", "&"),
            },
            headers={"Referer": page.url},
            allow_redirects=False,
            timeout=30,
        )
        for _ in range(5):
            assert response.status_code == 302, response.text[:500]
            location = urljoin(response.url, response.headers["Location"])
            if not location.startswith(self.base):
                return location
            response = session.get(location, allow_redirects=False, timeout=30)
        raise AssertionError("the provider never redirected back to Finsam")


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("oidc-provider")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    (workdir / "persons.json").write_text(json.dumps(PERSONS), encoding="utf-8")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.oidc_op.settings",
        "OIDC_OP_DB": str(workdir / "provider.sqlite3"),
        "OIDC_OP_SITE_URL": base,
        "OIDC_OP_PERSONS": str(workdir / "persons.json"),
        "PYTHONPATH": str(REPO),
    }
    env.pop("DATABASE_URL", None)
    provider = Provider(base, workdir, env)
    provider.configure()
    log = (workdir / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        discovery = f"{provider.issuer}/.well-known/openid-configuration"
        for _ in range(120):
            try:
                if requests.get(discovery, timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None:
                raise RuntimeError((workdir / "server.log").read_text())
            time.sleep(0.5)
        else:
            raise RuntimeError("the test OIDC provider did not start")
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture
def oidc(settings, oidc_provider):
    """Finsam configured for the test provider through discovery, as in production."""
    from finsam.accounts import oidc as oidc_module

    oidc_module._discovered.clear()
    settings.FINSAM_OIDC_ISSUER = oidc_provider.issuer
    settings.FINSAM_OIDC_CLIENT_ID = CLIENT_ID
    settings.FINSAM_OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.FINSAM_OIDC_SCOPES = "openid profile"
    settings.FINSAM_OIDC_HSA_ID_CLAIM = "employeeHsaId"
    yield oidc_provider
    oidc_module._discovered.clear()


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture
def axes_on(settings):
    """Throttling on (the test settings switch it off for the rest of the suite)."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    return settings
