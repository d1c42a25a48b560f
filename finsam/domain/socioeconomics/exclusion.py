"""The cost-of-exclusion scenario calculator (``socioeconomics.md`` §2, Nilsson & Wadeskog).

A "what if" for boards and councils: if a person leaves exclusion, society saves the yearly cost
of that exclusion for as long as the effect lasts. With ``A`` the annual cost per person, ``C`` the
intervention cost per participant, ``H`` the horizon in years, ``p`` the yearly persistence and
``d`` the discount rate::

    savings_per_success     = Σ_{t=1..H} A × p^(t−1) / (1+d)^(t−1)  (or the lifetime cost)
    return_multiple         = savings_per_success / C
    break_even_success_rate = C / savings_per_success     ("it is enough that 1 in N succeeds")
    break_even_one_in       = 1 / break_even_success_rate
    first_year_net          = A − C
    total_annual_cost       = A × people

Per actor, every amount is split by the actor's share of the exclusion cost (the "welfare cake";
shares sum to 1) and the intervention cost by the shares of who pays it (by default the same
shares). ``*_if_alone`` figures answer "what if this actor paid the whole intervention itself".
Every figure comes with a plain-Swedish explanation (``explanations``) for the web page.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from finsam.domain import formatting
from finsam.domain.problems import DomainValidationError, Problem, raise_if_errors

EXCLUSION_ACTORS: tuple[str, ...] = (
    "municipality",
    "region",
    "fk",
    "af",
    "state",
    "justice",
    "production_loss",
    "tax_loss",
    "other",
)
EXCLUSION_ACTOR_LABELS: Mapping[str, str] = {
    "municipality": "Kommunen",
    "region": "Regionen",
    "fk": "Försäkringskassan",
    "af": "Arbetsförmedlingen",
    "state": "Staten (övrigt)",
    "justice": "Rättsväsendet",
    "production_loss": "Förlorat produktionsvärde",
    "tax_loss": "Förlorade skatteintäkter",
    "other": "Övriga kostnader",
}
LIFETIME_YEARS = 45
"""A lifetime of exclusion: from age 20 to 65."""


@dataclass(frozen=True, slots=True)
class ExclusionScenario:
    annual_cost: float
    """Annual cost of exclusion per person (SEK)."""
    intervention_cost: float
    """Intervention cost per participant (SEK)."""
    horizon_years: int = 5
    lifetime_cost: float | None = None
    """When given, the savings of one success are the whole lifetime cost (age 20–65)."""
    success_rate: float | None = None
    """Share of participants who leave exclusion (for expected figures), 0–1."""
    persistence: float = 1.0
    discount_rate: float = 0.0
    people: float | None = None
    """Number of people in exclusion (for the total annual cost)."""
    actor_shares: Mapping[str, float] | None = None
    """Share of the exclusion cost per actor (the welfare cake); must sum to 1."""
    intervention_cost_shares: Mapping[str, float] | None = None
    """Who pays the intervention; must sum to 1; defaults to ``actor_shares``."""
    inhabitants: float | None = None
    """Inhabitants of the area, for the cost per inhabitant."""


@dataclass(frozen=True, slots=True)
class YearPoint:
    year: int
    cumulative_cost: float
    cumulative_savings: float


@dataclass(frozen=True, slots=True)
class ActorFigures:
    actor: str
    label: str
    share: float
    intervention_cost_share: float
    annual_cost: float
    savings_per_success: float
    intervention_cost: float
    return_multiple: float | None
    break_even_success_rate: float | None
    break_even_one_in: float | None
    first_year_net: float
    total_annual_cost: float | None
    return_multiple_if_alone: float | None
    break_even_one_in_if_alone: float | None


@dataclass(frozen=True, slots=True)
class ExclusionResult:
    scenario: ExclusionScenario
    savings_per_success: float
    return_multiple: float | None
    """``None`` when the intervention costs nothing (infinite return)."""
    break_even_success_rate: float | None
    """``None`` when nothing is saved (it never breaks even)."""
    break_even_one_in: float | None
    first_year_net: float
    total_annual_cost: float | None
    expected_savings_per_participant: float | None
    expected_net_per_participant: float | None
    break_even_year: int | None
    """First year the (expected) cumulative savings cover the cost; None = not within horizon."""
    cost_per_inhabitant: float | None
    series: tuple[YearPoint, ...]
    per_actor: tuple[ActorFigures, ...]
    explanations: Mapping[str, str] = field(default_factory=dict)


# --- helpers ------------------------------------------------------------------------------------


def _ratio(numerator: float, denominator: float) -> float | None:
    return None if denominator == 0 else numerator / denominator


def shares_from_amounts(amounts: Mapping[str, float]) -> dict[str, float]:
    """Actor shares from amounts per actor (e.g. a published cost table)."""
    total = sum(amounts.values())
    if total <= 0:
        raise DomainValidationError(
            [
                Problem(
                    "actor_shares",
                    "shares.empty",
                    "Beloppen per aktör måste summera till mer än 0 kr.",
                    total,
                )
            ]
        )
    return {actor: amount / total for actor, amount in amounts.items()}


def scale_people_to_rate(people: float, rate: float, new_rate: float) -> float:
    """People in exclusion at another rate, linear in the rate (same population)."""
    if rate <= 0:
        raise DomainValidationError(
            [Problem("rate", "rate.positive", "Andelen måste vara större än 0.", rate)]
        )
    return people * new_rate / rate


def validate_shares(shares: Mapping[str, float], field_name: str, label: str) -> list[Problem]:
    problems = []
    for actor, share in shares.items():
        if actor not in EXCLUSION_ACTORS:
            problems.append(
                Problem(
                    field_name,
                    "shares.unknown_actor",
                    f"Okänd aktör '{actor}' i {label}; tillåtna är {', '.join(EXCLUSION_ACTORS)}.",
                    actor,
                )
            )
        if not math.isfinite(share) or share < 0:
            problems.append(
                Problem(
                    field_name,
                    "shares.negative",
                    f"Andelen för {actor} i {label} får inte vara negativ (nu {share:g}).",
                    share,
                )
            )
    total = sum(shares.values())
    if not math.isclose(total, 1.0, abs_tol=1e-6):
        problems.append(
            Problem(
                field_name,
                "shares.sum",
                f"Andelarna i {label} måste summera till 100 % (nu {_pct(total)}).",
                total,
            )
        )
    return problems


def validate_scenario(s: ExclusionScenario) -> list[Problem]:
    problems: list[Problem] = []

    def non_negative(name: str, value: float | None, label: str) -> None:
        if value is not None and (not math.isfinite(value) or value < 0):
            problems.append(
                Problem(
                    name,
                    f"{name}.negative",
                    f"{label} får inte vara negativ (nu {value:g}).",
                    value,
                )
            )

    non_negative("annual_cost", s.annual_cost, "Årskostnaden för utanförskap")
    non_negative("intervention_cost", s.intervention_cost, "Insatskostnaden")
    non_negative("lifetime_cost", s.lifetime_cost, "Livstidskostnaden")
    non_negative("people", s.people, "Antalet personer")
    non_negative("inhabitants", s.inhabitants, "Antalet invånare")
    for name, value, label in (
        ("success_rate", s.success_rate, "Andelen som lyckas"),
        ("persistence", s.persistence, "Varaktigheten per år"),
    ):
        if value is not None and not 0 <= value <= 1:
            problems.append(
                Problem(
                    name,
                    f"{name}.range",
                    f"{label} måste vara mellan 0 och 100 % (nu {_pct(value)}).",
                    value,
                )
            )
    if not -1 < s.discount_rate < 1:
        problems.append(
            Problem(
                "discount_rate",
                "discount_rate.range",
                f"Diskonteringsräntan måste vara mellan −100 % och 100 % (nu "
                f"{_pct(s.discount_rate)}).",
                s.discount_rate,
            )
        )
    if s.horizon_years < 1:
        problems.append(
            Problem(
                "horizon_years",
                "horizon_years.range",
                f"Tidshorisonten måste vara minst 1 år (nu {s.horizon_years}).",
                s.horizon_years,
            )
        )
    if s.actor_shares is not None:
        problems += validate_shares(s.actor_shares, "actor_shares", "fördelningen per aktör")
    if s.intervention_cost_shares is not None:
        problems += validate_shares(
            s.intervention_cost_shares,
            "intervention_cost_shares",
            "fördelningen av insatskostnaden",
        )
    return problems


def yearly_savings(s: ExclusionScenario) -> list[float]:
    """Savings of one success in each year 1..horizon (persistence and discounting applied)."""
    return [
        s.annual_cost * s.persistence ** (t - 1) / (1 + s.discount_rate) ** (t - 1)
        for t in range(1, s.horizon_years + 1)
    ]


# --- the calculator -----------------------------------------------------------------------------


def exclusion_scenario(s: ExclusionScenario) -> ExclusionResult:
    """Compute the scenario; raises ``DomainValidationError`` (nothing computed) on bad input."""
    raise_if_errors(validate_scenario(s))
    per_year = yearly_savings(s)
    savings = s.lifetime_cost if s.lifetime_cost is not None else sum(per_year)
    cost = s.intervention_cost
    rate = _ratio(cost, savings)
    expected_factor = 1.0 if s.success_rate is None else s.success_rate
    series = [YearPoint(0, cost, 0.0)]
    cumulative = 0.0
    break_even_year = None
    for year, amount in enumerate(per_year, start=1):
        cumulative += amount * expected_factor
        series.append(YearPoint(year, cost, cumulative))
        if break_even_year is None and cumulative >= cost:
            break_even_year = year
    total_annual = None if s.people is None else s.annual_cost * s.people
    per_inhabitant = (
        None if total_annual is None or not s.inhabitants else _ratio(total_annual, s.inhabitants)
    )
    expected_savings = None if s.success_rate is None else s.success_rate * savings
    result = ExclusionResult(
        scenario=s,
        savings_per_success=savings,
        return_multiple=_ratio(savings, cost),
        break_even_success_rate=rate,
        break_even_one_in=None if not rate else 1 / rate,
        first_year_net=s.annual_cost - cost,
        total_annual_cost=total_annual,
        expected_savings_per_participant=expected_savings,
        expected_net_per_participant=None if expected_savings is None else expected_savings - cost,
        break_even_year=break_even_year,
        cost_per_inhabitant=per_inhabitant,
        series=tuple(series),
        per_actor=_per_actor(s, savings, total_annual),
    )
    return replace(result, explanations=explain(result))


def _per_actor(
    s: ExclusionScenario, savings: float, total_annual: float | None
) -> tuple[ActorFigures, ...]:
    if s.actor_shares is None:
        return ()
    pay_shares = s.intervention_cost_shares or s.actor_shares
    rows = []
    for actor in EXCLUSION_ACTORS:
        if actor not in s.actor_shares and actor not in pay_shares:
            continue
        share = s.actor_shares.get(actor, 0.0)
        pay = pay_shares.get(actor, 0.0)
        actor_savings = savings * share
        actor_cost = s.intervention_cost * pay
        rate = _ratio(actor_cost, actor_savings)
        alone = _ratio(s.intervention_cost, actor_savings)
        rows.append(
            ActorFigures(
                actor=actor,
                label=EXCLUSION_ACTOR_LABELS[actor],
                share=share,
                intervention_cost_share=pay,
                annual_cost=s.annual_cost * share,
                savings_per_success=actor_savings,
                intervention_cost=actor_cost,
                return_multiple=_ratio(actor_savings, actor_cost),
                break_even_success_rate=rate,
                break_even_one_in=None if not rate else 1 / rate,
                first_year_net=s.annual_cost * share - actor_cost,
                total_annual_cost=None if total_annual is None else total_annual * share,
                return_multiple_if_alone=_ratio(actor_savings, s.intervention_cost),
                break_even_one_in_if_alone=None if not alone else 1 / alone,
            )
        )
    return tuple(rows)


# --- plain Swedish -----------------------------------------------------------------------------


def _kr(value: float) -> str:
    """Swedish amount: whole kronor (``formatting.kronor``)."""
    return formatting.kronor(value)


def _num(value: float, decimals: int = 1) -> str:
    return formatting.number(value, decimals)


def _pct(value: float) -> str:
    return formatting.percent(value, 0 if float(value * 100).is_integer() else 1)


def explain(r: ExclusionResult) -> dict[str, str]:
    """A plain-Swedish sentence for each figure, for a board member without training."""
    s = r.scenario
    if s.lifetime_cost is not None:
        savings_text = (
            f"Om en person lämnar utanförskapet för gott sparar samhället hela livstidskostnaden, "
            f"{_kr(r.savings_per_success)} (från 20 till 65 års ålder)."
        )
    else:
        extra = []
        if s.persistence < 1:
            extra.append(f"effekten antas minska till {_pct(s.persistence)} för varje år")
        if s.discount_rate:
            extra.append(f"framtida belopp räknas ned med {_pct(s.discount_rate)} per år")
        savings_text = (
            f"Om en person lämnar utanförskapet sparas {_kr(s.annual_cost)} per år. Under "
            f"{s.horizon_years} år blir det {_kr(r.savings_per_success)} per person som lyckas"
            + (f" ({'; '.join(extra)})." if extra else ".")
        )
    texts = {"savings_per_success": savings_text}
    if r.return_multiple is None:
        texts["return_multiple"] = "Insatsen kostar ingenting, så varje lyckat fall är en vinst."
    else:
        texts["return_multiple"] = (
            f"Varje krona som läggs på insatsen ger {_num(r.return_multiple)} kronor tillbaka "
            f"för varje person som lyckas ({_kr(r.savings_per_success)} delat med "
            f"{_kr(s.intervention_cost)})."
        )
    if r.break_even_success_rate is None or r.break_even_one_in is None:
        texts["break_even_success_rate"] = (
            "Ingenting sparas, så insatsen betalar sig inte hur många som än lyckas."
            if r.break_even_success_rate is None
            else "Insatsen kostar ingenting och lönar sig redan om en enda person lyckas."
        )
        texts["break_even_one_in"] = texts["break_even_success_rate"]
    elif r.break_even_success_rate > 1:
        texts["break_even_success_rate"] = (
            f"Insatsen lönar sig inte ens om alla deltagare lyckas: besparingen per person "
            f"({_kr(r.savings_per_success)}) är mindre än insatsens kostnad "
            f"({_kr(s.intervention_cost)})."
        )
        texts["break_even_one_in"] = texts["break_even_success_rate"]
    else:
        texts["break_even_success_rate"] = (
            f"Insatsen går jämnt ut om {_pct(r.break_even_success_rate)} av deltagarna lämnar "
            f"utanförskapet."
        )
        whole = math.floor(r.break_even_one_in)
        texts["break_even_one_in"] = (
            f"Det räcker att 1 av {_num(r.break_even_one_in)} deltagare lyckas för att insatsen "
            f"ska löna sig" + (f", alltså ungefär 1 av {whole}." if whole >= 1 else ".")
        )
    texts["first_year_net"] = (
        f"Första året: {_kr(s.annual_cost)} sparas för en person som lyckas, minus insatsens "
        f"kostnad {_kr(s.intervention_cost)}, ger {_kr(r.first_year_net)}."
        + (" Det är en förlust första året; vinsten kommer senare." if r.first_year_net < 0 else "")
    )
    if r.break_even_year is None:
        texts["break_even_year"] = (
            f"Insatsen hinner inte betala sig inom {s.horizon_years} år med dessa antaganden."
        )
    else:
        texts["break_even_year"] = (
            f"Besparingarna har täckt insatsens kostnad under år {r.break_even_year}"
            + (
                f", om {_pct(s.success_rate)} av deltagarna lyckas."
                if s.success_rate is not None
                else " för en person som lyckas."
            )
        )
    if r.total_annual_cost is not None:
        texts["total_annual_cost"] = (
            f"{_num(s.people or 0, 0)} personer i utanförskap kostar tillsammans "
            f"{_kr(r.total_annual_cost)} per år."
        )
    if r.cost_per_inhabitant is not None:
        texts["cost_per_inhabitant"] = (
            f"Det motsvarar {_kr(r.cost_per_inhabitant)} per invånare och år."
        )
    if r.expected_net_per_participant is not None:
        texts["expected_net_per_participant"] = (
            f"Om {_pct(s.success_rate or 0)} lyckas blir nettot "
            f"{_kr(r.expected_net_per_participant)} per deltagare."
        )
    if r.per_actor:
        texts["per_actor"] = (
            "Kostnaden för utanförskapet fördelas på aktörerna efter deras andel av "
            "välfärdskakan: "
            + ", ".join(f"{a.label} {_pct(a.share)}" for a in r.per_actor if a.share)
            + ". Varje aktörs besparing och insatskostnad räknas med samma andelar om inget "
            "annat anges; 'om aktören betalar ensam' visar vad det betyder om en aktör bär hela "
            "insatsen själv."
        )
    return texts


def exclusion_json(r: ExclusionResult) -> dict[str, object]:
    """The JSON object of ``finsam exclusion-scenario`` (``interchange.md``)."""
    return {
        "savings_per_success": r.savings_per_success,
        "return_multiple": r.return_multiple,
        "break_even_success_rate": r.break_even_success_rate,
        "break_even_one_in": r.break_even_one_in,
        "first_year_net": r.first_year_net,
        "total_annual_cost": r.total_annual_cost,
        "break_even_year": r.break_even_year,
        "expected_net_per_participant": r.expected_net_per_participant,
        "cost_per_inhabitant": r.cost_per_inhabitant,
        "per_actor": {
            a.actor: {
                "label": a.label,
                "share": a.share,
                "intervention_cost_share": a.intervention_cost_share,
                "annual_cost": a.annual_cost,
                "savings_per_success": a.savings_per_success,
                "intervention_cost": a.intervention_cost,
                "return_multiple": a.return_multiple,
                "break_even_success_rate": a.break_even_success_rate,
                "break_even_one_in": a.break_even_one_in,
                "first_year_net": a.first_year_net,
                "total_annual_cost": a.total_annual_cost,
                "return_multiple_if_alone": a.return_multiple_if_alone,
                "break_even_one_in_if_alone": a.break_even_one_in_if_alone,
            }
            for a in r.per_actor
        },
        "series": [
            {
                "year": p.year,
                "cumulative_cost": p.cumulative_cost,
                "cumulative_savings": p.cumulative_savings,
            }
            for p in r.series
        ],
        "explanations": dict(r.explanations),
    }
