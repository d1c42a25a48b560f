"""Indicator results: n, mean, standard deviation, share in the top categories and share "kan
inte bedöma", per unit (indicator or statement) × period, for one association and for the
national aggregate, with small-cell protection (``finsam.domain.protection``).

Definitions (``docs/indicators.md``):

* A respondent's **score** on a statement is the point answered. Their score on an *indicator*
  is the mean of the points they gave to that indicator's statements in the version; a
  respondent who answered only "kan inte bedöma" to them counts as *cannot judge*, one who
  answered none of them does not count.
* **n** is the number of respondents with a score or "kan inte bedöma" (they answered the unit);
  **mean**, **standard deviation** (sample, n − 1) and **share in the top categories** are over
  the ``n_scored`` respondents with a score; the **share "kan inte bedöma"** is over n.
  A score is in the top categories when it is at least ``scale.top_threshold``.
* Results only ever combine answers to *one* questionnaire version, so a trend over periods
  compares the same statements (published versions never change).
* The **national aggregate** of a cell pools the associations whose own cell is shown (at least
  ``threshold`` respondents with a score). So national minus an association's figure is always a
  sum of shown associations and never gives a hidden cell back.
* **Change** is the mean minus the mean of the previous period with answers (same version, so
  the same statements); it is hidden when either mean is hidden.
* Protection: n of 1 … t−1 is hidden; mean, standard deviation and top share are hidden when
  ``n_scored`` < t or n is hidden; the share "kan inte bedöma" is hidden when n is hidden.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from finsam.domain.indicators.answers import CANNOT_JUDGE, Answer
from finsam.domain.indicators.definitions import QuestionnaireDef
from finsam.domain.protection import Cell, Kind, ProtectedTable, ProtectionRule, Table, protect

MEASURES = ("n", "mean", "sd", "top", "cj", "change")
OWN, NATIONAL = "own", "national"

Score = float | str
"""A respondent's score on a unit, or :data:`CANNOT_JUDGE`."""


@dataclass(frozen=True, slots=True)
class Record:
    """One submitted questionnaire: which association, which period, the answers by item code."""

    association: Hashable
    period: int
    answers: Mapping[str, Answer]


@dataclass(frozen=True, slots=True)
class Summary:
    n: int
    """Respondents who answered the unit (a point or "kan inte bedöma")."""
    n_scored: int
    n_top: int
    n_cannot_judge: int
    mean: float | None
    sd: float | None
    top_share: float | None
    cannot_judge_share: float | None

    def value(self, measure: str) -> float | int | None:
        return {
            "n": self.n,
            "mean": self.mean,
            "sd": self.sd,
            "top": self.top_share,
            "cj": self.cannot_judge_share,
        }[measure]


EMPTY = Summary(0, 0, 0, 0, None, None, None, None)


def summarise(scores: Iterable[Score], *, top_threshold: float) -> Summary:
    """n, mean, sample standard deviation, top share and "kan inte bedöma" share of scores."""
    values: list[float] = []
    cannot = 0
    for s in scores:
        if s == CANNOT_JUDGE:
            cannot += 1
        else:
            values.append(float(s))
    n_scored = len(values)
    n = n_scored + cannot
    if n == 0:
        return EMPTY
    mean = sd = top = None
    n_top = sum(1 for v in values if v >= top_threshold - 1e-9)
    if n_scored:
        mean = math.fsum(values) / n_scored
        top = n_top / n_scored
        if n_scored >= 2:
            var = math.fsum((v - mean) ** 2 for v in values) / (n_scored - 1)
            sd = math.sqrt(max(var, 0.0))
    return Summary(n, n_scored, n_top, cannot, mean, sd, top, cannot / n)


def unit_score(answers: Mapping[str, Answer], item_codes: Sequence[str]) -> Score | None:
    """The respondent's score on a unit made of ``item_codes`` (``None``: not answered)."""
    given = [answers[c] for c in item_codes if c in answers]
    points = [a for a in given if not isinstance(a, str)]  # CANNOT_JUDGE is the only text
    if points:
        return math.fsum(points) / len(points)
    return CANNOT_JUDGE if given else None


