"""The bulk episode importer: the rules of ``episode_enrol``/``episode_exit``, a chunk at a time.

A chunk arrives column-wise (:meth:`Table.column_chunks`); the pure stage
(:func:`episode_prep.prepare_columns`, here or in a worker process) checks its cells and runs the
rule functions once per distinct value. Per chunk the importer then makes a fixed number of
queries (existing episodes by key, participants by pseudonym, consent withdrawals, stored periods)
through the registry selectors' bulk look-ups; rows with problems or with stored context go the
row-wise way – ``rules.validate_enrolment`` and ``rules.validate_exit``, the functions the
services call, with that context –, and the rest are written column-wise. This module parses,
checks and prepares only: the writing – one bulk insert per table (PostgreSQL: ``COPY``) and the
deferred indexes of a large import – is the registry's (``finsam.registry.services.bulk``).
Identity numbers are pseudonymised and encrypted exactly as in ``episode_enrol`` (the pure
stage's ``pseudonym``/``IdentityCipher`` with the registry's keys); sex, birth year and age are
derived by the same rule functions.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import date
from typing import NamedTuple

from django.conf import settings

from finsam.domain import codelists as cl
from finsam.domain import registration as rules
from finsam.domain import signoff as signoff_rules
from finsam.domain.access import Action
from finsam.domain.problems import Problem
from finsam.interchange import episode_prep as prep
from finsam.interchange.context import ImportContext
from finsam.interchange.formats import FORMATS
from finsam.interchange.parsing import Row
from finsam.interchange.reader import ColumnChunk
from finsam.registry import selectors
from finsam.registry.models import Intervention, Participant
from finsam.registry.services import apply_consent_withdrawal
from finsam.registry.services.bulk import (
    EPISODE_VALUE_FIELDS,
    UNCHANGED,
    UPDATED,
    DeferredIndexes,
    EpisodeWriter,
    Pending,
)

FIELD_MAP = {"intervention": "intervention_code", "identity_level": "personal_number"}


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
        self.municipalities = selectors.municipality_codes()
        self.signed = selectors.signed_periods()
        """association id → its signed periods: registrations dated in them are refused."""
        self.writer = EpisodeWriter(actor=ctx.actor)
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
            self.interventions = selectors.interventions_by_code()
            areas = {
                a: selectors.area_periods(a)
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
                selectors.area_from,
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

    def terminate(self) -> None:
        """Stop the worker processes at once (the import was interrupted): nothing they would
        still compute is needed."""
        if self.pool is None:
            return
        for _, future in self.queue:
            future.cancel()
        self.queue.clear()
        stop = getattr(self.pool, "terminate_workers", None)  # Python 3.14+
        if stop is not None:
            stop()
        else:
            processes = list((getattr(self.pool, "_processes", None) or {}).values())
            for process in processes:
                process.terminate()
            for process in processes:
                process.join(timeout=5)
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = None

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
        counted and written column-wise (:meth:`EpisodeWriter.write_columns`)."""
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
        if self.signed and fast:
            fast = self._unlocked(fast, numbers, codes, pc)
        for i in fast:
            if i in pc.warnings:
                ctx.add(pc.warnings[i], _At(numbers[i]), FIELD_MAP)
        ctx.result.created += len(fast)
        for i in fast:
            slot = slot_of.get(i)
            if slot is not None and pc.values["exit_reason"][i] != cl.EXIT_REGISTRATION_ERROR:
                self.file_periods[slot] = _pack(pc.start_date[i], pc.end_date[i])
        if ctx.writing and pending:
            self.writer.write(pending, participants)
        if ctx.writing and fast:
            self.writer.write_columns(fast, pc, columns, participants, self.interventions)
        if len(ctx.result.warnings) > warnings_before:
            ctx.result.warnings[warnings_before:] = sorted(
                ctx.result.warnings[warnings_before:], key=lambda p: p.row or 0
            )

    def _locked(self, intervention: Intervention, *dated) -> list[Problem]:
        signed = self.signed.get(intervention.association_id)
        if not signed:
            return []
        problems: list[Problem] = []
        for field, day in dict.fromkeys(dated):
            if day is not None and not any(p.value == day.isoformat() for p in problems):
                problems += signoff_rules.check_unlocked(field, day, signed)
        return problems

    def _unlocked(self, fast: list[int], numbers, codes, pc) -> list[int]:
        """The new rows of the column-wise path not dated in a signed period; a problem for
        each other row."""
        kept = []
        for i in fast:
            problems = self._locked(
                self.interventions[codes[i]],
                ("start_date", pc.start_date[i]),
                ("end_date", pc.end_date[i]),
            )
            if problems:
                self.ctx.add(problems, _At(numbers[i]), FIELD_MAP)
            else:
                kept.append(i)
        return kept

    def _lookups(self, keys: set[str], pseudonyms: set[str]):
        """The stored context of a chunk: existing episodes by key, participants by pseudonym,
        their consent withdrawals and stored periods."""
        existing = selectors.episodes_by_key(keys, EPISODE_VALUE_FIELDS)
        participants = selectors.participant_ids_by_pseudonym(pseudonyms)
        withdrawals = selectors.latest_withdrawals(participants.values())
        stored = selectors.episode_periods(participants.values())
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
                apply_consent_withdrawal(data, withdrawn)
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
            if pending_item.outcome != UNCHANGED and self.signed:
                locked = self._locked(
                    intervention,
                    ("start_date", v["start_date"]),
                    ("end_date", v["end_date"]),
                    *(
                        (("start_date", old["start_date"]), ("end_date", old["end_date"]))
                        if old is not None
                        else ()
                    ),
                )
                if locked:
                    ctx.add(locked, row, FIELD_MAP)
                    continue
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


class _At(NamedTuple):
    """Where a problem is (what :meth:`ImportContext.add` reads of a row)."""

    number: int


BYTES_PER_ROW = 100
"""An episode file of about this many bytes a row (the interchange format's typical size)."""
