"""Test-harness support: Django empties every table between transactional tests (``flush``:
TRUNCATE on PostgreSQL, DELETE on SQLite), which the audit triggers refuse. The harness lifts the
triggers for exactly that statement and puts them back. Never used outside the tests."""

from __future__ import annotations

_installed = False


def allow_flush_between_tests() -> None:
    global _installed
    if _installed:
        return
    from django.db.backends.base.operations import BaseDatabaseOperations

    from finsam.audit import schema

    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        if not any(schema.TABLE in sql for sql in sql_list):
            return original(self, sql_list)
        schema.drop_triggers(self.connection)
        try:
            result = original(self, sql_list)
            with self.connection.cursor() as cursor:  # a fresh chain, as after migrate
                cursor.execute(
                    "INSERT INTO audit_auditchainhead (id, seq, last_hash) VALUES (1, 0, %s)",
                    ["0" * 64],
                )
            return result
        finally:
            schema.create_triggers(self.connection)

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush
    _installed = True
