"""Importing the registry files of ``interchange.md``: all-or-nothing, idempotent, audited.

One import is one database transaction. The file is streamed in chunks; every row is parsed
(:mod:`finsam.interchange.parsing`) and validated with the *same* code the web forms use – the
registry services (small registry files: one service call per row, inside a savepoint) or, for
episodes, the rule functions of ``finsam.domain.registration`` fed in bulk by the services'
reusable look-ups (:mod:`finsam.interchange.episodes`). Rows are written as they pass; when any
row fails, writing stops, validation goes on to collect every problem, and the transaction is
rolled back at the end, so nothing is left behind. ``dry_run`` always rolls back.
"""

from __future__ import annotations

import gc
import hashlib
import os
from abc import ABC, abstractmethod
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from pathlib import Path

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from finsam.access.permissions import can
from finsam.audit.models import LogType
from finsam.audit.services import audit_record
from finsam.domain import codelists as cl
from finsam.domain import registration as rules
from finsam.domain.access import Action
from finsam.domain.problems import DomainValidationError, Problem, errors_only
from finsam.domain.signoff import followup_date
from finsam.interchange.context import ImportContext, ImportResult
from finsam.interchange.episodes import EpisodeImporter
from finsam.interchange.formats import FORMATS, FileFormat, column_label
from finsam.interchange.parsing import Row
from finsam.interchange.reader import open_table, sha256_of
from finsam.registry import services
from finsam.registry.models import (
    Association,
    AssociationMunicipality,
    Episode,
    FollowUp,
    Intervention,
    Member,
    VolumeCount,
)
from finsam.registry.selectors import signed_periods
from finsam.registry.services import bulk
from finsam.registry.services.bulk import CREATED, UNCHANGED, UPDATED
from finsam.registry.services.signoff import locked_problems_in

CHUNK_ROWS = 5_000
EPISODE_CHUNK_ROWS = 20_000
"""The episode import works column-wise: larger chunks, fewer look-ups, more repeated values."""
PARALLEL_WORKERS = 2
PARALLEL_MIN_BYTES = 4 << 20
"""Smaller files are imported in one process (starting workers costs about a second)."""


class FileImporter(ABC):
    """Base of the registry files' importers: the file's duplicate keys and parse problems;
    :meth:`handle_chunk` takes the rows a chunk at a time."""

    fmt: FileFormat
    field_map: dict[str, str] = {}

    def __init__(self, ctx: ImportContext):
        self.ctx = ctx
        self.seen: set[bytes] = set()

    def duplicate(self, row: Row) -> bool:
        """Whether the row's key was on an earlier row of the file (reported as a problem)."""
        key = hashlib.blake2b(
            "\x1f".join(row.values.get(c, "").upper() for c in self.fmt.key).encode(),
            digest_size=12,
        ).digest()
        if key in self.seen:
            self.ctx.add(
                [
                    Problem(
                        self.fmt.key[0],
                        "file.duplicate_key",
                        "Samma nyckel ("
                        + ", ".join(f"{c}={row.values.get(c, '')}" for c in self.fmt.key)
                        + ") förekommer på flera rader i filen.",
                        row.values.get(self.fmt.key[0]),
                        row=row.number,
                    )
                ]
            )
            return True
        self.seen.add(key)
        return False

    def parsed(self, row: Row) -> bool:
        if row.problems:
            self.ctx.add(row.problems)
            return False
        return True

    @abstractmethod
    def handle_chunk(self, rows: list[Row]) -> None:
        """Check and write one chunk of the file's rows."""


class RowImporter(FileImporter):
    """Base for the small registry files: one service call per row, inside a savepoint."""

    def handle_chunk(self, rows: list[Row]) -> None:
        for row in rows:
            self.ctx.result.rows += 1
            if self.duplicate(row):
                continue
            before = len(self.ctx.result.problems)
            try:
                with transaction.atomic():
                    outcome = self.handle_row(row)
            except DomainValidationError as exc:
                self.ctx.add(exc.problems, row, self.field_map)
                continue
            except DatabaseError as exc:  # a constraint the rules do not cover: report, go on
                self.ctx.add(
                    [
                        Problem(
                            "",
                            "database",
                            f"Raden kunde inte sparas: {str(exc).splitlines()[0][:200]}",
                            row=row.number,
                        )
                    ]
                )
                continue
            if outcome is not None and len(self.ctx.result.problems) == before:
                self.ctx.result.count(outcome)

    @abstractmethod
    def handle_row(self, row: Row) -> str | None:
        """Validate and write one row; return "created", "updated", "unchanged" or None."""


