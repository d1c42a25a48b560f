"""``finsam indicators-export --format json|csv [--output FILE]`` – every questionnaire version."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from finsam.domain.indicators import transfer
from finsam.indicators import selectors


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # batch work: the server's checks cost ~1 s
    help = (
        "Exporterar indikatorer och alla enkätversioner som JSON eller CSV. / Exports the "
        "questionnaire definitions."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", default="json", choices=["json", "csv"])
        parser.add_argument("--output", help="Skriv till filen i stället för standard ut.")

    def handle(self, *args, format, output, **options):
        definitions = selectors.definition_set()
        text = transfer.to_json(definitions) if format == "json" else transfer.to_csv(definitions)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(f"Skrev {output}.")
        else:
            self.stdout.write(text, ending="")
