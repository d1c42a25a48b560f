"""``finsam indicators-load-starter`` – load Finsam's starter set of indicator questionnaires."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from finsam.domain.problems import DomainValidationError
from finsam.indicators import services
from finsam.web.commands import fail


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # batch work: the server's checks cost ~1 s
    help = (
        "Läser in Finsams startuppsättning av kärnindikatorer och enkäter (en per svarandegrupp). "
        "Startuppsättningen ska ersättas av NNS officiella formuleringar. Kan köras flera gånger. "
        "/ Loads the starter set of core indicator questionnaires (idempotent)."
    )

    def handle(self, *args, **options):
        try:
            counts = services.starter_load(actor=None)
        except DomainValidationError as exc:
            raise fail(exc) from None
        self.stdout.write(
            "Startuppsättningen är inläst: " + ", ".join(f"{v} {k}" for k, v in counts.items())
        )
        self.stdout.write(
            "Obs: detta är en startuppsättning, inte NNS officiella formuleringar – ersätt den med "
            "`finsam indicators-import`."
        )
