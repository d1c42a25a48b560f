"""``finsam participant-erase``: erase a person's identity (GDPR art. 17)."""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from finsam.domain.problems import DomainValidationError
from finsam.registry import rights
from finsam.registry.management.commands._rights import add_common, resolve


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # batch work: the server's checks cost ~1 s
    help = (
        "Raderar en persons identitetsuppgifter (artikel 17): personnummer, namn och samtycken. "
        "Inskrivningarna finns kvar som anonyma utfallsuppgifter. Skäl krävs; loggas."
    )

    def add_arguments(self, parser):
        add_common(parser)
        parser.add_argument("--reason", required=True, help="Skäl (loggas).")

    def handle(self, *args, user, personnummer, reason, **options):
        actor, participant = resolve(user, personnummer)
        try:
            rights.erase(actor=actor, participant=participant, reason=reason)
        except (PermissionDenied, DomainValidationError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Identitetsuppgifterna för deltagare nr {participant.pk} är raderade.")
