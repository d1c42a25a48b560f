"""Writers for evaluation results: CSV rows, JSON, xlsx, event-study charts and PDF.

Labels and headings are Swedish; numbers use a decimal point. The chart is a Vega-Altair
specification (one per outcome, one colour per population group) rendered to PNG/SVG with
``vl-convert``; the PDF is an HTML page rendered by WeasyPrint.
"""

from __future__ import annotations

import html
import io
import json
import math
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from finsam.domain import safe_cells
from finsam.evaluation import EVALUATION_COLUMNS
from finsam.evaluation.isf import OUTCOMES, POPULATIONS, IsfReport

CONTROL_LABELS = {"never": "aldrig anslutna", "notyet": "ännu inte anslutna"}
METHOD_LABELS = {
    "reg": "utfallsregression",
    "ipw": "inverterad sannolikhetsviktning",
    "dr": "dubbelt robust",
}


def rows_to_csv(rows: Iterable[dict]) -> str:
    """Rows in the Evaluation CSV layout (empty cells for missing values)."""
    out = io.StringIO()
    writer = safe_cells.DictWriter(out, fieldnames=EVALUATION_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if _missing(row.get(k)) else row.get(k) for k in EVALUATION_COLUMNS})
    return out.getvalue()


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _clean(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):
        return _clean(value.item())
    return value


def report_to_dict(report: IsfReport) -> dict:
    """A JSON-ready dictionary of the whole study (options, summary, effects, notes)."""
    opts = report.options
    return {
        "study": "ISF – effekter av medlemskap i samordningsförbund",
        "municipalities": report.n_municipalities,
        "years": list(report.years),
        "options": {
            "control_group": opts.control_group,
            "est_method": opts.est_method,
            "base_period": opts.base_period,
            "anticipation": opts.anticipation,
            "event_window": opts.event_window,
            "bootstrap_draws": opts.biters if opts.bootstrap else 0,
            "alpha": opts.alpha,
            "seed": opts.seed,
        },
        "summary": [
            {k: _clean(v) for k, v in row.items()}
            for row in report.summary().to_dict(orient="records")
        ],
        "effects": [
            {k: _clean(v) for k, v in row.items()}
            for row in report.effects().to_dict(orient="records")
        ],
        "rows": [{k: _clean(v) for k, v in row.items()} for row in report.to_rows()],
        "notes": report.all_notes(),
    }


