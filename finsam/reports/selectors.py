"""Reads for the reports: the frames of ``finsam.domain.reports.frame`` straight from the database.

Every frame is one query over the big table (episodes, follow-ups) – no model instances, only the
columns of the schema – plus small dimension queries (interventions, associations, counties: a
few hundred rows) that are joined in pandas by position. The episodes come as compact columns
(:mod:`finsam.reports.extract`): from the registry's columnar extract when it is up to date, else
from one query.

The population rules are the core's (``reports/core.py``); the queries only narrow the rows to
what a report can use: episodes of individual interventions with person registration, not FEL,
active in the period (a superset of "started" and "exited" in the period), of the chosen
associations. R6 also needs earlier episodes of the same persons (in any association) to tell new
from returning persons.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.core.exceptions import EmptyResultSet
from django.db.models import Q, QuerySet

from finsam.domain import codelists as cl
from finsam.domain.finance.budget import funder_kind
from finsam.domain.reports.core import Period
from finsam.domain.reports.frame import SCHEMAS
from finsam.finance.models import BudgetLine
from finsam.registry.models import (
    Association,
    AssociationMunicipality,
    Episode,
    FollowUp,
    Intervention,
    VolumeCount,
)
from finsam.reports import extract
from finsam.settings.routers import report_connection as connection

MISSING_COUNTY = ("00", "Län saknas")
"""County of an association without a seat municipality and without an area."""


@dataclass(frozen=True)
class Selection:
    """Which rows a report reads: the period and the associations (``None`` = every one)."""

    period: Period
    association_ids: tuple[int, ...] | None = None


# --- dimensions ----------------------------------------------------------------------------------


def association_dimension(association_ids=None) -> pd.DataFrame:
    """``association_id, association_code, association_name, county_code, county_name``.

    The county of an association is the county of its seat municipality, otherwise that of the
    first municipality of its area (earliest membership, lowest code)."""
    qs = Association.objects.all()
    if association_ids is not None:
        qs = qs.filter(pk__in=association_ids)
    rows = list(
        qs.order_by("pk").values_list(
            "pk", "code", "name", "seat_municipality__county_id", "seat_municipality__county__name"
        )
    )
    fallback: dict[int, tuple[str, str]] = {}
    area = AssociationMunicipality.objects.order_by(
        "association_id", "valid_from", "municipality_id"
    )
    if association_ids is not None:
        area = area.filter(association_id__in=association_ids)
    for assoc_id, code, name in area.values_list(
        "association_id", "municipality__county_id", "municipality__county__name"
    ):
        fallback.setdefault(assoc_id, (code, name))
    out = []
    for pk, code, name, county, county_name in rows:
        if county is None:
            county, county_name = fallback.get(pk, MISSING_COUNTY)
        out.append((pk, code, name, county, county_name))
    return pd.DataFrame(
        out,
        columns=[
            "association_id",
            "association_code",
            "association_name",
            "county_code",
            "county_name",
        ],
    )


def intervention_dimension(association_ids=None, *, persons_only: bool = True) -> pd.DataFrame:
    """Interventions with their association and county (one row each)."""
    qs = Intervention.objects.all()
    if association_ids is not None:
        qs = qs.filter(association_id__in=association_ids)
    if persons_only:
        qs = qs.filter(
            orientation=Intervention.Orientation.INDIVIDUAL,
            registration=Intervention.Registration.PERSONS,
        )
    iv = pd.DataFrame(
        list(
            qs.order_by("pk").values_list(
                "pk", "code", "name", "orientation", "registration", "association_id"
            )
        ),
        columns=[
            "intervention_id",
            "intervention_code",
            "intervention_name",
            "orientation",
            "registration",
            "association_id",
        ],
    )
    assoc = association_dimension(association_ids)
    return iv.merge(assoc, on="association_id", how="left")


# --- running a query into a DataFrame -------------------------------------------------------------


def _read(qs: QuerySet, columns: list[str], types: dict[str, str]) -> pd.DataFrame:
    """Run ``qs.values_list(*fields)`` through the DB-API cursor (no model instances).

    ``types``: column → ``int`` (never NULL), ``float``, ``str`` (text, '' = no value), ``date``,
    ``bool``. Used for the small frames; the episode frame has its own compact path
    (:mod:`finsam.reports.extract`)."""
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:  # e.g. no intervention in the selection
        return _typed(pd.DataFrame({c: pd.Series([], dtype=object) for c in columns}), types)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        data = cursor.fetchall()
    return _typed(pd.DataFrame.from_records(data, columns=columns), types)


def _typed(df: pd.DataFrame, types: dict[str, str]) -> pd.DataFrame:
    out = {}
    for name, kind in types.items():
        s = df[name]
        if kind == "int":
            out[name] = pd.to_numeric(s).astype("int64")
        elif kind == "float":
            out[name] = pd.to_numeric(s, errors="coerce").astype("float64")
        elif kind == "date":
            out[name] = _dates(s)
        elif kind == "bool":
            out[name] = _bools(s)
        else:
            out[name] = _text(s)
    return pd.DataFrame(out, index=pd.RangeIndex(len(df)))


def _text(series: pd.Series) -> pd.Series:
    """Nullable text column: '' and NULL → None (object dtype)."""
    s = series.astype(object)
    return s.where(s.notna() & (s != ""), None)


def _dates(series: pd.Series) -> pd.Series:
    s = series.astype(object)
    s = s.where(s.notna(), None)
    if len(s) and not isinstance(s.iloc[0], str | type(None)):
        return pd.to_datetime(s).astype("datetime64[ns]")
    return pd.to_datetime(s, format="%Y-%m-%d").astype("datetime64[ns]")


def _floats(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype("float64")


def _bools(series: pd.Series) -> pd.Series:
    """Nullable boolean: True/False (PostgreSQL), 1/0 (SQLite), NULL → None."""
    arr = series.to_numpy(dtype=object)
    out = np.full(len(arr), None, dtype=object)
    out[arr == True] = True  # noqa: E712  (1 == True, so SQLite's 1 counts too)
    out[arr == False] = False  # noqa: E712
    return pd.Series(out, dtype=object)


# --- episodes -------------------------------------------------------------------------------------


def _active(period: Period, prefix: str = "") -> Q:
    return Q(**{f"{prefix}start_date__lte": period.end}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": period.start})
    )


def episode_queryset(
    selection: Selection, intervention_ids, *, history: bool = False
) -> QuerySet[Episode]:
    """Episodes of ``intervention_ids`` (``None`` = every intervention: the core keeps only the
    individual person-registration ones) active in the period, FEL excluded. With ``history``,
    also every earlier episode (any association) of an identified participant among them.
    (``extract.EpisodeExtract.rows`` takes the same rows from the extract.)"""
    scope = _active(selection.period)
    if intervention_ids is not None:
        scope &= Q(intervention_id__in=list(intervention_ids))
    scope &= ~Q(exit_reason=cl.EXIT_REGISTRATION_ERROR)
    if history:
        persons = Episode.objects.filter(scope, participant__pseudonym__isnull=False).values(
            "participant_id"
        )
        earlier = (
            Q(participant_id__in=persons)
            & Q(start_date__lt=selection.period.start)
            & ~Q(exit_reason=cl.EXIT_REGISTRATION_ERROR)
            & Q(
                intervention__orientation=Intervention.Orientation.INDIVIDUAL,
                intervention__registration=Intervention.Registration.PERSONS,
            )
        )
        scope = scope | earlier
    return Episode.objects.filter(scope).order_by()


def episodes_frame(
    selection: Selection, *, history: bool = False, dimension: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The episode frame of ``frame.EPISODE_COLUMNS`` for the selection (see module doc): from
    the registry's extract when it is up to date (``finsam.reports.extract``), otherwise with one
    query."""
    if selection.association_ids is None:
        # every association: no intervention filter (a cheaper scan); the dimension knows every
        # intervention and the core's base population drops the non-person ones
        ids, dimension_all = None, intervention_dimension(None, persons_only=False)
    else:
        if dimension is None:
            dimension = intervention_dimension(selection.association_ids)
        ids = dimension["intervention_id"]
        # earlier episodes (history) may lie in any association: the dimension must know them
        dimension_all = intervention_dimension(None, persons_only=False) if history else dimension
    store = extract.for_read(every_association=selection.association_ids is None)
    if store is not None:
        person_ivs = None
        if history:
            persons = (dimension_all["orientation"] == Intervention.Orientation.INDIVIDUAL) & (
                dimension_all["registration"] == Intervention.Registration.PERSONS
            )
            person_ivs = dimension_all.loc[persons, "intervention_id"]
        positions = store.rows(
            selection.period.start,
            selection.period.end,
            ids,
            history_interventions=person_ivs,
        )
        raw = store.frame(positions)
    else:
        qs = episode_queryset(selection, ids, history=history)
        raw = extract.decode(extract.read_compact(qs))
    return _episode_frame(raw, dimension_all)


