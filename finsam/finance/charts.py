"""Budget charts (Vega-Altair, rendered by ``finsam.web.outputs`` like the report charts: Swedish
number locale, text of at least 12 px). Every chart has the same numbers in a table on the page
(the chart is hidden from screen readers; the table is the alternative).

Budget amounts are the association's own bookkeeping, not personal data: nothing here needs
small-cell protection. Participant counts are not drawn.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

WIDTH = 560
BAR_STEP = 20
SERIES_COLOURS = ["#9bb3d6", "#1f4e8c", "#e08a00"]
"""Budget light blue, outcome dark blue, forecast amber (≥ 3:1 against white except the first,
which always has its table beside it)."""


def _series() -> list[tuple[str, str]]:
    return [("budget", _("Budget")), ("actual", _("Utfall")), ("forecast", _("Prognos"))]


def _bars(data: list[dict], *, title: str):
    import altair as alt

    names = [name for _key, name in _series()]
    return (
        alt.Chart(alt.Data(values=data))
        .mark_bar()
        .encode(
            y=alt.Y("rad:N", title=None, sort=None, axis=alt.Axis(labelLimit=300)),
            x=alt.X("värde:Q", title=_("Kronor"), axis=alt.Axis(format=",.0f")),
            color=alt.Color(
                "serie:N",
                title=None,
                sort=names,
                scale=alt.Scale(domain=names, range=SERIES_COLOURS),
                legend=alt.Legend(orient="top"),
            ),
            yOffset=alt.YOffset("serie:N", sort=names),
            tooltip=[
                alt.Tooltip("serie:N", title=_("Serie")),
                alt.Tooltip("rad:N", title=_("Post")),
                alt.Tooltip("värde:Q", title=_("Kronor"), format=",.0f"),
            ],
        )
        .properties(width=WIDTH, height=alt.Step(BAR_STEP), title=title)
    )


def _points(items: list[tuple[str, dict]]) -> list[dict]:
    data = []
    for label, values in items:
        for key, name in _series():
            value = values.get(key)
            if value is not None:
                data.append({"rad": label, "serie": name, "värde": round(float(value))})
    return data if any(d["värde"] for d in data) else []


def totals_chart(totals: dict):
    """Budget, outcome and forecast of revenue and costs (the "Resultat" table's rows)."""
    rows = (
        ("revenue", _("Intäkter (utan eget kapital)")),
        ("admin", _("Administrativa kostnader")),
        ("interventions", _("Insatskostnader")),
        ("costs", _("Kostnader totalt")),
    )
    data = _points([(label, {b: totals[b][key] for b in totals}) for key, label in rows])
    return _bars(data, title=_("Budget mot utfall och prognos (kr)")) if data else None


def interventions_chart(interventions: list[dict]):
    """Budget, outcome and forecast per intervention."""
    data = _points([(i["name"] or i["code"], i) for i in interventions])
    return _bars(data, title=_("Insatskostnader per insats (kr)")) if data else None


def chart_svgs(context: dict) -> dict[str, str]:
    from finsam.web import outputs

    out = {}
    for key, chart in (
        ("totals_chart_svg", totals_chart(context["totals"])),
        ("interventions_chart_svg", interventions_chart(context["interventions"])),
    ):
        out[key] = outputs.chart_svg(chart) if chart is not None else ""
    return out
