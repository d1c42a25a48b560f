"""``finsam export KIND --output FILE`` – export a registry file in the interchange format."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from finsam.interchange.exporters import ExportDenied, export_file
from finsam.interchange.formats import KINDS as REGISTRY_KINDS
from finsam.interchange.management.commands._common import resolve_association, resolve_user

BUDGET_LINES = "budget-lines"
KINDS = (*REGISTRY_KINDS, BUDGET_LINES)


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # batch work: the server's checks cost ~1 s
    help = (
        "Exporterar registeruppgifter i filformaten i interchange.md (CSV, eller xlsx om filnamnet "
        "slutar på .xlsx). Inskrivningar exporteras med pseudonym; personnummer bara med "
        "--with-identity och behörighet att se identitetsuppgifter. / Exports registry data in the "
        "interchange.md formats (CSV, or xlsx when the file name ends in .xlsx). Episodes carry "
        "the pseudonym; identity numbers only with --with-identity and the right to see them."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS, help="Filtyp / file kind: " + ", ".join(KINDS))
        parser.add_argument(
            "--association", metavar="CODE", help="Bara detta förbund / only this association"
        )
        parser.add_argument(
            "--output",
            metavar="FILE",
            required=True,
            help="Fil att skriva / file to write (.csv or .xlsx)",
        )
        parser.add_argument(
            "--with-identity",
            action="store_true",
            help="Ta med personnummer (kräver behörighet) / include identity "
            "numbers (needs the permission)",
        )
        parser.add_argument(
            "--reason",
            default="",
            help="Skäl till export med personnummer (krävs med --with-identity, loggas) / "
            "reason for an export with identity (required with --with-identity, audited)",
        )
        parser.add_argument(
            "--user", metavar="USERNAME", help="Exportera som denna användare / export as this user"
        )

    def handle(self, *args, kind, association, output, with_identity, user, reason="", **options):
        if kind == BUDGET_LINES:
            args = ["budget-lines", "export", "--output", output]
            args += ["--association", association] if association else []
            call_command(*args, stdout=self.stdout, stderr=self.stderr)
            return
        actor = resolve_user(user)
        scope = resolve_association(association)
        try:
            result = export_file(
                kind,
                output,
                user=actor,
                association=scope,
                with_identity=with_identity,
                reason=reason,
            )
        except ExportDenied as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"Filen ”{output}” kan inte skrivas ({exc.strerror}).") from None
        self.stdout.write(
            f"{result.rows} rader skrivna till {output}"
            + (" (med personnummer)." if result.with_identity else ".")
        )