def _changed(obj, values: dict) -> bool:
    return any(getattr(obj, k) != v for k, v in values.items())


class AssociationImporter(RowImporter):
    fmt = FORMATS["associations"]
    field_map = {"seat_municipality_id": "seat_municipality"}

    def handle_row(self, row: Row) -> str | None:
        values = {
            "code": row.text("code", max_length=40),
            "name": row.text("name"),
            "org_number": row.text("org_number", max_length=11),
            "start_date": row.date("start_date"),
            "end_date": row.date("end_date"),
        }
        seat = row.text("seat_municipality", max_length=4)
        if seat and seat not in services.municipality_codes():
            row._problem(
                "seat_municipality", "code.unknown", f"”{seat}” är ingen giltig kommunkod.", seat
            )
        if not self.parsed(row) or self.ctx.outside_scope(row, "code", values["code"]):
            return None
        if "seat_municipality" in row.values:
            values["seat_municipality_id"] = seat or None
        existing = Association.objects.filter(code=values["code"]).first()
        if existing is not None:  # columns the file leaves out keep their stored values
            for col in ("org_number", "end_date"):
                if col not in row.values:
                    values.pop(col)
        if existing is None:
            if self.ctx.actor is not None and not can(self.ctx.actor, Action.ADMIN_SITE):
                self.ctx.denied(row, "code", "skapa nya samordningsförbund")
                return None
        elif not self.ctx.may(Action.EDIT_ASSOCIATION, association=existing):
            self.ctx.denied(row, "code", "ändra förbundet")
            return None
        if existing is not None and not _changed(existing, values):
            return UNCHANGED
        services.association_save(actor=self.ctx.actor, association=existing, **values)
        return CREATED if existing is None else UPDATED


def _association(
    ctx: ImportContext, row: Row, column: str = "association_code", cache: dict | None = None
):
    code = row.values.get(column, "")
    if ctx.outside_scope(row, column, code):
        return None
    if cache is None:
        association = Association.objects.filter(code=code).first()
    else:  # files that never write associations look each one up once
        if code not in cache:
            cache[code] = Association.objects.filter(code=code).first()
        association = cache[code]
    if association is None:
        ctx.add(
            [
                Problem(
                    column,
                    "code.unknown",
                    f"{column_label(column)}: det finns inget förbund med koden ”{code}”.",
                    code,
                    row=row.number,
                )
            ]
        )
    return association


class AreaImporter(RowImporter):
    fmt = FORMATS["association-municipalities"]
    field_map = {"municipality": "municipality_code"}

    def handle_row(self, row: Row) -> str | None:
        code = row.text("municipality_code", max_length=4, required=True)
        valid_from = row.date("valid_from", required=True)
        valid_to = row.date("valid_to")
        if not self.parsed(row):
            return None
        association = _association(self.ctx, row)
        if association is None:
            return None
        if not self.ctx.may(Action.EDIT_ASSOCIATION, association=association):
            self.ctx.denied(row, "association_code", "ändra förbundets område")
            return None
        existing = AssociationMunicipality.objects.filter(
            association=association, municipality_id=code, valid_from=valid_from
        ).first()
        if existing is None:
            services.area_add(
                actor=self.ctx.actor,
                association=association,
                municipality_code=code,
                valid_from=valid_from,
                valid_to=valid_to,
            )
            return CREATED
        if existing.valid_to == valid_to or "valid_to" not in row.values:
            return UNCHANGED
        services.area_update(actor=self.ctx.actor, row=existing, valid_to=valid_to)
        return UPDATED


