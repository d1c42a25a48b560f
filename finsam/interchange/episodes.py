"""The bulk episode importer: the rules of ``episode_enrol``/``episode_exit``, a chunk at a time.

Per chunk it makes a fixed number of queries (existing episodes by key, participants by
pseudonym, consent withdrawals, stored periods) through the registry services' bulk look-ups,
validates every row with ``rules.validate_enrolment`` and ``rules.validate_exit`` – the functions
the services call – and writes with bulk inserts/updates (PostgreSQL: ``COPY``). Identity numbers
are pseudonymised (``services.pseudonym_for``) and encrypted (``services.identity_cipher``) exactly
as in ``episode_enrol``; sex, birth year and age are derived by the same rule function.
"""

from __future__ import annotations

import contextlib
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.utils import timezone

from finsam.domain import codelists as cl
from finsam.domain import registration as rules
from finsam.domain.access import Action
from finsam.domain.identity import parse_personal_number
from finsam.domain.problems import DomainValidationError, Problem
from finsam.interchange.formats import FORMATS
from finsam.interchange.importers import CREATED, UNCHANGED, UPDATED, ImportContext, Row
from finsam.registry import services
from finsam.registry.models import Consent, Episode, Intervention, Participant

FIELD_MAP = {"intervention": "intervention_code", "identity_level": "personal_number"}

EPISODE_VALUE_FIELDS = (
    "start_date",
    "home_municipality_id",
    "sex",
    "age_at_start",
    "support_before",
    "occupation_before",
    "time_on_support",
    "education",
    "work_hours_before",
    "study_hours_before",
    "end_date",
    "exit_reason",
    "support_after",
    "occupation_after",
    "work_hours",
    "study_hours",
    "work_study_increased",
)


def _h(*parts: object) -> int:
    """A compact in-memory key (bounded memory for million-row files): Python's 64-bit string
    hash, stable within the one process an import runs in."""
    return hash(parts)


def _pack(start: date, end: date | None) -> int:
    """A period as one int (day ordinals < 2**20 until the year 2870; 0 = still open)."""
    return (start.toordinal() << 20) | (end.toordinal() if end else 0)


def _unpack(packed: int | list[int] | None) -> list[tuple[date, date | None]]:
    if packed is None:
        return []
    out = []
    for p in packed if isinstance(packed, list) else (packed,):
        end = p & 0xFFFFF
        out.append((date.fromordinal(p >> 20), date.fromordinal(end) if end else None))
    return out


_KEPT_AS_IS = (
    "occupation_before",
    "time_on_support",
    "education",
    "work_hours_before",
    "study_hours_before",
    "end_date",
    "exit_reason",
    "occupation_after",
    "work_hours",
    "study_hours",
)


def _keep_absent_columns(row: Row, v: dict, old: dict) -> None:
    """A column the file leaves out keeps the stored value of an existing episode (an
    enrolment-only file must not wipe exits recorded since)."""
    for col in _KEPT_AS_IS:
        if col not in row.values:
            v[col] = old[col]
    if "support_after" not in row.values:
        v["support_after"] = list(cl.support_codes(old["support_after"]))
    if old["participant__identity_level"] == Participant.Level.ANONYMOUS:
        if "sex" not in row.values:
            v["sex"] = old["participant__sex"]
        if "birth_year" not in row.values:
            v["birth_year"] = old["participant__birth_year"]
        if "protected_identity" not in row.values:
            v["protected_identity"] = old["participant__protected_identity"]


@dataclass(slots=True)
class Pending:
    row: Row
    key: str
    intervention: Intervention
    values: dict
    pseudonym: str | None = None
    canonical: str = ""
    consent_date: date | None = None
    protected: bool = False
    birth_year: int | None = None
    existing: dict | None = None
    outcome: str = CREATED