def _episode_frame(raw: pd.DataFrame, dim: pd.DataFrame) -> pd.DataFrame:
    pos = pd.Index(dim["intervention_id"]).get_indexer(raw["intervention_id"])

    def take(column: str) -> pd.Series:
        # categorical: a few hundred values, one small integer per episode
        codes, values = pd.factorize(dim[column], sort=True)
        categories = pd.Index(np.asarray(values, dtype=object), dtype=object)
        return pd.Series(pd.Categorical.from_codes(codes[pos], categories))

    out = {
        "episode_id": raw["episode_id"],
        "intervention_code": take("intervention_code"),
        "intervention_name": take("intervention_name"),
        "orientation": take("orientation"),
        "registration": take("registration"),
        "association_code": take("association_code"),
        "association_name": take("association_name"),
        "county_code": take("county_code"),
        "county_name": take("county_name"),
        "person_key": raw["person_key"],
        "sex": raw["sex"],
        "age_at_start": raw["age_at_start"],
        "home_municipality": raw["home_municipality"],
        "start_date": raw["start_date"],
        "end_date": raw["end_date"],
        "exit_reason": raw["exit_reason"],
        "support_before_mask": raw["support_before_mask"],
        "support_after_mask": raw["support_after_mask"],
        "occupation_before": raw["occupation_before"],
        "occupation_after": raw["occupation_after"],
        "time_on_support": raw["time_on_support"],
        "education": raw["education"],
        "work_hours_before": raw["work_hours_before"],
        "study_hours_before": raw["study_hours_before"],
        "work_hours": raw["work_hours"],
        "study_hours": raw["study_hours"],
        "work_study_increased": raw["work_study_increased"],
    }
    return pd.DataFrame(out, index=pd.RangeIndex(len(raw)))[[c.name for c in SCHEMAS["episodes"]]]


