"""The bulk episode importer: the rules of ``episode_enrol``/``episode_exit``, a chunk at a time.

A chunk arrives column-wise (:meth:`Table.column_chunks`); the pure stage
(:func:`episode_prep.prepare_columns`, here or in a worker process) checks its cells and runs the
rule functions once per distinct value. Per chunk the importer then makes a fixed number of
queries (existing episodes by key, participants by pseudonym, consent withdrawals, stored periods)
through the registry services' bulk look-ups; rows with problems or with stored context go the
row-wise way – ``rules.validate_enrolment`` and ``rules.validate_exit``, the functions the
services call, with that context –, and the rest are written column-wise with one bulk insert per
table (PostgreSQL: ``COPY``). Identity numbers are pseudonymised and encrypted exactly as in
``episode_enrol`` (``services.pseudonym_for``/``identity_cipher`` with the same keys); sex, birth
year and age are derived by the same rule functions.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice, repeat
from typing import NamedTuple

from django.conf import settings
from django.db import connection
from django.utils import timezone

from finsam.domain import codelists as cl
from finsam.domain import registration as rules
from finsam.domain.access import Action
from finsam.domain.problems import Problem
from finsam.interchange import episode_prep as prep
from finsam.interchange.formats import FORMATS
from finsam.interchange.importers import CREATED, UNCHANGED, UPDATED, ImportContext, Row
from finsam.interchange.reader import ColumnChunk
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
    token: str = ""
    """The pure stage's encryption of ``canonical`` (empty: encrypt when writing)."""
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
        self.allowed: dict[int, bool] = {}
        self.municipalities = services.municipality_codes()
        self.cipher = services.identity_cipher()
        self.inserter = FastInserter()
        self.config: prep.PrepConfig | None = None
        self.workers = ctx.workers
        self.pool: ProcessPoolExecutor | None = None
        self.queue: deque[tuple[ColumnChunk, Future]] = deque()
        self.indexes: DeferredIndexes | None = None

    def finish(self) -> None:
        """After the last row, when the import is to be kept: indexes and foreign keys back."""
        if self.indexes is not None and self.indexes.recreate:
            self.indexes.restore()

    # --- the pure stage, here or in worker processes -----------------------------------------

    def _config(self) -> prep.PrepConfig:
        if self.config is None:
            # One query for all interventions (a national registry has ~1 000).
            self.interventions = Intervention.objects.select_related("association").in_bulk(
                field_name="code"
            )
            areas = {
                a: services.area_periods(a)
                for a in {i.association_id for i in self.interventions.values()}
            }
            table = prep.FactsTable.build(
                [
                    {
                        "code": i.code,
                        "name": i.name,
                        "orientation": i.orientation,
                        "registration": i.registration,
                        "start_date": i.start_date,
                        "end_date": i.end_date,
                        "association_id": i.association_id,
                    }
                    for i in self.interventions.values()
                ],
                areas,
                services.area_from,
            )
            self.config = prep.PrepConfig(
                today=self.ctx.today,
                municipalities=frozenset(self.municipalities),
                pseudonym_key=settings.FINSAM_PSEUDONYM_KEY,
                encryption_keys=tuple(settings.FINSAM_ENCRYPTION_KEYS),
                facts=table,
            )
        return self.config

    def handle_columns(self, chunk: ColumnChunk) -> None:
        """Serial: the pure stage and the rest, one chunk at a time. Parallel (``workers`` > 1):
        the chunk's pure stage goes to a worker process and the oldest chunks whose pure stage is
        done are finished here, in file order – so problems, counts and writes are the same."""
        cfg = self._config()
        n = len(chunk.numbers)
        if self.indexes is None:
            self.indexes = DeferredIndexes()
            if self.ctx.writing:
                self.indexes.drop(self.ctx.file_size // BYTES_PER_ROW)
        if self.workers < 1:
            self._finish_columns(chunk, prep.prepare_columns(chunk.columns, n, cfg))
            return
        if self.pool is None:
            self.pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),  # no forked DB connections
                initializer=prep.init_worker,
                initargs=(cfg,),
            )
        self.queue.append(
            (chunk, self.pool.submit(prep.prepare_columns_in_worker, chunk.columns, n))
        )
        while len(self.queue) > self.workers:
            self._finish_oldest()

    def _finish_oldest(self) -> None:
        chunk, future = self.queue.popleft()
        self._finish_columns(chunk, future.result())

    def flush(self) -> None:
        """Finish the chunks still in the workers (called after the last chunk)."""
        while self.queue:
            self._finish_oldest()
        self.close()

    def close(self) -> None:
        if self.pool is not None:
            for _, future in self.queue:
                future.cancel()
            self.queue.clear()
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    # --- validation --------------------------------------------------------------------------

    def _intervention(self, row: Row) -> Intervention | None:
        code = row.values.get("intervention_code", "")
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

    def _intervention_open(self, code: str) -> bool:
        """Whether rows of intervention ``code`` pass :meth:`_intervention` (known, in scope,
        permitted) – asked once per code; the rows of a code that does not go the row-wise way,
        where :meth:`_intervention` reports them."""
        intervention = self.interventions.get(code)
        if intervention is None:
            return False
        if self.ctx.association is not None and (
            intervention.association.code != self.ctx.association.code
        ):
            return False
        if intervention.pk not in self.allowed:
            self.allowed[intervention.pk] = self.ctx.may(
                Action.EDIT_EPISODES, intervention=intervention
            )
        return self.allowed[intervention.pk]

    def _finish_columns(self, chunk: ColumnChunk, pc: prep.PreparedColumns) -> None:
        """Finish a chunk whose pure stage is done. Rows with problems or with stored context
        (an existing episode with the key, the person's other periods in the intervention – in
        the database or earlier in the file –, a consent withdrawal) and short rows go the
        row-wise way (:meth:`_finish_rows`); the others – in a first import nearly all – are
        counted and written column-wise (:meth:`_write_columns`)."""
        ctx = self.ctx
        cfg = self._config()
        numbers, columns = chunk.numbers, chunk.columns
        n = len(numbers)
        ctx.result.rows += n
        warnings_before = len(ctx.result.warnings)
        header = list(columns)

        def cells_of(i: int) -> dict[str, str]:
            ragged = chunk.ragged.get(i)
            return ragged if ragged is not None else {c: columns[c][i] for c in header}

        prepared: dict[int, prep.Prepared] = {}

        def row_wise(indexes: list[int]) -> None:
            todo = [i for i in indexes if i not in prepared]
            items = prep.prepare([(numbers[i], cells_of(i)) for i in todo], cfg)
            prepared.update(zip(todo, items, strict=True))

        row_wise(sorted({*pc.slow, *chunk.ragged}))
        for i in sorted(prepared):
            if prepared[i].v is None:
                ctx.add(prepared[i].problems)

        # The duplicate-key rule, in file order, over the rows without format problems.
        keys = columns.get("episode_key", ())
        if any(item.v is None for item in prepared.values()):
            candidates = [i for i in range(n) if i not in prepared or prepared[i].v is not None]
            hashes = [hash(keys[i]) for i in candidates]
        else:
            candidates = list(range(n))
            hashes = list(map(hash, keys))
        duplicates: set[int] = set()
        if len(set(hashes)) != len(hashes) or not self.seen.isdisjoint(hashes):
            for i, h in zip(candidates, hashes, strict=True):
                if h in self.seen:
                    duplicates.add(i)
                    ctx.add(
                        [
                            Problem(
                                "episode_key",
                                "file.duplicate_key",
                                f"Inskrivningsnyckel: ”{keys[i]}” förekommer på flera rader.",
                                keys[i],
                                row=numbers[i],
                            )
                        ]
                    )
                else:
                    self.seen.add(h)
        else:
            self.seen.update(hashes)
        live = [i for i in candidates if i not in duplicates] if duplicates else candidates

        def pseudonym_of(i: int) -> str | None:
            return prepared[i].pseudonym if i in prepared else pc.pseudonym[i]

        existing, participants, withdrawals, stored = self._lookups(
            {keys[i] for i in live}, {p for i in live if (p := pseudonym_of(i))}
        )
        chunk_keys = (
            {hashes[k] for k, i in enumerate(candidates) if i not in duplicates}
            if duplicates
            else set(hashes)
        )

        # Rows with stored context go the row-wise way too.
        codes = columns.get("intervention_code", ())
        open_code = {c: self._intervention_open(c) for c in {codes[i] for i in live}}
        slots: dict[int, int] = {}
        slot_of: dict[int, int] = {}
        for i in live:
            p = pseudonym_of(i)
            intervention = self.interventions.get(codes[i])
            if p and intervention is not None:
                slot = slot_of[i] = _h(p, intervention.pk)
                slots[slot] = slots.get(slot, 0) + 1
        context = []
        fast = []
        for i in live:
            if i in prepared:
                continue
            slot = slot_of.get(i)
            if (
                keys[i] in existing
                or not open_code[codes[i]]
                or (
                    slot is not None
                    and (
                        slots[slot] > 1
                        or slot in self.file_periods
                        or (
                            (pid := participants.get(pc.pseudonym[i])) is not None
                            and (
                                pid in withdrawals
                                or (pid, self.interventions[codes[i]].pk) in stored
                            )
                        )
                    )
                )
            ):
                context.append(i)
            else:
                fast.append(i)
        row_wise(context)
        slow_rows = sorted(i for i in live if i in prepared)
        pending = self._finish_rows(
            [(Row(numbers[i], cells_of(i)), prepared[i]) for i in slow_rows],
            existing,
            participants,
            withdrawals,
            stored,
            chunk_keys,
        )
        for i in fast:
            if i in pc.warnings:
                ctx.add(pc.warnings[i], _At(numbers[i]), FIELD_MAP)
        ctx.result.created += len(fast)
        for i in fast:
            slot = slot_of.get(i)
            if slot is not None and pc.values["exit_reason"][i] != cl.EXIT_REGISTRATION_ERROR:
                self.file_periods[slot] = _pack(pc.start_date[i], pc.end_date[i])
        if ctx.writing and pending:
            self._write(pending, participants)
        if ctx.writing and fast:
            self._write_columns(fast, pc, columns, participants)
        if len(ctx.result.warnings) > warnings_before:
            ctx.result.warnings[warnings_before:] = sorted(
                ctx.result.warnings[warnings_before:], key=lambda p: p.row or 0
            )

    def _lookups(self, keys: set[str], pseudonyms: set[str]):
        """The stored context of a chunk: existing episodes by key, participants by pseudonym,
        their consent withdrawals and stored periods."""
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
        participants = dict(
            Participant.objects.filter(pseudonym__any=pseudonyms)
            .order_by()
            .values_list("pseudonym", "id")
        )
        withdrawals = services.latest_withdrawals(participants.values())
        stored = services.episode_periods(participants.values())
        return existing, participants, withdrawals, stored

    def _finish_rows(
        self,
        parsed: list[tuple[Row, prep.Prepared]],
        existing: dict,
        participants: dict,
        withdrawals: dict,
        stored: dict,
        chunk_keys: set[int],
    ) -> list[Pending]:
        """The row-wise path: every rule for each row, with its stored context."""
        ctx = self.ctx
        today = ctx.today
        cfg = self._config()
        pending: list[Pending] = []
        for row, item in parsed:
            v = item.v
            old = existing.get(v["key"])
            if old is not None:
                _keep_absent_columns(row, v, old)
            intervention = self._intervention(row)
            if intervention is None:
                continue
            pseudonym = item.pseudonym
            participant_id = participants.get(pseudonym) if pseudonym else None
            withdrawn = withdrawals.get(participant_id) if participant_id is not None else None
            others: list[tuple[date, date | None]] = []
            if pseudonym:
                others = [
                    (s, e)
                    for k, s, e in stored.get((participant_id, intervention.pk), [])
                    if hash(k) not in self.seen and hash(k) not in chunk_keys
                ]
                others += _unpack(self.file_periods.get(_h(pseudonym, intervention.pk)))
            if old is None and not others and withdrawn is None and item.derived is not None:
                # No stored context: the pure stage already ran the same rules with these inputs.
                derived, problems = item.derived, list(item.rule_problems)
            else:
                if "person" not in v:  # from a worker process
                    v["person"] = prep.person_of(v, today)
                data = prep.enrolment_input(v)
                services.apply_consent_withdrawal(data, withdrawn)
                check, problems = prep.run_rules(
                    v,
                    data,
                    facts=cfg.facts.get(intervention.code, v["start_date"]),
                    municipalities=cfg.municipalities,
                    others=others,
                    today=today,
                )
                derived = prep.Derived.of(check)
            if old is not None:
                problems += self._same_record(old, intervention, pseudonym)
                if pseudonym and not derived.canonical and old["start_date"] == v["start_date"]:
                    # Named by pseudonym only: keep the age from the stored number.
                    derived = derived._replace(age_at_start=old["age_at_start"])
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
                "sex": derived.sex,
                "age_at_start": derived.age_at_start,
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
            pending_item = Pending(
                row=row,
                key=v["key"],
                intervention=intervention,
                values=values,
                pseudonym=pseudonym,
                canonical=derived.canonical,
                token=item.token,
                consent_date=v["consent_date"] if pseudonym else None,
                protected=v["protected_identity"],
                birth_year=derived.birth_year,
                existing=old,
            )
            if old is not None:
                pending_item.outcome = UNCHANGED if self._unchanged(old, pending_item) else UPDATED
            ctx.result.count(pending_item.outcome)
            pending.append(pending_item)
        return pending

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

    def _write_columns(
        self,
        rows: list[int],
        pc: prep.PreparedColumns,
        columns: dict,
        participants: dict[str, int],
    ) -> None:
        """Write the rows that passed the column-wise stage: new participants (one per person),
        their consents and the episodes, each table with one bulk insert."""
        actor_id = getattr(self.ctx.actor, "pk", None)
        now = timezone.now()
        pseudonyms = pc.pseudonym
        codes, keys = columns["intervention_code"], columns["episode_key"]
        home = columns["home_municipality"]
        new_people: dict[str, int] = {}
        for i in rows:
            p = pseudonyms[i]
            if p is not None and p not in participants and p not in new_people:
                new_people[p] = i
        firsts = list(new_people.values())
        anonymous = [i for i in rows if pseudonyms[i] is None]
        people = [*firsts, *anonymous]
        ids = self.inserter.insert_columns(
            Participant,
            len(people),
            {
                "identity_level": [Participant.Level.IDENTIFIED.value] * len(firsts)
                + [Participant.Level.ANONYMOUS.value] * len(anonymous),
                "pseudonym": [*new_people, *([None] * len(anonymous))],
                "identity_encrypted": [pc.token[i] for i in firsts] + [""] * len(anonymous),
                "sex": [pc.sex[i] for i in people],
                "birth_year": [pc.birth_year[i] for i in people],
                "protected_identity": [False] * len(firsts) + [pc.protected[i] for i in anonymous],
                "created_at": now,
            },
        )
        created = dict(zip(new_people, ids[: len(firsts)], strict=True))
        participants.update(created)
        participant_of = dict(zip(anonymous, ids[len(firsts) :], strict=True))

        consent = pc.consent_date
        self._add_consents(
            {
                (participants[pseudonyms[i]], consent[i])
                for i in rows
                if pseudonyms[i] is not None and consent[i] is not None
            },
            actor_id,
            fresh=set(created.values()),
        )

        interventions = {c: self.interventions[c].pk for c in {codes[i] for i in rows}}
        values = pc.values
        episode_columns = {
            "key": [keys[i] for i in rows],
            "intervention_id": [interventions[codes[i]] for i in rows],
            "participant_id": [
                participants[pseudonyms[i]] if pseudonyms[i] is not None else participant_of[i]
                for i in rows
            ],
            "created_by_id": actor_id,
            "created_at": now,
            "updated_at": now,
            "start_date": [pc.start_date[i] for i in rows],
            "home_municipality_id": [home[i] for i in rows],
            "sex": [pc.sex[i] for i in rows],
            "age_at_start": [pc.age_at_start[i] for i in rows],
            "end_date": [pc.end_date[i] for i in rows],
        }
        for name, column in values.items():
            episode_columns[name] = [column[i] for i in rows]
        self.inserter.insert_columns(Episode, len(rows), episode_columns, ids=False)

    def _add_consents(self, wanted: set[tuple[int, date]], actor_id, *, fresh: set[int]) -> None:
        """Record the consents ``wanted`` ((participant id, given date)) that no valid consent
        covers yet: one valid consent per (person, date), as in ``episode_enrol``. ``fresh``:
        participants created by this chunk (they have none yet: not looked up)."""
        earlier = {pid for pid, _ in wanted if pid not in fresh}
        have = (
            set(
                Consent.objects.filter(
                    participant_id__any=earlier, withdrawn_date__isnull=True
                ).values_list("participant_id", "given_date")
            )
            if earlier
            else set()
        )
        new = sorted(wanted - have)
        self.inserter.insert_columns(
            Consent,
            len(new),
            {
                "participant_id": [pid for pid, _ in new],
                "given_date": [d for _, d in new],
                "recorded_by_id": actor_id,
            },
            ids=False,
        )

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
                    "identity_encrypted": item.token
                    or (self.cipher.encrypt(item.canonical) if item.canonical else ""),
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

        self._add_consents(
            {
                (participants[i.pseudonym], i.consent_date)
                for i in pending
                if i.pseudonym and i.consent_date
            },
            actor_id,
            fresh=set(ids[: len(new_people)]),
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


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """One value in the text format of PostgreSQL's ``COPY``."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    return str(value)


def _copy_texts(values: list) -> list[str]:
    """A column in ``COPY``'s text format: plain strings as they are, the rest once per
    distinct value."""
    kinds = set(map(type, values))
    if kinds <= {str, type(None)}:
        joined = "".join(v for v in values if v is not None)
        if any(c in joined for c in "\\\t\n\r"):
            return list(map(_copy_text, values))
        return ["\\N" if v is None else v for v in values] if type(None) in kinds else values
    return list(map(_memo(_copy_text), values))


def _memo(convert):
    """``convert`` with a cache (every row of an import shares the same timestamp)."""
    cache: dict = {}

    def wrapped(value):
        if value not in cache:
            cache[value] = convert(value)
        return cache[value]

    return wrapped


class _Constant(NamedTuple):
    """One value for every row of an insert."""

    value: object


def value_of(constant: _Constant) -> object:
    return constant.value


def _repeated(column):
    return repeat(column.value) if isinstance(column, _Constant) else column


class _At(NamedTuple):
    """Where a problem is (what :meth:`ImportContext.add` reads of a row)."""

    number: int


BULK_MIN_ROWS = 100_000
BYTES_PER_ROW = 100
"""An episode file of about this many bytes a row (the interchange format's typical size)."""


def _check_pending_constraints(cursor) -> None:
    """PostgreSQL refuses ``ALTER TABLE`` on a table with deferred constraint checks still
    pending in the transaction (e.g. rows written before the import in an enclosing
    transaction): run those checks now – they would run at the commit anyway – and keep
    deferring the later ones (Django's foreign keys are ``INITIALLY DEFERRED``)."""
    if connection.vendor == "postgresql":
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


class DeferredIndexes:
    """For an import that is large against the episode table (about :data:`BULK_MIN_ROWS` rows
    or more, and at least as many as the table holds), the secondary indexes and foreign keys of
    the tables the import fills (episodes, participants, consents) are dropped at the start of
    the import's transaction and created again – in one pass each, which also validates every
    foreign key – at its end (``finish``); a failed or dry run rolls the drop back with
    everything else. Unique and primary keys stay, and so do the participant indexes of episodes
    and consents: the importer's own look-ups use them. While the import runs, these tables are
    locked against reading (PostgreSQL: ``ACCESS EXCLUSIVE`` until the commit; SQLite: the
    import's write transaction) – see ``docs/interchange.md``."""

    TABLES = ((Episode, ("participant_id",)), (Consent, ("participant_id",)), (Participant, ()))
    """(model, columns whose indexes stay)."""

    def __init__(self):
        self.recreate: list[str] = []

    def drop(self, expected_rows: int) -> None:
        if expected_rows < BULK_MIN_ROWS:
            return
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {quote(Episode._meta.db_table)}")  # noqa: S608
            if cursor.fetchone()[0] > expected_rows:
                return
            _check_pending_constraints(cursor)
            for model, keep in self.TABLES:
                table = model._meta.db_table
                if connection.vendor == "postgresql":
                    self._drop_postgresql(cursor, table, keep)
                elif connection.vendor == "sqlite":
                    self._drop_sqlite(cursor, table, keep)

    def _drop_postgresql(self, cursor, table: str, keep: tuple[str, ...]) -> None:
        quote = connection.ops.quote_name
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass AND NOT x.indisunique AND NOT x.indisprimary "
            "ORDER BY i.relname",
            [table],
        )
        for name, definition in cursor.fetchall():
            if not any(f"({column})" in definition for column in keep):
                cursor.execute(f"DROP INDEX {quote(name)}")
                self.recreate.append(definition)
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            [table],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
            self.recreate.append(
                f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"
            )

    def _drop_sqlite(self, cursor, table: str, keep: tuple[str, ...]) -> None:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
            "AND sql IS NOT NULL ORDER BY name",
            [table],
        )
        for name, definition in cursor.fetchall():
            if definition.upper().startswith("CREATE UNIQUE") or any(
                f'("{column}")' in definition for column in keep
            ):
                continue
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
            self.recreate.append(definition)

    def restore(self) -> None:
        with connection.cursor() as cursor:
            _check_pending_constraints(cursor)
            for statement in self.recreate:
                cursor.execute(statement)
        self.recreate = []