@dataclass(frozen=True, slots=True)
class Unit:
    kind: str
    """``indicator`` or ``item``."""
    key: int | str
    """Indicator number or item code."""
    indicator: int
    label: str
    item_codes: tuple[str, ...]


def units_of(questionnaire: QuestionnaireDef, indicator_names: Mapping[int, str]) -> list[Unit]:
    """The indicators the version measures (by number), then its statements (by position)."""
    items = sorted(questionnaire.items, key=lambda i: i.position)
    by_indicator: dict[int, list[str]] = defaultdict(list)
    for item in items:
        by_indicator[item.indicator].append(item.code)
    units = [
        Unit("indicator", number, number, indicator_names.get(number, str(number)), tuple(codes))
        for number, codes in sorted(by_indicator.items())
    ]
    units += [Unit("item", i.code, i.indicator, i.text, (i.code,)) for i in items]
    return units


def _scores(
    records: Iterable[Record], units: Sequence[Unit]
) -> dict[tuple[Hashable, int, str, int | str], list[Score]]:
    """``{(association, period, unit kind, unit key): scores}`` for every combination present."""
    scores: dict[tuple, list[Score]] = defaultdict(list)
    for record in records:
        for unit in units:
            score = unit_score(record.answers, unit.item_codes)
            if score is not None:
                scores[(record.association, record.period, unit.kind, unit.key)].append(score)
    return scores


@dataclass(frozen=True, slots=True)
class ResultTable:
    units: tuple[Unit, ...]
    periods: tuple[int, ...]
    association: Hashable | None
    """The association shown as "own" (``None``: the national view only)."""
    raw: Mapping[tuple[str, str, int | str, int], Summary]
    """``{(scope, kind, key, period): Summary}`` before protection (never render it)."""
    protected: ProtectedTable
    """Cells keyed ``(scope, kind, key, period, measure)``."""
    contributing: Mapping[tuple[str, int | str, int], int]
    """How many associations the national figure of ``(kind, key, period)`` pools."""

    @property
    def scopes(self) -> tuple[str, ...]:
        return (OWN, NATIONAL) if self.association is not None else (NATIONAL,)

    def shown(self, scope: str, unit: Unit, period: int, measure: str):
        """The value as it may be shown (``None`` when hidden or empty)."""
        key = (scope, unit.kind, unit.key, period, measure)
        return self.protected.shown_value(key) if key in self.protected.cells else None

    def is_hidden(self, scope: str, unit: Unit, period: int, measure: str) -> bool:
        key = (scope, unit.kind, unit.key, period, measure)
        return key in self.protected.cells and self.protected.cells[key].hidden


def _cells(prefix: tuple, s: Summary) -> dict:
    n_key = (*prefix, "n")
    scored = Cell(s.n_scored, Kind.COUNT)
    return {
        n_key: Cell(s.n, Kind.COUNT),
        (*prefix, "n_scored"): scored,
        (*prefix, "mean"): Cell(s.mean, Kind.DERIVED, s.n_scored, (n_key, (*prefix, "n_scored"))),
        (*prefix, "sd"): Cell(s.sd, Kind.DERIVED, s.n_scored, (n_key, (*prefix, "n_scored"))),
        (*prefix, "top"): Cell(
            s.top_share, Kind.DERIVED, s.n_scored, (n_key, (*prefix, "n_scored"))
        ),
        (*prefix, "cj"): Cell(s.cannot_judge_share, Kind.DERIVED, s.n, (n_key,)),
    }