# --- the other frames -----------------------------------------------------------------------------


def followups_frame(selection: Selection, dimension: pd.DataFrame | None = None) -> pd.DataFrame:
    """Follow-ups of the episodes of the selection that exited in the period."""
    if dimension is None and selection.association_ids is not None:
        dimension = intervention_dimension(selection.association_ids)
    p = selection.period
    qs = FollowUp.objects.filter(episode__end_date__gte=p.start, episode__end_date__lte=p.end)
    if selection.association_ids is not None:
        qs = qs.filter(episode__intervention_id__in=list(dimension["intervention_id"]))
    qs = qs.order_by()
    types = {
        "episode_id": "int",
        "months_after": "int",
        "support_mask": "int",
        "occupation": "str",
        "work_hours": "float",
        "study_hours": "float",
    }
    fields = ("episode_id", "months_after", "support", "occupation", "work_hours", "study_hours")
    return _read(qs.values_list(*fields), list(types), types)


def interventions_frame(selection: Selection) -> pd.DataFrame:
    """Every intervention (any orientation and registration) of the selected associations."""
    qs = Intervention.objects.all()
    if selection.association_ids is not None:
        qs = qs.filter(association_id__in=selection.association_ids)
    rows = list(
        qs.order_by("code").values_list(
            "code",
            "association__code",
            "name",
            "orientation",
            "registration",
            "start_date",
            "end_date",
            "status",
            "planned_participants",
            "target_groups",
        )
    )
    columns = [c.name for c in SCHEMAS["interventions"]]
    df = pd.DataFrame(rows, columns=columns)
    return pd.DataFrame(
        {
            "intervention_code": df["intervention_code"].astype(object),
            "association_code": df["association_code"].astype(object),
            "name": df["name"].astype(object),
            "orientation": df["orientation"].astype(object),
            "registration": df["registration"].astype(object),
            "start_date": _dates(df["start_date"]),
            "end_date": _dates(df["end_date"]),
            "status": df["status"].astype(object),
            "planned_participants": _floats(df["planned_participants"]),
            "target_groups": df["target_groups"].map(lambda v: tuple(v or ())).astype(object),
        },
        index=pd.RangeIndex(len(df)),
    )


