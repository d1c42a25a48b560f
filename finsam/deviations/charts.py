"""The deviation report page's chart (Vega-Altair, rendered by ``finsam.web.outputs``)."""

from __future__ import annotations

import altair as alt
import pandas as pd
from django.utils.translation import gettext

from finsam.domain.deviations import DeviationSummary


def category_chart(summary: DeviationSummary, labels: dict[str, str]):
    """Reports per category; protected (hidden) categories are left out, never drawn."""
    rows = [
        {"kategori": labels.get(code, code), "antal": summary.table[("category", code)].value}
        for code in summary.categories
        if not summary.table[("category", code)].hidden
    ]
    if not rows:
        return None
    return (
        alt.Chart(pd.DataFrame(rows))
        .mark_bar(color="#1d4f91")
        .encode(
            x=alt.X("antal:Q", title=gettext("Antal avvikelser"), axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("kategori:N", title=None, sort=None, axis=alt.Axis(labelLimit=320)),
        )
        .properties(width=360, height=28 * len(rows), title=gettext("Avvikelser per kategori"))
    )
