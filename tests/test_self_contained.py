"""The repository is self-contained: nothing in ``finsam/`` or ``tests/`` reads the shared folder
that sits beside CI's checkout (a fresh clone has nothing beside it). Reference tables the tests
need live in ``tests/fixtures/`` (sources in its README)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP_DIRS = {"__pycache__", ".hypothesis", ".pytest_cache"}
SKIP_SUFFIXES = {".mo", ".pyc", ".png", ".jpg", ".ico", ".woff", ".woff2", ".xlsx", ".pdf", ".gz"}

# Written in pieces so that this file does not match itself.
SHARED = "sha" + "red"
PATTERNS = [
    re.compile(r"\.\.[/\\]+" + SHARED + r"\b"),  # the sibling folder
    # a path part of its own (not a keyword argument such as Altair's ``resolve_scale(x="shared")``)
    re.compile(r"(?<![=\w])['\"]" + SHARED + r"['\"]\s*[,)/]"),
    re.compile(SHARED + r"[/\\]+(fixtures|spec|seeds|guides)\b"),  # one of its subfolders
]


def offending_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if any(p.search(line) for p in PATTERNS)]


def files_under(folder: Path):
    for path in folder.rglob("*"):
        if path.is_file() and not SKIP_DIRS & set(path.parts) and path.suffix not in SKIP_SUFFIXES:
            yield path


def test_no_file_in_the_package_or_the_tests_refers_to_the_shared_folder():
    found = {}
    for folder in ("finsam", "tests"):
        for path in files_under(ROOT / folder):
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            if lines := offending_lines(text):
                found[str(path.relative_to(ROOT))] = lines
    assert found == {}


def test_the_check_recognises_each_way_of_pointing_there():
    for text in (
        'FIXTURES = ROOT / ".." / "' + SHARED + '" / "fixtures"',
        "see ../" + SHARED + "/spec/interchange.md",
        "open('" + SHARED + "/fixtures/published/x.csv')",
        'os.path.join(root, "..", "' + SHARED + '", "seeds")',
    ):
        assert offending_lines(text), text
    for text in ("settings shared by every environment", "on a shared machine", "shared_key"):
        assert not offending_lines(text), text


def test_the_reference_tables_are_in_the_repository():
    from tests.conftest import FIXTURES

    assert FIXTURES == ROOT / "tests" / "fixtures"
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    tables = sorted(p.relative_to(FIXTURES) for p in FIXTURES.rglob("*.csv"))
    assert tables, "no reference tables in tests/fixtures"
    for table in tables:
        assert f"`{table.name}`" in readme, f"{table} has no source in tests/fixtures/README.md"
