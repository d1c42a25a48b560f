"""The official code lists shipped with Finsam (``finsam/data``)."""

from __future__ import annotations

import csv
from importlib import resources


def _rows(name: str) -> list[dict[str, str]]:
    with resources.files("finsam.data").joinpath(name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def counties() -> list[dict[str, str]]:
    return _rows("counties.csv")


def municipalities() -> list[dict[str, str]]:
    return _rows("municipalities.csv")