def _changes(scope: str, units, periods, raw) -> dict:
    """The change of the mean since the previous period with answers to the same version: hidden
    whenever either mean is hidden (its ``refs``), empty when either has no value."""
    cells = {}
    for unit in units:
        previous: tuple[Any, Any] | None = None
        for period in periods:
            summary = raw[(scope, unit.kind, unit.key, period)]
            value = None
            if previous is not None and summary.mean is not None and previous[1].mean is not None:
                value = summary.mean - previous[1].mean
            refs: tuple[tuple[Any, ...], ...] = ()
            if previous is not None:
                refs = (
                    (scope, unit.kind, unit.key, period, "mean"),
                    (scope, unit.kind, unit.key, previous[0], "mean"),
                )
            cells[(scope, unit.kind, unit.key, period, "change")] = Cell(
                value, Kind.DERIVED, None, refs
            )
            if summary.n:
                previous = (period, summary)
    return cells


def result_table(
    records: Iterable[Record],
    questionnaire: QuestionnaireDef,
    indicator_names: Mapping[int, str],
    *,
    association: Hashable | None,
    rule: ProtectionRule | None = None,
) -> ResultTable:
    """All results of one questionnaire version: ``records`` are every association's (the
    national aggregate needs them); ``association`` picks the one shown as "own"."""
    rule = rule or ProtectionRule()
    records = list(records)
    units = units_of(questionnaire, indicator_names)
    threshold = questionnaire.scale.top_threshold
    scores = _scores(records, units)
    per_assoc = {k: summarise(v, top_threshold=threshold) for k, v in scores.items()}
    periods = tuple(sorted({r.period for r in records}))
    included: dict[tuple[str, int | str, int], set] = defaultdict(set)
    for (assoc, period, kind, key), s in per_assoc.items():
        if s.n_scored >= rule.threshold:
            included[(kind, key, period)].add(assoc)
    # the national cell pools the scores of the shown associations (each scored once, above)
    national_scores: dict[tuple, list[Score]] = defaultdict(list)
    for (assoc, period, kind, key), values in scores.items():
        if assoc in included.get((kind, key, period), ()):
            national_scores[(kind, key, period)].extend(values)
    raw: dict[tuple, Summary] = {}
    cells: dict = {}
    for unit in units:
        for period in periods:
            nat = summarise(
                national_scores.get((unit.kind, unit.key, period), ()), top_threshold=threshold
            )
            raw[(NATIONAL, unit.kind, unit.key, period)] = nat
            cells.update(_cells((NATIONAL, unit.kind, unit.key, period), nat))
            if association is not None:
                own = per_assoc.get((association, period, unit.kind, unit.key), EMPTY)
                raw[(OWN, unit.kind, unit.key, period)] = own
                cells.update(_cells((OWN, unit.kind, unit.key, period), own))
    for scope in (OWN, NATIONAL) if association is not None else (NATIONAL,):
        cells.update(_changes(scope, units, periods, raw))
    protected = protect(Table(cells), rule)
    return ResultTable(
        units=tuple(units),
        periods=periods,
        association=association,
        raw=raw,
        protected=protected,
        contributing={
            (unit.kind, unit.key, period): len(included.get((unit.kind, unit.key, period), ()))
            for unit in units
            for period in periods
        },
    )


@dataclass(frozen=True, slots=True)
class LatestCell:
    """An indicator's latest period in one result table, as it may be shown."""

    period: int
    n: int | str | None
    """The shown n, or the protection symbol."""
    mean: float | None
    """The shown mean (``None`` when hidden or empty)."""


def latest_by_indicator(table: ResultTable, scope: str) -> dict[int, LatestCell]:
    """Per indicator number: the most recent period with answers, for an overview across
    respondent groups (each group's own version, so still the same statements over time)."""
    out: dict[int, LatestCell] = {}
    for unit in table.units:
        if unit.kind != "indicator":
            continue
        for period in reversed(table.periods):
            if table.raw[(scope, unit.kind, unit.key, period)].n:
                hidden = table.is_hidden(scope, unit, period, "n")
                out[unit.indicator] = LatestCell(
                    period=period,
                    n=table.protected.rule.symbol
                    if hidden
                    else table.shown(scope, unit, period, "n"),
                    mean=table.shown(scope, unit, period, "mean"),
                )
                break
    return out
