"""The work of the episode import that needs no database – pure, no Django.

:func:`prepare_columns` takes a chunk column-wise: every cell parser of
:class:`~finsam.interchange.parsing.Row` and every rule function (the ``check_*`` functions that
``validate_enrolment`` and ``validate_exit`` consist of) is called once per distinct value of its
inputs and its result broadcast to the rows; identity numbers are parsed, pseudonymised and
encrypted once per distinct number. Rows with a problem other than a warning are left to
:func:`prepare`, the same work row by row (``validate_enrolment``/``validate_exit`` in full).
Both treat a row as if it had no stored context (no existing episode with the key, no other period
of the person in the intervention, no consent withdrawal);
:class:`~finsam.interchange.episodes.EpisodeImporter` runs them in its own process or – for large
files – in a worker process (``concurrent.futures``), and sends the rows that do have stored
context through :func:`prepare` and the rule functions again with it. Every rule is still the
domain's one implementation (``finsam.domain.registration``); this module only decides how often
it is called.
"""

from __future__ import annotations

import contextlib
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from finsam.domain import codelists as cl
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


CELLS: tuple[tuple[str, str, str, dict], ...] = (
    ("key", "episode_key", "text", {"max_length": 64, "required": True}),
    ("personal_number", "personal_number", "text", {"max_length": 20}),
    ("pseudonym", "pseudonym", "pseudonym", {}),
    ("consent_date", "consent_date", "date", {}),
    ("protected_identity", "protected_identity", "flag", {}),
    ("sex", "sex", "text", {"max_length": 1, "upper": True}),
    ("birth_year", "birth_year", "integer", {}),
    ("home_municipality", "home_municipality", "text", {"max_length": 4, "required": True}),
    ("start_date", "start_date", "date", {"required": True}),
    ("support_before", "support_before", "multi", {}),
    ("occupation_before", "occupation_before", "text", {"max_length": 6, "upper": True}),
    ("time_on_support", "time_on_support", "text", {"max_length": 6, "upper": True}),
    ("education", "education", "text", {"max_length": 6, "upper": True}),
    ("end_date", "end_date", "date", {}),
    ("exit_reason", "exit_reason", "text", {"max_length": 6, "upper": True}),
    ("support_after", "support_after", "multi", {}),
    ("occupation_after", "occupation_after", "text", {"max_length": 6, "upper": True}),
    ("work_hours", "work_hours", "decimal", {}),
    ("study_hours", "study_hours", "decimal", {}),
    ("work_hours_before", "work_hours_before", "decimal", {}),
    ("study_hours_before", "study_hours_before", "decimal", {}),
)
"""(value name, column, :class:`Row` method, its arguments) of every cell of an episode row, in
the order their format problems are reported."""


def parse_values(row: Row) -> dict:
    """The typed values of one episode row (format problems go to ``row.problems``)."""
    v = {name: getattr(row, method)(col, **kw) for name, col, method, kw in CELLS}
    v["protected_identity"] = bool(v["protected_identity"])
    return v


def pseudonym_problems(v: dict) -> list[Problem]:
    """A row that names its person by pseudonym (an export without identity): not together with a
    number, and not for a protected identity (always anonymous)."""
    if not v["pseudonym"]:
        return []
    if v["personal_number"]:
        return [
            Problem(
                "pseudonym",
                "pseudonym.with_number",
                "Ange antingen personnummer eller pseudonym, inte båda.",
            )
        ]
    return rules.check_identified_protected(v["protected_identity"])


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


def exit_given(*values: object) -> bool:
    """Whether a row gives exit data (any of :data:`EXIT_COLUMNS`), so the exit rules apply."""
    return any(x not in (None, "", []) for x in values)


