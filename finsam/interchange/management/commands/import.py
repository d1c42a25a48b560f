"""``finsam import KIND FILE`` – import a registry file (all-or-nothing, idempotent)."""

from __future__ import annotations

import signal
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from finsam.access.permissions import can
from finsam.domain.access import Action
from finsam.interchange.formats import KINDS as REGISTRY_KINDS
from finsam.interchange.importers import import_file
from finsam.interchange.management.commands._common import resolve_association, resolve_user
from finsam.interchange.report import report_lines, write_report

PROGRESS_MIN_BYTES = 1 << 20
BUDGET_LINES = "budget-lines"
KINDS = (*REGISTRY_KINDS, BUDGET_LINES)


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # batch work: the server's checks cost ~1 s
    help = (
        "Importerar en registerfil (CSV eller xlsx) enligt interchange.md. Allt eller inget: en "
        "ogiltig rad gör att ingenting sparas och alla fel rapporteras. Att importera samma fil "
        "igen ändrar ingenting. / Imports a registry file (CSV or xlsx) as described in "
        "interchange.md. All or nothing: one invalid row means nothing is saved and every problem "
        "is reported. Importing the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS, help="Filtyp / file kind: " + ", ".join(KINDS))
        parser.add_argument("file", help="CSV- eller xlsx-fil / CSV or xlsx file")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Kontrollera utan att spara / validate without writing",
        )
        parser.add_argument(
            "--association",
            metavar="CODE",
            help="Alla rader måste höra till detta förbund / every row must "
            "belong to this association",
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="Importera som denna användare (behörigheten kontrolleras) / "
            "import as this user (permissions are checked)",
        )
        parser.add_argument(
            "--errors",
            metavar="FILE",
            help="Skriv felrapporten som CSV / write the error report as CSV",
        )

    def handle(self, *args, kind, file, dry_run, association, user, errors, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Filen ”{file}” finns inte.")
        if kind == BUDGET_LINES:
            # Budget lines belong to the finance module, which owns their rules and import.
            args = ["budget-lines", "import", file]
            args += ["--dry-run"] if dry_run else []
            args += ["--user", user] if user else []
            args += ["--errors", errors] if errors else []
            call_command(*args, stdout=self.stdout, stderr=self.stderr)
            return
        actor = resolve_user(user)
        scope = resolve_association(association)
        if actor is not None and not (
            can(actor, Action.IMPORT_DATA, association=scope)
            or can(actor, Action.EDIT_EPISODES, association=scope)
            or can(actor, Action.EDIT_VOLUME, association=scope)
            or can(actor, Action.ADMIN_SITE)
        ):
            raise CommandError(f"Användaren ”{actor.username}” har inte behörighet att importera.")
        progress = self._progress if path.stat().st_size >= PROGRESS_MIN_BYTES else None
        self._started = time.monotonic()
        with _interruptible():
            result = import_file(
                kind, path, actor=actor, association=scope, dry_run=dry_run, progress=progress
            )
        if progress:
            self.stderr.write("")
        if errors:
            write_report(result, errors)
        for line in report_lines(result):
            self.stderr.write(line)
        if not result.ok:
            raise CommandError(result.summary())
        self.stdout.write(result.summary())

    def _progress(self, rows: int, fraction: float | None) -> None:
        elapsed = max(time.monotonic() - self._started, 1e-6)
        bar = ""
        if fraction is not None:
            filled = int(30 * min(fraction, 1.0))
            bar = f"[{'#' * filled}{'.' * (30 - filled)}] {100 * min(fraction, 1.0):3.0f} % "
        self.stderr.write(
            f"\r{bar}{rows:,} rader  {rows / elapsed:,.0f} rader/s".replace(",", " "), ending=""
        )
        sys.stderr.flush()


class ImportInterrupted(CommandError):
    pass


@contextmanager
def _interruptible():
    """SIGTERM (and SIGHUP) end the import like Ctrl-C does: the exception unwinds the import,
    which stops its worker processes and rolls the transaction back; the command exits non-zero
    with a one-line Swedish reason."""

    def interrupted(signum, frame):
        raise ImportInterrupted(
            f"Importen avbröts (signal {signal.Signals(signum).name}); ingenting sparades."
        )

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, interrupted) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    except KeyboardInterrupt:
        raise ImportInterrupted("Importen avbröts (Ctrl-C); ingenting sparades.") from None
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