def write_json(report: IsfReport, path: str | Path) -> Path:
    path = Path(path)
    path.write_text(
        json.dumps(report_to_dict(report), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return path


_SUMMARY_HEADERS = {
    "outcome_label": "Utfall",
    "population_label": "Befolkningsgrupp",
    "overall_effect": "Genomsnittlig effekt (procentenheter)",
    "std_error": "Standardfel",
    "ci_lower": "95 % KI nedre",
    "ci_upper": "95 % KI övre",
    "pretest_pvalue": "Förtest parallella trender, p-värde",
    "n_units": "Antal kommuner",
    "notes": "Noteringar",
}
_EFFECT_HEADERS = {
    "outcome_label": "Utfall",
    "population_label": "Befolkningsgrupp",
    "event_time": "År i förhållande till inträde",
    "estimate": "Effekt (procentenheter)",
    "std_error": "Standardfel",
    "ci_lower": "Simultant band nedre",
    "ci_upper": "Simultant band övre",
    "band_excludes_zero": "Bandet utesluter 0",
    "n_units": "Antal anslutna kommuner",
}


def write_xlsx(report: IsfReport, path: str | Path) -> Path:
    """Workbook with sheets Sammanfattning, Effekter, Noteringar and Metod (XlsxWriter)."""
    path = Path(path)
    summary = report.summary()[list(_SUMMARY_HEADERS)].rename(columns=_SUMMARY_HEADERS)
    effects = report.effects()[list(_EFFECT_HEADERS)].rename(columns=_EFFECT_HEADERS)
    effects["Bandet utesluter 0"] = effects["Bandet utesluter 0"].map({True: "ja", False: "nej"})
    notes = pd.DataFrame({"Notering": report.all_notes() or ["Inga noteringar."]})
    method = pd.DataFrame(
        {"Inställning": list(method_lines(report)), "Värde": list(method_lines(report).values())}
    )
    with pd.ExcelWriter(
        path, engine="xlsxwriter", engine_kwargs={"options": dict(safe_cells.XLSX_OPTIONS)}
    ) as writer:
        for name, frame in (
            ("Sammanfattning", summary),
            ("Effekter", effects),
            ("Noteringar", notes),
            ("Metod", method),
        ):
            frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            number = writer.book.add_format({"num_format": "0.000"})
            for i, column in enumerate(frame.columns):
                width = min(60, max(12, len(str(column)) + 2))
                is_float = pd.api.types.is_float_dtype(frame[column])
                sheet.set_column(i, i, width, number if is_float else None)
            sheet.freeze_panes(1, 0)
    return path


def method_lines(report: IsfReport) -> dict[str, str]:
    """The study's settings as Swedish label → value (for the xlsx, the PDF and the page)."""
    o = report.options
    return {
        "Metod": "Callaway & Sant'Anna (2021), gruppvisa effekter aggregerade per år från inträde",
        "Jämförelsegrupp": CONTROL_LABELS.get(o.control_group, o.control_group),
        "Skattningsmetod": METHOD_LABELS.get(o.est_method, o.est_method),
        "Basperiod": "föregående år" if o.base_period == "varying" else "året före inträde",
        "Förväntanseffekt (år)": str(o.anticipation),
        "Händelsefönster (år)": f"−{o.event_window} till +{o.event_window}",
        "Bootstrap-dragningar": str(o.biters if o.bootstrap else 0),
        "Signifikansnivå": str(o.alpha),
        "Slumpfrö": str(o.seed),
        "Kommuner": str(report.n_municipalities),
        "År": f"{report.years[0]}–{report.years[1]}",
    }


def event_study_chart(report: IsfReport, outcome: str):
    """A Vega-Altair event-study chart for one outcome, one colour per population group."""
    import altair as alt

    data = report.effects()
    data = data[data.outcome == outcome].copy()
    data["period"] = data.event_time.map(lambda e: "efter inträde" if e >= 0 else "före inträde")
    base = alt.Chart(data).encode(
        x=alt.X(
            "event_time:Q", title="År i förhållande till inträde", axis=alt.Axis(tickMinStep=1)
        ),
        color=alt.Color("population_label:N", title="Befolkningsgrupp"),
    )
    bands = base.mark_rule(strokeWidth=2, opacity=0.6).encode(
        y=alt.Y("ci_lower:Q", title="Effekt (procentenheter)"), y2="ci_upper:Q"
    )
    points = base.mark_line(point=True).encode(
        y="estimate:Q",
        tooltip=[
            alt.Tooltip("population_label:N", title="Grupp"),
            alt.Tooltip("event_time:Q", title="År från inträde"),
            alt.Tooltip("estimate:Q", title="Effekt", format=".3f"),
            alt.Tooltip("ci_lower:Q", title="Band nedre", format=".3f"),
            alt.Tooltip("ci_upper:Q", title="Band övre", format=".3f"),
        ],
    )
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="black").encode(y="y:Q")
    return (zero + bands + points).properties(
        title=f"{OUTCOMES.get(outcome, outcome)}: effekt per år från inträde (simultana band)",
        width=520,
        height=300,
    )


def write_chart(report: IsfReport, outcome: str, path: str | Path) -> Path:
    """Write the chart as ``.png``, ``.svg`` or ``.json`` (Vega-Lite spec) by file suffix."""
    import vl_convert as vlc

    path = Path(path)
    spec = event_study_chart(report, outcome).to_json()
    suffix = path.suffix.lower()
    if suffix == ".png":
        path.write_bytes(vlc.vegalite_to_png(spec, scale=2))
    elif suffix == ".svg":
        path.write_text(vlc.vegalite_to_svg(spec), encoding="utf-8")
    elif suffix == ".json":
        path.write_text(spec, encoding="utf-8")
    else:
        raise ValueError(f"Okänt bildformat '{suffix}' (använd .png, .svg eller .json).")
    return path


def _fmt(value, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return html.escape(str(value))


def report_html(report: IsfReport, *, charts: bool = True) -> str:
    """The whole study as one HTML page (used for the PDF)."""
    import vl_convert as vlc

    parts = [
        "<!doctype html><html lang='sv'><head><meta charset='utf-8'>",
        "<title>Effekter av medlemskap i samordningsförbund</title><style>",
        "body{font-family:sans-serif;font-size:9pt} table{border-collapse:collapse;margin:6pt 0}",
        "td,th{border:1px solid #999;padding:2pt 4pt;text-align:right}",
        "th{background:#eee} td.l,th.l{text-align:left} h2{page-break-before:always}",
        "svg{max-width:100%;height:auto}",
        "</style></head><body>",
        "<h1>Effekter av medlemskap i samordningsförbund</h1>",
        f"<p>{report.n_municipalities} kommuner, {report.years[0]}–{report.years[1]}. "
        "Effekter i procentenheter av befolkningsgruppen; band är simultana "
        f"{round(100 * (1 - report.options.alpha))} %-konfidensband.</p>",
        "<table>",
    ]
    for key, value in method_lines(report).items():
        parts.append(
            f"<tr><th class='l'>{html.escape(key)}</th><td class='l'>{html.escape(value)}</td></tr>"
        )
    parts.append("</table><h1>Sammanfattning</h1><table><tr>")
    headers = [
        "Utfall",
        "Grupp",
        "Genomsnittlig effekt",
        "Standardfel",
        "KI nedre",
        "KI övre",
        "Förtest p",
    ]
    parts += [f"<th>{h}</th>" for h in headers] + ["</tr>"]
    for row in report.summary().itertuples(index=False):
        parts.append(
            f"<tr><td class='l'>{html.escape(row.outcome_label)}</td>"
            f"<td class='l'>{html.escape(row.population_label)}</td>"
            f"<td>{_fmt(row.overall_effect)}</td><td>{_fmt(row.std_error)}</td>"
            f"<td>{_fmt(row.ci_lower)}</td><td>{_fmt(row.ci_upper)}</td>"
            f"<td>{_fmt(row.pretest_pvalue)}</td></tr>"
        )
    parts.append("</table>")
    effects = report.effects()
    for outcome in report.outcomes():
        sub = effects[effects.outcome == outcome]
        if sub.empty:
            continue
        parts.append(f"<h2>{html.escape(OUTCOMES.get(outcome, outcome))}</h2>")
        if charts:
            spec = event_study_chart(report, outcome).to_json()
            parts.append(vlc.vegalite_to_svg(spec))
        parts.append(
            "<table><tr><th class='l'>Grupp</th><th>År från inträde</th><th>Effekt</th>"
            "<th>Standardfel</th><th>Band nedre</th><th>Band övre</th></tr>"
        )
        for row in sub.itertuples(index=False):
            parts.append(
                f"<tr><td class='l'>{html.escape(row.population_label)}</td>"
                f"<td>{row.event_time}</td><td>{_fmt(row.estimate)}</td>"
                f"<td>{_fmt(row.std_error)}</td><td>{_fmt(row.ci_lower)}</td>"
                f"<td>{_fmt(row.ci_upper)}</td></tr>"
            )
        parts.append("</table>")
    parts.append("<h2>Noteringar</h2><ul>")
    parts += [f"<li>{html.escape(n)}</li>" for n in report.all_notes()] or ["<li>Inga.</li>"]
    parts.append("</ul></body></html>")
    return "".join(parts)


def write_pdf(report: IsfReport, path: str | Path, *, charts: bool = True) -> Path:
    """Render :func:`report_html` to PDF with WeasyPrint."""
    from weasyprint import HTML

    path = Path(path)
    HTML(string=report_html(report, charts=charts)).write_pdf(path)
    return path


__all__ = [
    "POPULATIONS",
    "event_study_chart",
    "method_lines",
    "report_html",
    "report_to_dict",
    "rows_to_csv",
    "write_chart",
    "write_json",
    "write_pdf",
    "write_xlsx",
]
