"""``finsam annual-report --association CODE --year YEAR --format docx|pdf --output FILE`` – the
annual report material of one association-year (protected figures, the director's texts)."""

from __future__ import annotations

import os
import tempfile

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from finsam.access.permissions import can
from finsam.domain.access import Action
from finsam.domain.problems import DomainValidationError
from finsam.finance.services import check_year
from finsam.planning import annual, documents
from finsam.registry.models import Association

FORMATS = ("docx", "pdf")


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # batch work: the server's checks cost ~1 s
    help = (
        "Tar fram underlaget till verksamhetsberättelse och årsredovisning för ett förbund och år "
        "som docx eller pdf (skyddade tal). / Produces the annual report material of an "
        "association and year as docx or PDF (protected figures)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--association", required=True, metavar="CODE", help="Förbundskod.")
        parser.add_argument("--year", required=True, help="År (ÅÅÅÅ). / Year.")
        parser.add_argument("--format", default="docx", help="docx eller pdf (standard docx).")
        parser.add_argument("--output", required=True, metavar="FILE", help="Utfil. / Output.")
        parser.add_argument(
            "--user", default=None, help="Användare vars behörighet gäller. / Acting user."
        )

    def handle(self, *args, **opts):
        fmt = (opts["format"] or "").lower()
        if fmt not in FORMATS:
            raise CommandError(f"Format: välj docx eller pdf (nu {opts['format']!r}).")
        try:
            year = int(opts["year"])
        except ValueError:
            raise CommandError(f"År: ange ett årtal, t.ex. 2025 (nu {opts['year']!r}).") from None
        problems = check_year(year)
        if problems:
            raise CommandError(problems[0].message)
        association = Association.objects.filter(code=opts["association"]).first()
        if association is None:
            raise CommandError(f"Förbund: det finns inget förbund med koden {opts['association']}.")
        user = None
        if opts["user"]:
            from django.contrib.auth import get_user_model

            user = get_user_model().objects.filter(username=opts["user"]).first()
            if user is None:
                raise CommandError(f"Användare: {opts['user']} finns inte.")
            if not can(user, Action.VIEW_ASSOCIATION, association=association):
                raise CommandError(
                    f"Behörighet: {user.username} får inte se förbundet {association.code}."
                )
        try:
            document = annual.build_document(user, association, year, today=timezone.localdate())
        except DomainValidationError as exc:
            raise CommandError(" ".join(p.message for p in exc.problems)) from None
        content = documents.to_docx(document) if fmt == "docx" else documents.to_pdf(document)
        target = os.path.abspath(opts["output"])
        directory = os.path.dirname(target) or "."
        if not os.path.isdir(directory):
            raise CommandError(f"Utfil: katalogen {directory} finns inte.")
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=f".{fmt}.tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        self.stdout.write(f"Skrev {target} ({len(content)} byte).")
