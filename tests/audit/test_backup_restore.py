"""Backup and restore as docs/operations.md describes: pg_dump (custom format) and pg_restore
into a new database; row counts, ciphertext digests and the audit chain are the same after.
PostgreSQL only (needs the client tools pg_dump/pg_restore)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


def _env_args(settings: dict, name: str) -> tuple[list[str], dict]:
    args = ["-h", settings.get("HOST") or "127.0.0.1", "-p", str(settings.get("PORT") or 5432)]
    args += ["-U", settings.get("USER") or "postgres"]
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    return [*args, "-d", name], env


def _facts(c) -> dict:
    """Row counts of every table, a digest of the ciphertexts and of the audit chain."""
    c.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
    )
    tables = [r[0] for r in c.fetchall()]
    counts = {}
    for t in tables:
        c.execute(f'SELECT count(*) FROM "{t}"')  # noqa: S608 - names from the catalogue
        counts[t] = c.fetchone()[0]
    c.execute("SELECT id, identity_encrypted, name_encrypted FROM registry_participant ORDER BY id")
    cipher = hashlib.sha256(repr(c.fetchall()).encode()).hexdigest()
    c.execute("SELECT seq, row_hash FROM audit_auditlog ORDER BY seq")
    chain = hashlib.sha256(repr(c.fetchall()).encode()).hexdigest()
    return {"counts": counts, "cipher": cipher, "chain": chain}


def _url(settings: dict, name: str) -> str:
    user = settings.get("USER") or "postgres"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{settings.get('PORT') or 5432}/{name}"


def test_dump_and_restore_round_trip(world, enrol, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore not installed")
    from finsam.registry import services

    episode = enrol()
    services.participant_identity_reveal(
        actor=world["users"]["participant_handler"],
        participant=episode.participant,
        association_id=world["association"].pk,
        reason="Kontakt med deltagaren – test",
    )
    with connection.cursor() as c:
        before = _facts(c)
    assert before["counts"]["registry_participant"] == 1
    assert before["counts"]["audit_auditlog"] > 10

    settings = connection.settings_dict
    source = settings["NAME"]
    target = f"{source}_restore"[:63]
    dump = tmp_path / "finsam.dump"
    args, env = _env_args(settings, source)
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), *args], check=True, env=env)
    with connection.cursor() as c:
        c.execute(f'DROP DATABASE IF EXISTS "{target}"')
        c.execute(f'CREATE DATABASE "{target}"')
    try:
        args, env = _env_args(settings, target)
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", *args, str(dump)], check=True, env=env
        )
        import psycopg

        with psycopg.connect(_url(settings, target), autocommit=True) as restored:
            with restored.cursor() as c:
                after = _facts(c)
            assert after == before
            # the protection came along: the restored audit refuses changes too
            with restored.cursor() as c, pytest.raises(psycopg.Error):
                c.execute("TRUNCATE audit_auditlog")
        # the documented verification, as a separate process against the restored database
        env = {**os.environ, "DATABASE_URL": _url(settings, target)}
        env.setdefault("DJANGO_SETTINGS_MODULE", "finsam.settings.test")
        done = subprocess.run(
            [sys.executable, "-m", "finsam", "audit-verify"],
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        assert "Granskningsloggen är intakt" in done.stdout
    finally:
        with connection.cursor() as c:
            c.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
