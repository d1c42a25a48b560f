"""Tamper evidence: the database refuses changes to the audit, and ``audit-verify`` finds any
change made behind the triggers' back (here with the triggers lifted, as a superuser could)."""

from __future__ import annotations

import itertools
import threading
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from finsam.audit import schema
from finsam.audit.chain import GENESIS, verify
from finsam.audit.models import AuditChainHead, AuditLog
from finsam.audit.services import audit_record


def _rows(n=4):
    return [
        audit_record(
            actor=None,
            log_type="change",
            action="test_action",
            object_type="test.Thing",
            object_id=i,
            association_id=7,
            summary=f"rad {i} – åäö",
            changes={"amount": [1.0, 2.5], "nested": {"b": [1, None, "x"]}},
        )
        for i in range(n)
    ]


@contextmanager
def triggers_lifted():
    """What a superuser (or the table owner) could do: run SQL with the protection off."""
    schema.drop_triggers(connection)
    try:
        yield
    finally:
        schema.create_triggers(connection)


def _verify_fails(match: str):
    with pytest.raises(CommandError, match=match):
        call_command("audit-verify")


@pytest.mark.django_db
def test_chain_links_rows_and_verifies(capsys):
    rows = _rows()
    assert [r.seq for r in rows] == list(range(rows[0].seq, rows[0].seq + 4))
    first = AuditLog.objects.order_by("seq").first()
    assert first.seq == 1 and first.prev_hash == GENESIS
    for a, b in itertools.pairwise(rows):
        assert b.prev_hash == a.row_hash and len(b.row_hash) == 64
    head = AuditChainHead.objects.get(pk=1)
    assert (head.seq, head.last_hash) == (rows[-1].seq, rows[-1].row_hash)
    call_command("audit-verify")
    assert "Granskningsloggen är intakt" in capsys.readouterr().out


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditlog SET summary = 'ändrad'",
        "DELETE FROM audit_auditlog",
    ],
)
def test_database_refuses_update_and_delete(sql):
    _rows(2)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
        c.execute(sql)
    assert AuditLog.objects.filter(summary="ändrad").count() == 0
    assert AuditLog.objects.count() >= 2


@pytest.mark.django_db
def test_database_refuses_truncate():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (DELETE is refused above)")
    _rows(1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
        c.execute("TRUNCATE audit_auditlog")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
        c.execute("TRUNCATE audit_auditlog, audit_auditchainhead CASCADE")
    assert AuditLog.objects.count() >= 1


@pytest.mark.django_db
def test_orm_refuses_changes():
    row = _rows(1)[0]
    row.summary = "x"
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        AuditLog.objects.all().delete()


@pytest.mark.django_db
def test_edited_row_is_named():
    rows = _rows()
    target = rows[2]
    with triggers_lifted(), connection.cursor() as c:
        c.execute(
            "UPDATE audit_auditlog SET summary = 'efterhandskonstruktion' WHERE id = %s",
            [target.pk],
        )
    result = verify()
    assert not result.ok and result.problem_row_id == target.pk
    _verify_fails(f"rad id {target.pk} \\(nummer {target.seq}\\) stämmer inte")


@pytest.mark.django_db
def test_rehashed_row_breaks_the_next_link():
    """Someone who recomputes one row's hash still breaks the link from the next row."""
    rows = _rows()
    target = rows[1]
    with triggers_lifted(), connection.cursor() as c:
        c.execute(
            "UPDATE audit_auditlog SET reason = 'x', row_hash = %s WHERE id = %s",
            ["f" * 64, target.pk],
        )
    assert verify().problem_row_id in {target.pk, rows[2].pk}
    with pytest.raises(CommandError):
        call_command("audit-verify")


@pytest.mark.django_db
def test_deleted_row_is_a_gap():
    rows = _rows()
    with triggers_lifted(), connection.cursor() as c:
        c.execute("DELETE FROM audit_auditlog WHERE id = %s", [rows[1].pk])
    _verify_fails(f"nummer {rows[1].seq} saknas")


@pytest.mark.django_db
def test_rows_removed_at_the_end_are_caught_by_the_head():
    rows = _rows()
    with triggers_lifted(), connection.cursor() as c:
        c.execute("DELETE FROM audit_auditlog WHERE seq >= %s", [rows[2].seq])
    _verify_fails("kedjehuvudet anger rad nummer")


@pytest.mark.django_db
def test_emptied_log_is_caught():
    _rows()
    with triggers_lifted(), connection.cursor() as c:
        c.execute("DELETE FROM audit_auditlog")
    _verify_fails("kedjehuvudet")


@pytest.mark.django_db
def test_missing_triggers_are_reported():
    _rows(1)
    schema.drop_triggers(connection)
    try:
        _verify_fails("triggrar")
    finally:
        schema.create_triggers(connection)
    call_command("audit-verify")


@pytest.mark.django_db
def test_disabled_trigger_is_reported_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    _rows(1)
    with connection.cursor() as c:
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")
        c.execute("ALTER TABLE audit_auditlog DISABLE TRIGGER USER")
    _verify_fails("triggrar")


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_make_one_chain():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself")
    errors = []

    def work(k):
        from django.db import connection as conn

        try:
            for i in range(5):
                with transaction.atomic():
                    audit_record(actor=None, log_type="change", action="t", summary=f"{k}-{i}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    result = verify()
    assert result.ok, result.problem
    assert result.rows == AuditLog.objects.count() >= 30


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditchainhead SET seq = seq - 1",
        "UPDATE audit_auditchainhead SET seq = 0, last_hash = '0'",
        "DELETE FROM audit_auditchainhead",
    ],
)
def test_chain_head_only_moves_forward(sql):
    _rows(2)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
        c.execute(sql)


@pytest.mark.django_db
def test_log_and_head_both_emptied_is_caught():
    """Wiping the log and its head together (with the protection lifted) leaves no chain to
    check, but the missing head is reported and nothing more is written."""
    _rows(2)
    with triggers_lifted(), connection.cursor() as c:
        c.execute("DELETE FROM audit_auditchainhead")
        c.execute("DELETE FROM audit_auditlog")
    _verify_fails("kedjehuvudet saknas")
    _rows(1)  # an empty log starts a new chain …
    with triggers_lifted(), connection.cursor() as c:
        c.execute("DELETE FROM audit_auditchainhead")
    with pytest.raises(RuntimeError, match="kedjehuvud saknas"):
        _rows(1)  # … but rows without a head are not written past
