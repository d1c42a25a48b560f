"""The per-row work of the episode import that needs no database – pure, no Django.

Parsing the cells (:class:`~finsam.interchange.parsing.Row`), the identity number, the keyed
pseudonym, the encrypted copy and the rule functions for a row *without stored context* (no
existing episode with the key, no other period of the person in the intervention, no consent
withdrawal). :class:`~finsam.interchange.episodes.EpisodeImporter` runs it on each chunk, in its
own process or – for large files – in worker processes (``concurrent.futures``), and re-runs the
same rule functions itself for the rows whose stored context is not empty. Every rule is still
the domain's one implementation (``finsam.domain.registration``); this module only decides where
it is called.
"""

from __future__ import annotations

import contextlib
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from finsam.domain import registration as rules
from finsam.domain.identity import IdentityCipher, PersonalNumber, parse_personal_number, pseudonym
from finsam.domain.problems import DomainValidationError, Problem
from finsam.interchange.parsing import Row

EXIT_COLUMNS = (
    "end_date",
    "exit_reason",
    "support_after",
    "occupation_after",
    "work_hours",
    "study_hours",
)


@dataclass(frozen=True, slots=True)
class FactsTable:
    """Each intervention's :class:`~finsam.domain.registration.InterventionFacts` for every
    stretch of dates with the same association area (the area can only change on a
    ``valid_from`` or on the day after a ``valid_to``), built once per import."""

    bounds: dict[str, list[int]]
    """intervention code → the ordinals where its association's area may change (sorted)."""
    facts: dict[tuple[str, int], rules.InterventionFacts]
    """(intervention code, stretch) → facts; stretch ``-1``: no date (empty area)."""

    def get(self, code: str, on: date | None) -> rules.InterventionFacts | None:
        bounds = self.bounds.get(code)
        if bounds is None:
            return None
        return self.facts[(code, bisect_right(bounds, on.toordinal()) if on else -1)]

    @classmethod
    def build(
        cls,
        interventions: list[dict],
        area_periods: dict[int, list[tuple[str, date, date | None]]],
        area_from: Callable[[list[tuple[str, date, date | None]], date], frozenset[str]],
    ) -> FactsTable:
        """``interventions``: ``{code, name, orientation, registration, start_date, end_date,
        association_id}``; ``area_periods``: association → (municipality, valid from, valid to);
        ``area_from``: the area rule (``services.area_from``), applied once per stretch."""
        bounds: dict[str, list[int]] = {}
        facts: dict[tuple[str, int], rules.InterventionFacts] = {}
        for i in interventions:
            periods = area_periods.get(i["association_id"], [])
            cuts = sorted(
                {s.toordinal() for _, s, _ in periods}
                | {e.toordinal() + 1 for _, _, e in periods if e is not None}
            )
            bounds[i["code"]] = cuts
            base = {
                k: i[k]
                for k in ("code", "name", "orientation", "registration", "start_date", "end_date")
            }
            facts[(i["code"], -1)] = rules.InterventionFacts(**base)
            # One day of each stretch: stretch k (k >= 1) starts on cuts[k - 1]; stretch 0 is
            # every day before cuts[0].
            days = [max(1, cuts[0] - 1), *cuts] if cuts else [1]
            for stretch, day in enumerate(days):
                facts[(i["code"], stretch)] = rules.InterventionFacts(
                    **base, area_municipalities=area_from(periods, date.fromordinal(day))
                )
        return cls(bounds=bounds, facts=facts)


@dataclass(frozen=True, slots=True)
class PrepConfig:
    today: date
    municipalities: frozenset[str]
    pseudonym_key: bytes
    encryption_keys: tuple[bytes, ...]
    facts: FactsTable


class Derived(NamedTuple):
    """What the rules derive for a valid row and the import stores."""

    sex: str
    age_at_start: int | None
    birth_year: int | None
    canonical: str
    """The canonical identity number (empty for anonymous rows)."""

    @classmethod
    def of(cls, check: rules.EnrolmentCheck) -> Derived:
        return cls(
            check.sex,
            check.age_at_start,
            check.birth_year,
            check.person.canonical if check.person else "",
        )


class Prepared(NamedTuple):
    """One row after the pure stage: a plain tuple, cheap to send between processes (unpickling
    slotted dataclasses cost ~50 µs a row)."""

    number: int
    v: dict | None
    """The typed values (``None`` when the row has format problems). From a worker process
    without ``"person"`` (the parent parses it again when it needs it)."""
    problems: list[Problem]
    """Format problems of the cells."""
    pseudonym: str | None = None
    token: str = ""
    """The encrypted canonical number of the row's person."""
    derived: Derived | None = None
    rule_problems: list[Problem] | None = None
    """The rule functions' result when the row has no stored context (``None``: not run)."""


