"""Readable charts and Swedish display of report figures.

One chart per question: a before/after pair side by side (never mixed with totals), bars for
categories, a heat map for the support flow, and this year against last year on the dashboard.
Every chart is a Vega-Altair spec rendered by ``finsam.web.outputs`` (Swedish number locale, text
of at least 12 px); every chart on a page has the same numbers as a table next to it (the table is
the screen-reader alternative). Only shown (not small-cell protected) values are drawn.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext

from finsam.domain import formatting as fmt

WIDTH = 560
"""Chart width in px: readable at 100 % on a 1 366 px screen next to nothing else."""
BAR_STEP = 22
PALETTE = ["#1f4e8c", "#e08a00", "#2a7f62", "#8c2d5a", "#5b6770", "#b25d1e", "#4c7fbf"]
"""Colour-blind-safe enough and ≥ 3:1 against white (WCAG 1.4.11)."""
YEAR_COLOURS = ["#9bb3d6", "#1f4e8c"]

_DISPLAY_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def swedish_display(text: str) -> str:
    """A report cell's display text (decimal point, no separator) in Swedish format; the
    protection symbol and empty cells stay as they are."""
    if not isinstance(text, str) or not _DISPLAY_NUMBER.match(text):
        return text
    decimals = len(text.split(".")[1]) if "." in text else 0
    return fmt.number(float(text), decimals)


def _alt():
    import altair as alt

    return alt


def bar_chart(data: list[dict], *, title: str, percent: bool = False, colour_field: str = ""):
    """Horizontal bars: ``data`` = ``[{"rad": label, "värde": number, <colour_field>: …}]``."""
    if not data:
        return None
    alt = _alt()
    x_title = "Andel (%)" if percent else "Antal"
    encode = {
        "y": alt.Y("rad:N", title=None, sort=None, axis=alt.Axis(labelLimit=300)),
        "x": alt.X("värde:Q", title=x_title, axis=alt.Axis(format=",.0f")),
        "tooltip": [
            alt.Tooltip("rad:N", title=gettext("Rad")),
            alt.Tooltip("värde:Q", title=x_title, format=",.1f" if percent else ",.0f"),
        ],
    }
    if colour_field:
        encode["color"] = alt.Color(
            f"{colour_field}:N",
            title=None,
            sort=None,
            scale=alt.Scale(range=YEAR_COLOURS if colour_field == "år" else PALETTE),
            legend=alt.Legend(orient="top"),
        )
        encode["yOffset"] = alt.YOffset(f"{colour_field}:N", sort=None)
        encode["tooltip"].insert(0, alt.Tooltip(f"{colour_field}:N", title=colour_field.title()))
    else:
        encode["color"] = alt.value(PALETTE[0])
    return (
        alt.Chart(alt.Data(values=data))
        .mark_bar()
        .encode(**encode)
        .properties(width=WIDTH, height=alt.Step(BAR_STEP), title=title)
    )


def pair_chart(data: list[dict], *, title: str, percent: bool = False):
    """Before and after side by side, same scale: ``data`` rows carry ``tidpunkt``
    (``Före``/``Efter``)."""
    if not data:
        return None
    alt = _alt()
    x_title = "Andel (%)" if percent else "Antal"
    base = alt.Chart(alt.Data(values=data)).encode(
        y=alt.Y("rad:N", title=None, sort=None, axis=alt.Axis(labelLimit=280)),
        x=alt.X("värde:Q", title=x_title, axis=alt.Axis(format=",.0f")),
        color=alt.Color(
            "tidpunkt:N",
            title=None,
            sort=[gettext("Före"), gettext("Efter")],
            scale=alt.Scale(domain=[gettext("Före"), gettext("Efter")], range=YEAR_COLOURS),
            legend=None,
        ),
        tooltip=[
            alt.Tooltip("tidpunkt:N", title=gettext("Tidpunkt")),
            alt.Tooltip("rad:N", title=gettext("Rad")),
            alt.Tooltip("värde:Q", title=x_title, format=",.0f"),
        ],
    )
    return (
        base.mark_bar()
        .properties(width=WIDTH // 2 - 40, height=alt.Step(BAR_STEP))
        .facet(
            column=alt.Column(
                "tidpunkt:N",
                title=None,
                sort=[gettext("Före"), gettext("Efter")],
                header=alt.Header(labelFontSize=14),
            )
        )  # the two panels share their x scale (Vega-Lite's default for a facet)
        .properties(title=title)
    )


def flow_chart(data: list[dict], *, title: str):
    """The support flow as a heat map: rows = before, columns = after, the count in each cell."""
    if not data:
        return None
    alt = _alt()
    base = alt.Chart(alt.Data(values=data)).encode(
        y=alt.Y(
            "före:N", title=gettext("Försörjning före"), sort=None, axis=alt.Axis(labelLimit=260)
        ),
        x=alt.X(
            "efter:N",
            title=gettext("Försörjning efter"),
            sort=None,
            axis=alt.Axis(labelAngle=-40, labelLimit=200),
        ),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("antal:Q", title=gettext("Antal"), scale=alt.Scale(scheme="blues")),
        tooltip=[
            alt.Tooltip("före:N", title=gettext("Före")),
            alt.Tooltip("efter:N", title=gettext("Efter")),
            alt.Tooltip("antal:Q", title=gettext("Antal"), format=",.0f"),
        ],
    )
    text = (
        base.transform_joinaggregate(högst="max(antal)")
        .mark_text(fontSize=12)
        .encode(
            text=alt.Text("antal:Q", format=",.0f"),
            color=alt.condition(
                "datum.antal > datum['högst'] * 0.5", alt.value("#ffffff"), alt.value("#111111")
            ),
        )
    )
    return (cells + text).properties(width=WIDTH, height=alt.Step(28), title=title)


def amount_chart(data: list[dict], *, title: str, series_field: str = "serie", series=()):
    """Horizontal bars of amounts in kronor, grouped by ``series_field`` (e.g. budget and
    outcome): ``data`` = ``[{"rad": label, "värde": kronor, <series_field>: …}]``."""
    if not data:
        return None
    alt = _alt()
    domain = list(series) or list(dict.fromkeys(d[series_field] for d in data))
    return (
        alt.Chart(alt.Data(values=data))
        .mark_bar()
        .encode(
            y=alt.Y("rad:N", title=None, sort=None, axis=alt.Axis(labelLimit=300)),
            x=alt.X("värde:Q", title="Kronor", axis=alt.Axis(format=",.0f")),
            color=alt.Color(
                f"{series_field}:N",
                title=None,
                sort=domain,
                scale=alt.Scale(domain=domain, range=PALETTE[: len(domain)]),
                legend=alt.Legend(orient="top"),
            ),
            yOffset=alt.YOffset(f"{series_field}:N", sort=domain),
            tooltip=[
                alt.Tooltip(f"{series_field}:N", title="Serie"),
                alt.Tooltip("rad:N", title="Rad"),
                alt.Tooltip("värde:Q", title="Kronor", format=",.0f"),
            ],
        )
        .properties(width=WIDTH, height=alt.Step(BAR_STEP), title=title)
    )


def trend_chart(data: list[dict], *, title: str):
    """A trend over years: one line with points per measure; ``data`` = ``[{"år": "2025",
    "mått": label, "värde": number}]`` – hidden (protected) values are simply left out, so a
    line has a gap rather than a guessed value."""
    if not data:
        return None
    alt = _alt()
    measures = list(dict.fromkeys(d["mått"] for d in data))
    base = alt.Chart(alt.Data(values=data)).encode(
        x=alt.X("år:O", title="År", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("värde:Q", title="Antal", axis=alt.Axis(format=",.0f")),
        color=alt.Color(
            "mått:N",
            title=None,
            sort=measures,
            scale=alt.Scale(domain=measures, range=PALETTE[: len(measures)]),
            legend=alt.Legend(orient="top", columns=2),
        ),
        tooltip=[
            alt.Tooltip("år:O", title="År"),
            alt.Tooltip("mått:N", title="Mått"),
            alt.Tooltip("värde:Q", title="Antal", format=",.0f"),
        ],
    )
    return (base.mark_line(strokeWidth=3) + base.mark_point(size=80, filled=True)).properties(
        width=WIDTH, height=260, title=title
    )


COST_CHART_ROWS = ("resurser_totalt", "insatskostnader", "administrationskostnader")
COST_CHART_AREAS = 6


def costs_chart(result):
    """R8: budget against outcome of resources and costs, per association-year (shown cells
    only; at most :data:`COST_CHART_AREAS` areas, beyond that the table alone reads better)."""
    try:
        table = result.table("kostnader")
    except KeyError:
        return None
    areas = list(table.areas)
    if not areas or len(areas) > COST_CHART_AREAS:
        return None
    labels = dict(table.column_labels)
    data = []
    for area in areas:
        for row in table.rows:
            if row.key not in COST_CHART_ROWS:
                continue
            label = row.label if len(areas) == 1 else f"{area.name}: {row.label}"
            for column in table.columns:
                value = table.value(row.key, area, column)
                if value is not None:
                    data.append(
                        {"rad": label, "serie": labels.get(column, column), "värde": float(value)}
                    )
    if not any(d["värde"] for d in data):
        return None
    return amount_chart(
        data,
        title=f"{table.title} – budget och utfall (kr)",
        series=[labels.get(c, c) for c in table.columns],
    )
