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


def overview_chart(points: list[dict], *, scale_min: int, scale_max: int, title: str):
    """The latest mean per indicator in each respondent group (the overview and the dashboard).
    ``points`` are ``{"indikator", "grupp", "medel"}`` – only shown (protected) means."""
    if not points:
        return None
    groups = list(dict.fromkeys(p["grupp"] for p in points))
    return (
        alt.Chart(alt.Data(values=points))
        .mark_bar(clip=True)
        .encode(
            y=alt.Y("indikator:N", title=None, sort=None, axis=alt.Axis(labelLimit=320)),
            x=alt.X(
                "medel:Q",
                title="Medelvärde",
                scale=alt.Scale(domain=[scale_min, scale_max], zero=False),
                axis=alt.Axis(format=",.0f", tickMinStep=1),
            ),
            yOffset=alt.YOffset("grupp:N", sort=groups),
            color=alt.Color(
                "grupp:N",
                title=None,
                sort=groups,
                scale=alt.Scale(
                    domain=groups, range=["#1d4f91", "#e08a00", "#2a7f62", "#8c2d5a"][: len(groups)]
                ),
                legend=alt.Legend(orient="top", labelLimit=400),
            ),
            tooltip=[
                alt.Tooltip("indikator:N", title="Indikator"),
                alt.Tooltip("grupp:N", title="Svarandegrupp"),
                alt.Tooltip("medel:Q", title="Medelvärde", format=",.2f"),
            ],
        )
        .properties(width=480, height=alt.Step(18), title=title)
    )


def overview_points(columns, rows) -> list[dict]:
    """Chart points from :func:`finsam.indicators.selectors.overview` (hidden means left out)."""
    points = []
    for row in rows:
        for version, cell in zip(columns, row["cells"], strict=True):
            if cell is not None and cell.mean is not None:
                points.append(
                    {
                        "indikator": f"{row['number']}. {row['name']}",
                        "grupp": version.group_label,
                        "medel": round(float(cell.mean), 2),
                    }
                )
    return points
