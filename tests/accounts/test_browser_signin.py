"""In a real browser (Playwright with Debian's chromium), against Finsam served in its own
process: sign in with e-ID at the test OpenID Connect provider and land on the role's start
page; then the Swedish lockout after wrong passwords, which refuses even the right one.

Finsam runs here with the local settings, its own SQLite file and the demo data (the suite's
test database cannot be shared with a second process)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.accounts.conftest import CLIENT_ID, CLIENT_SECRET, PERSONS, REPO, _free_port

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium (.ci/run installs it)"
    ),
]

LINK_HANDLER = """
from django.conf import settings
from finsam.accounts.models import User
from finsam.domain.identity import parse_personal_number, pseudonym
u = User.objects.get(username="handlaggare")
u.eid_pseudonym = pseudonym(parse_personal_number("{pnr}"), settings.FINSAM_PSEUDONYM_KEY)
u.save()
"""


@pytest.fixture(scope="module")
def finsam_server(oidc_provider, tmp_path_factory):
    data = tmp_path_factory.mktemp("finsam-browser")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "finsam.settings.local",
        "FINSAM_DATA_DIR": str(data),
        "DATABASE_URL": f"sqlite:///{data / 'finsam.sqlite3'}",
        "FINSAM_OIDC_ISSUER": oidc_provider.issuer,
        "FINSAM_OIDC_CLIENT_ID": CLIENT_ID,
        "FINSAM_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "FINSAM_OIDC_SCOPES": "openid profile",
        "FINSAM_LOGIN_FAILURE_LIMIT": "3",
    }
    for name in ("FINSAM_SECRET_KEY", "FINSAM_PSEUDONYM_KEY", "FINSAM_ENCRYPTION_KEYS"):
        env.pop(name, None)
    finsam = [sys.executable, "-m", "finsam"]
    oidc_provider.configure(f"{base}/login/e-legitimation/svar/")

    def run(*args):
        subprocess.run(
            [*finsam, *args],
            cwd=REPO,
            env=env,
            check=True,
            timeout=600,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    run("migrate", "-v0")
    run("demo", "--episodes", "20")
    run("shell", "-c", LINK_HANDLER.format(pnr=PERSONS["anna"]["personal_number"]))
    passwords = dict(
        re.findall(r"^\s+(\S+)\s+(\S+)\s+\S+$", (data / "demo-anvandare.txt").read_text(), re.M)
    )
    log = (data / "server.log").open("w")
    process = subprocess.Popen(
        [*finsam, "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(120):
            try:
                if requests.get(f"{base}/healthz", timeout=2).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.5)
        yield base, passwords
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield browser.new_page(locale="sv-SE")
        browser.close()


def test_e_id_sign_in_then_lockout_in_a_browser(finsam_server, oidc_provider, page):
    base, passwords = finsam_server
    page.goto(f"{base}/login/")
    page.get_by_role("link", name="Logga in med e-legitimation").click()
    page.wait_for_url(f"{oidc_provider.base}/**")
    page.fill("#id_username", "anna")
    page.fill("#id_password", PERSONS["anna"]["password"])
    page.get_by_role("button", name="Identifiera mig").click()
    page.wait_for_url(f"{base}/")
    assert page.get_by_role("heading", name="Dina insatser som deltagaransvarig").is_visible()
    assert "Deltagaransvarig" in page.locator(".user-box").inner_text()
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url(f"{base}/login/")

    for password in ("fel-1", "fel-2", "fel-3", passwords["styrelse"]):
        page.goto(f"{base}/login/")
        page.fill("#id_username", "styrelse")
        page.fill("#id_password", password)
        page.get_by_role("button", name="Logga in").click()
    assert page.get_by_role("heading", name="Inloggningen är tillfälligt spärrad").is_visible()
    assert page.url.startswith(f"{base}/login/")
