"""Reads for the reports: the frames of ``finsam.domain.reports.frame`` straight from the database.

Every frame is one query over the big table (episodes, follow-ups) – no model instances, only the
columns of the schema – plus small dimension queries (interventions, associations, counties: a
few hundred rows) that are joined in pandas by position. On PostgreSQL the episode query runs as
a binary ``COPY (…) TO STDOUT`` of fixed-width values that numpy reads in one piece; on SQLite
through the cursor.

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
from django.db import connection, transaction
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
    Participant,
    VolumeCount,
)

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
    ``bool``. Used for SQLite and for the small frames; the PostgreSQL episode frame has its own
    binary path (:func:`_read_episodes_postgres`)."""
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


def _ints(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series).astype("int64")


def _bools(series: pd.Series) -> pd.Series:
    """Nullable boolean: True/False (PostgreSQL), 1/0 (SQLite), NULL → None."""
    arr = series.to_numpy(dtype=object)
    out = np.full(len(arr), None, dtype=object)
    out[arr == True] = True  # noqa: E712  (1 == True, so SQLite's 1 counts too)
    out[arr == False] = False  # noqa: E712
    return pd.Series(out, dtype=object)


def _take(dim: pd.DataFrame, key: str, ids: pd.Series, column: str) -> pd.Series:
    pos = pd.Index(dim[key]).get_indexer(ids)
    return pd.Series(dim[column].to_numpy(dtype=object)[pos], dtype=object)


# --- episodes -------------------------------------------------------------------------------------

_EPISODE_FIELDS = [
    # frame column (or helper), model field, type of the text/tuple value read
    ("episode_id", "id", "int"),
    ("intervention_id", "intervention_id", "int"),
    ("participant_id", "participant_id", "int"),
    ("pseudonym", "participant__pseudonym", "str"),
    ("sex", "sex", "str"),
    ("age_at_start", "age_at_start", "float"),
    ("birth_year", "participant__birth_year", "float"),
    ("home_municipality", "home_municipality_id", "str"),
    ("start_date", "start_date", "date"),
    ("end_date", "end_date", "date"),
    ("exit_reason", "exit_reason", "str"),
    ("support_before_mask", "support_before", "int"),
    ("support_after_mask", "support_after", "int"),
    ("occupation_before", "occupation_before", "str"),
    ("occupation_after", "occupation_after", "str"),
    ("time_on_support", "time_on_support", "str"),
    ("education", "education", "str"),
    ("work_hours_before", "work_hours_before", "float"),
    ("study_hours_before", "study_hours_before", "float"),
    ("work_hours", "work_hours", "float"),
    ("study_hours", "study_hours", "float"),
    ("work_study_increased", "work_study_increased", "bool"),
]


def _active(period: Period, prefix: str = "") -> Q:
    return Q(**{f"{prefix}start_date__lte": period.end}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": period.start})
    )


def episode_queryset(
    selection: Selection, intervention_ids, *, history: bool = False
) -> QuerySet[Episode]:
    """Episodes of ``intervention_ids`` (``None`` = every intervention: the core keeps only the
    individual person-registration ones) active in the period, FEL excluded. With ``history``,
    also every earlier episode (any association) of an identified participant among them."""
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
    """The episode frame of ``frame.EPISODE_COLUMNS`` for the selection (see module doc)."""
    if selection.association_ids is None:
        # every association: no intervention filter in SQL (a cheaper scan); the dimension knows
        # every intervention and the core's base population drops the non-person ones
        ids, dimension_all = None, intervention_dimension(None, persons_only=False)
    else:
        if dimension is None:
            dimension = intervention_dimension(selection.association_ids)
        ids = dimension["intervention_id"]
        # earlier episodes (history) may lie in any association: the dimension must know them
        dimension_all = intervention_dimension(None, persons_only=False) if history else dimension
    qs = episode_queryset(selection, ids, history=history)
    if connection.vendor == "postgresql":
        raw = _read_episodes_postgres(qs)
    else:
        raw = _read(
            qs.values_list(*[f for _n, f, _t in _EPISODE_FIELDS]),
            [n for n, _f, _t in _EPISODE_FIELDS],
            {n: t for n, _f, t in _EPISODE_FIELDS},
        )
        identified = raw.pop("pseudonym").notna().to_numpy()
        raw["person_key"] = _person_keys(raw.pop("participant_id").to_numpy(), identified)
    return _episode_frame(raw, dimension_all)


