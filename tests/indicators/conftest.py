"""Fixtures of the indicators tests: the starter set and an open collection round."""

from __future__ import annotations

from datetime import date

import pytest


@pytest.fixture
def starter(world):
    from finsam.indicators import services

    services.starter_load(actor=world["users"]["system_admin"])


@pytest.fixture
def exit_version(starter):
    from finsam.indicators.models import QuestionnaireVersion

    return QuestionnaireVersion.objects.get(respondent_group="participant_exit", version=1)


@pytest.fixture
def collection_round(world, exit_version):
    from finsam.indicators import services

    return services.round_open(
        actor=world["users"]["association_admin"],
        association=world["association"],
        intervention=world["persons"],
        questionnaire=exit_version,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        name="Hösten 2025",
    )


@pytest.fixture
def tokens(world, collection_round):
    from finsam.indicators import services

    return services.tokens_generate(
        actor=world["users"]["association_admin"], collection_round=collection_round, count=3
    )


def answer(round_, values: dict, *, actor=None):
    """Paper-enter one response (item code → value)."""
    from finsam.indicators import services

    return services.response_enter_paper(
        actor=actor, collection_round=round_, raw_answers={k: str(v) for k, v in values.items()}
    )
