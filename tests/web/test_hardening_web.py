"""Issue 14 item 7: CSP without 'unsafe-inline', Permissions-Policy, HSTS and secure cookies in
production, Swedish error pages with navigation and no internals, DEBUG off by default locally."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import path

import finsam.urls
from tests.conftest import login

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "finsam" / "templates", *ROOT.glob("finsam/*/templates")]
PDF_ONLY = re.compile(r"(_pdf\.html|pdf_base\.html)$")
"""Rendered for WeasyPrint only, never sent to a browser."""

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*\bnonce=)(?![^>]*application/json)")
INLINE_STYLE = re.compile(r"<style\b(?![^>]*\bnonce=)")
STYLE_ATTRIBUTE = re.compile(r"<[a-zA-Z][^>]*\sstyle\s*=", re.S)
EVENT_HANDLER = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.S)


def _inline_code(html: str) -> list[str]:
    found = []
    for name, pattern in (
        ("script", INLINE_SCRIPT),
        ("style", INLINE_STYLE),
        ("style attribute", STYLE_ATTRIBUTE),
        ("event handler", EVENT_HANDLER),
    ):
        found += [f"{name}: {m.group(0)[:80]}" for m in pattern.finditer(html)]
    return found


def test_no_template_has_inline_code_without_a_nonce():
    problems = {}
    for directory in TEMPLATE_DIRS:
        for template in directory.rglob("*.html"):
            if PDF_ONLY.search(template.name):
                continue
            found = _inline_code(template.read_text(encoding="utf-8"))
            if found:
                problems[str(template.relative_to(ROOT))] = found
    assert problems == {}


PAGES = [
    "/",
    "/forbund/",
    "/insatser/",
    "/rapporter/",
    "/samhallsekonomi/",
    "/avvikelser/",
    "/indikatorer/",
    "/utvardering/",
    "/import/",
    "/modeller/fordelning/",
]


def _csp(response) -> str:
    return response.headers.get("Content-Security-Policy", "")


@pytest.mark.parametrize("role", ["system_admin", "association_admin", "national_analyst"])
def test_headers_and_rendered_pages(world, client, role):
    login(client, world["users"][role])
    seen = 0
    for url in PAGES:
        response = client.get(url, follow=True)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        seen += 1
        policy = _csp(response)
        assert "default-src 'self'" in policy and "object-src 'none'" in policy, url
        assert "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "camera=()" in response.headers["Permissions-Policy"]
        assert _inline_code(response.content.decode()) == [], url
    assert seen >= 3


def test_login_page_has_the_headers(client, db):
    response = client.get("/login/")
    assert response.status_code == 200
    assert "script-src 'self'" in _csp(response)
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def _boom(request):
    raise RuntimeError("secret internal detail /etc/finsam")


urlpatterns = [path("boom/", _boom), *finsam.urls.urlpatterns]
handler400 = finsam.urls.handler400
handler403 = finsam.urls.handler403
handler404 = finsam.urls.handler404
handler500 = finsam.urls.handler500


def _swedish_page_with_navigation(response, status: int, title: str) -> str:
    html = response.content.decode()
    assert response.status_code == status
    assert title in html and 'lang="sv"' in html
    assert "Traceback" not in html and "secret internal" not in html and "Django" not in html
    return html


@pytest.mark.urls(__name__)
def test_500_is_swedish_with_navigation_and_no_internals(world, client):
    client.raise_request_exception = False
    login(client, world["users"]["association_admin"])
    html = _swedish_page_with_navigation(client.get("/boom/"), 500, "Något gick fel")
    assert "Huvudmeny" in html and "Till startsidan" in html


def test_404_and_403_are_swedish_with_navigation(world, client):
    login(client, world["users"]["board_reader"])
    html = _swedish_page_with_navigation(client.get("/finns-inte/"), 404, "Sidan finns inte")
    assert "Huvudmeny" in html
    # the audit page is not the board member's: PermissionDenied → the Swedish 403 page
    html = _swedish_page_with_navigation(
        client.get("/granskningslogg/"), 403, "Du saknar behörighet"
    )
    assert "Huvudmeny" in html and "behörighet" in html


def test_400_and_csrf_refusal_are_swedish(db, client):
    from django.test import Client

    _swedish_page_with_navigation(
        client.get("/login/", HTTP_HOST="evil.example"), 400, "Felaktig begäran"
    )
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/login/", {"username": "x", "password": "y"})
    _swedish_page_with_navigation(response, 403, "Formuläret kunde inte skickas")


def _settings_probe(tmp_path, module: str, extra: dict, code: str) -> str:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("FINSAM_") and k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update({"DJANGO_SETTINGS_MODULE": module, "FINSAM_DATA_DIR": str(tmp_path), **extra})
    script = "import django; django.setup()\nfrom django.conf import settings\n" + code
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_local_settings_debug_is_off_unless_asked_and_static_files_still_serve(tmp_path):
    code = (
        "from django.test import Client\n"
        "r = Client().get('/static/finsam/finsam.css', HTTP_HOST='127.0.0.1')\n"
        "print(settings.DEBUG, r.status_code)\n"
    )
    assert _settings_probe(tmp_path, "finsam.settings.local", {}, code) == "False 200"
    assert _settings_probe(tmp_path, "finsam.settings.local", {"FINSAM_DEBUG": "1"}, code) == (
        "True 200"
    )


def test_production_sets_hsts_and_secure_cookies(tmp_path):
    from cryptography.fernet import Fernet

    extra = {
        "DATABASE_URL": "postgres://x@127.0.0.1/none",
        "FINSAM_SECRET_KEY": "k" * 50,
        "FINSAM_PSEUDONYM_KEY": "p" * 44,
        "FINSAM_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    }
    code = (
        "print(settings.DEBUG, settings.SECURE_HSTS_SECONDS >= 31536000, "
        "settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, "
        "settings.LANGUAGE_COOKIE_SECURE)"
    )
    out = _settings_probe(tmp_path, "finsam.settings.production", extra, code)
    assert out == "False True True True True"
