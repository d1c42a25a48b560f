"""Hypothesis-fuzzed files never crash the command and never leave a partial import."""

from __future__ import annotations

import csv
import io
from io import StringIO

from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.interchange.conftest import EPISODE_HEADER, episode_rows

NASTY_CELLS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "2024-02-30",
            "2024-13-01",
            "24-01-01",
            "1899-12-31",
            "2099-01-01",
            "19900101-0008",
            "900101-0009",
            "19900161-0006",
            "000000-0000",
            "ÅÄÖ",
            "FSS;FSS",
            "ING;FSS",
            "SAK",
            "-1",
            "1e309",
            "nan",
            "0183",
            "9999",
            "X",
            "FEL",
            "99",
            ";",
            "\x00",
            "=cmd|' /C calc'!A0",
            "",
        ]
    ),
    st.integers(min_value=20_000, max_value=200_000).map(lambda n: "x" * n),  # huge field
)


@st.composite
def episode_files(draw) -> bytes:
    header = list(EPISODE_HEADER)
    rows = [list(r) for r in episode_rows(draw(st.integers(1, 6)))]
    for _ in range(draw(st.integers(0, 4))):
        r = draw(st.integers(0, len(rows) - 1))
        c = draw(st.integers(0, len(header) - 1))
        rows[r][c] = draw(NASTY_CELLS)
    action = draw(
        st.sampled_from(
            [
                "none",
                "drop_column",
                "extra_column",
                "duplicate_row",
                "short_row",
                "long_row",
                "empty",
                "header_only",
                "garbage",
            ]
        )
    )
    if action == "drop_column":
        i = draw(st.integers(0, len(header) - 1))
        header.pop(i)
        for r in rows:
            r.pop(i)
    elif action == "extra_column":
        header.append(draw(st.sampled_from(["comment", "Personal_Number", "", "episode_key"])))
        for r in rows:
            r.append("x")
    elif action == "duplicate_row":
        rows.append(list(rows[0]))
    elif action == "short_row":
        rows[0] = rows[0][:3]
    elif action == "long_row":
        rows[0] = rows[0] + ["extra", "cells"]
    if action == "garbage":
        return draw(st.binary(max_size=300))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=draw(st.sampled_from([",", ";"])), lineterminator="\n")
    if action != "empty":
        writer.writerow(header)
    if action not in ("empty", "header_only"):
        writer.writerows(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"]))
    return buffer.getvalue().encode(encoding, errors="replace")


def _counts():
    from finsam.registry.models import Consent, Episode, Participant

    return Episode.objects.count(), Participant.objects.count(), Consent.objects.count()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(content=episode_files())
def test_fuzzed_episode_files_never_crash_or_write_partially(world, tmp_path, content):
    from finsam.audit.models import AuditLog

    path = tmp_path / "fuzz.csv"
    path.write_bytes(content)
    before = _counts()
    audits = AuditLog.objects.filter(action="import_episodes").count()
    try:
        call_command(
            "import",
            "episodes",
            str(path),
            "--errors",
            str(tmp_path / "fel.csv"),
            stdout=StringIO(),
            stderr=StringIO(),
        )
    except CommandError as exc:
        assert str(exc)  # a one-line Swedish reason
        assert "\n" not in str(exc)
        assert _counts() == before
        assert AuditLog.objects.filter(action="import_episodes").count() == audits
        report = (tmp_path / "fel.csv").read_text(encoding="utf-8")
        assert report.startswith("row,column,value,rule,message,level")
        assert len(report.splitlines()) > 1
    else:
        assert AuditLog.objects.filter(action="import_episodes").count() == audits + 1


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    content=st.binary(max_size=400),
    kind=st.sampled_from(
        [
            "associations",
            "association-municipalities",
            "members",
            "interventions",
            "volume",
            "followups",
        ]
    ),
)
def test_fuzzed_registry_files_never_crash(world, tmp_path, content, kind):
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    try:
        call_command("import", kind, str(path), stdout=StringIO(), stderr=StringIO())
    except CommandError as exc:
        assert "\n" not in str(exc)
