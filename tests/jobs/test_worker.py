"""A job queued by one process is run by the real worker command in another (file-based SQLite),
and stays in the queue when no worker runs (it is in the database)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys


def finsam(args, env, timeout=600):
    return subprocess.run(
        [sys.executable, "-m", "finsam", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_a_job_queued_by_one_process_completes_in_another(tmp_path):
    db = tmp_path / "queue.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "finsam.settings.local",
        "FINSAM_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": f"sqlite:///{db}",
    }
    migrate = finsam(["migrate", "--verbosity", "0"], env)
    assert migrate.returncode == 0, migrate.stderr
    queued = finsam(["job-check", "--wait", "0"], env)
    assert queued.returncode == 0, queued.stderr
    job_id = queued.stdout.strip()
    with sqlite3.connect(db) as conn:
        ((status,),) = conn.execute(
            "SELECT status FROM jobs_job WHERE id = ?", [job_id.replace("-", "")]
        )
    assert status == "queued"  # the queueing process has exited; the job waits in the database
    worker = finsam(["db_worker", "--batch", "--no-startup-delay", "--no-reload"], env)
    assert worker.returncode == 0, worker.stderr
    with sqlite3.connect(db) as conn:
        ((status, result),) = conn.execute(
            "SELECT status, result FROM jobs_job WHERE id = ?", [job_id.replace("-", "")]
        )
    assert status == "done"
    assert "Bakgrundsarbetaren fungerar" in result
    assert f'"pid": {os.getpid()}' not in result


def test_a_report_extract_job_queued_by_the_web_process_is_run_by_the_worker(tmp_path):
    """One of the new kinds end to end: queued by one process (the web), run by the real worker
    after that process has gone, its result on the job row."""
    db = tmp_path / "queue.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "finsam.settings.local",
        "FINSAM_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": f"sqlite:///{db}",
    }
    assert finsam(["migrate", "--verbosity", "0"], env).returncode == 0
    queued = finsam(
        [
            "shell",
            "-c",
            "from finsam.reports.jobs import queue_extract; print(queue_extract(actor=None).pk)",
        ],
        env,
    )
    assert queued.returncode == 0, queued.stderr
    job_id = queued.stdout.strip().splitlines()[-1].replace("-", "")
    worker = finsam(["db_worker", "--batch", "--no-startup-delay", "--no-reload"], env)
    assert worker.returncode == 0, worker.stderr
    with sqlite3.connect(db) as conn:
        ((kind, status, result),) = conn.execute(
            "SELECT kind, status, result FROM jobs_job WHERE id = ?", [job_id]
        )
    assert kind == "report_extract" and status == "done"
    assert "Kolumnkopian" in result
    assert list((tmp_path / "data" / "report-extract").rglob("episodes-*.extract"))  # on disk
