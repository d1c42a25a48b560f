"""The association's year: Sundbyberg 2019 (seed 000) from the finance tests, with a board."""

from __future__ import annotations

from datetime import date

import pytest

from tests.finance.conftest import sundbyberg  # noqa: F401  (re-exported fixture)


@pytest.fixture
def year_world(sundbyberg):  # noqa: F811
    from finsam.registry import services

    w = sundbyberg
    assoc, system = w["association"], w["users"]["system_admin"]
    members = {m.kind: m for m in assoc.members.all()}
    for name, kind, role, chair in (
        ("Anna Ordförande", "MUNICIPALITY", "member", True),
        ("Bertil Ersättare", "MUNICIPALITY", "deputy", False),
        ("Cecilia Region", "REGION", "member", False),
        ("David FK", "FK", "member", False),
    ):
        services.board_member_add(
            actor=system,
            member=members[kind],
            name=name,
            role=role,
            is_chair=chair,
            period_start=date(2019, 1, 1),
        )
    return w
