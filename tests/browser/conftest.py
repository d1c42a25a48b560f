"""Browser tests: Playwright drives Debian's chromium (never a downloaded browser) against
pytest-django's ``live_server``; axe-core (bundled by ``axe-playwright-python``) checks pages.

They run in the normal suite when chromium and Playwright are there and are skipped with a reason
otherwise. ``FINSAM_CHROMIUM`` names the browser (default ``/usr/bin/chromium``);
``FINSAM_SCREENSHOTS`` the folder for the screenshots CI keeps (default ``var/screenshots``).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

CHROMIUM = os.environ.get("FINSAM_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(
    os.environ.get(
        "FINSAM_SCREENSHOTS", Path(__file__).resolve().parents[2] / "var" / "screenshots"
    )
)
VIEWPORT = {"width": 1366, "height": 768}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
"""WCAG 2.1 level A and AA rules (the accessibility statement states this level)."""


def _unavailable() -> str:
    try:
        import axe_playwright_python  # noqa: F401
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright or axe-playwright-python is not installed (pip install -e '.[dev]')"
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"chromium not found at {CHROMIUM} (apt-get install chromium, or FINSAM_CHROMIUM)"
    return ""


def pytest_collection_modifyitems(config, items):
    reason = _unavailable()
    for item in items:
        if "browser" in item.keywords and reason:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are still synchronous, so Django's async guard is lifted here only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, headless=True)
            yield b
            b.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# --- the live server's database --------------------------------------------------------------
# ``live_server`` needs a transactional database, emptied after each test with ``flush``; the
# audit harness (tests/conftest.py) lets that flush past the audit triggers, and
# ``_reference_data_back`` there puts the migrations' reference data back before each
# transactional test.


@pytest.fixture
def live_db(transactional_db):
    """The live server's database (kept as a name for the browser tests)."""
    yield


@pytest.fixture
def open_as(browser, live_server, live_db):
    """``open_as(user)`` → a page in a fresh browser context logged in as ``user`` (by session
    cookie, so the tests do not depend on how sign-in works)."""
    from django.conf import settings
    from django.test import Client

    contexts = []

    def _open(user):
        client = Client()
        client.force_login(user)
        context = browser.new_context(viewport=VIEWPORT, locale="sv-SE", accept_downloads=True)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        return page

    yield _open
    for c in contexts:
        c.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^a-z0-9_-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page, any impact, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
    )
    out = []
    for v in results.response.get("violations", []):
        targets = [", ".join(n.get("target", [])) for n in v.get("nodes", [])][:3]
        out.append(f"{page.url}: {v['id']} ({v.get('impact')}): {v['help']} – {targets}")
    return out


SKIP_LINKS = (
    "/logout",
    "/admin/",
    "/i18n/",
    "/static/",
    "/enkat/",
    "format=",
    "/ladda-ner",
    "ladda_ned=",
    "/nedladdning",
    ".csv",
    ".xlsx",
    ".pdf",
    ".json",
    "mailto:",
)


def pattern_of(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def crawl(page, base: str, *, seen: set[str], start: str = "/", limit: int = 30):
    """Visit the pages a user reaches by links from ``start`` – one page per URL pattern not in
    ``seen`` (shared between roles, so a page checked for one role is not checked again; the
    start page always is), at most ``limit``; yield ``(url, status)`` after each load."""
    queue = [start]
    visited = 0
    first = True
    while queue and visited < limit:
        url = queue.pop(0)
        parts = urlsplit(url)
        pattern = pattern_of(parts.path)
        if pattern in seen and not first:
            continue
        first = False
        seen.add(pattern)
        response = page.goto(urljoin(base, url))
        visited += 1
        yield page.url, response.status if response else 0
        hrefs = page.eval_on_selector_all(
            "a[href]:not([download])", "els => els.map(e => e.getAttribute('href'))"
        )
        for href in hrefs:
            if not href or href.startswith("#") or any(s in href for s in SKIP_LINKS):
                continue
            absolute = urljoin(page.url, href)
            target = urlsplit(absolute)
            if f"{target.scheme}://{target.netloc}" != base:
                continue
            if pattern_of(target.path) not in seen:
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
