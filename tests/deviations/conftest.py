from __future__ import annotations

from datetime import date

import pytest

from finsam.domain import deviations as core

TODAY = date(2026, 11, 22)


@pytest.fixture
def members(world):
    return {m.kind: m for m in world["association"].members.all()}


@pytest.fixture
def file_report(world, members):
    """File a report through the service (as the participant handler by default)."""
    from finsam.deviations import services

    def _file(*, actor=None, association=None, kinds=("FK", "AF"), category="NEKAD", **kw):
        association = association or world["association"]
        own = {m.kind: m for m in association.members.all()}
        data = core.ReportInput(
            report_date=kw.pop("report_date", date(2026, 10, 1)),
            organisations=tuple(str(own[k].pk) for k in kinds),
            category=category,
            description=kw.pop("description", "FK väntade på regionen och tvärtom."),
            consequence=kw.pop("consequence", "Två månader utan ersättning."),
            improvement=kw.pop("improvement", ""),
        )
        return services.deviation_file(
            actor=actor or world["users"]["participant_handler"],
            association=association,
            data=data,
            today=TODAY,
        )

    return _file
