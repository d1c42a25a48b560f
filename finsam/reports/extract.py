"""The episodes the reports read, as compact columns – and a columnar copy of them kept next to
the registry (the *extract*), so a national report does not scan the registry each time.

**Compact columns.** One query per read, on both databases the same columns: ids, day numbers for
dates, small integers for codes (position in the code list, 0 = no value), NaN for missing hours.
PostgreSQL sends them as a fixed-width binary ``COPY`` that numpy reads in one piece; SQLite
through the cursor in batches. :func:`decode` turns them into the raw columns of the episode
frame (``finsam.domain.reports.frame``); :mod:`finsam.reports.selectors` adds the dimensions.

**The extract.** Every episode except registration errors (FEL), as compact columns sorted by
episode id, at one *generation* (``reports.models.ExtractState``). Kept in memory (one per
database) and, when ``FINSAM_REPORT_EXTRACT_DIR`` is set, as one file per generation that every
process memory-maps (:func:`_save`, :func:`_load`), so worker processes share one copy. Database
triggers log every changed episode and participant (``reports.models.RegistryChange``);
:func:`refresh` patches the extract with just those episodes, writes the next generation and
deletes exactly the log rows it applied – under a lock (process, ``flock``, PostgreSQL advisory
lock), so two processes never patch at once. The :func:`fingerprint` (generation + what the log
holds) says whether a copy is current; :func:`current_generation` gives it as a cheap token for
caches keyed by registry state. Which rows a selection takes is :meth:`EpisodeExtract.rows`, the
same narrowing as ``selectors.episode_queryset`` (a test checks the two agree); the population
rules stay in the report core.

When it is used (setting ``FINSAM_REPORT_EXTRACT``): ``auto`` (default) – whenever it is current;
patched when a copy of the current generation is at hand, built for reads of every association,
where a scan is needed anyway; reads of a few associations with no copy at hand go to the
database, which reads only their rows. ``always`` patches or builds for every read; ``off`` never
uses it. ``finsam report-extract`` (:func:`build`) brings it up to date ahead (e.g. from a
background job after imports, or nightly).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import RawSQL

from finsam.domain import codelists as cl
from finsam.domain.reports.core import person_key_column
from finsam.registry.models import Episode, Participant
from finsam.settings.routers import primary_reads
from finsam.settings.routers import report_connection as connection

NO_DATE = -(2**31)
"""Day number of a missing end date."""
_EPOCH = date(1970, 1, 1)
CODE_COLUMNS = {
    "sex": cl.SEX.code_values,
    "exit_reason": cl.EXIT_REASON.code_values,
    "occupation_before": cl.OCCUPATION.code_values,
    "occupation_after": cl.OCCUPATION.code_values,
    "time_on_support": cl.TIME_ON_SUPPORT.code_values,
    "education": cl.EDUCATION.code_values,
}
HOURS = ("work_hours_before", "study_hours_before", "work_hours", "study_hours")
FORMAT_VERSION = 1
"""Bump when the compact columns change: older extracts on disk are then ignored."""


def day_number(d: date) -> int:
    return (d - _EPOCH).days


# --- the compact query --------------------------------------------------------------------------


def _columns(vendor: str, few: bool = False) -> list[tuple[str, str, str, tuple]]:
    """(name, SQL expression, numpy type, params) per compact column. Every value is fixed-width
    and never NULL (but the hours on SQLite, read as NaN). The expressions use only our own table
    names; the code lists are parameters."""
    t = Episode._meta.db_table
    p = Participant._meta.db_table
    pg = vendor == "postgresql"
    anonymous = f"({t}.participant_id IN (SELECT id FROM {p} WHERE pseudonym IS NULL))"  # noqa: S608
    if few:  # a few rows (a patch): look each participant up instead of hashing every one
        anonymous = f"(SELECT pseudonym IS NULL FROM {p} WHERE id = {t}.participant_id)"  # noqa: S608
    birth_year = f"(SELECT birth_year FROM {p} WHERE id = {t}.participant_id)"  # noqa: S608
    if pg:
        start_year = f"extract(year FROM {t}.start_date)::int"
        days = "({col} - DATE '1970-01-01')"
    else:
        start_year = f"CAST(strftime('%%Y', {t}.start_date) AS INTEGER)"
        days = "CAST(julianday({col}) - 2440587.5 AS INTEGER)"
    cols = [
        ("episode_id", f"{t}.id", "i4", ()),
        ("intervention_id", f"{t}.intervention_id", "i4", ()),
        ("participant_id", f"{t}.participant_id", "i4", ()),
        ("anonymous", f"{anonymous}::int" if pg else anonymous, "i2", ()),
        ("age_at_start", f"coalesce({t}.age_at_start, {start_year} - {birth_year}, -1)", "i2", ()),
        (
            "home_municipality",
            f"{t}.home_municipality_id::int4"
            if pg
            else f"CAST({t}.home_municipality_id AS INTEGER)",
            "i4",
            (),
        ),
        ("start_date", days.format(col=f"{t}.start_date"), "i4", ()),
        ("end_date", f"coalesce({days.format(col=f'{t}.end_date')}, {NO_DATE})", "i4", ()),
        ("support_before_mask", f"{t}.support_before", "i4", ()),
        ("support_after_mask", f"{t}.support_after", "i4", ()),
    ]
    for name, codes in CODE_COLUMNS.items():
        if pg:
            sql = f"coalesce(array_position(%s::varchar[], {t}.{name}::varchar), 0)"
            params: tuple = (list(codes),)
        else:
            whens = " ".join(f"WHEN %s THEN {i}" for i in range(1, len(codes) + 1))
            sql, params = f"CASE {t}.{name} {whens} ELSE 0 END", tuple(codes)
        cols.append((name, sql, "i2", params))
    for name in HOURS:
        sql = f"coalesce({t}.{name}, 'NaN')" if pg else f"{t}.{name}"
        cols.append((name, sql, "f8", ()))
    cols.append(
        (
            "work_study_increased",
            f"CASE WHEN {t}.work_study_increased IS NULL THEN 0 "
            f"WHEN {t}.work_study_increased THEN 2 ELSE 1 END",
            "i2",
            (),
        )
    )
    if pg:  # fixed width in the binary stream
        cols = [(n, f"({sql})::{_PG_TYPES[typ]}", typ, params) for n, sql, typ, params in cols]
    return cols


_PG_TYPES = {"i2": "int2", "i4": "int4", "f8": "float8"}


def read_compact(qs: QuerySet[Episode], few: bool = False) -> dict[str, np.ndarray]:
    """The compact columns of the episodes of ``qs`` (native byte order); ``few``: ``qs`` holds a
    few rows (looked up by id)."""
    cols = _columns(connection.vendor, few)
    annotated = qs.order_by().annotate(
        # fixed expressions over our own table names; the code lists are parameters
        **{f"_c{i}": RawSQL(sql, params) for i, (_n, sql, _t, params) in enumerate(cols)}  # noqa: S611
    )
    try:
        sql, params = annotated.values_list(
            *[f"_c{i}" for i in range(len(cols))]
        ).query.sql_with_params()
    except EmptyResultSet:
        return {name: np.zeros(0, dtype=typ) for name, _s, typ, _p in cols}
    if connection.vendor == "postgresql":
        return _read_postgres(sql, params, cols)
    return _read_cursor(sql, params, cols)


def _read_postgres(sql: str, params, cols) -> dict[str, np.ndarray]:
    fields = [("_n", ">i2")]
    for i, (name, _sql, typ, _p) in enumerate(cols):
        fields += [(f"_l{i}", ">i4"), (name, ">" + typ)]
    dtype = np.dtype(fields)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        # JIT compilation costs ~0.1 s and gains nothing on this scan; more memory for the hash
        # of anonymous participants. Both only for this transaction.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT binary)", params) as copy:
            parts = []
            while block := copy.read():
                parts.append(block)
    data = b"".join(parts)
    rows = np.frombuffer(memoryview(data)[19:-2], dtype=dtype)  # 19-byte header, 2-byte trailer
    return {name: rows[name].astype(typ) for name, _s, typ, _p in cols}


def _read_cursor(sql: str, params, cols, batch: int = 100_000) -> dict[str, np.ndarray]:
    parts = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(batch):
            parts.append(np.array(rows, dtype=np.float64))
    table = np.concatenate(parts) if parts else np.zeros((0, len(cols)))
    return {name: table[:, i].astype(typ) for i, (name, _s, typ, _p) in enumerate(cols)}


# --- decoding -------------------------------------------------------------------------------------


def decode(c: dict[str, np.ndarray]) -> pd.DataFrame:
    """The raw episode columns (without the dimensions) from compact columns."""
    n = len(c["episode_id"])
    out: dict[str, pd.Series] = {
        "episode_id": pd.Series(c["episode_id"].astype(np.int64)),
        "intervention_id": pd.Series(c["intervention_id"].astype(np.int64)),
        "person_key": person_key_column(c["participant_id"], c["anonymous"] == 0),
        "age_at_start": pd.Series(c["age_at_start"].astype(np.int64)),
    }
    uniq, inverse = np.unique(c["home_municipality"], return_inverse=True)
    names = np.array([f"{m:04d}" for m in uniq], dtype=object)
    out["home_municipality"] = pd.Series(names[inverse] if n else names[:0], dtype=object)
    for name in ("start_date", "end_date"):
        days = c[name].astype(np.int64)
        dates = days.astype("datetime64[D]").astype("datetime64[ns]")
        dates[days == NO_DATE] = np.datetime64("NaT")
        out[name] = pd.Series(dates)
    for name in ("support_before_mask", "support_after_mask"):
        out[name] = pd.Series(c[name].astype(np.int64))
    for name, codes in CODE_COLUMNS.items():  # categorical: position 0 (no value) → missing
        categories = pd.Index(list(codes), dtype=object)
        out[name] = pd.Series(pd.Categorical.from_codes(c[name].astype(np.int16) - 1, categories))
    for name in HOURS:
        out[name] = pd.Series(c[name].astype(np.float64))
    flags = np.array([None, False, True], dtype=object)
    out["work_study_increased"] = pd.Series(flags[c["work_study_increased"]], dtype=object)
    return pd.DataFrame(out, index=pd.RangeIndex(n))


# --- the extract ----------------------------------------------------------------------------------


@dataclass
class EpisodeExtract:
    """Every episode but FEL, as compact columns sorted by episode id, at one generation."""

    generation: int
    compact: dict[str, np.ndarray]
    built_seconds: float = 0.0
    database: str = ""
    base: int = 0
    """The generation this one was made from (0: read in full)."""
    _raw: pd.DataFrame | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.compact["episode_id"])

    @property
    def raw(self) -> pd.DataFrame:
        """All rows decoded (once per process and generation; a patch made in this process
        patches the decoded rows too)."""
        if self._raw is None:
            self._raw = decode(self.compact)
        return self._raw

    def rows(
        self,
        start: date,
        end: date,
        intervention_ids=None,
        *,
        history_interventions=None,
    ) -> np.ndarray:
        """Positions of the episodes ``selectors.episode_queryset`` reads: active in
        ``start``–``end`` (of ``intervention_ids``, ``None`` = all); with
        ``history_interventions`` (the individual person-registration interventions), also every
        earlier episode in them of an identified participant among those."""
        c = self.compact
        first, last = day_number(start), day_number(end)
        s, e = c["start_date"], c["end_date"]
        scope = (s <= last) & ((e == NO_DATE) | (e >= first))
        if intervention_ids is not None:
            scope &= np.isin(c["intervention_id"], _ids(intervention_ids))
        if history_interventions is not None:
            pid = c["participant_id"]
            persons = np.unique(pid[scope & (c["anonymous"] == 0)])
            earlier = (
                (s < first)
                & np.isin(pid, persons)
                & np.isin(c["intervention_id"], _ids(history_interventions))
            )
            scope |= earlier
        return np.flatnonzero(scope)

    def frame(self, positions: np.ndarray) -> pd.DataFrame:
        """The raw columns of the rows at ``positions``."""
        return self.raw.take(positions).reset_index(drop=True)


def _ids(values) -> np.ndarray:
    return np.asarray(list(values), dtype=np.int64)


def extract_queryset() -> QuerySet[Episode]:
    return Episode.objects.filter(~Q(exit_reason=cl.EXIT_REGISTRATION_ERROR)).order_by()


def _tables() -> tuple[str, str]:
    from finsam.reports.models import ExtractState, RegistryChange

    return RegistryChange._meta.db_table, ExtractState._meta.db_table


def fingerprint() -> tuple[str, ...]:
    """The database, the extract's generation and the change log not yet applied to it: equal
    fingerprints, equal episodes. One small query (the log holds only unapplied changes)."""
    log, state = _tables()
    sql = (
        f"SELECT (SELECT coalesce(max(generation), 0) FROM {state}), count(*), "  # noqa: S608
        f"coalesce(max(id), 0), coalesce(sum(token), 0) FROM {log}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        state_row = tuple(str(v) for v in cursor.fetchone())
    return (_database_identity(), str(FORMAT_VERSION), *state_row)


def registry_state() -> str:
    """A short token for the state of the registry's episodes and participants, cheap (one
    small query, no patching): equal tokens, equal episodes; any committed write to an episode or
    a participant changes it. For caches of results keyed by registry state."""
    return _key(fingerprint())


def current_generation() -> str:
    """The registry state token for caches (e.g. a protected report result): the generation of
    the extract plus whatever the change log holds that is not yet applied to it. Same as
    :func:`registry_state`; cheap, never patches or builds. Two calls return the same value iff
    no episode or participant was written between them (committed)."""
    return registry_state()


def _generation(fp: tuple[str, ...]) -> int:
    return int(fp[2])


def _is_current(fp: tuple[str, ...]) -> bool:
    return fp[3] == "0"


def _database_identity() -> str:
    s = connection.settings_dict
    text = "|".join(str(s.get(k) or "") for k in ("ENGINE", "HOST", "PORT", "NAME"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _key(fp: tuple[str, ...]) -> str:
    return hashlib.sha256("|".join(fp).encode()).hexdigest()[:24]


_lock = threading.RLock()
_memory: dict[str, EpisodeExtract] = {}
PATCH_LIMIT = 0.05
"""Above this share of the extract's rows changed (or 20 000 rows), a patch reads everything."""