class MemberImporter(RowImporter):
    fmt = FORMATS["members"]
    field_map = {"kind": "member_kind"}

    def handle_row(self, row: Row) -> str | None:
        kind = row.text("member_kind", max_length=12, required=True, upper=True)
        org = row.text("organisation_code", max_length=4, required=True, upper=True)
        name = row.text("name")
        if not self.parsed(row):
            return None
        association = _association(self.ctx, row)
        if association is None:
            return None
        if not self.ctx.may(Action.EDIT_ASSOCIATION, association=association):
            self.ctx.denied(row, "association_code", "ändra förbundets medlemmar")
            return None
        existing = Member.objects.filter(
            association=association, kind=kind, organisation_code=org
        ).first()
        if existing is not None and existing.name == name:
            return UNCHANGED
        services.member_add(
            actor=self.ctx.actor,
            association=association,
            kind=kind,
            organisation_code=org,
            name=name,
            contribution_percent=existing.contribution_percent if existing else None,
        )
        return CREATED if existing is None else UPDATED


class InterventionImporter(RowImporter):
    fmt = FORMATS["interventions"]
    field_map = {"target_groups": "target_groups"}

    def __init__(self, ctx):
        super().__init__(ctx)
        self.associations: dict = {}
        self.members: dict[int, dict[str, Member]] = {}
        """association id → kind → its first member (this file writes no members)."""

    def handle_row(self, row: Row) -> str | None:
        values = {
            "code": row.text("code", max_length=40),
            "name": row.text("name"),
            "orientation": row.text("orientation", max_length=12).lower(),
            "registration": row.text("registration", max_length=10).lower(),
            "start_date": row.date("start_date"),
            "end_date": row.date("end_date"),
            "target_groups": row.multi("target_groups"),
            "esf": bool(row.flag("esf")),
            "planned_participants": row.integer("planned_participants"),
        }
        provider_kinds = row.multi("providers")
        if not self.parsed(row):
            return None
        association = _association(self.ctx, row, cache=self.associations)
        if association is None:
            return None
        existing = Intervention.objects.filter(code=values["code"]).first()
        if existing is not None and existing.association_id != association.pk:
            self.ctx.add(
                [
                    Problem(
                        "association_code",
                        "intervention.other_association",
                        f"Insatsen ”{values['code']}” tillhör ett annat förbund och kan "
                        "inte flyttas genom import.",
                        row.values.get("association_code"),
                        row=row.number,
                    )
                ]
            )
            return None
        if existing is None and not self.ctx.may(
            Action.CREATE_INTERVENTION, association=association
        ):
            self.ctx.denied(row, "code", "skapa insatser i förbundet")
            return None
        if existing is not None and not self.ctx.may(
            Action.EDIT_INTERVENTION, intervention=existing
        ):
            self.ctx.denied(row, "code", "ändra insatsen")
            return None
        if association.pk not in self.members:
            first: dict[str, Member] = {}
            for m in association.members.order_by("organisation_code"):
                first.setdefault(m.kind, m)
            self.members[association.pk] = first
        members = self.members[association.pk]
        providers = []
        for kind in provider_kinds:
            if kind not in members:
                self.ctx.add(
                    [
                        Problem(
                            "providers",
                            "provider.unknown",
                            f"Anordnare: förbundet har ingen medlem av typen ”{kind}”.",
                            kind,
                            row=row.number,
                        )
                    ]
                )
                return None
            providers.append(members[kind])
        if not {"providers", "target_groups", "esf", "planned_participants", "end_date"} <= set(
            row.values
        ):
            # Missing optional columns keep the stored value.
            for col in ("target_groups", "esf", "planned_participants", "end_date"):
                if col not in row.values and existing is not None:
                    values.pop(col)
        if "providers" not in row.values:
            providers = None if existing is not None else []
        if (
            existing is not None
            and not _changed(existing, values)
            and (
                providers is None
                or sorted(m.pk for m in providers)
                == sorted(existing.providers.values_list("pk", flat=True))
            )
        ):
            return UNCHANGED
        services.intervention_save(
            actor=self.ctx.actor,
            association=association,
            intervention=existing,
            providers=providers,
            **values,
        )
        return CREATED if existing is None else UPDATED


