"""Shared output helpers for every page that offers downloads: charts (Vega-Altair rendered with
vl-convert), PDF (WeasyPrint from the same template as the page), xlsx and CSV responses.

Every module that produces files uses these, so a chart looks the same on the page, in the PDF and
in the xlsx, and every download is named and typed the same way.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

from finsam.domain import formatting, safe_cells
from finsam.ui.pdf import render_pdf  # also this module's: outputs.render_pdf

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"

READABLE_SIZES = {
    "axis": {"labelFontSize": 13, "titleFontSize": 13, "labelLimit": 260},
    "legend": {"labelFontSize": 13, "titleFontSize": 13, "labelLimit": 300},
    "title": {"fontSize": 15},
    "header": {"labelFontSize": 13, "titleFontSize": 13},
    "text": {"fontSize": 12},
}
"""Default text sizes of every chart (a chart may set its own)."""


def chart_spec(chart) -> dict:
    """A Vega-Lite spec (dict) from an Altair chart, with Finsam's look."""
    spec = chart.to_dict() if hasattr(chart, "to_dict") else dict(chart)
    config = spec.setdefault("config", {})
    config.setdefault("font", FONT)
    # Swedish numbers on axes and tooltips, and text that can be read (WCAG 1.4.4: ≥ 12 px).
    config.setdefault("locale", formatting.VEGA_LOCALE)
    for part, size in READABLE_SIZES.items():
        config.setdefault(part, {}).update(
            {k: v for k, v in size.items() if k not in config.get(part, {})}
        )
    return spec


def chart_svg(chart) -> str:
    import vl_convert as vlc

    return vlc.vegalite_to_svg(chart_spec(chart))


def chart_png(chart, *, scale: float = 2.0) -> bytes:
    import vl_convert as vlc

    return vlc.vegalite_to_png(chart_spec(chart), scale=scale)


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def pdf_response(template: str, context: dict, filename: str, *, request=None) -> HttpResponse:
    return _attachment(
        HttpResponse(
            render_pdf(template, context, request=request), content_type="application/pdf"
        ),
        filename,
    )


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    return _attachment(HttpResponse(content, content_type=XLSX_TYPE), filename)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = safe_cells.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def csv_response(
    header: Sequence[str], rows: Iterable[Sequence[object]], filename: str
) -> HttpResponse:
    return _attachment(
        HttpResponse(csv_bytes(header, rows), content_type="text/csv; charset=utf-8"), filename
    )


def json_response(data, filename: str | None = None) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str),
        content_type="application/json; charset=utf-8",
    )
    return _attachment(response, filename) if filename else response


def xlsx_workbook(
    sheets: dict[str, tuple[Sequence[str], Iterable[Sequence[object]]]],
    *,
    notes: Sequence[str] = (),
    images: dict[str, bytes] | None = None,
) -> bytes:
    """A formatted workbook: one sheet per table (bold header, frozen first row, widths), plus a
    "Definitioner" sheet with ``notes`` (definitions, protection note) and optional chart images
    (sheet name → PNG)."""
    buffer = io.BytesIO()
    book = safe_cells.workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    integer = book.add_format({"num_format": formatting.XLSX_INTEGER})
    decimal = book.add_format({"num_format": formatting.XLSX_DECIMAL2})
    for name, (header, rows) in sheets.items():
        sheet = book.add_worksheet(name[:31])
        sheet.write_row(0, 0, list(header), bold)
        widths = [len(str(h)) for h in header]
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if isinstance(value, int | float) and not isinstance(value, bool):
                    whole = isinstance(value, int) or float(value).is_integer()
                    sheet.write_number(r, c, value, integer if whole else decimal)
                else:
                    sheet.write_string(r, c, "" if value is None else str(value))
                if c < len(widths):
                    widths[c] = max(widths[c], min(len(str(value)), 60))
        for c, w in enumerate(widths):
            sheet.set_column(c, c, w + 2)
        sheet.freeze_panes(1, 0)
        if images and name in images:
            sheet.insert_image(
                1,
                len(header) + 1,
                f"{name}.png",
                {"image_data": io.BytesIO(images[name]), "x_scale": 0.5, "y_scale": 0.5},
            )
    if notes:
        sheet = book.add_worksheet("Definitioner")
        sheet.set_column(0, 0, 110)
        for r, note in enumerate(notes):
            sheet.write_string(r, 0, note)
    book.close()
    return buffer.getvalue()
