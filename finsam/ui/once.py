"""Send a form once: every form page carries a one-time token; the token of a saved form is
remembered in the session with the page it led to, so a second submission (a double click, the
back button and "send again") is not saved twice but led to the same page."""

from __future__ import annotations

import secrets

FIELD = "form_token"
SESSION_KEY = "finsam_sent_forms"
REMEMBERED = 50


def new_token() -> str:
    return secrets.token_urlsafe(16)


def already_sent(request) -> str | None:
    """The page a previous submission of this form led to, or ``None``."""
    token = request.POST.get(FIELD, "")
    if not token:
        return None
    return request.session.get(SESSION_KEY, {}).get(token)


def remember(request, url: str) -> None:
    token = request.POST.get(FIELD, "")
    if not token:
        return
    sent = dict(request.session.get(SESSION_KEY, {}))
    sent[token] = str(url)
    if len(sent) > REMEMBERED:
        sent = dict(list(sent.items())[-REMEMBERED:])
    request.session[SESSION_KEY] = sent
