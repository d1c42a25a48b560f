"""``finsam report NAME --from DATE --to DATE …`` – a standard report as csv, xlsx, pdf, html or
json (``spec/interchange.md``). Protected by default; the same runner and renderers as the web
pages."""

from __future__ import annotations

import os
import sys
import tempfile

from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string

from finsam.domain.problems import DomainValidationError
from finsam.domain.reports import REPORTS
from finsam.domain.reports.core import Period
from finsam.domain.reports.specs import BY_SLUG, find_spec
from finsam.reports import render as rr
from finsam.reports import runner

FORMATS = ("csv", "xlsx", "pdf", "html", "json")
LEVELS = ("association", "county", "country")


def _one_line(exc: DomainValidationError) -> str:
    return " ".join(p.message for p in exc.problems)


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # batch work: the server's checks cost ~1 s
    help = (
        "Tar fram en standardrapport (utfall, forsorjning-fore, forsorjning-efter, "
        "avslutningsanledningar, sysselsattning, deltagare, insatser, kostnader, uppfoljning) "
        "som csv, xlsx, pdf, html eller json; små tal skyddas om inget annat anges. / Produces a "
        "standard outcome report; small cells are protected by default."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "name",
            metavar="NAME",
            help=f"Rapportens namn eller kod: {', '.join(REPORTS)} (eller R1–R9). / Report name "
            "or code.",
        )
        parser.add_argument(
            "--from",
            dest="date_from",
            required=True,
            help="Periodens första dag (ÅÅÅÅ-MM-DD). / First day.",
        )
        parser.add_argument(
            "--to",
            dest="date_to",
            required=True,
            help="Periodens sista dag (ÅÅÅÅ-MM-DD). / Last day.",
        )
        parser.add_argument(
            "--level",
            default="association",
            help="Nivå: association, county eller country (standard association). / Level.",
        )
        parser.add_argument(
            "--association",
            action="extend",
            nargs="+",
            default=[],
            metavar="CODE",
            help="Förbundskod(er); utan = alla förbund användaren får se. / Association code(s).",
        )
        parser.add_argument(
            "--format",
            default="csv",
            help="Format: csv, xlsx, pdf, html eller json (standard csv). / Output format.",
        )
        parser.add_argument(
            "--threshold",
            default=None,
            help="Tröskel för skydd av små tal (standard FINSAM_PROTECTION_THRESHOLD). / "
            "Small-cell threshold.",
        )
        parser.add_argument(
            "--unprotected",
            action="store_true",
            help="Oskyddade tal – bara för en användare (--user) som får se deltagarna i varje "
            "förbund i rapporten. / Unprotected numbers (needs --user with the right).",
        )
        parser.add_argument(
            "--signed-only",
            action="store_true",
            help="Endast förbund som har undertecknat hela perioden. / Only associations that "
            "have signed off the whole period.",
        )
        parser.add_argument(
            "--output", default=None, help="Fil att skriva till (annars stdout). / Output file."
        )
        parser.add_argument(
            "--user",
            default=None,
            metavar="USERNAME",
            help="Användare vars behörighet gäller (utan: alla förbund, skyddade tal). / User "
            "whose permissions apply.",
        )

    def handle(self, *args, **opts):
        name = opts["name"]
        spec = find_spec(name)
        if spec is None:
            raise CommandError(f"Okänd rapport {name!r}: välj en av {', '.join(REPORTS)}.")
        name = spec.slug
        fmt = opts["format"]
        if fmt not in FORMATS:
            raise CommandError(f"--format: okänt format {fmt!r}, välj en av {', '.join(FORMATS)}.")
        level = opts["level"]
        if level not in LEVELS:
            raise CommandError(f"--level: okänd nivå {level!r}, välj en av {', '.join(LEVELS)}.")
        threshold = None
        if opts["threshold"] is not None:
            try:
                threshold = int(opts["threshold"])
            except ValueError:
                raise CommandError(
                    f"--threshold: ange ett heltal ≥ 1 (nu {opts['threshold']!r})."
                ) from None
        user = None
        if opts["user"]:
            from finsam.accounts.models import User

            user = User.objects.filter(username=opts["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"--user: det finns ingen aktiv användare {opts['user']!r}.")
        elif opts["unprotected"]:
            raise CommandError(
                "--unprotected kräver --user: oskyddade tal visas bara för användare som får se "
                "deltagarna i varje förbund i rapporten."
            )
        try:
            start = runner.parse_date(opts["date_from"], "from", "--from")
            end = runner.parse_date(opts["date_to"], "to", "--to")
            period = Period(start, end)
            levels = ("association",) if level == "association" else ("association", level)
            if level == "country" and not opts["association"]:
                levels = ("country",)
            if level == "county" and not opts["association"]:
                levels = ("county",)
            plan = runner.plan_report(
                user,
                name,
                period=period,
                levels=levels,
                association_codes=tuple(opts["association"]),
                threshold=threshold,
                unprotected=bool(opts["unprotected"]),
                signed_only=bool(opts["signed_only"]),
            )
            self.stderr.write(plan.signoff_note)
            run = runner.run_report(plan, with_quality=False, progress=runner.stderr_progress)
        except DomainValidationError as exc:
            raise CommandError(_one_line(exc)) from None
        content = self.render(run.result, fmt)
        self.write(content, opts["output"], binary=fmt in ("xlsx", "pdf"))

    def render(self, result, fmt: str) -> bytes:
        if fmt == "csv":
            return rr.csv_content(result)
        if fmt == "xlsx":
            return rr.xlsx_content(result)
        if fmt == "json":
            import json

            return json.dumps(rr.json_content(result), ensure_ascii=False, indent=2).encode()
        spec = BY_SLUG[result.key]
        context = {
            **rr.report_context(result),
            "code": spec.code,
            "title": spec.title,
            "base_template": "includes/pdf_base.html",
            "pdf": True,
        }
        if fmt == "pdf":
            from finsam.web.outputs import render_pdf

            return render_pdf("reports/report.html", context)
        return render_to_string("reports/report.html", context).encode()

    def write(self, content: bytes, output: str | None, *, binary: bool) -> None:
        if not output:
            if binary:
                sys.stdout.buffer.write(content)
                sys.stdout.flush()
            else:
                self.stdout.write(content.decode("utf-8"), ending="")
            return
        directory = os.path.dirname(os.path.abspath(output))
        if not os.path.isdir(directory):
            raise CommandError(f"--output: katalogen {directory} finns inte.")
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".finsam-report-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
            os.replace(tmp, output)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        sys.stderr.write(f"Rapporten är skriven till {output}.\n")
