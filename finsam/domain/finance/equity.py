"""The recommended maximum equity of an association ("trappan", ``spec/finance.md`` §4).

The national council's recommendation of 2013-10-02 is a stepped rule: reasonable equity as a share
of the year's revenue, lower the larger the revenue. Only the first step is confirmed in public
sources (revenue up to 7 MSEK → at most 20 %); the steps above are **policy** data with the defaults
of the spec, kept as a table so a user can match a future decision.

Two modes:

* ``"step"`` (default): the share of the band the revenue falls into applies to the whole revenue.
* ``"marginal"``: each band's share applies only to the part of the revenue inside that band (like a
  tax schedule), which avoids the drop at each step boundary.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Literal

from finsam.domain.problems import DomainValidationError, Problem

EquityMode = Literal["step", "marginal"]
EQUITY_MODES: tuple[str, ...] = ("step", "marginal")


@dataclass(frozen=True, slots=True)
class EquityStep:
    up_to: float | None
    """Upper bound of the band in SEK of revenue (inclusive); ``None`` for the last, open band."""
    share: float
    """Recommended maximum equity as a fraction of revenue in this band (0.20 = 20 %)."""


@dataclass(frozen=True, slots=True)
class EquityRecommendation:
    steps: tuple[EquityStep, ...]
    mode: EquityMode = "step"
    effective_from: date = date(2013, 10, 2)
    source: str = ""

    def __post_init__(self) -> None:
        problems = validate_steps(self.steps)
        if self.mode not in EQUITY_MODES:
            problems.append(
                Problem(
                    "mode",
                    "equity.mode",
                    f"Okänt läge för rekommendationen om eget kapital: {self.mode!r} "
                    "(tillåtna: step, marginal).",
                    self.mode,
                )
            )
        if problems:
            raise DomainValidationError(problems)

    def with_mode(self, mode: EquityMode) -> EquityRecommendation:
        return EquityRecommendation(self.steps, mode, self.effective_from, self.source)


def validate_steps(steps: tuple[EquityStep, ...]) -> list[Problem]:
    """Check a step table: ascending bounds, only the last open, shares between 0 and 1."""
    problems: list[Problem] = []
    if not steps:
        return [Problem("steps", "equity.steps_empty", "Trappan måste ha minst ett steg.")]
    previous = 0.0
    for i, step in enumerate(steps):
        last = i == len(steps) - 1
        if not 0 <= step.share <= 1:
            problems.append(
                Problem(
                    "share",
                    "equity.share_range",
                    f"Andelen i trappans steg {i + 1} måste vara mellan 0 och 100 % "
                    f"(nu {step.share * 100:g} %).",
                    step.share,
                )
            )
        if step.up_to is None and not last:
            problems.append(
                Problem(
                    "up_to",
                    "equity.open_step",
                    f"Bara trappans sista steg får sakna övre gräns (steg {i + 1}).",
                )
            )
        if step.up_to is not None:
            if step.up_to <= previous:
                problems.append(
                    Problem(
                        "up_to",
                        "equity.ascending",
                        f"Trappans gränser måste vara stigande (steg {i + 1}: {step.up_to:g}).",
                        step.up_to,
                    )
                )
            previous = step.up_to
    if steps[-1].up_to is not None:
        problems.append(
            Problem(
                "up_to",
                "equity.last_open",
                "Trappans sista steg måste gälla alla högre intäkter (ingen övre gräns).",
            )
        )
    return problems


DEFAULT_EQUITY_RECOMMENDATION = EquityRecommendation(
    steps=(
        EquityStep(7_000_000, 0.20),
        EquityStep(12_000_000, 0.15),
        EquityStep(None, 0.10),
    ),
    mode="step",
    effective_from=date(2013, 10, 2),
    source=(
        "Nationella rådet 2013-10-02; 20 % upp till 7 mnkr bekräftat, "
        "15 % (7–12 mnkr) och 10 % (över 12 mnkr) är policy (finance.md §4)"
    ),
)


def recommended_max_equity(
    revenue: float,
    recommendation: EquityRecommendation = DEFAULT_EQUITY_RECOMMENDATION,
) -> float:
    """The recommended maximum equity in SEK for a year's revenue (0 for no revenue)."""
    if revenue <= 0:
        return 0.0
    if recommendation.mode == "step":
        for step in recommendation.steps:
            if step.up_to is None or revenue <= step.up_to:
                return revenue * step.share
        raise AssertionError("validated step table always ends open")  # pragma: no cover
    total = 0.0
    lower = 0.0
    for step in recommendation.steps:
        upper = math.inf if step.up_to is None else step.up_to
        if revenue > lower:
            total += (min(revenue, upper) - lower) * step.share
        lower = upper
    return total


@dataclass(frozen=True, slots=True)
class EquityAssessment:
    equity: float
    revenue: float
    share_of_revenue: float | None
    """Equity / revenue; ``None`` when there is no revenue."""
    recommended_max: float
    excess: float
    """Equity above the recommended maximum (0 when within)."""

    @property
    def over_recommendation(self) -> bool:
        return self.excess > 0


def assess_equity(
    equity: float,
    revenue: float,
    recommendation: EquityRecommendation = DEFAULT_EQUITY_RECOMMENDATION,
) -> EquityAssessment:
    """Equity against the recommendation: share of revenue, recommended maximum and excess."""
    maximum = recommended_max_equity(revenue, recommendation)
    share = equity / revenue if revenue > 0 else None
    return EquityAssessment(equity, revenue, share, maximum, max(0.0, equity - maximum))
