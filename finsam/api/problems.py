"""RFC 9457 problem details: one shape for every API error, carrying the services' problems."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.utils.translation import gettext, gettext_noop

from finsam.domain.problems import Problem

PROBLEM_TYPE = "about:blank"
TITLES = {
    400: gettext_noop("Felaktig begäran"),
    401: gettext_noop("Inloggning krävs"),
    403: gettext_noop("Behörighet saknas"),
    404: gettext_noop("Finns inte"),
    405: gettext_noop("Metoden är inte tillåten"),
    422: gettext_noop("Uppgifterna kunde inte sparas"),
    429: gettext_noop("För många anrop"),
    500: gettext_noop("Internt fel"),
}


def _jsonable(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)


def problem_response(
    status: int,
    detail: str,
    *,
    problems: list[Problem] | None = None,
    headers: dict | None = None,
) -> HttpResponse:
    body = {
        "type": PROBLEM_TYPE,
        "title": gettext(TITLES.get(status, gettext_noop("Fel"))),
        "status": status,
        "detail": detail,
        "errors": [
            {
                "field": p.field,
                "rule": p.rule,
                "message": str(p.message),
                "value": _jsonable(p.value),
            }
            for p in problems or []
        ],
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/problem+json",
    )
    for k, v in (headers or {}).items():
        response[k] = v
    return response