def volume_frame(selection: Selection) -> pd.DataFrame:
    """Monthly counts of the volume interventions of the selected associations in the period."""
    p = selection.period
    qs = VolumeCount.objects.filter(month__gte=p.start.replace(day=1), month__lte=p.end)
    if selection.association_ids is not None:
        qs = qs.filter(intervention__association_id__in=selection.association_ids)
    rows = list(
        qs.order_by("intervention_id", "month").values_list(
            "intervention__code",
            "intervention__association__code",
            "month",
            "women",
            "men",
            "other",
        )
    )
    df = pd.DataFrame(rows, columns=[c.name for c in SCHEMAS["volume"]])
    return pd.DataFrame(
        {
            "intervention_code": df["intervention_code"].astype(object),
            "association_code": df["association_code"].astype(object),
            "month": _dates(df["month"]),
            "women": df["women"].astype("int64"),
            "men": df["men"].astype("int64"),
            "other": df["other"].astype("int64"),
        },
        index=pd.RangeIndex(len(df)),
    )


_FUNDER_CATEGORY = {
    "STATE": "state",
    "REGION": "region",
    "MUNICIPALITY": "municipality",
    "EK": "equity",
    "ESF": "esf",
    "OVR": "other",
}


def report_category(line: str, category: str) -> str | None:
    """The R8 category of a budget line: resource lines by funder kind (FK/AF → state, county
    code → region, municipality code → municipality, EK → equity, ESF, OVR/unknown → other);
    intervention cost lines ``ESF`` → ``esf``; other categories unchanged."""
    category = (category or "").strip()
    if line == BudgetLine.Line.RESOURCE:
        return _FUNDER_CATEGORY.get(funder_kind(category) or "", "other")
    if line == BudgetLine.Line.INTERVENTION_COST and category.upper() == "ESF":
        return "esf"
    return category or None


def budget_frame(selection: Selection) -> pd.DataFrame:
    """Budget lines of the selected associations for every year the period touches."""
    p = selection.period
    qs = BudgetLine.objects.filter(year__gte=p.start.year, year__lte=p.end.year)
    if selection.association_ids is not None:
        qs = qs.filter(association_id__in=selection.association_ids)
    rows = list(
        qs.order_by("association_id", "year", "pk").values_list(
            "association__code",
            "year",
            "line",
            "category",
            "intervention__code",
            "budget",
            "actual",
        )
    )
    df = pd.DataFrame(rows, columns=[c.name for c in SCHEMAS["budget_lines"]])
    return pd.DataFrame(
        {
            "association_code": df["association_code"].astype(object),
            "year": df["year"].astype("int64"),
            "line": df["line"].astype(object),
            "category": pd.Series(
                [report_category(ln, c) for ln, c in zip(df["line"], df["category"], strict=True)],
                dtype=object,
            ),
            "intervention_code": _text(df["intervention_code"]),
            "budget": _floats(df["budget"].map(lambda v: None if v is None else float(v))),
            "actual": _floats(df["actual"].map(lambda v: None if v is None else float(v))),
        },
        index=pd.RangeIndex(len(df)),
    )


def intervention_ids_by_code(association_ids=None) -> dict[str, tuple[int, int]]:
    """Intervention code → (intervention id, association id), for links to episode pages."""
    qs = Intervention.objects.all()
    if association_ids is not None:
        qs = qs.filter(association_id__in=association_ids)
    return {code: (pk, a) for code, pk, a in qs.values_list("code", "pk", "association_id")}


def episode_interventions(episode_ids) -> dict[int, int]:
    """Episode id → intervention id (for the few episodes a data-quality page links to)."""
    return dict(
        Episode.objects.filter(pk__in=list(episode_ids)).values_list("pk", "intervention_id")
    )


def episode_total() -> int:
    """How many episodes the registry holds (all, registration errors too): the size that decides
    whether a national report goes to the background (``finsam.reports.jobs``)."""
    return Episode.objects.count()