def _default(field) -> object:
    """What a column a row leaves out holds: the field's default, else ``""`` or NULL."""
    if field.has_default():
        return field.get_default()
    return "" if field.empty_strings_allowed and not field.null else None


class FastInserter:
    """Insert plain rows (``{attname: value}``) and return their new ids, in order.

    PostgreSQL: the ids come from the table's sequence and the rows go in with ``COPY``. SQLite:
    the ids follow the table's current maximum (the import holds the database's write lock for
    its whole transaction) and the rows go in with one ``executemany``. Anything else: the ORM's
    ``bulk_create``. Field defaults fill the columns a row leaves out.
    """

    def __init__(self):
        self.vendor = connection.vendor

    def insert_columns(
        self, model, n: int, columns: dict[str, list | object], *, ids: bool = True
    ) -> list[int]:
        """Insert ``n`` rows given column-wise (``{attname: list of n values}``, or one value
        for every row) and return their new ids, in order (``ids=False``: the database numbers
        them and nothing is returned). Field defaults fill the columns left out."""
        want_ids = ids
        if not n:
            return []
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(f.column) for f in [model._meta.pk, *fields])
        cols = []
        for f in fields:
            value = columns[f.attname] if f.attname in columns else _default(f)
            if self.vendor == "sqlite":
                kind = f.get_internal_type()
                if kind == "DateTimeField":
                    convert = _memo(connection.ops.adapt_datetimefield_value)
                elif kind == "DateField":
                    convert = _memo(lambda v: v.isoformat() if v is not None else None)
                else:
                    convert = None
                if convert is not None:
                    value = list(map(convert, value)) if isinstance(value, list) else convert(value)
            cols.append(value if isinstance(value, list) else _Constant(value))
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                text = [
                    _copy_texts(c) if isinstance(c, list) else repeat(_copy_text(value_of(c)), n)
                    for c in cols
                ]
                if want_ids:
                    cursor.execute(
                        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                        "FROM generate_series(1, %s)",
                        [model._meta.db_table, n],
                    )
                    new_ids = [pk for (pk,) in cursor.fetchall()]
                    text.insert(0, list(map(str, new_ids)))
                else:
                    new_ids = []
                    names = names.split(", ", 1)[1]  # the id column's default numbers them
                lines = map("\t".join, zip(*text, strict=False))
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    copy.write("\n".join(lines) + "\n")
                return new_ids
            if self.vendor == "sqlite":
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
                first = cursor.fetchone()[0] + 1
                ids = list(range(first, first + n))
                marks = ", ".join(["?"] * (len(fields) + 1))
                # The driver's own executemany: Django's wrapper would rewrite every row.
                sqlite3.Cursor.executemany(
                    cursor.cursor,
                    f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608
                    zip(ids, *map(_repeated, cols), strict=False),
                )
                return ids
        names_ = [f.attname for f in fields]
        objs = model.objects.bulk_create(
            [
                model(**dict(zip(names_, values, strict=True)))
                for values in islice(zip(*map(_repeated, cols), strict=False), n)
            ],
            batch_size=1000,
        )
        return [o.pk for o in objs]

    def insert(self, model, rows: list[dict]) -> list[int]:
        """Insert plain rows (``{attname: value}``; a field a row leaves out takes its default)
        and return their new ids, in order."""
        if not rows:
            return []
        given = {name for row in rows for name in row}
        columns = {
            f.attname: [row.get(f.attname, default) for row in rows]
            for f in model._meta.concrete_fields
            if f.attname in given
            for default in (_default(f),)
        }
        return self.insert_columns(model, len(rows), columns)
