"""``finsam retention`` – erase identities whose retention period has passed."""

from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import Max, Q
from django.utils import timezone

from finsam.registry.models import Participant
from finsam.registry.services import participant_erase


def participants_past_retention(*, years: int, today: date):
    """Identified participants with no open episode whose last exit is more than ``years`` ago."""
    cutoff = today.replace(year=today.year - years)
    return (
        Participant.objects.filter(identity_level=Participant.Level.IDENTIFIED)
        .exclude(episodes__end_date__isnull=True, episodes__exit_reason="")
        .annotate(last_exit=Max("episodes__end_date"))
        .filter(Q(last_exit__lt=cutoff))
    )


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # batch work: the server's checks cost ~1 s
    help = (
        "Raderar identitet (pseudonym, krypterat personnummer, namn) för deltagare vars "
        "lagringstid har gått ut; utfallet finns kvar anonymt. / Erases identities past "
        "their retention period."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--years",
            type=int,
            default=settings.FINSAM_RETENTION_YEARS,
            help="Lagringstid i år efter sista avslut.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Visa bara antalet.")

    def handle(self, *args, years, dry_run, **options):
        due = list(participants_past_retention(years=years, today=timezone.localdate()))
        if dry_run:
            self.stdout.write(f"{len(due)} deltagare har passerat lagringstiden ({years} år).")
            return
        for participant in due:
            participant_erase(
                actor=None, participant=participant, reason=f"lagringstiden {years} år har gått ut"
            )
        self.stdout.write(f"Identiteten raderad för {len(due)} deltagare.")
