"""``finsam indicators-import FILE`` – definitions from JSON or CSV, all-or-nothing."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from finsam.domain.indicators import transfer
from finsam.domain.problems import DomainValidationError
from finsam.indicators import services
from finsam.web.commands import fail, input_file


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # batch work: the server's checks cost ~1 s
    help = (
        "Importerar indikatorer och enkätversioner från en JSON- eller CSV-fil. Finns ett fel "
        "sparas ingenting. / Imports questionnaire definitions (all-or-nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSON (finsam-indicators) eller CSV. / JSON or CSV file.")

    def handle(self, *args, file, **options):
        path = input_file(file, "FILE")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise fail("FILE: filen måste vara i UTF-8.") from None
        try:
            counts = services.definitions_import(
                actor=None, definitions=transfer.parse(text, filename=path.name)
            )
        except DomainValidationError as exc:
            raise fail(exc) from None
        self.stdout.write("Importen är klar: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
