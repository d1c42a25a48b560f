"""``finsam participant-rectify``: correct a person's identity number or name (GDPR art. 16)."""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from finsam.domain.problems import DomainValidationError
from finsam.registry import rights
from finsam.registry.management.commands._rights import add_common, resolve


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # batch work: the server's checks cost ~1 s
    help = "Rättar en persons personnummer och/eller namn (artikel 16). Skäl krävs; loggas."

    def add_arguments(self, parser):
        add_common(parser)
        parser.add_argument("--new-personnummer", default="", help="Rätt personnummer.")
        parser.add_argument("--name", default=None, help="Rätt namn (tom sträng tar bort namnet).")
        parser.add_argument("--reason", required=True, help="Skäl (loggas).")

    def handle(self, *args, user, personnummer, new_personnummer, name, reason, **options):
        actor, participant = resolve(user, personnummer)
        try:
            rights.rectify_identity(
                actor=actor,
                participant=participant,
                reason=reason,
                personal_number=new_personnummer,
                name=name,
            )
        except (PermissionDenied, DomainValidationError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write("Identitetsuppgifterna är rättade.")