def run_rules(
    v: dict,
    data: rules.EnrolmentInput,
    *,
    facts: rules.InterventionFacts,
    municipalities: frozenset[str],
    others: list[tuple[date, date | None]],
    today: date,
) -> tuple[rules.EnrolmentCheck, list[Problem]]:
    """``validate_enrolment`` and, when exit data is given, ``validate_exit`` for one row.

    A registration error (exit reason FEL) is excluded from every period, so it is not checked
    for overlap; one marked while still open (no end date, as the web's "mark as error" leaves
    it and the export writes it) is checked with ``validate_registration_error_mark``."""
    error = v["exit_reason"] == cl.EXIT_REGISTRATION_ERROR
    check = rules.validate_enrolment(
        data,
        intervention=facts,
        known_municipalities=municipalities,
        other_periods_in_intervention=[] if error else others,
        today=today,
        end_date=v["end_date"],
        person=v["person"],
    )
    problems = pseudonym_problems(v) + list(check.problems)
    if exit_given(*(v[c] for c in EXIT_COLUMNS)) and v["start_date"] is not None:
        exit_data = rules.ExitInput(
            end_date=v["end_date"],
            exit_reason=v["exit_reason"],
            support_after=v["support_after"],
            occupation_after=v["occupation_after"],
            work_hours=v["work_hours"],
            study_hours=v["study_hours"],
        )
        if rules.is_open_registration_error(v["end_date"], v["exit_reason"]):
            problems += rules.validate_registration_error_mark(exit_data)
        else:
            problems += rules.validate_exit(exit_data, start_date=v["start_date"], today=today)
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
        elif v["pseudonym"]:
            # A person known here only by pseudonym: linked to the participant with it, or a new
            # identified participant without a stored number (sex and birth year from the file).
            name = v["pseudonym"]
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


# --- the same stage for a whole chunk, column-wise ---------------------------------------------


class PreparedColumns(NamedTuple):
    """A chunk after the column-wise pure stage. Every list has one entry per row; the entries of
    the rows in ``slow`` are meaningless (``None``)."""

    slow: list[int]
    """Rows with a format problem, a rule error or an unknown intervention: the importer runs
    them through the row-wise path (:func:`prepare`), which reports the problems exactly."""
    warnings: dict[int, list[Problem]]
    """Rows whose only problems are warnings: row index → the warnings, in report order."""
    pseudonym: list
    token: list
    sex: list
    age_at_start: list
    birth_year: list
    protected: list
    consent_date: list
    start_date: list
    end_date: list
    values: dict[str, list]
    """The episode's stored values that are cell values as they are (upper-cased codes,
    support masks, hours, ``work_study_increased``), by model field."""


def _memo(function: Callable, keys) -> dict:
    """``function`` called once for every distinct key (a tuple is spread into arguments)."""
    out = {}
    for key in set(keys):
        out[key] = function(*key) if isinstance(key, tuple) else function(key)
    return out


def _parse_column(col: str, method: str, kw: dict, cells) -> tuple[dict, set]:
    """The :class:`Row` parser of one column, once per distinct cell: typed value by cell, and
    the cells with a format problem."""
    typed, bad = {}, set()
    row = Row(0, {})
    parse = getattr(row, method)
    for cell in set(cells):
        row.values = {col: cell}
        row.problems = []
        value = parse(col, **kw)
        if row.problems:
            bad.add(cell)
        else:
            typed[cell] = value
    return typed, bad


_ENROLMENT_CODES = (
    ("occupation_before", cl.OCCUPATION),
    ("time_on_support", cl.TIME_ON_SUPPORT),
    ("education", cl.EDUCATION),
)