def _person_keys(participant_ids: np.ndarray, identified: np.ndarray) -> pd.Series:
    """The person key of the frame: the participant id (as text) of identified participants,
    ``None`` for anonymous ones (and erased identities). One participant per pseudonym, so this
    counts persons exactly as the pseudonym would – and the pseudonym never leaves the database."""
    keys = participant_ids.astype(np.int64).astype(str).astype(object)
    keys[~identified] = None
    return pd.Series(keys, dtype=object)


# --- PostgreSQL: fixed-width binary COPY ---------------------------------------------------------

_CODE_COLUMNS = {
    "sex": cl.SEX.code_values,
    "exit_reason": cl.EXIT_REASON.code_values,
    "occupation_before": cl.OCCUPATION.code_values,
    "occupation_after": cl.OCCUPATION.code_values,
    "time_on_support": cl.TIME_ON_SUPPORT.code_values,
    "education": cl.EDUCATION.code_values,
}
_NO_DATE = -(2**31)


def _postgres_columns() -> list[tuple[str, str, str, tuple]]:
    """(name, SQL expression, numpy big-endian type, params): every value fixed-width, never NULL,
    so the binary COPY stream has one fixed layout numpy reads without a loop. The expressions use
    only our own table names; the code lists are parameters."""
    t = Episode._meta.db_table
    p = Participant._meta.db_table
    cols = [
        ("episode_id", f"{t}.id::int4", ">i4", ()),
        ("intervention_id", f"{t}.intervention_id::int4", ">i4", ()),
        ("participant_id", f"{t}.participant_id::int4", ">i4", ()),
        (
            "anonymous",
            f"({t}.participant_id IN (SELECT id FROM {p} WHERE pseudonym IS NULL))::int::int2",  # noqa: S608
            ">i2",
            (),
        ),
        (
            "age_at_start",
            f"coalesce({t}.age_at_start, extract(year FROM {t}.start_date)::int - "  # noqa: S608
            f"(SELECT birth_year FROM {p} WHERE id = {t}.participant_id), -1)::int2",
            ">i2",
            (),
        ),
        ("home_municipality", f"{t}.home_municipality_id::int4", ">i4", ()),
        ("start_date", f"({t}.start_date - DATE '1970-01-01')::int4", ">i4", ()),
        (
            "end_date",
            f"coalesce({t}.end_date - DATE '1970-01-01', {_NO_DATE})::int4",
            ">i4",
            (),
        ),
        ("support_before_mask", f"{t}.support_before::int4", ">i4", ()),
        ("support_after_mask", f"{t}.support_after::int4", ">i4", ()),
    ]
    for name, codes in _CODE_COLUMNS.items():
        cols.append(
            (
                name,
                f"coalesce(array_position(%s::varchar[], {t}.{name}::varchar), 0)::int2",
                ">i2",
                (list(codes),),
            )
        )
    for name in ("work_hours_before", "study_hours_before", "work_hours", "study_hours"):
        cols.append((name, f"coalesce({t}.{name}, 'NaN')::float8", ">f8", ()))
    cols.append(
        (
            "work_study_increased",
            f"(CASE WHEN {t}.work_study_increased IS NULL THEN 0 "
            f"WHEN {t}.work_study_increased THEN 2 ELSE 1 END)::int2",
            ">i2",
            (),
        )
    )
    return cols


