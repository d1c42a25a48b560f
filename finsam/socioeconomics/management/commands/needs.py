"""``finsam needs`` – target-group estimate and coverage per area (``interchange.md``)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from finsam.domain.problems import DomainValidationError
from finsam.domain.socioeconomics import needs as core
from finsam.socioeconomics import selectors
from finsam.web import commands as cli


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # batch work: the server's checks cost ~1 s
    help = (
        "Uppskattar målgruppen för samordnad rehabilitering per kommun, förbund, län och riket "
        "(registerantal × andel i behov) och täckningsgraden ett år. / Target-group estimate "
        "and coverage."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            help="Registerantal: municipality_code, group, count (CSV eller xlsx). / "
            "Register counts (needs_input.csv).",
        )
        parser.add_argument(
            "--shares",
            help="Andelar i behov: group, share (0–1); grupper som saknas behåller "
            "standardandelen. / Shares file.",
        )
        parser.add_argument(
            "--participants-year",
            help="År vars deltagare i registret ger täckningsgraden. / Year of the registry's "
            "participants (adds participants and coverage).",
        )
        parser.add_argument(
            "--format", default="csv", choices=["csv"], help="Utdataformat (csv). / Output format."
        )
        parser.add_argument(
            "--output", help="Skriv till filen i stället för standard ut. / Write to FILE."
        )

    def handle(self, *args, **o):
        from django.utils import timezone

        year = None
        if o.get("participants_year"):
            year = cli.integer(o["participants_year"], "--participants-year")
            if not 2004 <= year <= 2100:
                raise cli.fail(f"--participants-year måste vara ett år 2004–2100 (fick {year}).")
        path = cli.input_file(o["file"], "FILE")
        try:
            counts = core.read_needs_input(
                path, known_municipalities=selectors.known_municipalities()
            )
            shares = (
                core.read_shares(cli.input_file(o["shares"], "--shares"))
                if o.get("shares")
                else None
            )
            rows = selectors.needs_rows(
                counts,
                shares,
                year=year or timezone.localdate().year,
                with_participants=year is not None,
            )
        except DomainValidationError as exc:
            raise cli.fail(exc) from None
        out = core.needs_csv_rows(rows)
        columns = core.NEEDS_COLUMNS + (core.COVERAGE_COLUMNS if year else ())
        cli.write_output(self, cli.render_csv(out, columns), o.get("output"))
