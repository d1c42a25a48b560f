"""Swedish error pages (400, 403, 404, 500 and the CSRF refusal) with the site's navigation and
no internals: no exception text, paths, settings or tracebacks reach the browser (the details go
to the server log). Wired as ``handler400`` … in ``finsam/urls.py``."""

from __future__ import annotations

import logging

from django.http import HttpResponse
from django.template import loader
from django.utils.translation import gettext as _

log = logging.getLogger("finsam.errors")

MINIMAL_500 = (
    '<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Tekniskt fel – Finsam'
    "</title></head><body><main><h1>Något gick fel</h1><p>Ett tekniskt fel inträffade och "
    "ingenting sparades. Försök igen om en stund. Kvarstår felet, kontakta systemförvaltningen "
    'och ange tiden.</p><p><a href="/">Till startsidan</a></p></main></body></html>'
)


def _page(request, status: int, title: str, text: str) -> HttpResponse:
    template = loader.get_template("errors/error.html")
    body = template.render(
        {"status": status, "title": title, "text": text, "error_page": True}, request
    )
    return HttpResponse(body, status=status)


def bad_request(request, exception=None):
    return _page(
        request,
        400,
        _("Felaktig begäran"),
        _("Begäran kunde inte behandlas. Gå tillbaka och försök igen."),
    )


def permission_denied(request, exception=None):
    return _page(
        request,
        403,
        _("Du saknar behörighet"),
        _(
            "Du har inte behörighet till den här sidan eller åtgärden. Behöver du den i ditt "
            "arbete, be din förbundsadministratör om rätt roll."
        ),
    )


def page_not_found(request, exception=None):
    return _page(
        request,
        404,
        _("Sidan finns inte"),
        _("Sidan du sökte finns inte, eller så har den flyttats. Kontrollera adressen."),
    )


def server_error(request):
    """Rendered without touching the database where possible; if even that fails, a fixed
    page."""
    try:
        return _page(
            request,
            500,
            _("Något gick fel"),
            _(
                "Ett tekniskt fel inträffade och ingenting sparades. Försök igen om en stund. "
                "Kvarstår felet, kontakta systemförvaltningen och ange tiden."
            ),
        )
    except Exception:  # the error page itself must never fail
        log.exception("the 500 page could not be rendered")
        return HttpResponse(MINIMAL_500, status=500)


def csrf_failure(request, reason=""):
    log.warning("CSRF refusal: %s", reason)
    return _page(
        request,
        403,
        _("Formuläret kunde inte skickas"),
        _(
            "Sidan var för gammal eller kakor är avstängda. Ladda om sidan och skicka "
            "formuläret igen."
        ),
    )