def mode() -> str:
    return getattr(settings, "FINSAM_REPORT_EXTRACT", "auto")


def _directory() -> Path | None:
    d = getattr(settings, "FINSAM_REPORT_EXTRACT_DIR", None)
    return Path(d) / _database_identity() if d else None


def current() -> EpisodeExtract | None:
    """The extract of the registry as it is now, from memory or disk; ``None`` when there is
    none, it is out of date (changes not yet applied) or switched off."""
    if mode() == "off":
        return None
    fp = fingerprint()
    if not _is_current(fp):
        return None
    return _at(_generation(fp))


def _at(generation: int) -> EpisodeExtract | None:
    """The extract at ``generation``: from memory, else mapped from disk."""
    db = _database_identity()
    found = _memory.get(db)
    if found is not None and found.generation == generation:
        return found
    loaded = _load(generation)
    if loaded is not None:
        _memory[db] = loaded
    return loaded


def needs_full_read() -> bool:
    """Whether bringing the extract up to date would read the whole registry – no copy of the
    current generation at hand, a "rebuild everything" row in the log, or more changes than a
    patch takes (:func:`refresh`) – rather than patch a few rows. The slow case, which a national
    report request sends to the background (``finsam.reports.jobs``)."""
    from finsam.reports.models import RegistryChange

    if mode() == "off":
        return False
    fp = fingerprint()
    base = _at(_generation(fp))
    if base is None:
        return True
    if _is_current(fp):
        return False
    if int(fp[3]) > max(20_000, PATCH_LIMIT * len(base)):
        return True
    return RegistryChange.objects.filter(episode_id=None, participant_id=None).exists()


