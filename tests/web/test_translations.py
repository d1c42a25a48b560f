"""The English switch: every marked string has an English translation, nothing user-facing is left
unmarked, and the main pages of every role render in English when the language is switched.

Three guards:
1. the committed catalogue (``finsam/locale/en/LC_MESSAGES/django.po``) has no empty or fuzzy
   entry, and the compiled ``.mo`` says the same as the ``.po``;
2. ``makemessages`` run over a temporary copy of the source extracts no msgid the catalogue lacks
   (a new ``gettext``/``{% translate %}`` string without an English line fails, naming it and
   where it is);
3. no template has visible text (or a ``title``/``aria-label``/``placeholder``/``alt``
   attribute) outside ``{% translate %}``/``{% blocktranslate %}``.

After a merge: ``cd finsam && ../.venv/bin/finsam makemessages -l en --ignore=.venv`` and
translate what these tests list, then ``compilemessages``.
"""

from __future__ import annotations

import gettext as pygettext
import html
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.conftest import login

FINSAM = Path(__file__).resolve().parents[2] / "finsam"
PO = FINSAM / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


# --- a small reader for .po files (no polib dependency) -----------------------------------------


def _unquote(s: str) -> str:
    s = s.strip()
    assert s.startswith('"') and s.endswith('"'), s
    body = s[1:-1]
    return re.sub(
        r'\\(["\\ntr])',
        lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(m.group(1), m.group(1)),
        body,
    )


