"""Reading national reports from a streaming read replica (docs/operations.md "Fler än en
maskin").

When ``DATABASE_REPLICA_URL`` is set, ``settings.DATABASES`` gets a second alias ``replica`` and
:class:`ReportReplicaRouter` is installed. The router sends a read to the replica only inside
:func:`report_reads` – the report runner wraps the reads of a report over every association (the
national and county reports, the extract build) in it – and everything else, every write and every
migration, to ``default`` (the primary). Without the setting there is no ``replica`` alias and
:func:`report_alias` is always ``default``.

The report code reads through raw cursors too (the extract's binary ``COPY``); those use
:data:`report_connection`, a proxy for the connection of :func:`report_alias`, instead of
``django.db.connection``.

A replica lags the primary by a little (usually well under a second): a national report may not
yet show the registration made a moment ago; it is never inconsistent, because the report cache's
registry state is read through the same alias before the rows (finsam/reports/cache.py).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
_reading = contextvars.ContextVar("finsam_report_reads", default=False)


def replica_configured() -> bool:
    from django.conf import settings

    return REPLICA in connections.settings and getattr(settings, "FINSAM_READ_REPLICA", True)


@contextmanager
def report_reads(enabled: bool = True) -> Iterator[None]:
    """Within: reads go to the replica (when one is configured and ``enabled``)."""
    token = _reading.set(bool(enabled) or _reading.get())
    try:
        yield
    finally:
        _reading.reset(token)


@contextmanager
def primary_reads() -> Iterator[None]:
    """Within: reads go to the primary again, also inside :func:`report_reads` (for work that
    reads and then writes what it read, e.g. patching the report extract)."""
    token = _reading.set(False)
    try:
        yield
    finally:
        _reading.reset(token)


def report_alias() -> str:
    """The alias report reads use now: ``replica`` inside :func:`report_reads` when configured."""
    return REPLICA if _reading.get() and replica_configured() else DEFAULT_DB_ALIAS


class _ReportConnection:
    """``django.db.connection``, but for :func:`report_alias` at the moment of use."""

    def __getattr__(self, item):
        return getattr(connections[report_alias()], item)


report_connection = _ReportConnection()


class ReportReplicaRouter:
    """Report reads inside :func:`report_reads` → replica; everything else → default."""

    def db_for_read(self, model, **hints):
        return REPLICA if report_alias() == REPLICA else None  # None: Django's default choice

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