class EpisodeImporter:
    fmt = FORMATS["episodes"]

    def __init__(self, ctx: ImportContext):
        self.ctx = ctx
        self.seen: set[int] = set()
        self.file_periods: dict[int, int | list[int]] = {}
        """(person, intervention) → the person's periods in the file so far, packed (see
        :func:`_pack`): one int for the usual single period, a list for repeats."""
        self.interventions: dict[str, Intervention | None] = {}
        self.areas: dict[int, list] = {}
        self.area_bounds: dict[int, list[int]] = {}
        self.facts: dict[tuple[int, int], rules.InterventionFacts] = {}
        self.allowed: dict[int, bool] = {}
        self.municipalities = services.municipality_codes()
        self.cipher = services.identity_cipher()
        self.inserter = FastInserter()

    # --- validation --------------------------------------------------------------------------

    def _intervention(self, row: Row) -> Intervention | None:
        code = row.values.get("intervention_code", "")
        if not self.interventions:  # one query for all (a national registry has ~1 000)
            self.interventions = Intervention.objects.select_related("association").in_bulk(
                field_name="code"
            )
        if code not in self.interventions:
            self.interventions[code] = None
        intervention = self.interventions[code]
        if intervention is None:
            self.ctx.add(
                [
                    Problem(
                        "intervention_code",
                        "code.unknown",
                        f"Insatskod: det finns ingen insats med koden ”{code[:40]}”.",
                        code[:40],
                        row=row.number,
                    )
                ]
            )
            return None
        if self.ctx.outside_scope(row, "intervention_code", intervention.association.code):
            return None
        if intervention.pk not in self.allowed:
            self.allowed[intervention.pk] = self.ctx.may(
                Action.EDIT_EPISODES, intervention=intervention
            )
        if not self.allowed[intervention.pk]:
            self.ctx.denied(row, "intervention_code", "registrera deltagare i insatsen")
            return None
        return intervention

    def _facts(self, intervention: Intervention, on: date | None) -> rules.InterventionFacts:
        """The intervention's facts on ``on``, built once per stretch of dates with the same area:
        the area can only change on a ``valid_from`` or the day after a ``valid_to``."""
        assoc = intervention.association_id
        if assoc not in self.areas:
            periods = services.area_periods(assoc)
            self.areas[assoc] = periods
            self.area_bounds[assoc] = sorted(
                {s.toordinal() for _, s, _ in periods}
                | {e.toordinal() + 1 for _, _, e in periods if e is not None}
            )
        stretch = bisect_right(self.area_bounds[assoc], on.toordinal()) if on else -1
        slot = (intervention.pk, stretch)
        facts = self.facts.get(slot)
        if facts is None:
            facts = self.facts[slot] = self._build_facts(intervention, on)
        return facts

    def _build_facts(self, intervention: Intervention, on: date | None) -> rules.InterventionFacts:
        area = (
            services.area_from(self.areas[intervention.association_id], on) if on else frozenset()
        )
        return rules.InterventionFacts(
            code=intervention.code,
            name=intervention.name,
            orientation=intervention.orientation,
            registration=intervention.registration,
            start_date=intervention.start_date,
            end_date=intervention.end_date,
            area_municipalities=area,
        )

    def handle_chunk(self, rows: list[Row]) -> None:
        ctx = self.ctx
        today = ctx.today
        parsed: list[tuple[Row, dict]] = []
        for row in rows:
            ctx.result.rows += 1
            v = {
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
            if row.problems:
                ctx.add(row.problems)
                continue
            key_hash = _h(v["key"])
            if key_hash in self.seen:
                ctx.add(
                    [
                        Problem(
                            "episode_key",
                            "file.duplicate_key",
                            f"Inskrivningsnyckel: ”{v['key']}” förekommer på flera rader.",
                            v["key"],
                            row=row.number,
                        )
                    ]
                )
                continue
            self.seen.add(key_hash)
            v["person"] = None
            if v["personal_number"] and not v["protected_identity"]:
                with contextlib.suppress(DomainValidationError):  # reported by the rules below
                    v["person"] = parse_personal_number(v["personal_number"], today=today)
            parsed.append((row, v))

        keys = [v["key"] for _, v in parsed]
        existing = {
            e["key"]: e
            for e in Episode.objects.filter(key__any=keys)
            .order_by()
            .values(
                "id",
                "key",
                "intervention_id",
                "participant_id",
                "participant__pseudonym",
                "participant__identity_level",
                "participant__sex",
                "participant__birth_year",
                "participant__protected_identity",
                *EPISODE_VALUE_FIELDS,
            )
        }
        pseudonyms = {
            v["key"]: services.pseudonym_for(v["person"])
            for _, v in parsed
            if v["person"] is not None
        }
        participants = dict(
            Participant.objects.filter(pseudonym__any=set(pseudonyms.values()))
            .order_by()
            .values_list("pseudonym", "id")
        )
        withdrawals = services.latest_withdrawals(participants.values())
        stored = services.episode_periods(participants.values())
        chunk_keys = {_h(k) for k in keys}

        pending: list[Pending] = []
        for row, v in parsed:
            old = existing.get(v["key"])
            if old is not None:
                _keep_absent_columns(row, v, old)
            intervention = self._intervention(row)
            if intervention is None:
                continue
            pseudonym = pseudonyms.get(v["key"])
            participant_id = participants.get(pseudonym) if pseudonym else None
            data = rules.EnrolmentInput(
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
            if participant_id is not None:
                services.apply_consent_withdrawal(data, withdrawals.get(participant_id))
            others: list[tuple[date, date | None]] = []
            if pseudonym:
                others = [
                    (s, e)
                    for k, s, e in stored.get((participant_id, intervention.pk), [])
                    if _h(k) not in self.seen and _h(k) not in chunk_keys
                ]
                others += _unpack(self.file_periods.get(_h(pseudonym, intervention.pk)))
            check = rules.validate_enrolment(
                data,
                intervention=self._facts(intervention, v["start_date"]),
                known_municipalities=self.municipalities,
                other_periods_in_intervention=others,
                today=today,
                end_date=v["end_date"],
                person=v["person"],
            )
            problems = list(check.problems)
            exit_given = any(
                v[c] not in (None, "", [])
                for c in (
                    "end_date",
                    "exit_reason",
                    "support_after",
                    "occupation_after",
                    "work_hours",
                    "study_hours",
                )
            )
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
            if old is not None:
                problems += self._same_record(old, intervention, pseudonym)
            before = len(ctx.result.problems)
            ctx.add(problems, row, FIELD_MAP)
            if len(ctx.result.problems) > before:
                continue
            if pseudonym and v["exit_reason"] != cl.EXIT_REGISTRATION_ERROR:
                slot = _h(pseudonym, intervention.pk)
                packed = _pack(v["start_date"], v["end_date"])
                held = self.file_periods.get(slot)
                if held is None:
                    self.file_periods[slot] = packed
                elif isinstance(held, list):
                    held.append(packed)
                else:
                    self.file_periods[slot] = [held, packed]
            values = {
                "start_date": v["start_date"],
                "home_municipality_id": v["home_municipality"],
                "sex": check.sex,
                "age_at_start": check.age_at_start,
                "support_before": cl.support_mask(v["support_before"]),
                "occupation_before": v["occupation_before"],
                "time_on_support": v["time_on_support"],
                "education": v["education"],
                "work_hours_before": v["work_hours_before"],
                "study_hours_before": v["study_hours_before"],
                "end_date": v["end_date"],
                "exit_reason": v["exit_reason"],
                "support_after": cl.support_mask(v["support_after"]),
                "occupation_after": v["occupation_after"],
                "work_hours": v["work_hours"],
                "study_hours": v["study_hours"],
                "work_study_increased": rules.derive_work_study_increased(
                    work_before=v["work_hours_before"],
                    study_before=v["study_hours_before"],
                    work_after=v["work_hours"],
                    study_after=v["study_hours"],
                )
                if v["end_date"]
                else None,
            }
            item = Pending(
                row=row,
                key=v["key"],
                intervention=intervention,
                values=values,
                pseudonym=pseudonym,
                canonical=check.person.canonical if check.person else "",
                consent_date=v["consent_date"] if pseudonym else None,
                protected=v["protected_identity"],
                birth_year=check.birth_year,
                existing=old,
            )
            if old is not None:
                item.outcome = UNCHANGED if self._unchanged(old, item) else UPDATED
            ctx.result.count(item.outcome)
            pending.append(item)
        if ctx.writing and pending:
            self._write(pending, participants)

    def _same_record(
        self, old: dict, intervention: Intervention, pseudonym: str | None
    ) -> list[Problem]:
        problems = []
        if old["intervention_id"] != intervention.pk:
            problems.append(
                Problem(
                    "intervention_code",
                    "episode.intervention_changed",
                    "Insatskod: en befintlig inskrivning kan inte flyttas till en "
                    "annan insats; använd en ny inskrivningsnyckel.",
                )
            )
        if old["participant__pseudonym"] != pseudonym:
            problems.append(
                Problem(
                    "personal_number",
                    "episode.participant_changed",
                    "Personnummer: inskrivningen finns redan för en annan "
                    "deltagare (eller med en annan identitetsnivå); deltagaren "
                    "kan inte bytas genom import.",
                )
            )
        return problems

    @staticmethod
    def _unchanged(old: dict, item: Pending) -> bool:
        if any(old[f] != item.values[f] for f in EPISODE_VALUE_FIELDS):
            return False
        if item.pseudonym is None:
            return (
                old["participant__birth_year"] == item.birth_year
                and old["participant__protected_identity"] == item.protected
            )
        return True

    # --- writing -----------------------------------------------------------------------------

    def _write(self, pending: list[Pending], participants: dict[str, int]) -> None:
        actor_id = getattr(self.ctx.actor, "pk", None)
        now = timezone.now()
        identified, anonymous = Participant.Level.IDENTIFIED, Participant.Level.ANONYMOUS
        # Identified participants not stored yet (one per person, even if repeated in the file).
        new_people: dict[str, dict] = {}
        for item in pending:
            p = item.pseudonym
            if p and p not in participants and p not in new_people:
                new_people[p] = {
                    "identity_level": identified,
                    "pseudonym": p,
                    "identity_encrypted": self.cipher.encrypt(item.canonical),
                    "sex": item.values["sex"],
                    "birth_year": item.birth_year,
                    "created_at": now,
                }
        anonymous_new: list[Pending] = []
        anonymous_changed: list[Participant] = []
        for item in pending:
            if item.pseudonym is None:
                if item.existing is None:
                    anonymous_new.append(item)
                elif item.outcome == UPDATED:
                    anonymous_changed.append(
                        Participant(
                            pk=item.existing["participant_id"],
                            sex=item.values["sex"],
                            birth_year=item.birth_year,
                            protected_identity=item.protected,
                        )
                    )
        ids = self.inserter.insert(
            Participant,
            [
                *new_people.values(),
                *(
                    {
                        "identity_level": anonymous,
                        "sex": i.values["sex"],
                        "birth_year": i.birth_year,
                        "protected_identity": i.protected,
                        "created_at": now,
                    }
                    for i in anonymous_new
                ),
            ],
        )
        participants.update(zip(new_people, ids[: len(new_people)], strict=True))
        anonymous_ids = {
            id(i): pk for i, pk in zip(anonymous_new, ids[len(new_people) :], strict=True)
        }
        if anonymous_changed:
            Participant.objects.bulk_update(
                anonymous_changed, ["sex", "birth_year", "protected_identity"]
            )

        # Consents: one valid consent per (person, date), as in episode_enrol.
        wanted = {
            (participants[i.pseudonym], i.consent_date)
            for i in pending
            if i.pseudonym and i.consent_date
        }
        have = (
            set(
                Consent.objects.filter(
                    participant_id__any={pid for pid, _ in wanted}, withdrawn_date__isnull=True
                ).values_list("participant_id", "given_date")
            )
            if wanted
            else set()
        )
        self.inserter.insert(
            Consent,
            [
                {"participant_id": pid, "given_date": d, "recorded_by_id": actor_id}
                for pid, d in sorted(wanted - have)
            ],
        )

        new_episodes, changed = [], []
        for item in pending:
            if item.existing is None:
                pid = participants[item.pseudonym] if item.pseudonym else anonymous_ids[id(item)]
                new_episodes.append(
                    {
                        "key": item.key,
                        "intervention_id": item.intervention.pk,
                        "participant_id": pid,
                        "created_by_id": actor_id,
                        "created_at": now,
                        "updated_at": now,
                        **item.values,
                    }
                )
            elif item.outcome == UPDATED:
                changed.append(Episode(pk=item.existing["id"], updated_at=now, **item.values))
        self.inserter.insert(Episode, new_episodes)
        if changed:
            Episode.objects.bulk_update(
                changed, [*EPISODE_VALUE_FIELDS, "updated_at"], batch_size=1000
            )


def _memo(convert):
    """``convert`` with a cache (every row of an import shares the same timestamp)."""
    cache: dict = {}

    def wrapped(value):
        if value not in cache:
            cache[value] = convert(value)
        return cache[value]

    return wrapped


class FastInserter:
    """Insert plain rows (``{attname: value}``) and return their new ids, in order.

    PostgreSQL: the ids come from the table's sequence and the rows go in with ``COPY``. SQLite:
    the ids follow the table's current maximum (the import holds the database's write lock for
    its whole transaction) and the rows go in with one ``executemany``. Anything else: the ORM's
    ``bulk_create``. Field defaults fill the columns a row leaves out.
    """

    def __init__(self):
        self.vendor = connection.vendor

    def insert(self, model, rows: list[dict]) -> list[int]:
        if not rows:
            return []
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        defaults = {
            f.attname: (
                f.get_default()
                if f.has_default()
                else ("" if f.empty_strings_allowed and not f.null else None)
            )
            for f in fields
        }
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in [model._meta.pk, *fields])
        if self.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [model._meta.db_table, len(rows)],
                )
                ids = [pk for (pk,) in cursor.fetchall()]
                items = list(defaults.items())
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    write = copy.write_row
                    for pk, row in zip(ids, rows, strict=True):
                        get = row.get
                        write([pk, *[get(a, d) for a, d in items]])
            return ids
        if self.vendor == "sqlite":
            items = []  # (attname, default, converter or None); dates repeat: memoised
            for f in fields:
                conv = None
                if f.get_internal_type() == "DateTimeField":
                    conv = _memo(connection.ops.adapt_datetimefield_value)
                elif f.get_internal_type() == "DateField":
                    conv = _memo(lambda v: v.isoformat() if v is not None else None)
                items.append((f.attname, defaults[f.attname], conv))
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
                first = cursor.fetchone()[0] + 1
                ids = list(range(first, first + len(rows)))
                marks = ", ".join(["%s"] * (len(fields) + 1))
                values = []
                for pk, row in zip(ids, rows, strict=True):
                    get = row.get
                    values.append(
                        [
                            pk,
                            *[
                                get(a, d) if conv is None else conv(get(a, d))
                                for a, d, conv in items
                            ],
                        ]
                    )
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608
                    values,
                )
            return ids
        objs = model.objects.bulk_create([model(**row) for row in rows], batch_size=1000)
        return [o.pk for o in objs]
