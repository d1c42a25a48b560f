"""``finsam demo-data`` – a realistic synthetic national data set in the interchange formats."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from finsam.interchange.synthetic import LOAD_ORDER, generate


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # batch work: the server's checks cost ~1 s
    help = (
        "Skapar ett realistiskt syntetiskt nationellt dataset (förbund, kommuner, medlemmar, "
        "insatser, inskrivningar, volym, uppföljningar) i filformaten i interchange.md; med --load "
        "importeras det genom importen. / Creates a realistic synthetic national data set in the "
        "interchange.md file formats; with --load it is imported through the importer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--associations",
            type=int,
            default=80,
            help="Antal förbund (högst 120) / number of associations",
        )
        parser.add_argument(
            "--episodes", type=int, default=100_000, help="Antal inskrivningar / number of episodes"
        )
        parser.add_argument("--seed", type=int, default=2026, help="Slumpfrö / random seed")
        parser.add_argument(
            "--output",
            metavar="DIR",
            default="var/demo-data",
            help="Katalog för filerna / directory for the files",
        )
        parser.add_argument(
            "--load", action="store_true", help="Importera filerna / import the files"
        )

    def handle(self, *args, associations, episodes, seed, output, load, **options):
        if associations < 1 or episodes < 0:
            raise CommandError(
                "Antalet förbund måste vara minst 1 och antalet inskrivningar 0 eller fler."
            )
        out = Path(output)
        started = time.monotonic()
        counts = generate(out, associations=associations, episodes=episodes, seed=seed)
        self.stdout.write(
            f"Skapade filer i {out} på {time.monotonic() - started:.1f} s: "
            + ", ".join(f"{k} {v}" for k, v in counts.items())
        )
        if load:
            for kind in LOAD_ORDER:
                call_command(
                    "import",
                    kind,
                    str(out / (kind.replace("-", "_") + ".csv")),
                    stdout=self.stdout,
                    stderr=self.stderr,
                )
