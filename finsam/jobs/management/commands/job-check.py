"""``finsam job-check``: queue a test job and (optionally) wait for a worker to run it."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from finsam.jobs.models import Job
from finsam.jobs.services import job_enqueue


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # batch work: the server's checks cost ~1 s
    help = (
        "Lägger ett testjobb i kön och väntar på att en bakgrundsarbetare (finsam db_worker) kör "
        "det. / Queue a test job and wait for a worker to run it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--wait",
            type=float,
            default=30.0,
            help="Sekunder att vänta (0 = vänta inte, skriv bara jobbets id). / Seconds to wait.",
        )

    def handle(self, *args, **opts):
        job = job_enqueue(
            actor=None,
            kind="selftest",
            title="Test av bakgrundsarbetaren",
            handler="finsam.jobs.handlers.selftest",
        )
        if opts["wait"] <= 0:
            self.stdout.write(str(job.pk))
            return
        deadline = time.monotonic() + opts["wait"]
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.finished:
                break
            time.sleep(0.5)
        if job.status != Job.Status.DONE:
            raise CommandError(
                f"Testjobbet {job.pk} är inte klart efter {opts['wait']:g} sekunder (status: "
                f"{job.get_status_display()}). Kör bakgrundsarbetaren: finsam db_worker."
            )
        self.stdout.write(job.result.get("summary", "Klart"))
