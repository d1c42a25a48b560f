"""Demo answers for the core indicators: the starter set, one round per association and
respondent group, and a few hundred synthetic answers (through the paper-entry service, so
every answer is checked and audited like a real one)."""

from __future__ import annotations

import random
from datetime import date

from finsam.domain.indicators.answers import CANNOT_JUDGE
from finsam.indicators import services
from finsam.indicators.models import QuestionnaireVersion
from finsam.indicators.selectors import definition_of

DEMO_GROUPS = {
    "participant_during": 25,
    "participant_exit": 20,
    "staff": 8,
    "board": 9,
}
"""Respondent group → answers per association and year."""


def load_indicator_demo(*, associations, actor, rng: random.Random, today: date) -> int:
    """Returns the number of answers created."""
    services.starter_load(actor=actor)
    created = 0
    for association in associations:
        tilt = rng.uniform(-0.6, 0.6)
        for group, per_year in DEMO_GROUPS.items():
            version = QuestionnaireVersion.objects.get(
                respondent_group=group, starter=True, version=1
            )
            definition = definition_of(version)
            scale = definition.scale
            for year in (today.year - 2, today.year - 1):
                collection_round = services.round_open(
                    actor=actor,
                    association=association,
                    questionnaire=version,
                    period_start=date(year, 1, 1),
                    period_end=date(year, 12, 31),
                    name=f"Demo {year}",
                )
                drift = 0.25 * (year - today.year + 2)
                for _ in range(max(3, round(per_year * rng.uniform(0.6, 1.2)))):
                    raw = {}
                    for item in definition.items:
                        if rng.random() < 0.05:
                            continue
                        if rng.random() < 0.07:
                            raw[item.code] = CANNOT_JUDGE
                            continue
                        centre = 4.2 + tilt + drift + (item.indicator % 3 - 1) * 0.3
                        point = round(rng.gauss(centre, 1.1))
                        raw[item.code] = str(min(scale.maximum, max(scale.minimum, point)))
                    if not raw:
                        raw[definition.items[0].code] = "4"
                    services.response_enter_paper(
                        actor=actor,
                        collection_round=collection_round,
                        raw_answers=raw,
                        today=date(year, 11, 15),
                    )
                    created += 1
                services.round_close(actor=actor, collection_round=collection_round)
    return created
