"""``finsam participant-extract``: the right-of-access extract (GDPR art. 15) as JSON or PDF."""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from finsam.domain.problems import DomainValidationError
from finsam.registry import rights
from finsam.registry.management.commands._rights import add_common, resolve


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # batch work: the server's checks cost ~1 s
    help = (
        "Registerutdrag (rätt till tillgång, artikel 15) för en person: alla uppgifter, "
        "samtycken och vem som läst identiteten. JSON eller PDF (efter filändelsen). Loggas."
    )

    def add_arguments(self, parser):
        add_common(parser)
        parser.add_argument("--output", required=True, help="Fil att skriva (.json eller .pdf).")
        parser.add_argument("--reason", default="", help="Kommentar till loggen (frivillig).")

    def handle(self, *args, user, personnummer, output, reason, **options):
        actor, participant = resolve(user, personnummer)
        path = Path(output)
        if path.suffix.lower() not in (".json", ".pdf"):
            raise CommandError("Filen måste sluta på .json eller .pdf.")
        try:
            data = rights.access_extract(
                actor=actor,
                participant=participant,
                reason=(
                    "Den registrerades begäran (registerutdrag, rättelse, radering) – "
                    + (reason.strip() or "registerutdrag via kommando")
                ),
            )
        except (PermissionDenied, DomainValidationError) as exc:
            raise CommandError(str(exc)) from None
        content = (
            rights.extract_pdf(data) if path.suffix.lower() == ".pdf" else rights.extract_json(data)
        )
        path.write_bytes(content)
        self.stdout.write(
            f"Registerutdrag skrivet till {path} ({len(data['inskrivningar'])} inskrivningar)."
        )
