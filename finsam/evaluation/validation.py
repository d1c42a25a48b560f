"""Checks on an evaluation panel before anything is estimated.

Every problem is a :class:`~finsam.domain.problems.Problem` with a Swedish message naming the
column and the rule; :func:`validate_panel` raises :class:`DomainValidationError` with all of them
at once, so a user can fix the file in one go. A panel read from a file
(:func:`finsam.evaluation.run.read_table`) carries each row's line as a spreadsheet shows it
(header = line 1) in an index named :data:`LINE_INDEX`, and problems name that line; any other
table's rows are numbered from 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from finsam.domain.problems import DomainValidationError, Problem

MAX_PROBLEMS_PER_RULE = 10
"""A file with thousands of bad rows reports the first ten per rule."""

LINE_INDEX = "line"
"""The name of a panel's index that holds each row's line in its file (header = line 1)."""


@dataclass(frozen=True, slots=True)
class PanelIndex:
    """Positions of the rows of a validated panel: sorted unit ids and sorted periods."""

    unit_code: np.ndarray
    unit_ids: np.ndarray
    time_code: np.ndarray
    periods: np.ndarray


def _line_numbers(data: pd.DataFrame) -> np.ndarray:
    """Each row's number in messages: its file line when the index holds it, else 1, 2, …"""
    if data.index.name == LINE_INDEX and pd.api.types.is_integer_dtype(data.index):
        return data.index.to_numpy()
    return np.arange(1, len(data) + 1)


def _positions(mask: np.ndarray) -> list[int]:
    return [int(i) for i in np.flatnonzero(mask)[:MAX_PROBLEMS_PER_RULE]]


def _numeric(
    data: pd.DataFrame,
    column: str,
    rule: str,
    label: str,
    problems: list[Problem],
    lines: np.ndarray,
) -> pd.Series:
    """The column as floats; text that is not a number becomes a problem (empty cells pass)."""
    raw = data[column]
    if pd.api.types.is_bool_dtype(raw) or not (
        pd.api.types.is_numeric_dtype(raw)
        or raw.dtype == object
        or pd.api.types.is_string_dtype(raw)
    ):
        problems.append(
            Problem(column, rule, f"{label} '{column}' måste vara numerisk (typen är {raw.dtype}).")
        )
        return pd.Series(np.nan, index=data.index)
    if pd.api.types.is_numeric_dtype(raw):
        return raw.astype(float)
    text = raw.astype("string").str.strip().str.replace(",", ".", regex=False)
    values = pd.to_numeric(text, errors="coerce")
    bad = (values.isna() & text.notna() & (text != "")).to_numpy()
    for at in _positions(bad):
        row = int(lines[at])
        problems.append(
            Problem(
                column,
                rule,
                f"{label} '{column}' måste vara numerisk; rad {row} har värdet '{raw.iloc[at]}'.",
                value=raw.iloc[at],
                row=row,
            )
        )
    return values.astype(float)


def validate_panel(
    data: pd.DataFrame,
    *,
    yname: str,
    tname: str,
    idname: str,
    gname: str,
    covariates: Sequence[str] = (),
    clustervars: Sequence[str] = (),
) -> pd.DataFrame:
    """Check the panel and return a clean copy with numeric columns (see :func:`index_panel`)."""
    return index_panel(
        data,
        yname=yname,
        tname=tname,
        idname=idname,
        gname=gname,
        covariates=covariates,
        clustervars=clustervars,
    )[0]


