"""Payback per agency from registry flows (``socioeconomics.md`` §1, Payoff/NyttoSam style).

For each actor *a*::

    monthly gain_a = Σ_participants (cost_a before − cost_a after)
                     + (work income_a after − work income_a before)

where support costs come from the parameter table (every support code a person has counts in
full) and work income is ``WORK_FULLTIME`` × hours / 40 (capped at 40 h). Society counts real
effects only: the ``society`` rows of the table (real resource use such as care and
administration) and ``PRODUCTION_FULLTIME`` × the change in full-time equivalents; transfers
between actors are not society's gain.

- payback_a = cost_a / monthly gain_a months; ``None`` ("never") when the gain is 0 or negative
  (0 months when the actor bears no cost and gains);
- profit after 1 year = 12 × gain − cost; after 5 years =
  Σ_{y=1..5} 12 × gain × p^(y−1) / (1+d)^(y−1) − cost (p = yearly persistence, d = discount rate);
- sensitivity: cost written off over 3 years (a third of the cost charged to year 1) and
  persistence 50–100 %, given as ranges.

The domain functions take episodes the caller has already selected (one intervention, an
association, a period); :func:`payback_per_group` groups by any key.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from finsam.domain import formatting
from finsam.domain.codelists import (
    EXIT_REGISTRATION_ERROR,
    FOLLOWUP_MONTHS,
    SUPPORT,
    SUPPORT_MISSING,
    full_time_equivalent,
    split_multi,
)
from finsam.domain.problems import DomainValidationError, Problem, raise_if_errors

from .parameters import ACTOR_LABELS, ACTORS, SOCIETY, PaybackParameters

MEMBER_ACTORS = ("fk", "af", "region", "municipality")
"""The four members that finance an association (the law's shares)."""

REFERENCE_SOURCE = (
    "NNS sammanställning av 58 samhällsekonomiska utvärderingar (Payoff) 2007–2014, "
    "genomsnittlig återbetalningstid i månader"
)
REFERENCE_PAYBACK_MONTHS: Mapping[str, int | None] = {
    "society": 12,
    "region": 9,
    "municipality": 10,
    "fk": 20,
    "af": None,
}
"""National reference figures (seed 000): AF never pays back on average (``None``)."""

PAYBACK_COLUMNS = (
    "actor",
    "intervention_cost",
    "monthly_gain",
    "payback_months",
    "profit_1y",
    "profit_5y",
)
"""The payback CSV layout of ``interchange.md``."""


class StateSplit(Enum):
    """How the state's half of the financing is split between FK and AF (a setting)."""

    EQUAL = "25/25"
    """FK 25 %, AF 25 %."""
    FK_ONLY = "50/0"
    """FK pays the whole state half (the law's default route for the state's money)."""


@dataclass(frozen=True, slots=True)
class FollowUp:
    months_after: int
    support: frozenset[str]
    work_hours: float | None = None
    study_hours: float | None = None


@dataclass(frozen=True, slots=True)
class EpisodeFlow:
    """One participation episode as the payback calculation needs it (plain data, no identity)."""

    key: str
    support_before: frozenset[str]
    support_after: frozenset[str] | None = None
    """``None`` while the episode is open; ``{"SAK"}`` when the state after is missing."""
    work_hours_before: float | None = None
    work_hours_after: float | None = None
    study_hours_before: float | None = None
    study_hours_after: float | None = None
    followups: tuple[FollowUp, ...] = ()
    intervention_code: str = ""
    association_code: str = ""
    end_date: date | None = None
    exit_reason: str = ""
    """Episodes with exit reason ``FEL`` (registration error) are left out of every calculation."""


@dataclass(frozen=True, slots=True)
class PaybackSettings:
    state_split: StateSplit = StateSplit.EQUAL
    cost_shares: Mapping[str, float] | None = None
    """Explicit member shares (fk, af, region, municipality) summing to 1; overrides the law's."""
    persistence: float = 1.0
    """Yearly persistence of the effect, 0–1 (1 = the effect lasts in full)."""
    discount_rate: float = 0.0
    horizon_years: int = 5
    write_off_years: int = 3
    persistence_range: tuple[float, float] = (0.5, 1.0)
    series_months: int = 60
    use_followups: bool = True


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    month: int
    cumulative_cost: float
    cumulative_gain: float


@dataclass(frozen=True, slots=True)
class ActorPayback:
    actor: str
    label: str
    intervention_cost: float
    monthly_gain: float
    payback_months: float | None
    """``None`` = never pays back."""
    profit_1y: float
    profit_5y: float
    reference_months: int | None
    has_reference: bool
    payback_months_range: tuple[float | None, float | None]
    """(written off over ``write_off_years``, full cost)."""
    profit_1y_range: tuple[float, float]
    """(full cost, written off) – low to high."""
    profit_5y_range: tuple[float, float]
    """(lowest persistence, highest persistence)."""
    series: tuple[SeriesPoint, ...] = ()


@dataclass(frozen=True, slots=True)
class PaybackResult:
    intervention_cost: float
    actors: tuple[ActorPayback, ...]
    participants: int
    """Episodes with a known state after (counted in the gain)."""
    participants_without_outcome: int
    """Open episodes or episodes whose support after is missing (contribute no change)."""
    settings: PaybackSettings = field(default_factory=PaybackSettings)

    def by_actor(self) -> dict[str, ActorPayback]:
        return {a.actor: a for a in self.actors}


# --- cost split ---------------------------------------------------------------------------------


def law_shares(state_split: StateSplit = StateSplit.EQUAL) -> dict[str, float]:
    """The law's financing shares: state 50 % (FK/AF as set), region 25 %, municipalities 25 %."""
    fk, af = (0.25, 0.25) if state_split is StateSplit.EQUAL else (0.5, 0.0)
    return {"fk": fk, "af": af, "region": 0.25, "municipality": 0.25}


def validate_cost_shares(shares: Mapping[str, float]) -> list[Problem]:
    problems: list[Problem] = []
    for actor, share in shares.items():
        if actor not in MEMBER_ACTORS:
            problems.append(
                Problem(
                    "cost_shares",
                    "shares.unknown_actor",
                    f"Okänd aktör '{actor}' i fördelningen av insatskostnaden; tillåtna är "
                    f"{', '.join(MEMBER_ACTORS)}.",
                    actor,
                )
            )
        if not math.isfinite(share) or share < 0:
            problems.append(
                Problem(
                    "cost_shares",
                    "shares.negative",
                    f"Andelen för {actor} i fördelningen av insatskostnaden får inte vara "
                    f"negativ (nu {share:g}).",
                    share,
                )
            )
    total = sum(shares.values())
    if not math.isclose(total, 1.0, abs_tol=1e-9):
        problems.append(
            Problem(
                "cost_shares",
                "shares.sum",
                f"Andelarna för insatskostnaden måste summera till 100 % (nu {total * 100:g} %).",
                total,
            )
        )
    return problems


def split_intervention_cost(
    total: float,
    *,
    state_split: StateSplit = StateSplit.EQUAL,
    cost_shares: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """The intervention cost per actor; society bears the whole cost, state and justice none."""
    if not math.isfinite(total) or total < 0:
        raise DomainValidationError(
            [
                Problem(
                    "intervention_cost",
                    "cost.negative",
                    f"Insatskostnaden får inte vara negativ (nu {total:g} kr).",
                    total,
                )
            ]
        )
    shares = dict(cost_shares) if cost_shares is not None else law_shares(state_split)
    raise_if_errors(validate_cost_shares(shares))
    split = dict.fromkeys(ACTORS, 0.0)
    for actor, share in shares.items():
        split[actor] = total * share
    split[SOCIETY] = total
    return split


# --- gains --------------------------------------------------------------------------------------

_SUPPORT_CODES = frozenset(SUPPORT.code_values)


def validate_episodes(episodes: Iterable[EpisodeFlow]) -> list[Problem]:
    problems: list[Problem] = []
    for number, e in enumerate(episodes, start=1):
        sides = (("support_before", e.support_before), ("support_after", e.support_after))
        for name, codes in sides:
            for code in sorted(codes or ()):
                if code not in _SUPPORT_CODES or (name == "support_before" and code == "SAK"):
                    problems.append(
                        Problem(
                            name,
                            "episode.support_code",
                            f"Okänd försörjningskod '{code}' i {name} för episod {e.key}.",
                            code,
                            number,
                        )
                    )
        hours = [
            ("work_hours_before", e.work_hours_before),
            ("work_hours", e.work_hours_after),
            ("study_hours_before", e.study_hours_before),
            ("study_hours", e.study_hours_after),
        ]
        hours += [(f"followup_{f.months_after}.work_hours", f.work_hours) for f in e.followups]
        for name, value in hours:
            if value is not None and not (0 <= value <= 168):
                problems.append(
                    Problem(
                        name,
                        "episode.hours",
                        f"Timmar per vecka i {name} måste vara 0–168 (episod {e.key}: {value:g}).",
                        value,
                        number,
                    )
                )
        for f in e.followups:
            if f.months_after not in FOLLOWUP_MONTHS:
                problems.append(
                    Problem(
                        "months_after",
                        "followup.months",
                        f"Uppföljning efter {f.months_after} månader är inte tillåten (episod "
                        f"{e.key}); tillåtet är {', '.join(map(str, FOLLOWUP_MONTHS))}.",
                        f.months_after,
                        number,
                    )
                )
            for code in sorted(f.support):
                if code not in _SUPPORT_CODES:
                    problems.append(
                        Problem(
                            "support",
                            "followup.support_code",
                            f"Okänd försörjningskod '{code}' i uppföljningen för episod {e.key}.",
                            code,
                            number,
                        )
                    )
    return problems


def outcome_state(
    episode: EpisodeFlow, *, use_followups: bool = True
) -> tuple[frozenset[str], float | None] | None:
    """The state after used for the gain: (support codes, work hours), or ``None`` if unknown.

    The latest follow-up with known support wins over the state at exit (it shows what lasted).
    """
    if use_followups:
        known = [f for f in episode.followups if f.support and SUPPORT_MISSING not in f.support]
        if known:
            latest = max(known, key=lambda f: f.months_after)
            return latest.support, latest.work_hours
    after = episode.support_after
    if not after or SUPPORT_MISSING in after:
        return None
    return after, episode.work_hours_after


def episode_gain(
    episode: EpisodeFlow, parameters: PaybackParameters, actor: str, *, use_followups: bool = True
) -> float:
    """Monthly gain to ``actor`` from one episode (0 when the state after is unknown)."""
    state = outcome_state(episode, use_followups=use_followups)
    if state is None:
        return 0.0
    support_after, hours_after = state
    fte_change = full_time_equivalent(hours_after) - full_time_equivalent(episode.work_hours_before)
    support_change = parameters.support_cost(
        episode.support_before, actor
    ) - parameters.support_cost(support_after, actor)
    if actor == SOCIETY:
        return support_change + parameters.production_value() * fte_change
    return support_change + parameters.work_income(actor) * fte_change


def monthly_gains(
    episodes: Iterable[EpisodeFlow], parameters: PaybackParameters, *, use_followups: bool = True
) -> dict[str, float]:
    episodes = list(episodes)
    gains = dict.fromkeys(ACTORS, 0.0)
    for actor in ACTORS:
        for e in episodes:
            gains[actor] += episode_gain(e, parameters, actor, use_followups=use_followups)
    return gains


# --- payback figures ----------------------------------------------------------------------------


def payback_months(cost: float, monthly_gain: float) -> float | None:
    """Months until the gain repays the cost; ``None`` ("never") when the gain is 0 or negative."""
    if monthly_gain <= 0:
        return None
    return cost / monthly_gain


def gain_over_years(
    monthly_gain: float, years: int, *, persistence: float = 1.0, discount_rate: float = 0.0
) -> float:
    """Σ_{y=1..years} 12 × gain × persistence^(y−1) / (1 + discount)^(y−1)."""
    return sum(
        12 * monthly_gain * persistence ** (y - 1) / (1 + discount_rate) ** (y - 1)
        for y in range(1, years + 1)
    )


def cumulative_series(
    cost: float,
    monthly_gain: float,
    months: int,
    *,
    persistence: float = 1.0,
    discount_rate: float = 0.0,
) -> tuple[SeriesPoint, ...]:
    """Cumulative cost (all paid at month 0) against cumulative gain, month by month."""
    points = [SeriesPoint(0, cost, 0.0)]
    total = 0.0
    for month in range(1, months + 1):
        year_index = (month - 1) // 12
        total += monthly_gain * (persistence / (1 + discount_rate)) ** year_index
        points.append(SeriesPoint(month, cost, total))
    return tuple(points)


def _validate_settings(s: PaybackSettings) -> list[Problem]:
    problems = []
    for name, value, label in (
        ("persistence", s.persistence, "Varaktigheten"),
        ("persistence_range", s.persistence_range[0], "Lägsta varaktigheten"),
        ("persistence_range", s.persistence_range[1], "Högsta varaktigheten"),
    ):
        if not 0 <= value <= 1:
            problems.append(
                Problem(
                    name,
                    "settings.persistence",
                    f"{label} per år måste vara mellan 0 och 100 % (nu {value * 100:g} %).",
                    value,
                )
            )
    if not -1 < s.discount_rate < 1:
        problems.append(
            Problem(
                "discount_rate",
                "settings.discount_rate",
                f"Diskonteringsräntan måste vara mellan −100 % och 100 % (nu "
                f"{s.discount_rate * 100:g} %).",
                s.discount_rate,
            )
        )
    if s.horizon_years < 1 or s.write_off_years < 1 or s.series_months < 0:
        problems.append(
            Problem(
                "horizon_years",
                "settings.horizon",
                "Tidshorisonten och avskrivningstiden måste vara minst ett år.",
                s.horizon_years,
            )
        )
    return problems


def compute_payback(
    episodes: Iterable[EpisodeFlow],
    parameters: PaybackParameters,
    intervention_cost: float,
    settings: PaybackSettings | None = None,
) -> PaybackResult:
    """Payback per actor for a set of episodes and the intervention cost that produced them.

    Raises ``DomainValidationError`` (nothing computed) on bad episodes, shares or settings.
    """
    settings = settings or PaybackSettings()
    episodes = [e for e in episodes if e.exit_reason != EXIT_REGISTRATION_ERROR]
    raise_if_errors(validate_episodes(episodes) + _validate_settings(settings))
    costs = split_intervention_cost(
        intervention_cost, state_split=settings.state_split, cost_shares=settings.cost_shares
    )
    gains = monthly_gains(episodes, parameters, use_followups=settings.use_followups)
    known = sum(
        1 for e in episodes if outcome_state(e, use_followups=settings.use_followups) is not None
    )
    present = set(parameters.actors) | {a for a, c in costs.items() if c > 0}
    rows = []
    for actor in ACTORS:
        if actor not in present:
            continue
        cost, gain = costs[actor], gains[actor]
        low_p, high_p = settings.persistence_range

        def five(persistence: float, cost: float = cost, gain: float = gain) -> float:
            return (
                gain_over_years(
                    gain,
                    settings.horizon_years,
                    persistence=persistence,
                    discount_rate=settings.discount_rate,
                )
                - cost
            )

        written_off = cost / settings.write_off_years
        rows.append(
            ActorPayback(
                actor=actor,
                label=ACTOR_LABELS[actor],
                intervention_cost=cost,
                monthly_gain=gain,
                payback_months=payback_months(cost, gain),
                profit_1y=12 * gain - cost,
                profit_5y=five(settings.persistence),
                reference_months=REFERENCE_PAYBACK_MONTHS.get(actor),
                has_reference=actor in REFERENCE_PAYBACK_MONTHS,
                payback_months_range=(
                    payback_months(written_off, gain),
                    payback_months(cost, gain),
                ),
                profit_1y_range=(12 * gain - cost, 12 * gain - written_off),
                profit_5y_range=(min(five(low_p), five(high_p)), max(five(low_p), five(high_p))),
                series=cumulative_series(
                    cost,
                    gain,
                    settings.series_months,
                    persistence=settings.persistence,
                    discount_rate=settings.discount_rate,
                ),
            )
        )
    return PaybackResult(
        intervention_cost=intervention_cost,
        actors=tuple(rows),
        participants=known,
        participants_without_outcome=len(episodes) - known,
        settings=settings,
    )


def payback_per_group(
    episodes: Iterable[EpisodeFlow],
    parameters: PaybackParameters,
    costs: Mapping[str, float],
    key: Callable[[EpisodeFlow], str] = lambda e: e.intervention_code,
    settings: PaybackSettings | None = None,
) -> dict[str, PaybackResult]:
    """Payback per group (default: per intervention) given each group's cost.

    A group with a cost but no episodes is computed with no gain (it never pays back).
    """
    groups: dict[str, list[EpisodeFlow]] = {code: [] for code in costs}
    for e in episodes:
        groups.setdefault(key(e), []).append(e)
    missing = sorted(code for code in groups if code not in costs)
    if missing:
        raise DomainValidationError(
            [
                Problem(
                    "intervention_cost",
                    "cost.missing",
                    f"Insatskostnad saknas för {code}; återbetalningstiden kan inte beräknas.",
                    code,
                )
                for code in missing
            ]
        )
    return {
        code: compute_payback(group, parameters, costs[code], settings)
        for code, group in groups.items()
    }


def select_period(episodes: Iterable[EpisodeFlow], start: date, end: date) -> list[EpisodeFlow]:
    """Episodes whose outcome falls in the period: ended between ``start`` and ``end``."""
    return [e for e in episodes if e.end_date is not None and start <= e.end_date <= end]


def _hours(value: str | None, field_name: str, key: str, problems: list[Problem]) -> float | None:
    if value is None or value.strip() == "":
        return None
    try:
        return float(value)
    except ValueError:
        problems.append(
            Problem(
                field_name,
                "number.invalid",
                f"{field_name} måste vara ett tal (episod {key}: '{value}').",
                value,
            )
        )
        return None


def episodes_from_rows(
    episode_rows: Iterable[Mapping[str, str]],
    followup_rows: Iterable[Mapping[str, str]] = (),
    *,
    association_code: str = "",
) -> list[EpisodeFlow]:
    """Episodes in the ``episodes.csv``/``followups.csv`` layout of ``interchange.md`` as flows.

    Only the columns the payback needs are read; the registry import validates the rest.
    """
    problems: list[Problem] = []
    followups: dict[str, list[FollowUp]] = {}
    for row in followup_rows:
        key = row.get("episode_key", "")
        months = row.get("months_after", "")
        if not months.isdigit():
            problems.append(
                Problem(
                    "months_after",
                    "followup.months",
                    f"months_after måste vara 6, 12 eller 24 (episod {key}: '{months}').",
                    months,
                )
            )
            continue
        followups.setdefault(key, []).append(
            FollowUp(
                int(months),
                frozenset(split_multi(row.get("support"))),
                _hours(row.get("work_hours"), "work_hours", key, problems),
                _hours(row.get("study_hours"), "study_hours", key, problems),
            )
        )
    flows = []
    for row in episode_rows:
        key = row.get("episode_key", "")
        end_text = (row.get("end_date") or "").strip()
        end = None
        if end_text:
            try:
                end = date.fromisoformat(end_text)
            except ValueError:
                problems.append(
                    Problem(
                        "end_date",
                        "date.invalid",
                        f"end_date måste vara ett datum ÅÅÅÅ-MM-DD (episod {key}: '{end_text}').",
                        end_text,
                    )
                )
        after = split_multi(row.get("support_after"))
        flows.append(
            EpisodeFlow(
                key=key,
                support_before=frozenset(split_multi(row.get("support_before"))),
                support_after=frozenset(after) if after else None,
                work_hours_before=_hours(
                    row.get("work_hours_before"), "work_hours_before", key, problems
                ),
                work_hours_after=_hours(row.get("work_hours"), "work_hours", key, problems),
                study_hours_before=_hours(
                    row.get("study_hours_before"), "study_hours_before", key, problems
                ),
                study_hours_after=_hours(row.get("study_hours"), "study_hours", key, problems),
                followups=tuple(sorted(followups.get(key, ()), key=lambda f: f.months_after)),
                intervention_code=row.get("intervention_code", ""),
                association_code=association_code,
                end_date=end,
                exit_reason=(row.get("exit_reason") or "").strip().upper(),
            )
        )
    raise_if_errors(problems + validate_episodes(flows))
    return flows


def _money(value: float) -> str:
    return f"{round(value, 2):.2f}"


def payback_csv_rows(result: PaybackResult) -> list[dict[str, str]]:
    """Rows in the payback CSV layout (``payback_months`` empty when it never pays back)."""
    return [
        {
            "actor": a.actor,
            "intervention_cost": _money(a.intervention_cost),
            "monthly_gain": _money(a.monthly_gain),
            "payback_months": "" if a.payback_months is None else f"{a.payback_months:.1f}",
            "profit_1y": _money(a.profit_1y),
            "profit_5y": _money(a.profit_5y),
        }
        for a in result.actors
    ]


def reference_rows() -> Sequence[dict[str, object]]:
    """The national reference figures as data, for display beside an association's result."""
    return [
        {
            "actor": actor,
            "label": ACTOR_LABELS[actor],
            "payback_months": months,
            "text": "betalar inte tillbaka i genomsnitt" if months is None else f"{months} månader",
            "source": REFERENCE_SOURCE,
        }
        for actor, months in REFERENCE_PAYBACK_MONTHS.items()
    ]


def _kr(value: float) -> str:
    return formatting.kronor(value)


def _months(value: float) -> str:
    return formatting.number(value, 1)


def explain_payback(row: ActorPayback) -> str:
    """One plain-Swedish sentence about an actor's payback, with the national reference."""
    if row.payback_months is None:
        if row.monthly_gain < 0:
            text = (
                f"{row.label}: kostnaderna ökar med {_kr(-row.monthly_gain)} per månad efter "
                f"insatsen, så insatsen betalar sig aldrig för {row.label.lower()}."
            )
        else:
            text = f"{row.label}: ingen besparing per månad, så insatsen betalar sig aldrig."
    elif row.intervention_cost == 0:
        text = (
            f"{row.label} bär ingen del av insatskostnaden och vinner {_kr(row.monthly_gain)} "
            f"per månad."
        )
    else:
        text = (
            f"{row.label} betalade {_kr(row.intervention_cost)} och sparar eller får in "
            f"{_kr(row.monthly_gain)} per månad: insatsen är återbetald efter "
            f"{_months(row.payback_months)} månader."
        )
    if row.has_reference:
        reference = (
            "betalar inte tillbaka i genomsnitt"
            if row.reference_months is None
            else f"{row.reference_months} månader"
        )
        text += f" Riksgenomsnittet i NNS sammanställning: {reference}."
    return text
