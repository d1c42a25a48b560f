"""A Django template as an A4 PDF (WeasyPrint). Below every app, so the registry's rights extract
and the shared downloads (``finsam.web.outputs``, which re-exports it) render PDFs the same way."""

from __future__ import annotations

from django.template.loader import render_to_string


def render_pdf(template: str, context: dict, *, request=None) -> bytes:
    """Render a Django template to an A4 PDF with WeasyPrint (needs Pango/HarfBuzz)."""
    from weasyprint import HTML

    html = render_to_string(template, {**context, "pdf": True}, request=request)
    base = request.build_absolute_uri("/") if request is not None else None
    return HTML(string=html, base_url=base).write_pdf()
