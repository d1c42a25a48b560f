"""The production application role (scripts/postgresql-grants.sql) may append to and read the
audit, but cannot change, empty or unprotect it. PostgreSQL only; the role is created inside the
test's transaction and disappears with its rollback."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from finsam.audit.services import audit_record

GRANTS = Path(__file__).resolve().parents[2] / "scripts" / "postgresql-grants.sql"


def _grant_statements(app: str) -> list[str]:
    text = "\n".join(
        line for line in GRANTS.read_text().splitlines() if not line.startswith(("\\", "--"))
    )
    text = re.sub(r":app\b", app, text)
    return [s.strip() for s in text.split(";") if s.strip()]


@pytest.mark.django_db
def test_app_role_cannot_touch_the_audit():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    audit_record(actor=None, log_type="change", action="before")
    app = f"finsam_app_test_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as c:
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")
        c.execute(f"CREATE ROLE {app} NOLOGIN")
        for statement in _grant_statements(app):
            c.execute(statement)
        c.execute(f"SET ROLE {app}")
    try:
        # What the application does: append (through the chain) and read.
        audit_record(actor=None, log_type="change", action="as_app")
        for sql in (
            "UPDATE audit_auditlog SET summary = 'x'",
            "DELETE FROM audit_auditlog",
            "TRUNCATE audit_auditlog",
            "DROP TRIGGER audit_auditlog_append_only ON audit_auditlog",
            "ALTER TABLE audit_auditlog DISABLE TRIGGER USER",
            "DROP TABLE audit_auditlog",
            "CREATE TABLE finsam_app_made (id int)",
        ):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
                c.execute(sql)
    finally:
        with connection.cursor() as c:
            c.execute("RESET ROLE")
    from finsam.audit.chain import verify

    assert verify().ok
