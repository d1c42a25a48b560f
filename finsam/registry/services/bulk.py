"""The bulk writer of the registry's episode tables (episodes, participants, consents), and of
follow-ups and volume counts (:func:`followups_write`, :func:`volume_write`).

The episode import (``finsam.interchange.episodes``) parses, checks and prepares the rows; this
module writes them: :class:`EpisodeWriter` with one bulk insert per table (:class:`FastInserter`:
PostgreSQL ``COPY``, SQLite ``executemany``), and :class:`DeferredIndexes`, which drops the
secondary indexes and foreign keys of those tables for a large import and creates them again at
its end. Identity numbers are encrypted with the registry's key (:func:`identity_cipher`), as in
``episode_enrol``. The audit row of an import is the importer's (one per file).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice, repeat
from typing import NamedTuple

from django.db import connection
from django.utils import timezone

from finsam.audit.services import audit_change, diff
from finsam.registry.models import (
    Consent,
    Episode,
    FollowUp,
    Intervention,
    Participant,
    VolumeCount,
)
from finsam.registry.services.keys import identity_cipher

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
"""What an import did with a row."""

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


@dataclass(slots=True)
class Pending:
    """One prepared episode row for :meth:`EpisodeWriter.write`: its values checked and
    derived by the importer (``values``: the episode's columns), ``existing`` the stored
    episode it updates (``None``: a new one)."""

    row: object
    """The source row (the importer's, for its reports)."""
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


class EpisodeWriter:
    """Writes the prepared rows of an episode import (see the module's docstring)."""

    def __init__(self, *, actor):
        self.actor = actor
        self.cipher = identity_cipher()
        self.inserter = FastInserter()

    def write_columns(
        self,
        rows: list[int],
        pc,
        columns: dict,
        participants: dict[str, int],
        interventions: dict,
    ) -> None:
        """Write the rows that passed the column-wise stage: new participants (one per person),
        their consents and the episodes, each table with one bulk insert.

        ``rows``: the indexes of the rows to write; ``pc``: the importer's prepared columns
        (``pseudonym``, ``token``, ``sex``, ``birth_year``, ``protected``, ``consent_date``,
        ``start_date``, ``end_date``, ``age_at_start`` and the episode ``values``, one list per
        column); ``columns``: the file's cells (``intervention_code``, ``episode_key``,
        ``home_municipality``); ``participants``: pseudonym → id, updated with the new ones;
        ``interventions``: code → intervention."""
        actor_id = getattr(self.actor, "pk", None)
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
        self.add_consents(
            {
                (participants[pseudonyms[i]], consent[i])
                for i in rows
                if pseudonyms[i] is not None and consent[i] is not None
            },
            actor_id,
            fresh=set(created.values()),
        )

        interventions = {c: interventions[c].pk for c in {codes[i] for i in rows}}
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

    def add_consents(self, wanted: set[tuple[int, date]], actor_id, *, fresh: set[int]) -> None:
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

    def write(self, pending: list[Pending], participants: dict[str, int]) -> None:
        actor_id = getattr(self.actor, "pk", None)
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

        self.add_consents(
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


def followups_write(*, actor, new: list[dict], changed: dict[int, dict]) -> None:
    """Write a chunk of checked follow-ups of an import (``finsam.interchange.importers``):
    ``new`` rows (``episode_id``, ``months_after``, ``support`` mask, ``occupation``, hours,
    ``source``) with one bulk insert, ``changed`` (stored id → the same values plus
    ``association_id`` and ``before``) with one bulk update, each with its change row in the
    audit log as ``followup_record`` writes it. The new rows' audit is the import's one row."""
    actor_id = getattr(actor, "pk", None)
    now = timezone.now()
    fields = ["support", "occupation", "work_hours", "study_hours"]
    if new:
        columns = {name: [r[name] for r in new] for name in new[0]}
        columns.update(recorded_at=now, recorded_by_id=actor_id)
        FastInserter().insert_columns(FollowUp, len(new), columns, ids=False)
    if changed:
        objs = [
            FollowUp(
                pk=pk,
                recorded_at=now,
                recorded_by_id=actor_id,
                **{k: v for k, v in r.items() if k not in ("association_id", "before")},
            )
            for pk, r in changed.items()
        ]
        FollowUp.objects.bulk_update(
            objs, [*fields, "source", "recorded_at", "recorded_by"], batch_size=1000
        )
        for obj, r in zip(objs, changed.values(), strict=True):
            audit_change(
                actor=actor,
                action="followup_record",
                obj=obj,
                association_id=r["association_id"],
                changes=diff(r["before"], {f: r[f] for f in fields}),
            )


def volume_write(*, actor, new: list[dict], changed: dict[int, dict]) -> None:
    """Write a chunk of checked volume counts of an import, as :func:`followups_write` does
    (``intervention_id``, ``month``, ``women``, ``men``, ``other``); changed rows get the
    change row ``volume_record`` writes."""
    fields = ["women", "men", "other"]
    if new:
        columns = {name: [r[name] for r in new] for name in new[0]}
        FastInserter().insert_columns(VolumeCount, len(new), columns, ids=False)
    if changed:
        objs = [
            VolumeCount(
                pk=pk,
                intervention_id=r["intervention_id"],
                month=r["month"],
                **{f: r[f] for f in fields},
            )
            for pk, r in changed.items()
        ]
        VolumeCount.objects.bulk_update(objs, fields, batch_size=1000)
        for obj, r in zip(objs, changed.values(), strict=True):
            audit_change(
                actor=actor,
                action="volume_record",
                obj=obj,
                association_id=r["association_id"],
                changes=diff(r["before"], {f: r[f] for f in fields}),
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


BULK_MIN_ROWS = 100_000


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
