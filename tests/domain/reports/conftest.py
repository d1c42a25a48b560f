import csv

import pytest

from tests.conftest import FIXTURES


def read_published(name: str) -> list[dict[str, str]]:
    with open(FIXTURES / "published" / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def published():
    return read_published
