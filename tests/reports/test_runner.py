"""Role rules of the report runner: what each user may read, and protected or not."""

from __future__ import annotations

from datetime import date

import pytest

from finsam.domain.problems import DomainValidationError
from finsam.domain.reports.core import Period
from finsam.reports import runner
from tests.conftest import PNR_MAN

YEAR = Period.year(2025)


def plan(registry, role, **kw):
    user = registry["users"][role] if role else None
    return runner.plan_report(user, kw.pop("name", "utfall"), period=YEAR, **kw)


def test_unprotected_only_for_administrator_and_handler_of_the_association(registry):
    assert plan(registry, "association_admin").options.protected is False
    assert plan(registry, "participant_handler").options.protected is False
    for role in ("board_reader", "intervention_manager", "national_analyst", None):
        p = plan(registry, role)
        assert p.options.protected is True and p.unprotected_allowed is False
    # asked for protected numbers
    assert plan(registry, "association_admin", unprotected=False).options.protected is True


def test_scope_of_associations_and_levels(registry):
    board = plan(registry, "board_reader")
    assert [a.code for a in board.associations] == ["SBG"]
    assert board.selection.association_ids == (registry["association"].pk,)
    assert board.options.areas == ("SBG",)
    analyst = plan(registry, "national_analyst")
    assert analyst.selection.association_ids is None and analyst.options.areas is None
    with pytest.raises(DomainValidationError, match="län och riket kräver"):
        plan(registry, "association_admin", levels=("county",))
    with pytest.raises(DomainValidationError, match="förbundet OTH"):
        plan(registry, "board_reader", association_codes=("OTH",))
    with pytest.raises(DomainValidationError, match="inte behörighet att se rapporter"):
        plan(registry, "system_admin")
    with pytest.raises(DomainValidationError, match="Oskyddade tal"):
        plan(registry, "national_analyst", unprotected=True)


def test_county_level_reads_every_association_of_the_county(registry):
    p = plan(
        registry, "national_analyst", levels=("association", "county"), association_codes=("SBG",)
    )
    assert set(p.selection.association_ids) == {registry["association"].pk, registry["other"].pk}
    assert p.options.areas == ("01", "SBG")
    result = runner.run_report(p).result
    assert [a.code for a in result.tables[0].areas] == ["SBG", "01"]
    assert p.options.protected is True


def test_earlier_episodes_of_other_associations_never_count_in_the_totals(registry, enrol):
    # the man (SBG, 2024-06-01 → 2025-09-30) also starts in OTH in July 2025
    enrol(
        intervention=registry["other_persons"],
        personal_number=PNR_MAN,
        home_municipality="0180",
        start_date=date(2025, 7, 1),
        consent_date=date(2025, 7, 1),
    )
    period = Period(date(2025, 7, 1), date(2025, 12, 31))  # a protected report: a half-year
    p = runner.plan_report(
        registry["users"]["national_analyst"],
        "deltagare",
        period=period,
        association_codes=("OTH",),
    )
    run = runner.run_report(p)
    assert "SBG" in set(run.episodes["association_code"])  # read for new vs returning …
    assert (run.result.episodes, run.result.anonymous_episodes) == (3, 1)  # … never counted
    assert [a.code for a in run.result.tables[0].areas] == ["OTH"]
    assert [q.association_code for q in run.quality.associations] == ["OTH"]