def index_panel(
    data: pd.DataFrame,
    *,
    yname: str,
    tname: str,
    idname: str,
    gname: str,
    covariates: Sequence[str] = (),
    clustervars: Sequence[str] = (),
) -> tuple[pd.DataFrame, PanelIndex]:
    """Check the panel; return a clean copy with numeric columns and its :class:`PanelIndex`.

    Rules (``Problem.rule``): ``evaluation.column_missing``, ``evaluation.outcome_not_numeric``,
    ``evaluation.time_not_numeric``, ``evaluation.group_not_numeric``,
    ``evaluation.covariate_not_numeric``, ``evaluation.duplicate_unit_time``,
    ``evaluation.group_varies_within_unit``, ``evaluation.cluster_varies_within_unit``,
    ``evaluation.treated_before_first_period``, ``evaluation.empty``.

    An empty group value means "never treated" and becomes 0.
    """
    problems: list[Problem] = []
    if not isinstance(data, pd.DataFrame):
        raise DomainValidationError(
            [Problem("", "evaluation.empty", "Indata måste vara en tabell (DataFrame).")]
        )
    needed = {
        yname: "utfallskolumnen",
        tname: "tidskolumnen",
        idname: "enhetskolumnen",
        gname: "gruppkolumnen (år för första behandling)",
    }
    for column in covariates:
        needed.setdefault(column, "kovariatkolumnen")
    for column in clustervars:
        needed.setdefault(column, "klusterkolumnen")
    for column, label in needed.items():
        if column not in data.columns:
            problems.append(
                Problem(
                    column,
                    "evaluation.column_missing",
                    f"Kolumnen '{column}' ({label}) saknas i indata. Kolumner som finns: "
                    f"{', '.join(map(str, data.columns))}.",
                )
            )
    if problems:
        raise DomainValidationError(problems)
    if len(data) == 0:
        raise DomainValidationError(
            [Problem("", "evaluation.empty", "Indata innehåller inga rader.")]
        )

    clean = pd.DataFrame(index=pd.RangeIndex(len(data)))
    lines = _line_numbers(data)
    src = data.reset_index(drop=True)
    clean[yname] = _numeric(
        src, yname, "evaluation.outcome_not_numeric", "Utfallet", problems, lines
    )
    clean[tname] = _numeric(
        src, tname, "evaluation.time_not_numeric", "Tidskolumnen", problems, lines
    )
    clean[gname] = _numeric(
        src, gname, "evaluation.group_not_numeric", "Gruppkolumnen", problems, lines
    )
    for column in covariates:
        clean[column] = _numeric(
            src, column, "evaluation.covariate_not_numeric", "Kovariaten", problems, lines
        )
    clean[idname] = src[idname].to_numpy()
    for column in clustervars:
        if column not in clean.columns:
            clean[column] = src[column].to_numpy()

    missing_time = clean[tname].isna().to_numpy() & src[tname].notna().to_numpy()
    missing_time |= src[tname].isna().to_numpy()
    for row in (int(lines[at]) for at in _positions(missing_time)):
        if not any(p.row == row and p.field == tname for p in problems):
            problems.append(
                Problem(
                    tname,
                    "evaluation.time_not_numeric",
                    f"Tidskolumnen '{tname}' saknar värde på rad {row}.",
                    row=row,
                )
            )
    if src[idname].isna().any():
        for row in (int(lines[at]) for at in _positions(src[idname].isna().to_numpy())):
            problems.append(
                Problem(
                    idname,
                    "evaluation.column_missing",
                    f"Enhetskolumnen '{idname}' saknar värde på rad {row}.",
                    row=row,
                )
            )
    if problems:
        raise DomainValidationError(problems)

    clean[gname] = clean[gname].fillna(0.0)

    unit_code, unit_ids = pd.factorize(clean[idname], sort=True)
    time_code, periods = pd.factorize(clean[tname], sort=True)
    key = unit_code.astype(np.int64) * len(periods) + time_code
    has_duplicates = bool(np.bincount(key).max() > 1)
    duplicated = (
        clean.duplicated(subset=[idname, tname], keep=False).to_numpy()
        if has_duplicates
        else np.zeros(len(clean), dtype=bool)
    )
    if duplicated.any():
        dup = clean.loc[duplicated, [idname, tname]]
        for (unit, time), rows in list(dup.groupby([idname, tname]).groups.items())[
            :MAX_PROBLEMS_PER_RULE
        ]:
            row_list = ", ".join(str(int(lines[r])) for r in rows)
            problems.append(
                Problem(
                    f"{idname}, {tname}",
                    "evaluation.duplicate_unit_time",
                    f"Enheten {unit} förekommer flera gånger för {tname} = {_fmt(time)} "
                    f"(rad {row_list}); varje enhet får bara ha en rad per period.",
                    value=unit,
                    row=int(lines[rows[0]]),
                )
            )

    g_values = clean[gname].to_numpy()
    g_first = np.empty(len(unit_ids))
    g_first[unit_code] = g_values
    if np.any(g_first[unit_code] != g_values):
        n_groups = clean.groupby(idname, sort=False)[gname].nunique(dropna=False)
        varying = n_groups[n_groups > 1]
    else:
        varying = pd.Series(dtype=float)
    for unit in varying.index[:MAX_PROBLEMS_PER_RULE]:
        values = sorted(clean.loc[clean[idname] == unit, gname].unique())
        problems.append(
            Problem(
                gname,
                "evaluation.group_varies_within_unit",
                f"Gruppkolumnen '{gname}' (år för första behandling) måste ha samma värde alla "
                f"år för en enhet; enheten {unit} har {', '.join(_fmt(v) for v in values)}.",
                value=unit,
            )
        )
    for column in clustervars:
        n_cl = clean.groupby(idname, sort=False)[column].nunique(dropna=False)
        for unit in n_cl[n_cl > 1].index[:MAX_PROBLEMS_PER_RULE]:
            problems.append(
                Problem(
                    column,
                    "evaluation.cluster_varies_within_unit",
                    f"Klusterkolumnen '{column}' måste ha samma värde alla år för en enhet; "
                    f"enheten {unit} har flera värden.",
                    value=unit,
                )
            )

    first_period = clean[tname].min()
    early = (clean[gname] > 0) & (clean[gname] < first_period)
    if early.any():
        early_units = clean.loc[early, [idname, gname]].drop_duplicates(subset=[idname])
        for unit, g in early_units.head(MAX_PROBLEMS_PER_RULE).itertuples(index=False):
            problems.append(
                Problem(
                    gname,
                    "evaluation.treated_before_first_period",
                    f"Enheten {unit} behandlades första gången {_fmt(g)}, före panelens första "
                    f"period {_fmt(first_period)}; då finns ingen period före behandling att "
                    f"jämföra med. Ta bort enheten eller utöka panelen bakåt.",
                    value=unit,
                )
            )
    if problems:
        raise DomainValidationError(problems)
    index = PanelIndex(unit_code, np.asarray(unit_ids), time_code, np.asarray(periods, dtype=float))
    return clean, index


def _fmt(value: object) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)
