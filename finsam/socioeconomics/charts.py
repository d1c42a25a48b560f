"""Charts of the socio-economic pages (Vega-Altair, rendered by ``finsam.web.outputs``)."""

from __future__ import annotations

import altair as alt
import pandas as pd
from django.utils.translation import gettext

from finsam.domain.socioeconomics.exclusion import ExclusionResult
from finsam.domain.socioeconomics.payback import PaybackResult

COST, GAIN = "Insatskostnad", "Ackumulerad vinst"
SWEDISH_NUMBERS = "replace(replace(datum.label, /,/g, ' '), '-', '−')"
"""Axis labels with a space between thousands and a real minus sign (the Swedish way)."""


def _axis() -> alt.Axis:
    return alt.Axis(labelExpr=SWEDISH_NUMBERS)


def payback_chart(result: PaybackResult):
    """Cumulative cost against cumulative gain per actor, one small panel per actor."""
    rows = []
    for actor in result.actors:
        for p in actor.series:
            rows.append(
                {"aktör": actor.label, "månad": p.month, "serie": COST, "kr": p.cumulative_cost}
            )
            rows.append(
                {"aktör": actor.label, "månad": p.month, "serie": GAIN, "kr": p.cumulative_gain}
            )
    frame = pd.DataFrame(rows or [{"aktör": "", "månad": 0, "serie": COST, "kr": 0}])
    return (
        alt.Chart(frame)
        .mark_line()
        .encode(
            x=alt.X("månad:Q", title=gettext("Månader efter avslut")),
            y=alt.Y("kr:Q", title=gettext("Kronor"), axis=_axis()),
            color=alt.Color(
                "serie:N",
                title=None,
                scale=alt.Scale(domain=[COST, GAIN], range=["#b3261e", "#1d4f91"]),
            ),
            strokeDash=alt.StrokeDash("serie:N", title=None, legend=None),
        )
        .properties(width=210, height=140)
        .facet(
            facet=alt.Facet("aktör:N", title=None, sort=[a.label for a in result.actors]), columns=3
        )
        .resolve_scale(y="independent")
        .properties(title=gettext("Ackumulerad kostnad och vinst per aktör"))
    )


def exclusion_chart(result: ExclusionResult):
    rows = []
    for p in result.series:
        rows.append({"år": p.year, "serie": "Insatskostnad", "kr": p.cumulative_cost})
        rows.append({"år": p.year, "serie": "Ackumulerad besparing", "kr": p.cumulative_savings})
    return (
        alt.Chart(pd.DataFrame(rows))
        .mark_line(point=True)
        .encode(
            x=alt.X("år:O", title=gettext("År"), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("kr:Q", title=gettext("Kronor per deltagare"), axis=_axis()),
            color=alt.Color(
                "serie:N",
                title=None,
                scale=alt.Scale(
                    domain=["Insatskostnad", "Ackumulerad besparing"], range=["#b3261e", "#1d4f91"]
                ),
            ),
        )
        .properties(width=520, height=240, title=gettext("Kostnad och besparing över tid"))
    )


def welfare_cake_chart(result: ExclusionResult):
    frame = pd.DataFrame(
        [{"aktör": a.label, "andel": a.share * 100} for a in result.per_actor if a.share]
    )
    return (
        alt.Chart(frame)
        .mark_bar(color="#1d4f91")
        .encode(
            x=alt.X("andel:Q", title=gettext("Andel av kostnaden (%)")),
            y=alt.Y("aktör:N", title=None, sort="-x"),
        )
        .properties(width=420, height=max(60, 24 * len(frame)), title=gettext("Välfärdskakan"))
    )


def needs_chart(rows: list[dict]):
    frame_rows = []
    for r in rows:
        frame_rows.append(
            {"område": r["chart_name"], "mått": "Uppskattat behov", "antal": r["estimate"]}
        )
        if isinstance(r.get("participants"), int):
            frame_rows.append(
                {"område": r["chart_name"], "mått": "Deltagare", "antal": r["participants"]}
            )
    frame = pd.DataFrame(frame_rows or [{"område": "", "mått": "Uppskattat behov", "antal": 0}])
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("område:N", title=None, sort=[r["chart_name"] for r in rows]),
            x=alt.X("antal:Q", title=gettext("Personer"), axis=_axis()),
            color=alt.Color(
                "mått:N",
                title=None,
                scale=alt.Scale(
                    domain=["Uppskattat behov", "Deltagare"], range=["#1d4f91", "#e0a100"]
                ),
            ),
            yOffset="mått:N",
        )
        .properties(
            width=480,
            height=max(80, 28 * len(rows)),
            title=gettext("Uppskattat behov och deltagare"),
        )
    )
