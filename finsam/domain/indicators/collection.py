"""Rules of a collection round and its one-time links.

A round collects answers to one *published* questionnaire version for one association
(optionally one of its interventions) during a period. Links carry a random token; only its
SHA-256 is stored, so a database copy cannot be used to answer, and the link is shown once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date

from finsam.domain.indicators.definitions import PUBLISHED
from finsam.domain.problems import Problem

MAX_TOKENS_PER_BATCH = 1000
TOKEN_BYTES = 18
"""144 random bits: ``secrets.token_urlsafe(18)`` gives 24 URL-safe characters."""


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


def looks_like_token(token: str) -> bool:
    """A cheap shape check before any database look-up (URL-safe base64, 16–64 characters)."""
    return 16 <= len(token) <= 64 and all(c.isalnum() or c in "-_" for c in token)


def validate_round(
    *,
    period_start: date | None,
    period_end: date | None,
    questionnaire_status: str,
    intervention_in_association: bool = True,
) -> list[Problem]:
    problems = []
    if period_start and period_end and period_end < period_start:
        problems.append(
            Problem(
                "period_end",
                "indicators.round_period",
                "Perioden slutar: datumet får inte vara före periodens början.",
                period_end,
            )
        )
    if questionnaire_status != PUBLISHED:
        problems.append(
            Problem(
                "questionnaire",
                "indicators.round_unpublished",
                "Enkätversion: bara publicerade versioner kan användas i en insamling.",
            )
        )
    if not intervention_in_association:
        problems.append(
            Problem(
                "intervention",
                "indicators.round_intervention",
                "Insats: insatsen hör inte till det valda förbundet.",
            )
        )
    return problems


def validate_token_count(count: int) -> list[Problem]:
    if not 1 <= count <= MAX_TOKENS_PER_BATCH:
        return [
            Problem(
                "count",
                "indicators.token_count",
                f"Antal länkar: ange 1–{MAX_TOKENS_PER_BATCH} (nu {count}).",
                count,
            )
        ]
    return []


def check_round_open(closed: bool) -> list[Problem]:
    if closed:
        return [
            Problem(
                "",
                "indicators.round_closed",
                "Insamlingen är stängd: inga fler svar eller länkar kan läggas till.",
            )
        ]
    return []
