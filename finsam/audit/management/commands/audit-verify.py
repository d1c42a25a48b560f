"""``finsam audit-verify``: recompute the audit hash chain; exit non-zero at the first bad row."""

from django.core.management.base import BaseCommand, CommandError

from finsam.audit.chain import verify


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # batch work: the server's checks cost ~1 s
    help = (
        "Kontrollerar granskningsloggens hashkedja (löpnummer utan luckor, varje rads hash, "
        "kedjehuvudet och databasens skyddstriggrar). Avslutar med felkod vid första avvikelsen."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--database", default="default", help="Databasalias (standard: default)."
        )

    def handle(self, *args, database="default", **options):
        result = verify(database)
        if not result.ok:
            raise CommandError(
                f"Granskningsloggen är inte intakt: {result.problem}. "
                f"{result.rows} rader lästa; kedjan intakt till och med nummer {result.last_seq}."
            )
        self.stdout.write(
            f"Granskningsloggen är intakt: {result.rows} rader, sista nummer {result.last_seq}, "
            f"sista hash {result.last_hash}."
        )