def for_read(every_association: bool) -> EpisodeExtract | None:
    """The extract a read should use under the policy of the module doc (patching or building it
    when the policy says so), or ``None`` to read from the database."""
    m = mode()
    if m == "off":
        return None
    fp = fingerprint()
    base = _at(_generation(fp))
    if base is not None and _is_current(fp):
        return base
    if base is None and not (every_association or m == "always"):
        return None
    return refresh()


def build(
    fp: tuple[str, ...] | None = None, progress: Callable[[str], None] | None = None
) -> EpisodeExtract:
    """Bring the extract up to date and return it: patched with the changed episodes when a
    copy of the current generation is at hand, otherwise read in full from the registry. Kept in
    memory and, when configured, on disk. (The entry point of ``finsam report-extract`` and of
    background jobs; ``fp`` is accepted for compatibility and ignored.)"""
    return refresh(progress=progress)


def rebuild(progress: Callable[[str], None] | None = None) -> EpisodeExtract:
    """Read the whole extract from the registry, whatever copy there is."""
    return refresh(progress=progress, full=True)


@contextmanager
def _file_lock():
    directory = _directory()
    if directory is None:
        yield
        return
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "lock", "a+b") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


_ADVISORY_KEY = 0x46534D45  # "FSME"


def refresh(progress: Callable[[str], None] | None = None, *, full: bool = False) -> EpisodeExtract:
    """Apply the change log to the extract (or build it), advance the generation and prune the
    applied log rows – under a lock (this process's, a file lock in the extract directory and,
    on PostgreSQL, an advisory lock), so two processes never patch at once.

    Always on the primary, also inside a national report's replica reads: the changed rows are
    read in the same transaction that deletes their log rows, so a lagging replica could never
    make a patch miss a change."""
    from finsam.reports.models import ExtractState, RegistryChange

    with primary_reads(), _lock, _file_lock(), transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_KEY])
        # the state row first, written: on SQLite this takes the write lock for the transaction,
        # on PostgreSQL the row lock (besides the advisory lock)
        ExtractState.objects.get_or_create(id=1)
        ExtractState.objects.filter(id=1).update(generation=F("generation"))
        state = ExtractState.objects.get(id=1)
        t0 = time.perf_counter()
        log = list(RegistryChange.objects.values_list("id", "episode_id", "participant_id"))
        base = None if full else _at(state.generation)
        if base is not None and not log:
            return base
        episode_ids = {e for _i, e, _p in log if e is not None}
        participant_ids = {p for _i, _e, p in log if p is not None}
        everything = any(e is None and p is None for _i, e, p in log)
        if participant_ids and not everything:
            episode_ids.update(
                Episode.objects.filter(participant_id__in=participant_ids).values_list(
                    "id", flat=True
                )
            )
        if base is None or everything or len(episode_ids) > max(20_000, PATCH_LIMIT * len(base)):
            if progress:
                progress("Läser deltagarepisoderna ur registret …")
            extract = EpisodeExtract(0, _sorted(read_compact(extract_queryset())))
        else:
            if progress:
                progress(f"Uppdaterar kolumnkopian med {len(episode_ids)} ändrade episoder …")
            extract = _patched(base, np.asarray(sorted(episode_ids), dtype=np.int64))
        # increasing, and never the same twice (not even after a rolled-back attempt)
        extract.generation = max(state.generation + 1, time.time_ns() // 1000)
        extract.base = state.generation
        extract.built_seconds = time.perf_counter() - t0
        extract.database = _database_identity()
        _delete_log([i for i, _e, _p in log])
        ExtractState.objects.filter(id=1).update(generation=extract.generation)
        saved = _save(extract)
        _memory[_database_identity()] = extract
        transaction.on_commit(lambda: _after_commit(extract, saved))
    if progress:
        progress(f"{len(extract)} deltagarepisoder klara på {extract.built_seconds:.1f} s.")
    return _memory.get(_database_identity(), extract)


def _after_commit(extract: EpisodeExtract, saved: Path | None) -> None:
    if saved is not None:  # map the file: every process shares these pages
        mapped = _load(extract.generation)
        if mapped is not None:
            mapped._raw = extract._raw
            _memory[_database_identity()] = mapped
        # the files before the previous one (a process may still be about to map that)
        for old in saved.parent.glob("episodes-*.extract"):
            if old.stem.split("-")[-1].isdigit() and int(old.stem.split("-")[-1]) < extract.base:
                old.unlink(missing_ok=True)


def _delete_log(ids: list[int]) -> None:
    """Delete exactly the log rows applied (never a range: a row committed late may lie in it)."""
    from finsam.reports.models import RegistryChange

    for i in range(0, len(ids), 900):
        RegistryChange.objects.filter(id__in=ids[i : i + 900])._raw_delete(connection.alias)


def _sorted(compact: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    order = np.argsort(compact["episode_id"], kind="stable")
    return {name: np.ascontiguousarray(values[order]) for name, values in compact.items()}


def _patched(base: EpisodeExtract, changed: np.ndarray) -> EpisodeExtract:
    """``base`` without the ``changed`` episodes, with their current rows (but FEL) read from the
    registry inserted in id order – the same arrays a full read gives."""
    new = _sorted(read_compact(extract_queryset().filter(id__in=changed.tolist()), few=True))
    ids = base.compact["episode_id"]
    pos = np.searchsorted(ids, changed)
    hit = pos < len(ids)
    hit[hit] = ids[pos[hit]] == changed[hit]
    if hit.all() and np.array_equal(new["episode_id"], changed):  # only rows updated in place
        fast = _updated_in_place(base, pos, new)
        if fast is not None:
            return fast
    keep = np.ones(len(ids), dtype=bool)
    keep[pos[hit]] = False
    kept_ids = ids[keep]
    at = np.searchsorted(kept_ids, new["episode_id"])
    compact = {
        name: np.insert(values[keep], at, new[name]) for name, values in base.compact.items()
    }
    extract = EpisodeExtract(0, compact, base=base.generation)
    if base._raw is not None:  # patch the decoded rows the same way, column by column
        extract._raw = _patched_raw(base._raw, keep, at, decode(new), compact)
    return extract


def _updated_in_place(
    base: EpisodeExtract, pos: np.ndarray, new: dict[str, np.ndarray]
) -> EpisodeExtract | None:
    """Every changed episode is still there and still in the extract: copy the columns and
    overwrite those rows; the decoded frame (this process's, not shared) is overwritten in
    place, so the cost is the changed rows plus one copy of the compact columns."""
    compact = {}
    for name, values in base.compact.items():
        copy = np.array(values)
        copy[pos] = new[name]
        compact[name] = copy
    extract = EpisodeExtract(0, compact, base=base.generation)
    raw = base._raw
    if raw is not None:
        add = decode(new)
        keys = raw["person_key"].cat.categories
        named = add["person_key"].notna().to_numpy()
        found = keys.get_indexer(add["person_key"].astype(object).to_numpy()[named])
        if (found < 0).any():
            return None  # a participant the frame does not know: the general path
        for j, name in enumerate(raw.columns):
            if name == "person_key":
                codes = np.full(len(add), -1, dtype=np.int64)
                codes[named] = found
                values = pd.Categorical.from_codes(codes, dtype=raw[name].dtype)
            else:
                values = add[name].to_numpy()
            raw.iloc[pos, j] = values
        extract._raw = raw
        base._raw = None  # the old generation's frame is this one now
    return extract


def _patched_raw(
    raw: pd.DataFrame, keep: np.ndarray, at: np.ndarray, new: pd.DataFrame, compact
) -> pd.DataFrame:
    """``raw`` with the rows of ``keep`` and the decoded ``new`` rows inserted at ``at``: one
    concatenation and one take (block by block, no re-stacking of the columns). The person key
    keeps its categories (new participants appended), so it holds the same keys as a full decode,
    possibly in another category order (only the codes are read)."""
    old_keys = raw["person_key"].cat
    named = new["person_key"].notna().to_numpy()
    add_ids = new["person_key"].astype(object).to_numpy()[named]
    missing = pd.Index(pd.unique(add_ids)).difference(old_keys.categories)
    dtype = raw["person_key"].dtype
    if len(missing):
        dtype = pd.CategoricalDtype(old_keys.categories.append(missing.astype(object)))
        raw = raw.assign(
            person_key=pd.Categorical.from_codes(old_keys.codes.to_numpy(), dtype=dtype)
        )
    codes = np.full(len(new), -1, dtype=np.int64)
    codes[named] = dtype.categories.get_indexer(add_ids)
    new = new.assign(person_key=pd.Categorical.from_codes(codes, dtype=dtype))
    both = pd.concat([raw, new], ignore_index=True)
    order = np.insert(np.flatnonzero(keep), at, len(raw) + np.arange(len(new)))
    return both.take(order).reset_index(drop=True)


# --- on disk: one file per generation, memory-mapped by every process ---------------------------

_MAGIC = b"FSMEXT01"
_ALIGN = 64


def _file(generation: int) -> Path | None:
    """The disk copy of the extract at ``generation`` (``None``: memory only)."""
    directory = _directory()
    return None if directory is None else directory / f"episodes-{generation}.extract"


def saved_path(extract: EpisodeExtract) -> Path | None:
    """Where ``extract`` is kept on disk (``None``: memory only)."""
    return _file(extract.generation)


def _save(extract: EpisodeExtract) -> Path | None:
    """Write the extract as one file (a JSON header, then the columns, aligned) under a temporary
    name and rename it into place, so a reader maps either the old file or the whole new one."""
    path = _file(extract.generation)
    if path is None:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    columns, offset = [], 0
    for name, values in extract.compact.items():
        columns.append([name, values.dtype.str, offset, len(values)])
        offset += -(-values.nbytes // _ALIGN) * _ALIGN
    header = json.dumps(
        {"format": FORMAT_VERSION, "generation": extract.generation, "columns": columns}
    ).encode()
    start = -(-(len(_MAGIC) + 8 + len(header)) // 4096) * 4096
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(_MAGIC + len(header).to_bytes(8, "little") + header)
            for (_name, _t, off, _n), values in zip(columns, extract.compact.values(), strict=True):
                f.seek(start + off)
                f.write(np.ascontiguousarray(values).tobytes())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def _load(generation: int) -> EpisodeExtract | None:
    path = _file(generation)
    if path is None:
        return None
    try:
        data = np.memmap(path, mode="r", dtype=np.uint8)
        if bytes(data[: len(_MAGIC)]) != _MAGIC:
            return None
        size = int.from_bytes(bytes(data[len(_MAGIC) : len(_MAGIC) + 8]), "little")
        head = json.loads(bytes(data[len(_MAGIC) + 8 : len(_MAGIC) + 8 + size]))
        if head["format"] != FORMAT_VERSION or head["generation"] != generation:
            return None
        start = -(-(len(_MAGIC) + 8 + size) // 4096) * 4096
        compact = {}
        for name, typ, off, n in head["columns"]:
            dtype = np.dtype(typ)
            compact[name] = data[start + off : start + off + n * dtype.itemsize].view(dtype)
            if len(compact[name]) != n:
                return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return EpisodeExtract(generation, compact, database=_database_identity())


def forget() -> None:
    """Drop the in-memory extracts (tests)."""
    _memory.clear()