def _read_episodes_postgres(qs: QuerySet) -> pd.DataFrame:
    """The episodes of ``qs`` through ``COPY … (FORMAT binary)``: the server encodes codes as
    small integers and dates as day numbers, numpy reads the stream as one structured array.
    (Fetching rows as Python tuples, or text parsed by pandas, costs 3–10× more per row.)"""
    from django.db.models.expressions import RawSQL

    cols = _postgres_columns()
    annotated = qs.annotate(
        # fixed expressions over our own table names; the code lists are parameters
        **{f"_c{i}": RawSQL(sql, params) for i, (_n, sql, _t, params) in enumerate(cols)}  # noqa: S611
    )
    try:
        sql, params = annotated.values_list(
            *[f"_c{i}" for i in range(len(cols))]
        ).query.sql_with_params()
    except EmptyResultSet:
        return _decode_postgres(np.zeros(0, dtype=_binary_dtype(cols)), cols)
    with transaction.atomic(), connection.cursor() as cursor:
        # JIT compilation costs ~0.1 s and gains nothing on this scan; more memory for the hash
        # of anonymous participants. Both only for this transaction.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT binary)", params) as copy:
            parts = []
            while block := copy.read():
                parts.append(block)
        data = b"".join(parts)
    body = memoryview(data)[19:-2]  # 19-byte header, 2-byte trailer
    return _decode_postgres(np.frombuffer(body, dtype=_binary_dtype(cols)), cols)


def _binary_dtype(cols) -> np.dtype:
    fields = [("_n", ">i2")]
    for i, (name, _sql, typ, _p) in enumerate(cols):
        fields += [(f"_l{i}", ">i4"), (name, typ)]
    return np.dtype(fields)


def _decode_postgres(rows: np.ndarray, cols) -> pd.DataFrame:
    def native(name):
        return rows[name].astype(rows.dtype[name].newbyteorder("="))

    out: dict[str, pd.Series] = {}
    out["episode_id"] = pd.Series(native("episode_id").astype(np.int64))
    out["intervention_id"] = pd.Series(native("intervention_id").astype(np.int64))
    out["person_key"] = _person_keys(native("participant_id"), native("anonymous") == 0)
    out["age_at_start"] = pd.Series(native("age_at_start").astype(np.float64))
    out["birth_year"] = pd.Series(np.full(len(rows), np.nan))
    municipality = native("home_municipality")
    uniq, inverse = np.unique(municipality, return_inverse=True)
    names = np.array([f"{m:04d}" for m in uniq], dtype=object)
    out["home_municipality"] = pd.Series(names[inverse] if len(rows) else names[:0], dtype=object)
    for name in ("start_date", "end_date"):
        days = native(name).astype(np.int64)
        dates = days.astype("datetime64[D]").astype("datetime64[ns]")
        dates[days == _NO_DATE] = np.datetime64("NaT")
        out[name] = pd.Series(dates)
    for name in ("support_before_mask", "support_after_mask"):
        out[name] = pd.Series(native(name).astype(np.int64))
    for name, codes in _CODE_COLUMNS.items():
        lookup = np.array([None, *codes], dtype=object)
        out[name] = pd.Series(lookup[native(name)], dtype=object)
    for name in ("work_hours_before", "study_hours_before", "work_hours", "study_hours"):
        out[name] = pd.Series(native(name).astype(np.float64))
    flags = np.array([None, False, True], dtype=object)
    out["work_study_increased"] = pd.Series(flags[native("work_study_increased")], dtype=object)
    return pd.DataFrame(out, index=pd.RangeIndex(len(rows)))


def _episode_frame(raw: pd.DataFrame, dim: pd.DataFrame) -> pd.DataFrame:
    iv_ids = raw["intervention_id"]
    start = raw["start_date"]
    # age unknown: whole years from the birth year (the registration layer normally sets it)
    age = raw["age_at_start"].fillna(start.dt.year - raw["birth_year"]).fillna(-1).astype("int64")
    out = {
        "episode_id": raw["episode_id"],
        "intervention_code": _take(dim, "intervention_id", iv_ids, "intervention_code"),
        "intervention_name": _take(dim, "intervention_id", iv_ids, "intervention_name"),
        "orientation": _take(dim, "intervention_id", iv_ids, "orientation"),
        "registration": _take(dim, "intervention_id", iv_ids, "registration"),
        "association_code": _take(dim, "intervention_id", iv_ids, "association_code"),
        "association_name": _take(dim, "intervention_id", iv_ids, "association_name"),
        "county_code": _take(dim, "intervention_id", iv_ids, "county_code"),
        "county_name": _take(dim, "intervention_id", iv_ids, "county_name"),
        "person_key": raw["person_key"],
        "sex": raw["sex"],
        "age_at_start": age,
        "home_municipality": raw["home_municipality"],
        "start_date": start,
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
