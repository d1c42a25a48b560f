"""``finsam api-token --user USERNAME [--name NAME] [--association CODE] [--action ACTION …]``:
print a new API token (the secret is shown only here; only its hash is stored)."""

from django.core.management.base import BaseCommand, CommandError

from finsam.accounts.models import User
from finsam.api.services import token_create
from finsam.domain.problems import DomainValidationError
from finsam.registry.models import Association


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # batch work: the server's checks cost ~1 s
    help = "Skapar en API-nyckel för en användare och skriver ut den (visas bara en gång)."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="användarnamn")
        parser.add_argument("--name", default="", help="nyckelns namn (system)")
        parser.add_argument("--association", default="", help="förbundskod (begränsar nyckeln)")
        parser.add_argument(
            "--action", action="append", default=[], help="tillåten åtgärd (kan upprepas)"
        )

    def handle(self, *args, user, name, association, action, **options):
        account = User.objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"Användaren {user!r} finns inte.")
        assoc = None
        if association:
            assoc = Association.objects.filter(code=association).first()
            if assoc is None:
                raise CommandError(f"Förbundet {association!r} finns inte.")
        try:
            _, secret = token_create(
                actor=None,
                user=account,
                name=name or f"{user} (kommandorad)",
                association=assoc,
                actions=action,
            )
        except DomainValidationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(secret)