def prepare_columns(columns: dict[str, Sequence[str]], n: int, cfg: PrepConfig) -> PreparedColumns:
    """The pure stage for a chunk of ``n`` rows given column-wise (every format column; ``""``
    for a column the file lacks).

    Every format check and every rule is the row-wise one (:class:`Row`'s parsers, the
    ``check_*`` functions of :mod:`finsam.domain.registration` that ``validate_enrolment`` and
    ``validate_exit`` consist of), called once per distinct value of its inputs and broadcast to
    the rows; a row with any problem is sent to the row-wise path unless all its problems are
    warnings. Identity numbers are parsed, pseudonymised and encrypted once per distinct number.
    """
    today = cfg.today
    empty = [""] * n
    cell = {col: columns.get(col, empty) for _, col, _, _ in CELLS}
    code_col = columns.get("intervention_code", empty)

    # Format: each column's parser once per distinct cell.
    slow: set[int] = set()
    typed: dict[str, dict] = {}
    for name, col, method, kw in CELLS:
        typed[name], bad = _parse_column(col, method, kw, cell[col])
        if bad:
            slow.update(i for i, c in enumerate(cell[col]) if c in bad)
    ok = [i for i in range(n) if i not in slow] if slow else range(n)

    typed_columns: dict[str, list] = {}

    def values_of(name: str) -> list:
        """The typed values of a column (``None`` where the cell has a format problem)."""
        if name not in typed_columns:
            table, cells = typed[name], cell[CELL_COLUMN[name]]
            typed_columns[name] = [table.get(c) for c in cells]
        return typed_columns[name]

    pn = values_of("personal_number")
    # A row naming its person by pseudonym (an export without identity): the row-wise path.
    slow.update(i for i, c in enumerate(cell["pseudonym"]) if c)
    ok = [i for i in ok if i not in slow]
    protected = [bool(x) for x in values_of("protected_identity")]
    start = values_of("start_date")
    end = values_of("end_date")
    consent = values_of("consent_date")

    # Identity: one parse, pseudonym and encryption per distinct number.
    cipher = IdentityCipher(list(cfg.encryption_keys))
    ident = [i for i in ok if pn[i]]
    anon = [i for i in ok if not pn[i]]
    numbers = {pn[i] for i in ident if not protected[i]}
    people: dict[str, tuple | None] = {}
    for number in numbers:
        person = person_of({"personal_number": number, "protected_identity": False}, today)
        people[number] = (
            None
            if person is None
            else (
                pseudonym(person, cfg.pseudonym_key),
                cipher.encrypt(person.canonical),
                person.sex,
                person.birth_date,
            )
        )

    # The intervention facts of each row (per distinct code and start date).
    facts_of = _memo(cfg.facts.get, ((code_col[i], start[i]) for i in ok))
    facts = [None] * n
    for i in ok:
        f = facts[i] = facts_of[(code_col[i], start[i])]
        if f is None:
            slow.add(i)  # unknown intervention: reported by the importer

    if slow:  # the rules run on the rows that parse and have an intervention
        ok = [i for i in ok if i not in slow]
        ident = [i for i in ident if i not in slow]
        anon = [i for i in anon if i not in slow]
    found: dict[int, list[Problem]] = {}

    def apply(rows: Iterable[int], key: Callable[[int], object], check: Callable) -> None:
        """``check`` once per distinct key of ``rows``; the rows with problems collect them."""
        keys = [key(i) for i in rows]
        results = _memo(check, keys)
        if any(results.values()):
            for i, k in zip(rows, keys, strict=True):
                if results[k]:
                    found.setdefault(i, []).extend(results[k])

    fid = {id(f): f for f in facts_of.values() if f is not None}
    # validate_enrolment, rule by rule in its order (see its body).
    apply(ok, lambda i: id(facts[i]), lambda f: rules.check_intervention_kind(fid[f]))
    apply(ident, lambda i: protected[i], rules.check_identified_protected)
    # A number that does not parse is reported by validate_enrolment: the row-wise path.
    unparsed = {i for i in ident if protected[i] or people[pn[i]] is None}
    if unparsed:
        slow |= unparsed
        ok = [i for i in ok if i not in unparsed]
        ident = [i for i in ident if i not in unparsed]
    apply(ident, lambda i: consent[i], lambda d: rules.check_consent(d, today))
    apply(anon, lambda i: pn[i], rules.check_anonymous_number)
    sex_typed = values_of("sex")
    apply(anon, lambda i: sex_typed[i], rules.check_anonymous_sex)
    birth_typed = values_of("birth_year")
    apply(anon, lambda i: birth_typed[i], lambda y: rules.check_anonymous_birth_year(y, today))
    apply(
        ok,
        lambda i: (start[i], id(facts[i])),
        lambda d, f: rules.check_start_date(d, fid[f], today),
    )
    home = cell["home_municipality"]
    apply(
        ok,
        lambda i: (home[i], id(facts[i])),
        lambda h, f: rules.check_home_municipality(
            h, cfg.municipalities, fid[f].area_municipalities
        ),
    )
    support_before = cell["support_before"]
    apply(
        ok,
        lambda i: support_before[i],
        lambda c: rules.check_support_codes(
            "support_before", typed["support_before"][c], after=False
        ),
    )
    for name, codes in _ENROLMENT_CODES:
        values = values_of(name)
        apply(
            ok,
            values.__getitem__,
            lambda v, name=name, codes=codes: rules.check_code(name, v, codes),
        )
    for name in ("work_hours_before", "study_hours_before"):
        values = values_of(name)
        apply(ok, values.__getitem__, lambda v, name=name: rules.check_hours(name, v))
    # validate_exit, for the rows that give exit data (see run_rules).
    exit_values = [values_of(c) for c in EXIT_COLUMNS]
    exiting = [i for i in ok if exit_given(*(values[i] for values in exit_values))]
    exit_reason = values_of("exit_reason")
    open_errors = {i for i in exiting if rules.is_open_registration_error(end[i], exit_reason[i])}
    if open_errors:  # FEL without an end date (about 1 %): the row-wise path checks them
        slow |= open_errors
        exiting = [i for i in exiting if i not in open_errors]
    apply(exiting, lambda i: (end[i], start[i]), lambda e, s: rules.check_end_date(e, s, today))
    apply(exiting, exit_reason.__getitem__, rules.check_exit_reason)
    support_after = cell["support_after"]
    apply(
        exiting,
        lambda i: support_after[i],
        lambda c: rules.check_support_codes("support_after", typed["support_after"][c], after=True),
    )
    occupation_after = values_of("occupation_after")
    apply(
        exiting,
        occupation_after.__getitem__,
        lambda v: rules.check_code("occupation_after", v, cl.OCCUPATION),
    )
    for name in ("work_hours", "study_hours"):
        values = values_of(name)
        apply(exiting, values.__getitem__, lambda v, name=name: rules.check_hours(name, v))

    warnings: dict[int, list[Problem]] = {}
    for i, problems in found.items():
        if all(p.warning for p in problems):
            warnings[i] = problems
        else:
            slow.add(i)
    for i in list(warnings):
        if i in slow:
            del warnings[i]

    # What the rules derive, for the rows that pass.
    none = [None] * n
    pseudonyms, tokens, sexes, births, years = (
        list(none),
        [""] * n,
        list(none),
        list(none),
        list(none),
    )
    for i in ident:
        if i not in slow:
            pseudonyms[i], tokens[i], sexes[i], births[i] = people[pn[i]]
            years[i] = births[i].year
    for i in anon:
        if i not in slow:
            sexes[i], years[i] = sex_typed[i], birth_typed[i]
    ages = [
        rules.derive_age_at_start(births[i], years[i], start[i]) if i not in slow else None
        for i in range(n)
    ]
    good = [i for i in ok if i not in slow]
    values: dict[str, list] = {}
    for name in ("support_before", "support_after"):
        masks = _memo(
            lambda c, name=name: cl.support_mask(typed[name][c]), (cell[name][i] for i in good)
        )
        values[name] = [masks.get(c) for c in cell[name]]
    for name in (
        "occupation_before",
        "time_on_support",
        "education",
        "exit_reason",
        "occupation_after",
        "work_hours_before",
        "study_hours_before",
        "work_hours",
        "study_hours",
    ):
        values[name] = values_of(name)
    hours = (
        values["work_hours_before"],
        values["study_hours_before"],
        values["work_hours"],
        values["study_hours"],
    )
    increased = _memo(
        lambda wb, sb, wa, sa: rules.derive_work_study_increased(
            work_before=wb, study_before=sb, work_after=wa, study_after=sa
        ),
        (tuple(h[i] for h in hours) for i in good if end[i]),
    )
    values["work_study_increased"] = [
        increased[tuple(h[i] for h in hours)] if i not in slow and end[i] else None
        for i in range(n)
    ]
    return PreparedColumns(
        slow=sorted(slow),
        warnings=warnings,
        pseudonym=pseudonyms,
        token=tokens,
        sex=sexes,
        age_at_start=ages,
        birth_year=years,
        protected=protected,
        consent_date=consent,
        start_date=start,
        end_date=end,
        values=values,
    )


CELL_COLUMN = {name: col for name, col, _, _ in CELLS}


def prepare_columns_in_worker(columns: dict[str, Sequence[str]], n: int) -> PreparedColumns:
    assert _CONFIG is not None, "init_worker was not called"
    return prepare_columns(columns, n, _CONFIG)
