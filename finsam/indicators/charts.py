"""The indicator results chart (Vega-Altair, rendered by ``finsam.web.outputs``)."""

from __future__ import annotations

import altair as alt
import pandas as pd
from django.utils.translation import gettext


def means_chart(
    points: list[dict], *, scale_min: int, scale_max: int, title: str, own_label: str | None
):
    """Mean per indicator and period, own association beside the national aggregate. ``points``
    are ``{"indikator", "period", "serie", "medel"}`` – only shown (unprotected-safe) values."""
    frame = pd.DataFrame(points or [{"indikator": "", "period": "", "serie": "", "medel": None}])
    return (
        alt.Chart(frame)
        .mark_bar(clip=True)
        .encode(
            y=alt.Y("indikator:N", title=None, sort=None, axis=alt.Axis(labelLimit=320)),
            x=alt.X(
                "medel:Q",
                title=gettext("Medelvärde"),
                scale=alt.Scale(domain=[scale_min, scale_max], zero=False),
            ),
            yOffset=alt.YOffset("serie:N"),
            color=alt.Color(
                "serie:N",
                title=None,
                scale=alt.Scale(
                    domain=[own_label, gettext("Riket")] if own_label else [gettext("Riket")],
                    range=["#1d4f91", "#9aa7b8"] if own_label else ["#9aa7b8"],
                ),
                legend=alt.Legend(orient="bottom", labelLimit=400),
            ),
            row=alt.Row("period:O", title=None),
            tooltip=["indikator", "period", "serie", alt.Tooltip("medel:Q", format=".2f")],
        )
        .properties(width=380, title=title)
    )
