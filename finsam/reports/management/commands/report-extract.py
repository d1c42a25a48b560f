"""``finsam report-extract`` – build the reports' columnar copy of the episodes now (after a
large import, or nightly), so the next national report does not have to
(``finsam/reports/extract.py``)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from finsam.reports import extract


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # batch work: the server's checks cost ~1 s
    help = (
        "Bygger rapporternas kolumnkopia av deltagarepisoderna nu, så att nästa rapport för "
        "alla förbund inte behöver läsa hela registret. / Builds the reports' columnar copy of "
        "the episodes now."
    )

    def handle(self, *args, **options):
        def progress(message: str) -> None:
            sys.stderr.write(message + "\n")
            sys.stderr.flush()

        if extract.current() is not None:
            progress("Kolumnkopian är redan aktuell.")
            return
        built = extract.build(progress=progress)
        where = extract.saved_path(built)
        self.stdout.write(
            f"Klart: {len(built)} deltagarepisoder på {built.built_seconds:.1f} s"
            + (
                f", sparad i {where}."
                if where
                else " (bara i minnet: FINSAM_REPORT_EXTRACT_DIR saknas)."
            )
        )
