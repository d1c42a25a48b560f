"""The episodes the reports read, as compact columns – and a columnar copy of them kept next to
the registry (the *extract*), so a national report does not scan the registry each time.

**Compact columns.** One query per read, on both databases the same columns: ids, day numbers for
dates, small integers for codes (position in the code list, 0 = no value), NaN for missing hours.
PostgreSQL sends them as a fixed-width binary ``COPY`` that numpy reads in one piece; SQLite
through the cursor in batches. :func:`decode` turns them into the raw columns of the episode
frame (``finsam.domain.reports.frame``); :mod:`finsam.reports.selectors` adds the dimensions.

**The extract.** Every episode except registration errors (FEL), as compact columns, built by the
same query and kept in memory (one per database) and, when ``FINSAM_REPORT_EXTRACT_DIR`` is set,
on disk, so a new process loads it instead of scanning the registry. It is valid for one
*fingerprint* of the registry change log (``finsam.reports.models``), which database triggers
change whenever an episode or a participant is written, so a report never reads a stale copy.
Which rows a selection takes from it is :meth:`EpisodeExtract.rows`, the same narrowing as
``selectors.episode_queryset`` (a test checks the two agree); the population rules stay in the
report core.

When it is used (setting ``FINSAM_REPORT_EXTRACT``): ``auto`` (default) – whenever it is up to
date, and built (or rebuilt) for reads of every association, where a scan is needed anyway; reads
of a few associations while it is out of date go to the database, which reads only their rows.
``always`` builds it for every read; ``off`` never uses it. ``finsam report-extract`` builds it
ahead (e.g. after a large import, or nightly).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from finsam.domain import codelists as cl
from finsam.domain.reports.core import person_key_column
from finsam.registry.models import Episode, Participant
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


def _columns(vendor: str) -> list[tuple[str, str, str, tuple]]:
    """(name, SQL expression, numpy type, params) per compact column. Every value is fixed-width
    and never NULL (but the hours on SQLite, read as NaN). The expressions use only our own table
    names; the code lists are parameters."""
    t = Episode._meta.db_table
    p = Participant._meta.db_table
    pg = vendor == "postgresql"
    anonymous = f"({t}.participant_id IN (SELECT id FROM {p} WHERE pseudonym IS NULL))"  # noqa: S608
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


def read_compact(qs: QuerySet[Episode]) -> dict[str, np.ndarray]:
    """The compact columns of the episodes of ``qs`` (native byte order)."""
    cols = _columns(connection.vendor)
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
    """Every episode but FEL, as compact columns, at one fingerprint of the registry."""

    fingerprint: tuple[str, ...]
    compact: dict[str, np.ndarray]
    built_seconds: float = 0.0
    _raw: pd.DataFrame | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.compact["episode_id"])

    @property
    def raw(self) -> pd.DataFrame:
        """All rows decoded (once per process)."""
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


def fingerprint() -> tuple[str, ...]:
    """The database and the state of its change log: equal fingerprints, equal episodes."""
    from finsam.reports.models import RegistryChange

    table = RegistryChange._meta.db_table
    sums = "count(*), coalesce(max(id), 0), coalesce(sum(n), 0), coalesce(sum(token), 0)"
    sql = f"SELECT {sums} FROM {table}"  # noqa: S608  (our own table name)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        state = tuple(str(v) for v in cursor.fetchone())
    return (_database_identity(), str(FORMAT_VERSION), *state)


def _database_identity() -> str:
    s = connection.settings_dict
    text = "|".join(str(s.get(k) or "") for k in ("ENGINE", "HOST", "PORT", "NAME"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _key(fp: tuple[str, ...]) -> str:
    return hashlib.sha256("|".join(fp).encode()).hexdigest()[:24]


_lock = threading.Lock()
_memory: dict[str, EpisodeExtract] = {}


def mode() -> str:
    return getattr(settings, "FINSAM_REPORT_EXTRACT", "auto")


def _directory() -> Path | None:
    d = getattr(settings, "FINSAM_REPORT_EXTRACT_DIR", None)
    return Path(d) / _database_identity() if d else None


def current() -> EpisodeExtract | None:
    """The extract of the registry as it is now, from memory or disk; ``None`` when there is
    none (or it is switched off)."""
    if mode() == "off":
        return None
    fp = fingerprint()
    return _cached(fp)


def _cached(fp) -> EpisodeExtract | None:
    found = _memory.get(fp[0])
    if found is not None and found.fingerprint == fp:
        return found
    loaded = _load(fp)
    if loaded is not None:
        _memory[fp[0]] = loaded
    return loaded


def for_read(every_association: bool) -> EpisodeExtract | None:
    """The extract a read should use under the policy of the module doc (building it when the
    policy says so), or ``None`` to read from the database."""
    m = mode()
    if m == "off":
        return None
    fp = fingerprint()
    found = _cached(fp)
    if found is not None or not (every_association or m == "always"):
        return found
    return build(fp)


def build(
    fp: tuple[str, ...] | None = None, progress: Callable[[str], None] | None = None
) -> EpisodeExtract:
    """Read every episode but FEL from the registry and keep it (memory, and disk when
    configured). The fingerprint is read before the rows, so the copy is never older than it."""
    with _lock:
        fp = fp or fingerprint()
        found = _memory.get(fp[0])
        if found is not None and found.fingerprint == fp:
            return found
        if progress:
            progress("Läser deltagarepisoderna ur registret …")
        t0 = time.perf_counter()
        compact = read_compact(extract_queryset())
        extract = EpisodeExtract(fp, compact, time.perf_counter() - t0)
        _memory[fp[0]] = extract
        _save(extract)
        if progress:
            progress(f"{len(extract)} deltagarepisoder lästa på {extract.built_seconds:.1f} s.")
        return extract


def _save(extract: EpisodeExtract) -> None:
    directory = _directory()
    if directory is None:
        return
    directory.mkdir(parents=True, exist_ok=True)
    name = saved_path(extract).name
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **extract.compact)
        os.replace(tmp, directory / name)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    for old in directory.glob("episodes-*.npz"):
        if old.name != name:
            old.unlink(missing_ok=True)


def _file(fp: tuple[str, ...]) -> Path | None:
    """The disk copy of the extract at fingerprint ``fp`` (``None``: memory only)."""
    directory = _directory()
    return None if directory is None else directory / f"episodes-{_key(fp)}.npz"


def saved_path(extract: EpisodeExtract) -> Path | None:
    """Where ``extract`` is kept on disk (``None``: memory only)."""
    return _file(extract.fingerprint)


def _load(fp) -> EpisodeExtract | None:
    path = _file(fp)
    if path is None:
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            compact = {name: data[name] for name in data.files}
    except (OSError, ValueError, KeyError):
        return None
    return EpisodeExtract(fp, compact)


def forget() -> None:
    """Drop the in-memory extracts (tests)."""
    _memory.clear()