def parse_values(row: Row) -> dict:
    """The typed values of one episode row (format problems go to ``row.problems``)."""
    return {
        "key": row.text("episode_key", max_length=64, required=True),
        "personal_number": row.text("personal_number", max_length=20),
        "consent_date": row.date("consent_date"),
        "protected_identity": bool(row.flag("protected_identity")),
        "sex": row.text("sex", max_length=1, upper=True),
        "birth_year": row.integer("birth_year"),
        "home_municipality": row.text("home_municipality", max_length=4, required=True),
        "start_date": row.date("start_date", required=True),
        "support_before": row.multi("support_before"),
        "occupation_before": row.text("occupation_before", max_length=6, upper=True),
        "time_on_support": row.text("time_on_support", max_length=6, upper=True),
        "education": row.text("education", max_length=6, upper=True),
        "end_date": row.date("end_date"),
        "exit_reason": row.text("exit_reason", max_length=6, upper=True),
        "support_after": row.multi("support_after"),
        "occupation_after": row.text("occupation_after", max_length=6, upper=True),
        "work_hours": row.decimal("work_hours"),
        "study_hours": row.decimal("study_hours"),
        "work_hours_before": row.decimal("work_hours_before"),
        "study_hours_before": row.decimal("study_hours_before"),
    }


def person_of(v: dict, today: date) -> PersonalNumber | None:
    """The parsed identity number, when the row is an identified one (errors: reported by the
    rules)."""
    if v["personal_number"] and not v["protected_identity"]:
        with contextlib.suppress(DomainValidationError):
            return parse_personal_number(v["personal_number"], today=today)
    return None


def enrolment_input(v: dict) -> rules.EnrolmentInput:
    return rules.EnrolmentInput(
        identity_level=rules.IDENTIFIED if v["personal_number"] else rules.ANONYMOUS,
        home_municipality=v["home_municipality"],
        start_date=v["start_date"],
        support_before=v["support_before"],
        personal_number=v["personal_number"],
        consent_date=v["consent_date"],
        protected_identity=v["protected_identity"],
        sex=v["sex"],
        birth_year=v["birth_year"],
        occupation_before=v["occupation_before"],
        time_on_support=v["time_on_support"],
        education=v["education"],
        work_hours_before=v["work_hours_before"],
        study_hours_before=v["study_hours_before"],
    )


def run_rules(
    v: dict,
    data: rules.EnrolmentInput,
    *,
    facts: rules.InterventionFacts,
    municipalities: frozenset[str],
    others: list[tuple[date, date | None]],
    today: date,
) -> tuple[rules.EnrolmentCheck, list[Problem]]:
    """``validate_enrolment`` and, when exit data is given, ``validate_exit`` for one row."""
    check = rules.validate_enrolment(
        data,
        intervention=facts,
        known_municipalities=municipalities,
        other_periods_in_intervention=others,
        today=today,
        end_date=v["end_date"],
        person=v["person"],
    )
    problems = list(check.problems)
    exit_given = any(v[c] not in (None, "", []) for c in EXIT_COLUMNS)
    if exit_given and v["start_date"] is not None:
        problems += rules.validate_exit(
            rules.ExitInput(
                end_date=v["end_date"],
                exit_reason=v["exit_reason"],
                support_after=v["support_after"],
                occupation_after=v["occupation_after"],
                work_hours=v["work_hours"],
                study_hours=v["study_hours"],
            ),
            start_date=v["start_date"],
            today=today,
        )
    return check, problems


def prepare(rows: list[tuple[int, dict[str, str]]], cfg: PrepConfig) -> list[Prepared]:
    """The pure stage for a chunk of ``(row number, cells)``."""
    cipher = IdentityCipher(list(cfg.encryption_keys))
    out = []
    for number, values in rows:
        row = Row(number, values)
        v = parse_values(row)
        if row.problems:
            out.append(Prepared(number, None, row.problems))
            continue
        person = v["person"] = person_of(v, cfg.today)
        name = token = None
        if person is not None:
            name = pseudonym(person, cfg.pseudonym_key)
            token = cipher.encrypt(person.canonical)
        derived = rule_problems = None
        facts = cfg.facts.get(values.get("intervention_code", ""), v["start_date"])
        if facts is not None:
            check, rule_problems = run_rules(
                v,
                enrolment_input(v),
                facts=facts,
                municipalities=cfg.municipalities,
                others=[],
                today=cfg.today,
            )
            derived = Derived.of(check)
        out.append(Prepared(number, v, [], name, token or "", derived, rule_problems))
    return out


_CONFIG: PrepConfig | None = None


def init_worker(cfg: PrepConfig) -> None:
    """``ProcessPoolExecutor`` initializer: the configuration is sent once per worker."""
    global _CONFIG
    _CONFIG = cfg


def prepare_in_worker(rows: list[tuple[int, dict[str, str]]]) -> list[Prepared]:
    assert _CONFIG is not None, "init_worker was not called"
    out = prepare(rows, _CONFIG)
    for item in out:
        if item.v is not None:
            del item.v["person"]  # a slotted dataclass: slow to unpickle; cheap to parse again
    return out