def read_po(path: Path) -> list[dict]:
    """Entries as dicts: msgid, msgid_plural, msgstr (index → text), flags, refs."""
    entries: list[dict] = []
    cur: dict | None = None
    key: tuple[str, int] | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.rstrip()
        if not line:
            if cur:
                entries.append(cur)
            cur, key = None, None
            continue
        if line.startswith("#~"):  # obsolete entries are not part of the catalogue
            continue
        if cur is None:
            cur = {"msgid": None, "msgid_plural": None, "msgctxt": None, "msgstr": {}}
            cur.update(flags="", refs=[])
        if line.startswith("#,"):
            cur["flags"] = line
        elif line.startswith("#:"):
            cur["refs"] += line[2:].split()
        elif line.startswith("#"):
            continue
        elif m := re.match(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$", line):
            name, index, text = m.group(1), int(m.group(2) or 0), _unquote(m.group(3))
            key = (name, index)
            if name == "msgstr":
                cur["msgstr"][index] = text
            else:
                cur[name] = text
        elif line.startswith('"') and key is not None:
            if key[0] == "msgstr":
                cur["msgstr"][key[1]] += _unquote(line)
            else:
                cur[key[0]] += _unquote(line)
    if cur:
        entries.append(cur)
    return [e for e in entries if e["msgid"] is not None]


def _messages(entries: list[dict]) -> list[dict]:
    return [e for e in entries if e["msgid"] != ""]  # the header has msgid ""


def test_every_catalogue_entry_is_translated_and_not_fuzzy():
    entries = _messages(read_po(PO))
    assert len(entries) > 1000  # the whole interface, not just the menu
    empty = [e for e in entries if not all(e["msgstr"].values()) or not e["msgstr"]]
    fuzzy = [e for e in entries if "fuzzy" in e["flags"]]
    lines = [f"empty: {e['msgid']!r} ({' '.join(e['refs'][:2])})" for e in empty]
    lines += [f"fuzzy: {e['msgid']!r} ({' '.join(e['refs'][:2])})" for e in fuzzy]
    assert not lines, "Untranslated English entries in django.po:\n" + "\n".join(lines)


def test_placeholders_survive_translation():
    """%(name)s placeholders must be the same in the English text, or rendering raises."""
    bad = []
    for e in _messages(read_po(PO)):
        if "python-format" not in e["flags"]:
            continue
        want = sorted(re.findall(r"%\(\w+\)s|%%", e["msgid"]))
        for text in e["msgstr"].values():
            if sorted(re.findall(r"%\(\w+\)s|%%", text)) != want:
                bad.append(f"{e['msgid']!r} → {text!r}")
    assert not bad, "Placeholders differ:\n" + "\n".join(bad)


def test_compiled_catalogue_matches_the_po_file():
    """The committed .mo is compiled from the committed .po (run compilemessages after editing)."""
    with MO.open("rb") as f:
        compiled = pygettext.GNUTranslations(f)
    stale = []
    for e in _messages(read_po(PO)):
        if e["msgid_plural"] is not None or e["msgctxt"] is not None:
            continue
        if compiled.gettext(e["msgid"]) != e["msgstr"][0]:
            stale.append(e["msgid"])
    assert not stale, "django.mo is out of date for:\n" + "\n".join(map(repr, stale[:50]))


# --- 2. everything marked is in the catalogue ----------------------------------------------------


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext); .ci/run installs it"
)
def test_every_marked_string_is_in_the_catalogue(tmp_path):
    """makemessages over a copy of the source: each msgid it finds must be in the committed .po."""
    src = tmp_path / "finsam"
    shutil.copytree(
        FINSAM,
        src,
        ignore=shutil.ignore_patterns("locale", "static", "migrations", "__pycache__", "*.mo"),
    )
    (src / "locale").mkdir()
    import os

    cwd = os.getcwd()
    os.chdir(src)
    try:
        with override_settings(LOCALE_PATHS=[str(src / "locale")]):
            call_command("makemessages", locale=["en"], verbosity=0, no_obsolete=True)
    finally:
        os.chdir(cwd)
    extracted = _messages(read_po(src / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    committed = {(e["msgctxt"], e["msgid"]) for e in _messages(read_po(PO))}
    missing = [e for e in extracted if (e["msgctxt"], e["msgid"]) not in committed]
    report = [f"{' '.join(e['refs'][:3])}: {e['msgid']!r}" for e in missing]
    assert not report, (
        f"{len(report)} msgid(s) are marked for translation but missing from django.po "
        "(run makemessages -l en and translate them):\n" + "\n".join(report)
    )


# --- 3. no unmarked text in templates ------------------------------------------------------------

_TOKEN = re.compile(r"({%.*?%}|{{.*?}}|{#.*?#}|<!--.*?-->|<[^>]*>)", re.S)
_WORD = re.compile(r"[A-Za-zÅÄÖåäöÉé]{2}")
_ATTR = re.compile(r'\b(?:title|aria-label|placeholder|alt)="([^"{}]*[A-Za-zÅÄÖåäö]{2}[^"{}]*)"')
_SKIP_BLOCKS = {
    "blocktranslate": "endblocktranslate",
    "blocktrans": "endblocktrans",
    "comment": "endcomment",
    "verbatim": "endverbatim",
}
_NOT_LANGUAGE = {"English", "Svenska"}  # each language's own name, shown in that language


def unmarked_template_text(path: Path) -> list[tuple[int, str]]:
    """(line, text) for every piece of visible text outside the translation tags."""
    source = path.read_text(encoding="utf-8")
    found: list[tuple[int, str]] = []
    pos = 0
    skip_until = raw_until = None
    for part in _TOKEN.split(source):
        line = source.count("\n", 0, pos) + 1
        pos += len(part)
        if not part:
            continue
        if skip_until:
            if part.startswith("{%") and re.match(r"{%-?\s*" + skip_until + r"\b", part):
                skip_until = None
            continue
        if raw_until:
            if re.match(raw_until, part, re.I):
                raw_until = None
            continue
        if part.startswith("{%"):
            name = re.match(r"{%-?\s*(\w+)", part)
            if name and name.group(1) in _SKIP_BLOCKS:
                skip_until = _SKIP_BLOCKS[name.group(1)]
        elif part.startswith(("{{", "{#", "<!--")):
            continue
        elif part.startswith("<"):
            found += [(line, m.group(1)) for m in _ATTR.finditer(part)]
            tag = re.match(r"<(script|style)\b", part, re.I)
            if tag and not part.endswith("/>"):
                raw_until = r"</" + tag.group(1)
        elif _WORD.search(part) and part.strip() not in _NOT_LANGUAGE:
            found.append((line + part[: len(part) - len(part.lstrip())].count("\n"), part.strip()))
    return found


def test_no_template_has_unmarked_text():
    templates = sorted(FINSAM.rglob("templates/**/*.html"))
    assert len(templates) > 50
    report = [
        f"{path.relative_to(FINSAM.parent)}:{line}: {text[:80]!r}"
        for path in templates
        for line, text in unmarked_template_text(path)
    ]
    assert not report, (
        "Template text not marked for translation (wrap it in {% translate %} or "
        "{% blocktranslate %}):\n" + "\n".join(report)
    )


def test_the_scanner_finds_unmarked_text(tmp_path):
    """The guard above really looks: a plain word, an attribute and a mixed line are all found."""
    t = tmp_path / "t.html"
    t.write_text(
        '{% load i18n %}<h1>{% translate "Rubrik" %}</h1>\n<p title="Hjälp">Spara {{ x }}</p>\n'
        "{% blocktranslate %}Inskriven {{ x }}{% endblocktranslate %}"
        "<script>var a = 'ok';</script>",
        encoding="utf-8",
    )
    assert unmarked_template_text(t) == [(2, "Hjälp"), (2, "Spara")]


# --- 4. pages render in English --------------------------------------------------------------

# Common Swedish words of the interface chrome. Data (association, municipality and intervention
# names) is Swedish whatever the language, so the check reads the chrome: headings, navigation,
# labels, table headers, buttons, legends and the page title.
SWEDISH_UI = re.compile(
    r"\b(och|för|med|inte|eller|till|från|som|har|är|ska|måste|inga|ingen|alla|visa|spara|"
    r"sök|ändra|lägg|ladda|deltagare|insats(?:er)?|förbund(?:et)?|rapport(?:er)?|inskrivning|"
    r"avslut|uppföljning|budgetår|avvikelse[rn]?|användare|startsida|logga|översikt)\b",
    re.I,
)
CHROME = re.compile(
    r"<(h1|h2|h3|th|label|legend|button|title|caption|summary|nav)\b[^>]*>(.*?)</\1>", re.S | re.I
)

PAGES = {
    "system_admin": [
        "/",
        "/forbund/",
        "/anvandare/",
        "/granskningslogg/",
        "/api-nycklar/",
        "/modeller/fordelning/",
        "/indikatorer/",
        "/budgetkalender/",
        "/jobb/",
    ],
    "association_admin": ["/", "/forbund/", "/insatser/", "/perioder/", "/rapporter/"],
    "intervention_manager": ["/", "/insatser/", "/rapporter/", "/avvikelser/"],
    "participant_handler": ["/", "/deltagare/", "/insatser/", "/avvikelser/ny/"],
    "board_reader": ["/", "/oversikt/", "/rapporter/", "/samhallsekonomi/"],
    "national_analyst": ["/", "/rapporter/", "/indikatorer/resultat/", "/utvardering/"],
}


def _chrome_text(body: str) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S | re.I)
    parts = [m.group(2) for m in CHROME.finditer(body)]
    return html.unescape(re.sub(r"<[^>]+>", " ", " ".join(parts)))


def _swedish_in(text: str, data: set[str]) -> list[str]:
    for name in sorted(data, key=len, reverse=True):
        text = text.replace(name, " ")
    return sorted({m.group(0) for m in SWEDISH_UI.finditer(text)})


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(PAGES))
def test_main_pages_render_in_english(client, world, role):
    from finsam.geo.models import Municipality
    from finsam.registry.models import Association, Intervention

    data = {a.name for a in Association.objects.all()}
    data |= {i.name for i in Intervention.objects.all()}
    data |= set(Municipality.objects.values_list("name", flat=True))
    login(client, world["users"][role])
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    seen = 0
    problems = []
    for url in PAGES[role]:
        response = client.get(url)
        if response.status_code != 200:
            continue  # a page this role may not open (403) is tested by the access tests
        seen += 1
        body = response.content.decode()
        assert '<html lang="en"' in body, url
        words = _swedish_in(_chrome_text(body), data)
        if words:
            problems.append(f"{url}: {', '.join(words)}")
    assert seen >= 3
    assert not problems, "Swedish left in the English pages:\n" + "\n".join(problems)


@pytest.mark.django_db
def test_swedish_stays_the_default(client, world):
    login(client, world["users"]["association_admin"])
    body = client.get("/insatser/").content.decode()
    assert '<html lang="sv"' in body
    assert "Insatser" in body


@pytest.mark.django_db
def test_error_page_in_english(client, world):
    login(client, world["users"]["participant_handler"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/forbund/999999/")
    assert response.status_code in (403, 404)
    text = _chrome_text(response.content.decode())
    assert not _swedish_in(text, set()), text


def test_login_page_in_english(client):
    client.cookies["django_language"] = "en"
    body = client.get("/login/").content.decode()
    assert '<html lang="en"' in body
    assert not _swedish_in(_chrome_text(body), set())


def test_xgettext_is_installed_by_ci():
    """.ci/run installs GNU gettext, so the extraction test above runs in CI."""
    ci = (FINSAM.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "apt-get install -y -qq gettext" in ci
