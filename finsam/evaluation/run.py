"""One DiD run as the command and the web page need it: read a file, estimate, collect.

Pure Python (pandas, Altair for the chart; no Django). :func:`read_table` reads a panel file the
way ``spec/interchange.md`` describes files (CSV in UTF-8 with or without a BOM, comma or – when
the header uses it – semicolon; or xlsx, first sheet) through the one table reader,
:mod:`finsam.domain.tabular`. :func:`run_did` estimates every ATT(g, t)
and the four aggregations, collects the notes instead of emitting warnings, and returns a
:class:`DidRun` with the rows in the Evaluation CSV layout.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from finsam.domain import safe_cells, tabular
from finsam.domain.problems import DomainValidationError, Problem
from finsam.evaluation.aggregate import AGGREGATIONS, AggteResult, aggte
from finsam.evaluation.attgt import AttGtResult, EvaluationWarning, att_gt
from finsam.evaluation.validation import LINE_INDEX

AGGREGATION_LABELS = {
    "simple": "Enkel (viktad med gruppstorlek)",
    "dynamic": "Händelsetid (tid från behandling)",
    "group": "Per grupp (första behandlingsperiod)",
    "calendar": "Per kalenderperiod",
}
CONTROL_CHOICES = {"never": "Aldrig behandlade", "notyet": "Ännu inte behandlade"}
METHOD_CHOICES = {
    "dr": "Dubbelt robust (dr)",
    "reg": "Utfallsregression (reg)",
    "ipw": "Inverterad sannolikhetsviktning (ipw)",
}
BASE_PERIOD_CHOICES = {
    "varying": "Varierande (föregående period före behandling)",
    "universal": "Universell (perioden före behandling)",
}
DEFAULT_BOOTSTRAP = 999
TABLE_SUFFIXES = (".csv", ".txt", ".xlsx")


NA_TEXT = frozenset(
    {"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN"}
    | {"<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"}
)
"""Cell texts that mean "no value" (pandas' defaults, so CSV and xlsx panels read alike)."""


def _file_problem(name: str, message: str, rule: str = "evaluation.file") -> Problem:
    return Problem("data", rule, message, value=name)


def read_table(
    source, name: str | None = None, *, text_columns: Sequence[str] = ()
) -> pd.DataFrame:
    """Read a CSV (``,`` or ``;``, UTF-8 with or without BOM) or xlsx file into a DataFrame.

    ``source`` is a path or a binary file object; ``name`` (default: the path) names it in
    messages, and its suffix must be ``.csv``, ``.txt`` or ``.xlsx``. The file goes through the
    one table reader (:func:`finsam.domain.tabular.open_table`: the same checks and Swedish
    messages as every other small input); a CSV body is then parsed column-wise by pandas, as
    panels can be large. ``text_columns`` are read as text (e.g. municipality codes). The index
    (named :data:`~finsam.evaluation.validation.LINE_INDEX`) is each row's line as a spreadsheet
    shows it (header = line 1), so the panel checks name those lines. An unreadable file raises
    :class:`DomainValidationError` naming the file.
    """
    if isinstance(source, str | Path):
        name = name or str(source)
        try:
            raw = Path(source).read_bytes()
        except OSError:
            raise DomainValidationError(
                [_file_problem(str(source), f"Filen '{source}' kan inte läsas.")]
            ) from None
    else:
        raw = source.read()
    name = name or "fil"
    if Path(name).suffix.lower() not in TABLE_SUFFIXES:
        raise DomainValidationError(
            [
                _file_problem(
                    name, f"Filen '{name}' måste vara en CSV-fil (.csv) eller en Excel-fil (.xlsx)."
                )
            ]
        )
    opened = tabular.open_table(raw)
    if opened.problems:
        raise DomainValidationError(
            [_file_problem(name, f"{name}: {p.message}", p.rule) for p in opened.problems]
        )
    if opened.xlsx is not None:
        frame = _frame_of_rows(opened.xlsx, name, text_columns)
    else:
        frame = _frame_of_csv(opened, name, text_columns)
    if frame.empty or len(frame.columns) < 2:
        raise DomainValidationError(
            [
                _file_problem(
                    name, f"Filen '{name}' innehåller ingen tabell med rubrikrad och datarader."
                )
            ]
        )
    return frame


def _frame_of_csv(opened: tabular.Opened, name: str, text_columns: Sequence[str]) -> pd.DataFrame:
    dtype = dict.fromkeys(text_columns, str)
    try:
        frame = pd.read_csv(
            io.BytesIO(opened.data) if opened.data else io.StringIO(opened.text),
            sep=opened.delimiter,
            dtype=dtype or None,
            encoding="utf-8-sig",
        )
    except pd.errors.ParserError as error:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
        if found is None:
            raise DomainValidationError(
                [_file_problem(name, f"{name}: filen är inte giltig CSV.", "file.csv")]
            ) from None
        expected, line, saw = found.groups()
        raise DomainValidationError(
            [
                Problem(
                    "",
                    "file.extra_values",
                    f"{name}: Rad {line} har fler värden ({saw}) än rubrikraden ({expected}).",
                    None,
                    row=int(line),
                )
            ]
        ) from None
    except Exception as error:  # pandas raises many kinds for a broken file
        raise DomainValidationError(
            [
                _file_problem(
                    name, f"Filen '{name}' kan inte läsas som tabell ({type(error).__name__})."
                )
            ]
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.index = pd.Index(_csv_lines(opened.text, len(frame)), name=LINE_INDEX)
    return frame


def _csv_lines(text: str, rows: int) -> np.ndarray:
    """The line of each data row pandas read (it skips blank lines; they still count)."""
    lines = np.arange(tabular.FIRST_DATA_LINE, tabular.FIRST_DATA_LINE + rows)
    if not any(blank in text for blank in ("\n\n", "\n\r\n", "\r\r")):
        return lines  # (a substring test: a regular expression over a large file is slow)
    filled = [n for n, line in enumerate(text.splitlines(), start=1) if line.strip()][1:]
    # a quoted cell over several lines: the lines no longer match rows one to one
    return np.asarray(filled, dtype=np.int64) if len(filled) == rows else lines


def _frame_of_rows(data: bytes, name: str, text_columns: Sequence[str]) -> pd.DataFrame:
    header, records, problems = tabular.read_table(data)
    if problems:
        raise DomainValidationError(
            [_file_problem(name, f"{name}: {p.message}", p.rule) for p in problems]
        )
    width = len(header)
    numbered = tabular.data_rows(records)
    for line, cells in numbered:
        if len(cells) > width:
            raise DomainValidationError(
                [
                    Problem(
                        "",
                        "file.extra_values",
                        f"{name}: Rad {line} har fler värden ({len(cells)}) än rubrikraden "
                        f"({width}).",
                        None,
                        row=line,
                    )
                ]
            )
    rows = [
        (line, [None if v.strip() in NA_TEXT else v for v in (cells + [""] * width)[:width]])
        for line, cells in numbered
    ]
    frame = pd.DataFrame([r for _line, r in rows], columns=header, dtype=object)
    for column in frame.columns:
        if column not in text_columns:
            # text stays text; the panel checks name a bad cell
            with contextlib.suppress(ValueError, TypeError):
                frame[column] = pd.to_numeric(frame[column])
    frame.index = pd.Index([line for line, _r in rows], dtype=np.int64, name=LINE_INDEX)
    return frame


@dataclass(slots=True)
class DidRun:
    """A plain DiD run: the ATT(g, t), the four aggregations, the CSV rows and all notes."""

    result: AttGtResult
    aggregations: dict[str, AggteResult]
    rows: list[dict]
    notes: list[str] = field(default_factory=list)

    @property
    def seed(self) -> int:
        return self.result.options.seed

    @property
    def pretest(self) -> dict:
        r = self.result
        return {
            "statistic": _finite(r.wald_stat),
            "df": r.wald_df,
            "pvalue": _finite(r.wald_pvalue),
        }

    def cells(self) -> list[dict]:
        """The ATT(g, t) rows for display, with ``post`` (treated period) added."""
        return [
            {**row, "post": bool(post)}
            for row, post in zip(
                [r for r in self.rows if r["aggregation"] == "attgt"],
                self.result.post,
                strict=True,
            )
        ]

    def aggregation_rows(self, kind: str) -> tuple[dict, list[dict]]:
        """The overall row and the per-label rows of one aggregation."""
        rows = [r for r in self.rows if r["aggregation"] == kind]
        overall = next(
            r for r in rows if r["group"] is None and r["time"] is None and r["event_time"] is None
        )
        return overall, [r for r in rows if r is not overall]

    def settings(self) -> list[tuple[str, str]]:
        """The run's settings as Swedish label and value (page, PDF and xlsx)."""
        o = self.result.options
        return [
            ("Utfall", o.yname),
            ("Enhet", o.idname),
            ("Period", o.tname),
            ("Grupp", o.gname),
            ("Kovariater", ", ".join(o.covariates) or "inga"),
            ("Jämförelsegrupp", CONTROL_CHOICES.get(o.control_group, o.control_group)),
            ("Skattningsmetod", METHOD_CHOICES.get(o.est_method, o.est_method)),
            ("Basperiod", BASE_PERIOD_CHOICES.get(o.base_period, o.base_period)),
            ("Förväntanseffekt (perioder)", f"{o.anticipation:g}"),
            (
                "Bootstrap-dragningar",
                str(o.biters) if o.bootstrap else "0 (analytiska standardfel)",
            ),
            ("Slumpfrö", str(o.seed)),
            ("Enheter i skattningen", str(self.result.n)),
        ]

    def to_dict(self) -> dict:
        o = self.result.options
        return {
            "options": {
                "outcome": o.yname,
                "unit": o.idname,
                "time": o.tname,
                "group": o.gname,
                "covariates": list(o.covariates),
                "control_group": o.control_group,
                "est_method": o.est_method,
                "base_period": o.base_period,
                "anticipation": o.anticipation,
                "bootstrap_draws": o.biters if o.bootstrap else 0,
                "alpha": o.alpha,
                "seed": o.seed,
            },
            "pretest": self.pretest,
            "notes": list(self.notes),
            "rows": [{k: _clean(v) for k, v in row.items()} for row in self.rows],
        }


def _finite(value):
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _clean(value):
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def run_did(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    group: str,
    outcome: str,
    covariates: Sequence[str] = (),
    control: str = "never",
    method: str = "dr",
    base_period: str = "varying",
    anticipation: int = 0,
    bootstrap: int = DEFAULT_BOOTSTRAP,
    seed: int | None = None,
    population: str = "all",
) -> DidRun:
    """Estimate ATT(g, t) and the simple, dynamic, group and calendar aggregations.

    ``bootstrap`` is the number of multiplier-bootstrap draws (0 = analytic standard errors for
    the cells). Notes (cells that could not be estimated, dropped units …) are collected in
    :attr:`DidRun.notes` instead of being emitted as warnings. Bad input raises
    :class:`DomainValidationError`.
    """
    if bootstrap is None or int(bootstrap) < 0:
        raise DomainValidationError(
            [
                Problem(
                    "bootstrap",
                    "evaluation.option",
                    "Antal bootstrap-dragningar måste vara 0 eller ett positivt heltal.",
                    value=bootstrap,
                )
            ]
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", EvaluationWarning)
        result = att_gt(
            data,
            yname=outcome,
            tname=time,
            idname=unit,
            gname=group,
            covariates=list(covariates) or None,
            control_group=control,
            est_method=method,
            base_period=base_period,
            anticipation=anticipation,
            bootstrap=int(bootstrap) > 0,
            biters=int(bootstrap) if int(bootstrap) > 0 else DEFAULT_BOOTSTRAP,
            seed=seed,
        )
        aggregations = {kind: aggte(result, kind) for kind in AGGREGATIONS}
    rows = result.to_rows(outcome=outcome, population=population)
    for agg in aggregations.values():
        rows += agg.to_rows(outcome, population)
    agg_notes = [n for a in aggregations.values() for n in a.notes]
    notes = list(dict.fromkeys([*result.notes, *agg_notes]))
    for w in caught:
        if issubclass(w.category, EvaluationWarning) and str(w.message) not in notes:
            notes.append(str(w.message))
    return DidRun(result=result, aggregations=aggregations, rows=rows, notes=notes)


def did_event_study_chart(run: DidRun, *, title: str | None = None):
    """A Vega-Altair event-study chart of the dynamic aggregation with its simultaneous bands."""
    import altair as alt

    rows = chart_rows(run)
    data = pd.DataFrame(
        [
            {
                "event_time": r["event_time"],
                "estimate": r["estimate"],
                "ci_lower": r["ci_lower"],
                "ci_upper": r["ci_upper"],
                "period": "efter behandling" if r["event_time"] >= 0 else "före behandling",
            }
            for r in rows
            if r["estimate"] is not None
        ],
        columns=["event_time", "estimate", "ci_lower", "ci_upper", "period"],
    )
    colour = alt.Color(
        "period:N",
        title="Period",
        scale=alt.Scale(
            domain=["före behandling", "efter behandling"], range=["#6b7280", "#1d4f91"]
        ),
    )
    times = data.event_time if len(data) else pd.Series([0])
    domain = [float(times.min()) - 0.5, float(times.max()) + 0.5]  # room for the end points
    base = alt.Chart(data).encode(
        x=alt.X(
            "event_time:Q",
            title="Tid från behandling",
            axis=alt.Axis(tickMinStep=1, format="d"),
            scale=alt.Scale(domain=domain, nice=False, zero=False),
        ),
        color=colour,
    )
    bands = base.mark_rule(strokeWidth=2, opacity=0.7).encode(
        y=alt.Y("ci_lower:Q", title=f"Effekt på {run.result.options.yname}"), y2="ci_upper:Q"
    )
    points = base.mark_point(filled=True, size=60).encode(y="estimate:Q")
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="black").encode(y="y:Q")
    level = round(100 * (1 - run.result.options.alpha))
    return (zero + bands + points).properties(
        title=title or f"Effekt per tid från behandling med simultana {level} %-band",
        width=520,
        height=300,
    )


def chart_rows(run: DidRun) -> list[dict]:
    """The dynamic aggregation rows that the chart shows (for the table beside it)."""
    return run.aggregation_rows("dynamic")[1]


_XLSX_HEADER = ["Skattning", "Standardfel", "Band nedre", "Band övre", "Antal enheter"]


def did_workbook(run: DidRun, *, chart_png: bytes | None = None) -> bytes:
    """An xlsx of the run: Sammanfattning, ATT(g,t), one sheet per aggregation, Metod.

    Estimates are stored at full precision and shown with four decimals; the chart (PNG) goes
    next to the event-time table.
    """

    def values(row):
        return [row["estimate"], row["std_error"], row["ci_lower"], row["ci_upper"], row["n_units"]]

    level = round(100 * (1 - run.result.options.alpha))
    sheets: dict[str, tuple[list[str], list[list]]] = {}
    overall_rows = [[AGGREGATION_LABELS["simple"], *values(run.aggregation_rows("simple")[0])]]
    for kind, key, label in (
        ("dynamic", "event_time", "Tid från behandling"),
        ("group", "group", "Grupp"),
        ("calendar", "time", "Period"),
    ):
        overall, rows = run.aggregation_rows(kind)
        overall_rows.append([AGGREGATION_LABELS[kind], *values(overall)])
        sheets[AGGREGATION_LABELS[kind].split(" (")[0]] = (
            [label, *_XLSX_HEADER],
            [[r[key], *values(r)] for r in rows],
        )
    sheets = {
        "Sammanfattning": (
            [
                "Aggregering",
                "Skattning",
                "Standardfel",
                f"{level} % KI nedre",
                f"{level} % KI övre",
                "Antal enheter",
            ],
            overall_rows,
        ),
        "ATT(g,t)": (
            ["Grupp", "Period", "Efter behandling", *_XLSX_HEADER],
            [
                [c["group"], c["time"], "ja" if c["post"] else "nej", *values(c)]
                for c in run.cells()
            ],
        ),
        **sheets,
    }
    pre = run.pretest
    method = [*run.settings()]
    method.append(
        (
            "Förtest av parallella trender",
            f"chi2 = {pre['statistic']:.4f}, fg = {pre['df']}, p = {pre['pvalue']:.5f}"
            if pre["pvalue"] is not None
            else "redovisas inte",
        )
    )
    method.append(
        (
            "Konfidensband",
            "ATT(g,t) och aggregeringarnas delvärden: simultana band; totalvärden: punktvisa "
            f"{level} %-intervall.",
        )
    )
    method += [("Notering", note) for note in run.notes]

    buffer = io.BytesIO()
    book = safe_cells.workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    number = book.add_format({"num_format": "0.0000"})
    for name, (header, sheet_rows) in sheets.items():
        sheet = book.add_worksheet(name[:31])
        sheet.write_row(0, 0, header, bold)
        for r, row in enumerate(sheet_rows, start=1):
            for c, value in enumerate(row):
                if value is None:
                    sheet.write_blank(r, c, None)
                elif isinstance(value, float) and not value.is_integer():
                    sheet.write_number(r, c, value, number)
                else:
                    sheet.write(r, c, value)
        sheet.set_column(
            0, 0, max(14, max(len(str(row[0])) for row in sheet_rows) + 2) if sheet_rows else 14
        )
        sheet.set_column(1, len(header) - 1, 14)
        sheet.freeze_panes(1, 0)
        if chart_png and name == "Händelsetid":
            sheet.insert_image(
                1,
                len(header) + 1,
                "handelsetid.png",
                {"image_data": io.BytesIO(chart_png), "x_scale": 0.5, "y_scale": 0.5},
            )
    sheet = book.add_worksheet("Metod")
    sheet.write_row(0, 0, ["Inställning", "Värde"], bold)
    for r, (key, value) in enumerate(method, start=1):
        sheet.write_string(r, 0, key)
        sheet.write_string(r, 1, value)
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 100)
    book.close()
    return buffer.getvalue()
