"""The indicator results panel of the dashboard (``/oversikt/``).

A template tag, so the dashboard (``finsam.reports``) shows the core indicators without importing
this sibling app: the latest shown mean per indicator in each respondent group for the
association, small-cell protected like the results page (``selectors.overview``).
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from finsam.access.permissions import can
from finsam.domain import formatting as fmt
from finsam.domain.access import Action
from finsam.indicators import charts, selectors
from finsam.web import outputs

register = template.Library()


@register.inclusion_tag("indicators/_dashboard_panel.html")
def indicator_results_panel(user, association):
    """Nothing for a user who may not see the association's indicator results."""
    if association is None or not can(user, Action.VIEW_INDICATOR_RESULTS):
        return {"shown": False}
    if not selectors.result_associations(user).filter(pk=association.pk).exists():
        return {"shown": False}
    columns, rows = selectors.overview(association)
    chart = charts.overview_chart(
        charts.overview_points(columns, rows),
        scale_min=min((v.scale_min for v in columns), default=1),
        scale_max=max((v.scale_max for v in columns), default=7),
        title=_("Kärnindikatorer: senaste medelvärde per indikator"),
    )
    return {
        "shown": True,
        "columns": columns,
        "rows": [
            {
                "label": f"{row['number']}. {row['name']}",
                "cells": [_cell(cell) for cell in row["cells"]],
            }
            for row in rows
        ],
        "svg": outputs.chart_svg(chart) if chart is not None else "",
        "threshold": selectors.protection_rule().threshold,
        "results_url": reverse("indicators_results") + f"?association={association.pk}",
    }


def _cell(cell) -> dict | None:
    if cell is None:
        return None
    return {
        "mean": fmt.number(cell.mean, 2) if cell.mean is not None else fmt.EMPTY,
        "n": cell.n,
        "period": cell.period,
    }