def _intervention(ctx: ImportContext, row: Row, cache: dict) -> Intervention | None:
    code = row.values.get("intervention_code", "")
    if code not in cache:
        cache[code] = Intervention.objects.select_related("association").filter(code=code).first()
    intervention = cache[code]
    if intervention is None:
        ctx.add(
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
    if ctx.outside_scope(row, "intervention_code", intervention.association.code):
        return None
    return intervention


class ChunkImporter(FileImporter):
    """Base for the large row files (volume, follow-ups): a chunk at a time instead of a service
    call per row. Every row is parsed with the same :class:`Row` parsers, then the chunk's stored
    context is fetched with one query per table (``__any``), each row is checked in file order
    with the rule functions the registry service calls (``finsam.domain.registration``, the
    period lock of ``registry.services.signoff``) – so problems, messages, row numbers and counts
    are those of the row-wise import – and the rows that passed are written with one bulk write
    per chunk by the registry (``registry.services.bulk``). Nothing is written once any row has
    failed; the import's transaction is rolled back at its end as before."""

    def __init__(self, ctx):
        super().__init__(ctx)
        self.allowed: dict[int, bool] = {}
        """intervention id → whether the actor may write this kind for it."""

    def handle_chunk(self, rows: list[Row]) -> None:
        parsed = []
        for row in rows:
            self.ctx.result.rows += 1
            if self.duplicate(row):
                continue
            values = self.parse(row)
            if self.parsed(row):
                parsed.append((row, values))
        if parsed:
            self.check_and_write(parsed)

    def permitted(self, intervention: Intervention, action: Action) -> bool:
        if intervention.pk not in self.allowed:
            self.allowed[intervention.pk] = self.ctx.may(action, intervention=intervention)
        return self.allowed[intervention.pk]

    def rejected(self, row: Row, problems: list[Problem]) -> bool:
        """Report the errors among ``problems`` (the service raised on errors only)."""
        errors = errors_only(problems)
        if errors:
            self.ctx.add(errors, row, self.field_map)
        return bool(errors)

    @abstractmethod
    def parse(self, row: Row) -> dict:
        """The row's cells parsed (problems recorded on the row)."""

    @abstractmethod
    def check_and_write(self, parsed: list[tuple[Row, dict]]) -> None:
        """Check the parsed rows against the stored context, count them, write the good ones."""


class VolumeImporter(ChunkImporter):
    fmt = FORMATS["volume"]
    field_map = {"intervention": "intervention_code"}

    def __init__(self, ctx):
        super().__init__(ctx)
        self.interventions: dict = {}
        self.signed: dict[int, list] = {}

    def parse(self, row: Row) -> dict:
        month = row.month("month")
        if not row.has("month"):
            row._problem("month", "required", "månad måste anges (ÅÅÅÅ-MM).")
        return {"month": month, "counts": {c: row.integer(c) for c in ("women", "men", "other")}}

    def check_and_write(self, parsed: list[tuple[Row, dict]]) -> None:
        codes = {row.values.get("intervention_code", "") for row, _ in parsed} - set(
            self.interventions
        )
        if codes:
            found = {
                i.code: i
                for i in Intervention.objects.select_related("association").filter(code__any=codes)
            }
            for code in codes:
                self.interventions[code] = found.get(code)
            self.signed.update(signed_periods({i.association_id for i in found.values()}))
        months = {v["month"].replace(day=1) for _, v in parsed if v["month"] is not None}
        ids = {i.pk for i in self.interventions.values() if i is not None}
        stored = {
            (iid, month): (pk, (women, men, other))
            for pk, iid, month, women, men, other in VolumeCount.objects.filter(
                intervention_id__any=ids, month__in=sorted(months)
            ).values_list("id", "intervention_id", "month", "women", "men", "other")
        }
        new: dict[tuple, dict] = {}
        changed: dict[int, dict] = {}
        for row, v in parsed:
            intervention = _intervention(self.ctx, row, self.interventions)
            if intervention is None:
                continue
            if not self.permitted(intervention, Action.EDIT_VOLUME):
                self.ctx.denied(row, "intervention_code", "registrera volym för insatsen")
                continue
            month, counts = v["month"], v["counts"]
            key = (intervention.pk, month.replace(day=1)) if month is not None else None
            values = {c: n or 0 for c, n in counts.items()}
            before = stored.get(key) if key else None
            if before is not None and before[1] == (
                values["women"],
                values["men"],
                values["other"],
            ):
                self.ctx.result.count(UNCHANGED)
                continue
            problems = rules.validate_volume(
                registration=intervention.registration, month=month, **counts
            )
            if month is not None:
                problems += locked_problems_in(
                    self.signed.get(intervention.association_id, []), ("month", key[1])
                )
            if self.rejected(row, problems):
                continue
            self.ctx.result.count(CREATED if before is None else UPDATED)
            record = {"intervention_id": intervention.pk, "month": key[1], **values}
            if before is None or before[0] is None:
                new[key] = record
            else:
                changed[before[0]] = {
                    **record,
                    "association_id": intervention.association_id,
                    "before": changed[before[0]]["before"]
                    if before[0] in changed
                    else dict(zip(("women", "men", "other"), before[1], strict=True)),
                }
            stored[key] = (before[0] if before else None, tuple(values.values()))
        if self.ctx.writing:
            bulk.volume_write(actor=self.ctx.actor, new=list(new.values()), changed=changed)


FOLLOWUP_FIELDS = ("support", "occupation", "work_hours", "study_hours")


class FollowUpImporter(ChunkImporter):
    fmt = FORMATS["followups"]

    def __init__(self, ctx):
        super().__init__(ctx)
        self.interventions: dict[int, Intervention] = {}
        self.signed: dict[int, list] = {}
        self.rule_results: dict[tuple, list[Problem]] = {}

    def parse(self, row: Row) -> dict:
        return {
            "key": row.text("episode_key", max_length=64, required=True),
            "months": row.integer("months_after", required=True),
            "support": row.multi("support"),
            "occupation": row.text("occupation", max_length=6, upper=True),
            "work_hours": row.decimal("work_hours"),
            "study_hours": row.decimal("study_hours"),
        }

    def check_and_write(self, parsed: list[tuple[Row, dict]]) -> None:
        episodes = {
            key: (pk, end, iid)
            for pk, key, end, iid in Episode.objects.filter(
                key__any={v["key"] for _, v in parsed}
            ).values_list("id", "key", "end_date", "intervention_id")
        }
        wanted = {iid for _, _, iid in episodes.values()} - set(self.interventions)
        if wanted:
            found = Intervention.objects.select_related("association").in_bulk(wanted)
            self.interventions.update(found)
            self.signed.update(signed_periods({i.association_id for i in found.values()}))
        stored = {
            (eid, months): (pk, (cl.support_codes(mask), occupation, work, study), mask)
            for pk, eid, months, mask, occupation, work, study in FollowUp.objects.filter(
                episode_id__any={pk for pk, _, _ in episodes.values()}
            ).values_list("id", "episode_id", "months_after", *FOLLOWUP_FIELDS)
        }
        source = "register" if self.ctx.actor is None else "handler"
        new: dict[tuple, dict] = {}
        changed: dict[int, dict] = {}
        for row, v in parsed:
            key, months = v["key"], v["months"]
            found = episodes.get(key)
            if found is None:
                self.ctx.add(
                    [
                        Problem(
                            "episode_key",
                            "episode.unknown",
                            f"Inskrivningsnyckel: det finns ingen inskrivning ”{key}”.",
                            key,
                            row=row.number,
                        )
                    ]
                )
                continue
            episode_id, end_date, iid = found
            intervention = self.interventions[iid]
            if self.ctx.outside_scope(row, "episode_key", intervention.association.code):
                continue
            if not self.permitted(intervention, Action.EDIT_EPISODES):
                self.ctx.denied(row, "episode_key", "registrera uppföljningar för insatsen")
                continue
            support = v["support"]
            given = (
                tuple(sorted(support, key=_support_order)),
                v["occupation"],
                v["work_hours"],
                v["study_hours"],
            )
            before = stored.get((episode_id, months))
            if before is not None and before[1] == given:
                self.ctx.result.count(UNCHANGED)
                continue
            # The rules depend on the end date only through whether there is one: checked once
            # per distinct set of values.
            facts = (months, tuple(support), *given[1:], end_date is None)
            if facts not in self.rule_results:
                self.rule_results[facts] = rules.validate_followup(
                    months_after=months,
                    support=support,
                    occupation=v["occupation"],
                    work_hours=v["work_hours"],
                    study_hours=v["study_hours"],
                    episode_end_date=end_date,
                )
            problems = list(self.rule_results[facts])
            if end_date is not None and not problems:
                problems += locked_problems_in(
                    self.signed.get(intervention.association_id, []),
                    ("months_after", followup_date(end_date, months)),
                )
            if self.rejected(row, problems):
                continue
            self.ctx.result.count(CREATED if before is None else UPDATED)
            mask = cl.support_mask(support)
            record = {
                "episode_id": episode_id,
                "months_after": months,
                "support": mask,
                "occupation": v["occupation"] or "",
                "work_hours": v["work_hours"],
                "study_hours": v["study_hours"],
                "source": source,
            }
            if before is None or before[0] is None:
                new[(episode_id, months)] = record
            else:
                changed[before[0]] = {
                    **record,
                    "association_id": intervention.association_id,
                    "before": changed[before[0]]["before"]
                    if before[0] in changed
                    else {
                        "support": before[2],
                        "occupation": before[1][1],
                        "work_hours": before[1][2],
                        "study_hours": before[1][3],
                    },
                }
            stored[(episode_id, months)] = (before[0] if before else None, given, mask)
        if self.ctx.writing:
            bulk.followups_write(actor=self.ctx.actor, new=list(new.values()), changed=changed)


@lru_cache(maxsize=256)
def _support_order(code: str) -> int:
    return cl.SUPPORT.code_values.index(code) if code in cl.SUPPORT else 99


def _importer_for(kind: str, ctx: ImportContext):
    return {
        "associations": AssociationImporter,
        "association-municipalities": AreaImporter,
        "members": MemberImporter,
        "interventions": InterventionImporter,
        "episodes": EpisodeImporter,
        "volume": VolumeImporter,
        "followups": FollowUpImporter,
    }[kind](ctx)


SQLITE_IMPORT_CACHE_KIB = 128 * 1024
"""SQLite page cache while episodes are imported (the default is 2 MiB): with the growing unique
indexes (episode key, pseudonym) out of cache every insert reads pages back, and the import slows
down more than linearly with the database's size. 128 MiB since a large import defers the
secondary indexes (``registry.services.bulk.DeferredIndexes``): 256 MiB measured no faster and
cost 140 MiB of peak memory on 1 000 000 rows."""


@contextmanager
def _large_cache(kind: str):
    if kind != "episodes" or connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


@contextmanager
def _chunked_gc():
    """Python's cyclic garbage collector runs once per chunk instead of on its own schedule.

    An import allocates millions of short-lived objects (cells, columns, rows) while it keeps
    file-wide state of millions more (keys seen, periods per person), which the collector's
    automatic runs traverse again and again (200 000 episodes into SQLite, three alternating
    runs each: 17.5 s on its own schedule, 15.7 s per chunk; the peak memory did not change,
    ``docs/performance.md``). Inside this block automatic collection is off;
    :func:`_collect_chunk` collects the young objects after every chunk, so the garbage that
    cycles leave behind stays bounded by one chunk, and a full collection runs at the end. The
    previous setting is restored, whatever happens."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.collect()


def _collect_chunk() -> None:
    """After a chunk, inside :func:`_chunked_gc`: collect the objects of the last chunk (the
    two young generations; what survives is moved to the old one and not traversed again
    until the import ends)."""
    if not gc.isenabled():
        gc.collect(1)


def _feed(importer, table, chunk_rows: int | None, progress, result: ImportResult) -> None:
    """Hand the file's rows to the importer a chunk at a time: column-wise to an importer that
    takes columns (episodes), as :class:`Row` objects to the others."""

    def report() -> None:
        _collect_chunk()
        if progress:
            progress(result.rows, table.position / table.size if table.size else None)

    if hasattr(importer, "handle_columns"):
        for columns in table.column_chunks(chunk_rows or EPISODE_CHUNK_ROWS):
            importer.handle_columns(columns)
            report()
        return
    chunk: list[Row] = []
    for number, values in table.rows():
        chunk.append(Row(number, values))
        if len(chunk) >= (chunk_rows or CHUNK_ROWS):
            importer.handle_chunk(chunk)
            chunk = []
            report()
    if chunk:
        importer.handle_chunk(chunk)


def import_file(
    kind: str,
    path: Path | str,
    *,
    actor=None,
    association: Association | None = None,
    dry_run: bool = False,
    file_name: str | None = None,
    progress: Callable[[int, float | None], None] | None = None,
    today: date | None = None,
    chunk_rows: int | None = None,
    workers: int | None = None,
) -> ImportResult:
    """Import one file of ``kind`` (see :data:`FORMATS`). Never raises on bad data: the problems
    are in the result, and nothing was written unless ``result.written``.

    ``chunk_rows``: rows handed to the importer at a time (``None``: :data:`CHUNK_ROWS`, episodes
    :data:`EPISODE_CHUNK_ROWS`). ``workers``: processes for the pure stage of an episode import
    (parsing, identity numbers, pseudonyms, encryption, rules); ``None``: up to
    :data:`PARALLEL_WORKERS`, one fewer than the cores, for files of at least
    :data:`PARALLEL_MIN_BYTES`, none for smaller ones. The result is the same either way."""
    if kind not in FORMATS:
        raise ValueError(f"unknown kind {kind!r}")
    path = Path(path)
    result = ImportResult(
        kind=kind, file_name=file_name or path.name, dry_run=dry_run, sha256=sha256_of(path)
    )
    table = open_table(path, FORMATS[kind])
    if workers is None and os.environ.get("FINSAM_IMPORT_WORKERS", "").isdigit():
        workers = int(os.environ["FINSAM_IMPORT_WORKERS"])
    if workers is None:
        # The importing process itself is busy too (database, checks that need stored data).
        cores = os.cpu_count() or 1
        workers = min(PARALLEL_WORKERS, cores - 1) if table.size >= PARALLEL_MIN_BYTES else 0
    ctx = ImportContext(
        actor=actor,
        association=association,
        result=result,
        today=today or timezone.localdate(),
        workers=workers,
        file_size=table.size,
    )
    with _chunked_gc(), _large_cache(kind), transaction.atomic():
        importer = _importer_for(kind, ctx)
        try:
            _feed(importer, table, chunk_rows, progress, result)
            if hasattr(importer, "flush"):
                importer.flush()
        except BaseException:
            # interrupted (Ctrl-C, SIGTERM via the command) or failed: stop the workers now
            # rather than wait for their chunks; the transaction rolls back
            if hasattr(importer, "terminate"):
                importer.terminate()
            raise
        finally:
            if hasattr(importer, "close"):
                importer.close()
        if table.problems:
            ctx.add(table.problems)
        if hasattr(importer, "finish") and not ctx.failed:
            importer.finish()
        if progress:
            progress(result.rows, 1.0)
        if result.ok and result.rows == 0:
            ctx.add([Problem("", "file.no_rows", "Filen har inga datarader.", warning=True)])
        result.problems.sort(key=lambda p: p.row or 0)
        if result.ok and not dry_run:
            audit_record(
                actor=actor,
                log_type=LogType.CHANGE,
                action=f"import_{kind}",
                object_type="interchange.import",
                object_id=result.sha256[:16],
                association_id=association.pk if association else None,
                summary=f"Import av {result.file_name}: {result.created} skapade, "
                f"{result.updated} uppdaterade, {result.unchanged} oförändrade",
                changes={
                    "kind": kind,
                    "file": result.file_name,
                    "sha256": result.sha256,
                    "rows": result.rows,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
        else:
            transaction.set_rollback(True)
    return result
