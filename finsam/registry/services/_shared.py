"""Small helpers shared by the registry services."""

from __future__ import annotations


def _snapshot(obj, fields: list[str]) -> dict:
    return {f: getattr(obj, f) for f in fields}
