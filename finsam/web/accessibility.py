"""The accessibility statement (tillgänglighetsredogörelse, lagen (2018:1937) om tillgänglighet
till digital offentlig service). Open without login; the status it states is the one measured by
the browser tests (``tests/browser/``, axe-core on every page each role reaches)."""

from __future__ import annotations

from django.shortcuts import render

STATEMENT_REVIEWED = "2026-12-02"
"""When the statement was last checked against the browser tests' result."""


def accessibility_statement(request):
    return render(request, "web/accessibility.html", {"reviewed": STATEMENT_REVIEWED})
