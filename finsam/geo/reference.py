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


def districts() -> list[dict[str, str]]:
    """City districts (stadsdelsområden in Stockholm from 2020, stadsområden in Göteborg from
    2021). There are no official SCB codes for them; the codes are Finsam's own."""
    return _rows("districts.csv")
