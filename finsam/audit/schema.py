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
HEAD = "audit_auditchainhead"
FUNCTION = "finsam_audit_append_only"
HEAD_FUNCTION = "finsam_audit_head_forward_only"
PG_TRIGGERS = (
    f"{TABLE}_append_only",
    f"{TABLE}_no_truncate",
    f"{HEAD}_forward_only",
    f"{HEAD}_no_truncate",
)
SQLITE_TRIGGERS = (
    f"{TABLE}_no_update",
    f"{TABLE}_no_delete",
    f"{HEAD}_forward_only",
    f"{HEAD}_no_delete",
)


def create_triggers(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for op in ("UPDATE", "DELETE"):
                cursor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_{op.lower()} BEFORE {op} ON {TABLE} "
                    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"
                )
            # The chain head only moves forward, one row at a time, and is never removed.
            cursor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {HEAD}_forward_only BEFORE UPDATE ON {HEAD} "
                "WHEN NEW.seq <> OLD.seq + 1 OR NEW.id <> OLD.id "
                "BEGIN SELECT RAISE(ABORT, 'audit chain head only moves forward'); END;"
            )
            cursor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {HEAD}_no_delete BEFORE DELETE ON {HEAD} "
                "BEGIN SELECT RAISE(ABORT, 'audit chain head cannot be removed'); END;"
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
            cursor.execute(
                f"CREATE OR REPLACE FUNCTION {HEAD_FUNCTION}() RETURNS trigger AS $$ "
                "BEGIN "
                "IF TG_OP = 'UPDATE' AND NEW.seq = OLD.seq + 1 AND NEW.id = OLD.id THEN "
                "RETURN NEW; END IF; "
                "RAISE EXCEPTION 'audit chain head only moves forward (% refused)', TG_OP; "
                "END; $$ LANGUAGE plpgsql;"
            )
            cursor.execute(f"DROP TRIGGER IF EXISTS {HEAD}_forward_only ON {HEAD};")
            cursor.execute(
                f"CREATE TRIGGER {HEAD}_forward_only BEFORE UPDATE OR DELETE ON {HEAD} "
                f"FOR EACH ROW EXECUTE FUNCTION {HEAD_FUNCTION}();"
            )
            cursor.execute(f"DROP TRIGGER IF EXISTS {HEAD}_no_truncate ON {HEAD};")
            cursor.execute(
                f"CREATE TRIGGER {HEAD}_no_truncate BEFORE TRUNCATE ON {HEAD} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {HEAD_FUNCTION}();"
            )


def drop_triggers(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name};")
        elif connection.vendor == "postgresql":
            for name in PG_TRIGGERS:
                table = HEAD if name.startswith(HEAD) else TABLE
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table};")


def missing_triggers(connection) -> list[str]:
    """The protective triggers that are not in place (and enabled, on PostgreSQL)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (%s, %s)",
                [TABLE, HEAD],
            )
            present = {r[0] for r in cursor.fetchall()}
            return [t for t in SQLITE_TRIGGERS if t not in present]
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid IN (%s::regclass, %s::regclass) "
                "AND NOT tgisinternal AND tgenabled <> 'D'",
                [TABLE, HEAD],
            )
            present = {r[0] for r in cursor.fetchall()}
            return [t for t in PG_TRIGGERS if t not in present]
    return []
