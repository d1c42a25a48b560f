from __future__ import annotations

import csv

import pytest

from tests.conftest import FIXTURES


@pytest.fixture(scope="session")
def jonkoping_2019() -> dict[str, dict[str, str]]:
    """The published accounts 2019 of the three associations in Jönköping county (seed 001)."""
    path = FIXTURES / "published" / "jonkoping_2019_ekonomi.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return {row["forbund"]: row for row in csv.DictReader(fh)}
