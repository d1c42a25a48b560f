"""Helpers for interchange tests: write small files, run the commands."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.conftest import PNR_MAN, PNR_WOMAN

EPISODE_HEADER = [
    "episode_key",
    "intervention_code",
    "personal_number",
    "consent_date",
    "protected_identity",
    "sex",
    "birth_year",
    "home_municipality",
    "start_date",
    "support_before",
    "end_date",
    "exit_reason",
    "support_after",
    "work_hours",
    "work_hours_before",
]


def write_csv(
    path: Path, header: list[str], rows: list[list[str]], *, delimiter=",", bom=False
) -> Path:
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def episode_rows(n: int = 10) -> list[list[str]]:
    """``n`` valid episode rows for the world's persons intervention (SBG-IND, area 0183)."""
    rows = [
        [
            "K-1",
            "SBG-IND",
            PNR_WOMAN,
            "2024-03-01",
            "",
            "",
            "",
            "0183",
            "2024-03-01",
            "FSS",
            "2024-09-30",
            "ARB",
            "ING",
            "40",
            "0",
        ],
        [
            "K-2",
            "SBG-IND",
            PNR_MAN,
            "2024-02-01",
            "",
            "",
            "",
            "0183",
            "2024-02-01",
            "AKS;FSS",
            "",
            "",
            "",
            "",
            "",
        ],
    ]
    for i in range(3, n + 1):
        rows.append(
            [
                f"K-{i}",
                "SBG-IND",
                "",
                "",
                "",
                "KMX"[i % 3],
                str(1980 + i),
                "0183",
                f"2024-{1 + i % 12:02d}-01",
                "FSS",
                "",
                "",
                "",
                "",
                "",
            ]
        )
    return rows[:n]


@pytest.fixture
def episodes_file(tmp_path):
    def _make(rows=None, name="episodes.csv", **kw):
        return write_csv(
            tmp_path / name, EPISODE_HEADER, episode_rows() if rows is None else rows, **kw
        )

    return _make
