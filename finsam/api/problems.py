"""RFC 9457 problem details: one shape for every API error, carrying the services' problems."""

from __future__ import annotations

import json

from django.http import HttpResponse

from finsam.domain.problems import Problem

PROBLEM_TYPE = "about:blank"
TITLES = {
    400: "Felaktig begäran",
    401: "Inloggning krävs",
    403: "Behörighet saknas",
    404: "Finns inte",
    405: "Metoden är inte tillåten",
    422: "Uppgifterna kunde inte sparas",
    429: "För många anrop",
    500: "Internt fel",
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
        "title": TITLES.get(status, "Fel"),
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
