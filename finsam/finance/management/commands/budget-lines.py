"""``finsam budget-lines import FILE [--dry-run] [--user U]`` and
``finsam budget-lines export --output FILE [--association CODE] [--year Y]``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from finsam.access.permissions import can
from finsam.accounts.models import User
from finsam.domain.access import Action
from finsam.finance import interchange
from finsam.registry.models import Association


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # batch work: the server's checks cost ~1 s
    help = (
        "Läser in eller skriver ut budgetrader (budget_lines.csv): inläsningen är allt-eller-"
        "inget och kan köras om. / Imports or exports budget lines (budget_lines.csv): the import "
        "is all-or-nothing and idempotent."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser(
            "import",
            help="Läs in en fil med budgetrader. / Import a budget_lines file.",
        )
        imp.add_argument("file", help="CSV- eller xlsx-fil. / CSV or xlsx file.")
        imp.add_argument(
            "--dry-run",
            action="store_true",
            help="Kontrollera utan att spara. / Validate without writing.",
        )
        imp.add_argument(
            "--user",
            help="Användare som ändringen loggas på; måste få ändra förbunden. / The user the "
            "change is audited as; must be allowed to edit the associations.",
        )
        imp.add_argument(
            "--errors",
            help="Skriv felrapporten (CSV) till denna fil. / Write the error report (CSV) here.",
        )
        exp = sub.add_parser("export", help="Skriv ut budgetrader. / Export budget lines.")
        exp.add_argument(
            "--output", help="Utfil (annars standard ut). / Output file (else stdout)."
        )
        exp.add_argument("--association", help="Förbundets kod. / The association's code.")
        exp.add_argument("--year", type=int, help="Bara detta år. / Only this year.")

    def handle(self, *args, action, **options):
        if action == "import":
            return self._import(**options)
        return self._export(**options)

    def _import(self, *, file, dry_run, user, errors, **_):
        actor = None
        allowed = None
        if user:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"Användaren {user} finns inte.")

            def allowed(association):
                return can(actor, Action.EDIT_ASSOCIATION, association=association)

        summary = interchange.import_budget_lines(
            file, actor=actor, dry_run=dry_run, allowed=allowed
        )
        if summary.problems:
            rows = interchange.error_report_rows(summary.problems)
            if errors:
                from finsam.web.outputs import csv_bytes

                Path(errors).write_bytes(csv_bytes(interchange.ERROR_REPORT_COLUMNS, rows))
            for row in rows:
                self.stderr.write(
                    f"rad {row[0] or '–'}, kolumn {row[1] or '–'}, värde {row[2]!s}: "
                    f"{row[4]} [{row[3]}]"
                )
            raise CommandError(f"Filen har {len(summary.problems)} fel; inget har lästs in.")
        self.stdout.write(
            f"Budgetrader: {summary.created} nya, {summary.updated} ändrade, "
            f"{summary.unchanged} oförändrade"
            + (" (provkörning – inget sparat)." if dry_run else ".")
        )

    def _export(self, *, output, association, year, **_):
        target = None
        if association:
            target = Association.objects.filter(code=association).first()
            if target is None:
                raise CommandError(f"Förbundet {association} finns inte.")
        rows = interchange.export_budget_lines(association=target, year=year)
        if not output:
            interchange.write_budget_lines_csv(rows, self.stdout)
            return
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"Katalogen {path.parent} finns inte.")
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                interchange.write_budget_lines_csv(rows, fh)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.stdout.write(f"{len(rows)} budgetrader skrivna till {path}.")
