"""The frames the report core reads: the contract between the database and the reports.

The web layer loads episodes (and follow-ups, interventions, volume counts, budget lines) with one
query each into pandas DataFrames with exactly the columns below; the population rules are applied
by the report core, not by the query. This module is the one place the columns are written down:
:func:`validate_frame` checks a frame, :func:`build_frame` makes one from a list of dicts (tests,
small imports).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from finsam.domain import codelists as cl
from finsam.domain.problems import DomainValidationError, Problem

# column kinds: "int", "str", "str?" (nullable string), "key?" (nullable string identifier),
# "float" (NaN allowed), "date", "date?" (NaT allowed), "bool?" (True/False/None), "list" (list
# of codes). Text columns ("str", "str?", "key?") are object strings or a categorical of strings:
# the database selectors send categoricals (one small integer per row, so comparing codes and
# counting distinct persons never hashes the strings); hand-built frames use plain strings.


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: str
    codes: tuple[str, ...] | None = None
    """Allowed values (for code columns); ``None`` = any."""
    default: object = None
    """Used by :func:`build_frame` when a dict leaves the column out (``None`` = required)."""


_REQUIRED = object()

EPISODE_COLUMNS: tuple[Column, ...] = (
    Column("episode_id", "int", default=_REQUIRED),
    Column("intervention_code", "str", default="I1"),
    Column("intervention_name", "str", default="Insats 1"),
    Column("orientation", "str", cl.ORIENTATION.code_values, "individual"),
    Column("registration", "str", cl.REGISTRATION_METHOD.code_values, "persons"),
    Column("association_code", "str", default="F1"),
    Column("association_name", "str", default="Förbund 1"),
    Column("county_code", "str", default="01"),
    Column("county_name", "str", default="Stockholms län"),
    Column("person_key", "key?", default=None),
    Column("sex", "str", cl.SEX.code_values, default=_REQUIRED),
    Column("age_at_start", "int", default=_REQUIRED),
    Column("home_municipality", "str", default="0180"),
    Column("start_date", "date", default=_REQUIRED),
    Column("end_date", "date?", default=None),
    Column("exit_reason", "str?", cl.EXIT_REASON.code_values, None),
    Column("support_before_mask", "int", default=0),
    Column("support_after_mask", "int", default=0),
    Column("occupation_before", "str?", cl.OCCUPATION.code_values, None),
    Column("occupation_after", "str?", cl.OCCUPATION.code_values, None),
    Column("time_on_support", "str?", cl.TIME_ON_SUPPORT.code_values, None),
    Column("education", "str?", cl.EDUCATION.code_values, None),
    Column("work_hours_before", "float", default=np.nan),
    Column("study_hours_before", "float", default=np.nan),
    Column("work_hours", "float", default=np.nan),
    Column("study_hours", "float", default=np.nan),
    Column("work_study_increased", "bool?", default=None),
)

FOLLOWUP_COLUMNS: tuple[Column, ...] = (
    Column("episode_id", "int", default=_REQUIRED),
    Column("months_after", "int", tuple(str(m) for m in cl.FOLLOWUP_MONTHS), _REQUIRED),
    Column("support_mask", "int", default=0),
    Column("occupation", "str?", cl.OCCUPATION.code_values, None),
    Column("work_hours", "float", default=np.nan),
    Column("study_hours", "float", default=np.nan),
)

INTERVENTION_COLUMNS: tuple[Column, ...] = (
    Column("intervention_code", "str", default=_REQUIRED),
    Column("association_code", "str", default="F1"),
    Column("name", "str", default=""),
    Column("orientation", "str", cl.ORIENTATION.code_values, "individual"),
    Column("registration", "str", cl.REGISTRATION_METHOD.code_values, "persons"),
    Column("start_date", "date", default=_REQUIRED),
    Column("end_date", "date?", default=None),
    Column("status", "str", cl.INTERVENTION_STATUS.code_values, "ongoing"),
    Column("planned_participants", "float", default=np.nan),
    Column("target_groups", "list", cl.TARGET_GROUP.code_values, ()),
)

VOLUME_COLUMNS: tuple[Column, ...] = (
    Column("intervention_code", "str", default=_REQUIRED),
    Column("association_code", "str", default="F1"),
    Column("month", "date", default=_REQUIRED),
    Column("women", "int", default=0),
    Column("men", "int", default=0),
    Column("other", "int", default=0),
)

BUDGET_LINE_KINDS = ("resource", "admin_cost", "intervention_cost")
BUDGET_COLUMNS: tuple[Column, ...] = (
    Column("association_code", "str", default=_REQUIRED),
    Column("year", "int", default=_REQUIRED),
    Column("line", "str", BUDGET_LINE_KINDS, _REQUIRED),
    Column("category", "str?", default=None),
    Column("intervention_code", "str?", default=None),
    Column("budget", "float", default=np.nan),
    Column("actual", "float", default=np.nan),
)

SCHEMAS: dict[str, tuple[Column, ...]] = {
    "episodes": EPISODE_COLUMNS,
    "followups": FOLLOWUP_COLUMNS,
    "interventions": INTERVENTION_COLUMNS,
    "volume": VOLUME_COLUMNS,
    "budget_lines": BUDGET_COLUMNS,
}
_LABELS = {
    "episodes": "deltagarepisoder",
    "followups": "uppföljningar",
    "interventions": "insatser",
    "volume": "volymregistreringar",
    "budget_lines": "budgetrader",
}
_ALL_SUPPORT_BITS = cl.support_mask(cl.SUPPORT.code_values)


def _coerce(series: pd.Series, kind: str) -> pd.Series:
    if kind in ("str", "str?", "key?") and isinstance(series.dtype, pd.CategoricalDtype):
        return series
    if kind == "int":
        return pd.to_numeric(series, errors="raise").astype("int64")
    if kind == "float":
        return pd.to_numeric(series, errors="raise").astype("float64")
    if kind in ("date", "date?"):
        return pd.to_datetime(series, errors="raise").astype("datetime64[ns]")
    if kind == "str":
        return series.astype(object)
    if kind in ("str?", "key?"):
        s = series.astype(object)
        return s.where(s.notna() & (s != ""), None)  # "" = no value (CSV imports)
    if kind == "bool?":
        return series.astype(object).where(series.notna(), None)
    return series.astype(object)


def validate_frame(df: pd.DataFrame, schema: str = "episodes") -> pd.DataFrame:
    """Check ``df`` against the schema and return it with canonical dtypes.

    Raises :class:`DomainValidationError` listing every problem (missing or unknown columns, values
    of the wrong type, codes outside their code list, dates before the law's start, end before
    start). Row numbers in problems are 1-based positions in the frame.
    """
    columns = SCHEMAS[schema]
    label = _LABELS[schema]
    names = [c.name for c in columns]
    problems: list[Problem] = []
    missing = [n for n in names if n not in df.columns]
    unknown = [n for n in df.columns if n not in names]
    for n in missing:
        problems.append(Problem(n, "frame.missing_column", f"Kolumnen {n} saknas i {label}.", n))
    for n in unknown:
        problems.append(Problem(n, "frame.unknown_column", f"Okänd kolumn {n} i {label}.", n))
    if problems:
        raise DomainValidationError(problems)
    out = {}
    for col in columns:
        try:
            out[col.name] = _coerce(df[col.name], col.kind)
        except (ValueError, TypeError) as exc:
            problems.append(
                Problem(
                    col.name,
                    "frame.type",
                    f"Kolumnen {col.name} i {label} har värden av fel typ ({col.kind}).",
                    str(exc)[:80],
                )
            )
    if problems:
        raise DomainValidationError(problems)
    frame = pd.DataFrame(out, index=pd.RangeIndex(len(df)))
    for col in columns:
        s = frame[col.name]
        if col.kind in ("str", "int", "date"):
            bad = s.isna().to_numpy()
            if bad.any():
                problems.append(_row_problem(col.name, "frame.required", bad, s, label))
        if col.codes is not None:
            if col.kind == "list":
                allowed = set(col.codes)
                bad = np.array([any(v not in allowed for v in (x or ())) for x in s], dtype=bool)
            else:
                values = s.astype(str) if col.kind == "int" else s
                bad = (~values.isin(col.codes) & s.notna()).to_numpy()
            if bad.any():
                problems.append(_row_problem(col.name, "frame.code", bad, s, label))
        if col.kind in ("date", "date?"):
            bad = (s < pd.Timestamp(cl.LAW_START)).to_numpy()
            if bad.any():
                problems.append(_row_problem(col.name, "frame.before_law", bad, s, label))
    if schema == "episodes":
        bad = (frame["end_date"] < frame["start_date"]).to_numpy()
        if bad.any():
            problems.append(
                _row_problem("end_date", "frame.end_before_start", bad, frame["end_date"], label)
            )
        for name in ("support_before_mask", "support_after_mask"):
            m = frame[name].to_numpy()
            bad = (m < 0) | ((m & ~_ALL_SUPPORT_BITS) != 0)
            if bad.any():
                problems.append(_row_problem(name, "frame.support_mask", bad, frame[name], label))
        dup = frame["episode_id"].duplicated().to_numpy()
        if dup.any():
            problems.append(
                _row_problem("episode_id", "frame.duplicate", dup, frame["episode_id"], label)
            )
    if problems:
        raise DomainValidationError(problems)
    return frame


_MESSAGES = {
    "frame.required": "Kolumnen {col} i {label} saknar värde (värdet krävs)",
    "frame.code": "Kolumnen {col} i {label} har en kod som inte finns i kodlistan",
    "frame.before_law": (
        "Kolumnen {col} i {label} har ett datum före lagens ikraftträdande 2004-01-01"
    ),
    "frame.end_before_start": "Slutdatum ({col}) i {label} får inte vara före startdatum",
    "frame.support_mask": "Kolumnen {col} i {label} har en ogiltig försörjningsmask",
    "frame.duplicate": "Kolumnen {col} i {label} har dubbletter",
}


def _row_problem(col: str, rule: str, bad: np.ndarray, s: pd.Series, label: str) -> Problem:
    rows = np.flatnonzero(bad)
    first = int(rows[0])
    more = f" (och {len(rows) - 1} rader till)" if len(rows) > 1 else ""
    message = _MESSAGES[rule].format(col=col, label=label) + f": rad {first + 1}{more}."
    return Problem(col, rule, message, s.iloc[first], first + 1)


def build_frame(records: Iterable[Mapping], schema: str = "episodes") -> pd.DataFrame:
    """A validated frame from a list of dicts; columns left out take their documented default.

    Support masks may also be given as code lists under ``support_before``/``support_after``
    (episodes) or ``support`` (follow-ups). ``episode_id`` defaults to the position (1-based).
    """
    columns = SCHEMAS[schema]
    rows = []
    problems = []
    for i, rec in enumerate(records, start=1):
        rec = dict(rec)
        if schema == "episodes":
            rec.setdefault("episode_id", i)
            for key in ("support_before", "support_after"):
                if key in rec:
                    rec[f"{key}_mask"] = cl.support_mask(rec.pop(key))
        if schema == "followups" and "support" in rec:
            rec["support_mask"] = cl.support_mask(rec.pop("support"))
        row = {}
        for col in columns:
            if col.name in rec:
                row[col.name] = rec.pop(col.name)
            elif col.default is _REQUIRED:
                problems.append(
                    Problem(col.name, "frame.required", f"Värde saknas för {col.name}.", None, i)
                )
            else:
                row[col.name] = col.default
        for extra in rec:
            problems.append(
                Problem(extra, "frame.unknown_column", f"Okänd kolumn {extra}.", extra, i)
            )
        rows.append(row)
    if problems:
        raise DomainValidationError(problems)
    df = pd.DataFrame(rows, columns=[c.name for c in columns])
    return validate_frame(df, schema)
