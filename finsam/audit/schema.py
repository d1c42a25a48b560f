"""The database's own protection of the audit table: triggers that refuse UPDATE, DELETE and
TRUNCATE (PostgreSQL) / UPDATE and DELETE (SQLite has no TRUNCATE; ``DELETE FROM`` fires the
DELETE trigger). Used by the migrations, by ``audit-verify`` (which checks they are in place) and
by the test harness (which must empty the table between transactional tests).

SQLite drops a table's triggers when Django rebuilds the table in a migration (``AlterField``):
a migration that alters ``audit_auditlog`` must call :func:`create_triggers` again at its end;
``audit-verify`` reports missing triggers.
"""

from __future__ import annotations

TABLE = "audit_auditlog"
FUNCTION = "finsam_audit_append_only"
PG_TRIGGERS = (f"{TABLE}_append_only", f"{TABLE}_no_truncate")
SQLITE_TRIGGERS = (f"{TABLE}_no_update", f"{TABLE}_no_delete")


def create_triggers(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for op in ("UPDATE", "DELETE"):
                cursor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_{op.lower()} BEFORE {op} ON {TABLE} "
                    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"
                )
        elif connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'audit log is append-only (% refused)', TG_OP; END; "
                "$$ LANGUAGE plpgsql;"
            )
            cursor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};")
            cursor.execute(
                f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
                f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();"
            )
            cursor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};")
            cursor.execute(
                f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}();"
            )


def drop_triggers(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name};")
        elif connection.vendor == "postgresql":
            for name in PG_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {TABLE};")


def missing_triggers(connection) -> list[str]:
    """The protective triggers that are not in place (and enabled, on PostgreSQL)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE]
            )
            present = {r[0] for r in cursor.fetchall()}
            return [t for t in SQLITE_TRIGGERS if t not in present]
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass "
                "AND NOT tgisinternal AND tgenabled <> 'D'",
                [TABLE],
            )
            present = {r[0] for r in cursor.fetchall()}
            return [t for t in PG_TRIGGERS if t not in present]
    return []
