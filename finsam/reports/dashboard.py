"""The director's and the board's dashboard: the year against last year, from the standard
reports (R1, R3, R4, R6, R8), always small-cell protected – the page is meant to be shown to the
board. Reads run through :mod:`finsam.reports.runner` (the one path with the role rules and
``finsam.domain.protection``); this module only picks rows and shapes them for tables and charts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _

from finsam.domain import formatting as fmt
from finsam.domain.reports.core import Period, ReportResult, ReportTable
from finsam.reports import charts, runner

SEX_LABELS = {"women": gettext_lazy("Kvinnor"), "men": gettext_lazy("Män")}


@dataclass
class Panel:
    """One question: a table (this year, last year) and, when there is something to draw, a
    chart of the same numbers."""

    key: str
    title: str
    rows: list[dict]
    chart: object = None
    note: str = ""
    columns: tuple[str, ...] = ()
    svg: str = ""
    corner: str = ""
    """Header of the first column when the panel has its own ``columns``."""


@dataclass
class Dashboard:
    year: int
    association: object
    panels: list[Panel] = field(default_factory=list)
    protection_note: str = ""


def _run(user, name: str, year: int, association_code: str) -> ReportResult:
    plan = runner.plan_report(
        user,
        name,
        period=Period.year(year),
        levels=("association",),
        association_codes=(association_code,),
        unprotected=False,
    )
    return runner.run_report(plan, with_quality=False).result


def _area(table: ReportTable, code: str):
    try:
        return table.area(code, "association")
    except KeyError:
        return None


def _cell(table: ReportTable | None, code: str, row: str, column: str = "total"):
    """``(value or None, display text)`` of one cell; hidden cells give ``None`` and the symbol."""
    if table is None:
        return None, fmt.EMPTY
    area = _area(table, code)
    if area is None or row not in {r.key for r in table.rows}:
        return None, fmt.EMPTY
    value = table.value(row, area, column)
    text = charts.swedish_display(table.display(row, area, column)) or fmt.EMPTY
    return (None if value is None else float(value)), text


def _table(result: ReportResult | None, key: str) -> ReportTable | None:
    if result is None:
        return None
    try:
        return result.table(key)
    except KeyError:
        return None


def _compare_rows(this, last, code, rows, column="total") -> list[dict]:
    out = []
    for key, label in rows:
        v1, t1 = _cell(this, code, key, column)
        v0, t0 = _cell(last, code, key, column)
        change = fmt.EMPTY
        if v1 is not None and v0 is not None:
            d = v1 - v0
            change = ("+" if d > 0 else "") + fmt.number(d, 0 if float(d).is_integer() else 1)
        out.append(
            {
                "key": key,
                "label": label,
                "this": t1,
                "last": t0,
                "change": change,
                "v1": v1,
                "v0": v0,
            }
        )
    return out


def _year_data(rows: list[dict], year: int) -> list[dict]:
    data = []
    for r in rows:
        for y, v in ((year - 1, r["v0"]), (year, r["v1"])):
            if v is not None:
                data.append({"rad": r["label"], "år": str(y), "värde": v})
    return data if any(d["värde"] for d in data) else []  # nothing to draw: the table says 0


def _labels(table: ReportTable | None, exclude=()) -> list[tuple[str, str]]:
    if table is None:
        return []
    return [(r.key, r.label) for r in table.rows if r.key not in exclude]


def build(user, *, year: int, association) -> Dashboard:
    code = association.code
    names = ("deltagare", "utfall", "forsorjning-efter", "avslutningsanledningar", "kostnader")
    this = {n: _run(user, n, year, code) for n in names}
    last = {n: _run(user, n, year - 1, code) for n in names}
    board = Dashboard(year, association, protection_note=this["deltagare"].protection_note)

    # Participants by sex
    t1, t0 = _table(this["deltagare"], "deltagare"), _table(last["deltagare"], "deltagare")
    sex_rows = []
    for col, lazy_label in SEX_LABELS.items():
        label = str(lazy_label)
        row = _compare_rows(t1, t0, code, [("personer_aktiva", label)], column=col)[0]
        sex_rows.append(row)
    board.panels.append(
        Panel(
            "kon",
            gettext("Deltagare (personer aktiva under året) efter kön"),
            sex_rows,
            charts.bar_chart(
                _year_data(sex_rows, year),
                title=gettext("Personer aktiva efter kön"),
                colour_field="år",
            ),
        )
    )
    # New and returning
    rows = _compare_rows(
        t1,
        t0,
        code,
        [
            ("personer_aktiva", gettext("Personer aktiva")),
            ("nya_personer", gettext("Nya personer")),
            ("aterkommande_personer", gettext("Återkommande personer")),
            ("personer_paborjade", gettext("Påbörjat under året")),
            ("personer_avslutade", gettext("Avslutat under året")),
        ],
    )
    board.panels.append(
        Panel(
            "nya",
            gettext("Nya och återkommande deltagare"),
            rows,
            charts.bar_chart(
                _year_data(rows[1:3], year),
                title=gettext("Nya och återkommande"),
                colour_field="år",
            ),
        )
    )
    # Outcomes
    r1, r0 = _table(this["utfall"], "utfall"), _table(last["utfall"], "utfall")
    rows = _compare_rows(
        r1,
        r0,
        code,
        [
            ("antal_avslutade", gettext("Avslutade deltagare")),
            ("antal_forvarvsarbete", gettext("I förvärvsarbete efter avslut")),
            ("antal_arbete_och_eller_studier", gettext("I arbete och/eller studier efter avslut")),
            ("antal_fatt_eller_okat_arbete_studier", gettext("Fått eller ökat arbete/studier")),
            ("andel_forvarvsarbete_pct", gettext("Andel i förvärvsarbete efter avslut (%)")),
        ],
    )
    board.panels.append(
        Panel(
            "utfall",
            gettext("Utfall: arbete och studier efter avslut"),
            rows,
            charts.bar_chart(
                _year_data(rows[:4], year), title=gettext("Utfall efter avslut"), colour_field="år"
            ),
        )
    )
    # Support before → after (this year), as a flow picture
    flow = _table(this["forsorjning-efter"], "flodesmatris")
    flow_rows, flow_data = [], []
    if flow is not None and _area(flow, code) is not None:
        area = _area(flow, code)
        for row in flow.rows:
            cells = []
            for col in flow.columns:
                value = flow.value(row.key, area, col)
                cells.append(charts.swedish_display(flow.display(row.key, area, col)))
                if value is not None and value > 0:
                    flow_data.append(
                        {
                            "före": row.label,
                            "efter": flow.column_labels.get(col, col),
                            "antal": float(value),
                        }
                    )
            flow_rows.append({"label": row.label, "cells": cells})
    board.panels.append(
        Panel(
            "flode",
            gettext("Försörjning före → efter för avslutade %(year)s") % {"year": year},
            flow_rows,
            charts.flow_chart(
                flow_data, title=gettext("Från försörjning före till försörjning efter")
            ),
            note=flow.note if flow is not None else "",
            columns=tuple(flow.column_labels.get(c, c) for c in flow.columns) if flow else (),
        )
    )
    # Exit reasons
    e1 = _table(this["avslutningsanledningar"], "avslutningsanledningar")
    e0 = _table(last["avslutningsanledningar"], "avslutningsanledningar")
    rows = _compare_rows(e1, e0, code, _labels(e1, exclude=("TOTALT", "UTSKRIVNING")))
    board.panels.append(
        Panel(
            "avslut",
            gettext("Avslutningsanledningar"),
            rows,
            charts.bar_chart(
                _year_data(rows, year), title=gettext("Avslutningsanledningar"), colour_field="år"
            ),
        )
    )
    # Volume
    v1 = _table(this["deltagare"], "volym")
    v0 = _table(last["deltagare"], "volym")
    rows = _compare_rows(v1, v0, code, _labels(v1))
    if rows:
        board.panels.append(
            Panel(
                "volym",
                gettext("Volyminsatser"),
                rows,
                charts.bar_chart(
                    _year_data(rows, year), title=_("Antal i volyminsatser"), colour_field="år"
                ),
            )
        )
    # Budget against outcome, cost per participant
    board.panels.append(_budget_panel(this["kostnader"], last["kostnader"], code, year))
    # Trend over the years
    board.panels.append(_trend_panel(user, this["deltagare"], last["deltagare"], code, year))
    return board


TREND_YEARS = 5
TREND_ROWS = (
    ("personer_aktiva", gettext_lazy("Personer aktiva")),
    ("nya_personer", gettext_lazy("Nya personer")),
    ("personer_avslutade", gettext_lazy("Avslutat under året")),
)
BUDGET_ROWS = (
    ("resurser_totalt", gettext_lazy("Resurser totalt")),
    ("insatskostnader", gettext_lazy("Kostnader för insatser")),
    ("administrationskostnader", gettext_lazy("Administrationskostnader")),
    ("kostnader_totalt", gettext_lazy("Kostnader totalt")),
    ("resultat", gettext_lazy("Resultat (resurser − kostnader)")),
    ("deltagare", gettext_lazy("Deltagare (personer aktiva under året)")),
    ("kostnad_per_deltagare", gettext_lazy("Kostnad per deltagare")),
)
BUDGET_CHART_ROWS = ("resurser_totalt", "insatskostnader", "administrationskostnader")


def _budget_panel(this: ReportResult, last: ReportResult, code: str, year: int) -> Panel:
    """R8 for the association: budget and outcome this year beside last year's outcome (R8's
    areas are association × year, its columns budget and outcome)."""
    c1 = this.tables[0] if this.tables else None
    c0 = last.tables[0] if last.tables else None
    series = (
        (_("Budget %(year)s") % {"year": year}, c1, f"{code}:{year}", "budget"),
        (_("Utfall %(year)s") % {"year": year}, c1, f"{code}:{year}", "actual"),
        (_("Utfall %(year)s") % {"year": year - 1}, c0, f"{code}:{year - 1}", "actual"),
    )
    rows, data = [], []
    for key, lazy_label in BUDGET_ROWS:
        label = str(lazy_label)
        cells = []
        for name, table, area_code, column in series:
            value, text = _cell(table, area_code, key, column)
            cells.append(text)
            if key in BUDGET_CHART_ROWS and value is not None:
                data.append({"rad": label, "serie": name, "värde": value})
        rows.append({"key": key, "label": label, "cells": cells})
    return Panel(
        "kostnader",
        _("Budget och utfall, kostnad per deltagare (kr)"),
        rows,
        charts.amount_chart(
            data if any(d["värde"] for d in data) else [],
            title=_("Resurser och kostnader: budget och utfall (kr)"),
            series=[s[0] for s in series],
        ),
        note=_(
            "Belopp i hela kronor. Kostnad per deltagare = kostnader totalt / personer "
            "aktiva under året (utfall)."
        ),
        columns=tuple(s[0] for s in series),
        corner=_("Post"),
    )


def _trend_panel(user, this: ReportResult, last: ReportResult, code: str, year: int) -> Panel:
    """Persons per year over the last :data:`TREND_YEARS` years (R1, protected)."""
    years = list(range(year - TREND_YEARS + 1, year + 1))
    results = {year: this, year - 1: last}
    tables = {}
    for y in years:
        result = results.get(y) or _run(user, "deltagare", y, code)
        tables[y] = _table(result, "deltagare")
    rows, data = [], []
    for key, lazy_label in TREND_ROWS:
        label = str(lazy_label)
        cells = []
        for y in years:
            value, text = _cell(tables[y], code, key)
            cells.append(text)
            if value is not None:
                data.append({"år": str(y), "mått": label, "värde": value})
        rows.append({"key": key, "label": label, "cells": cells})
    return Panel(
        "trend",
        _("Deltagare per år %(first)s–%(last)s") % {"first": years[0], "last": years[-1]},
        rows,
        charts.trend_chart(
            data if any(d["värde"] for d in data) else [], title=_("Deltagare per år")
        ),
        columns=tuple(str(y) for y in years),
        corner=_("Mått"),
    )
