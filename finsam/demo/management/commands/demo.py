"""``finsam demo`` – load the small demo data set and print the demo users' passwords."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from finsam.demo.registry import DEMO_USERS, demo_summary, load_demo


class Command(BaseCommand):
    help = (
        "Läser in ett litet demodataset (4 förbund, ~2 000 inskrivningar, en användare per "
        "roll) och skriver ut lösenorden. / Loads a small demo data set."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--episodes", type=int, default=2000, help="Antal inskrivningar (standard 2000)."
        )
        parser.add_argument("--seed", type=int, default=2026, help="Slumpfrö (standard 2026).")
        parser.add_argument(
            "--if-empty", action="store_true", help="Gör ingenting om demodata redan finns."
        )

    def handle(self, *args, episodes, seed, if_empty, **options):
        from finsam.registry.models import Association

        if Association.objects.filter(code="SUNDBYBERG").exists():
            if if_empty:
                self.stdout.write(
                    "Demodata finns redan – hoppar över inläsningen. "
                    "Lösenorden skrevs ut första gången (se var/demo-anvandare.txt)."
                )
                return
            raise CommandError("Demodata finns redan i databasen.")
        started = time.monotonic()

        def progress(done, total):
            rate = done / max(time.monotonic() - started, 1e-6)
            bar = "#" * int(30 * done / total)
            sys.stderr.write(f"\r  inskrivningar [{bar:<30}] {done}/{total} ({rate:.0f}/s)")
            sys.stderr.flush()

        passwords = load_demo(episodes=episodes, seed=seed, progress=progress)
        sys.stderr.write("\n")
        summary = demo_summary()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demodata inläst på {time.monotonic() - started:.1f} s: "
                + ", ".join(f"{v} {k}" for k, v in summary.items())
            )
        )
        lines = ["Demoanvändare (användarnamn / lösenord / roll):"]
        for username, _first, _last, role in DEMO_USERS:
            lines.append(f"  {username:<16} {passwords[username]:<14} {role.value}")
        text = "\n".join(lines)
        self.stdout.write(text)
        from django.conf import settings

        path = settings.DATA_DIR / "demo-anvandare.txt"
        path.write_text(text + "\n", encoding="utf-8")
        path.chmod(0o600)
        self.stdout.write(f"Lösenorden är också sparade i {path}")
