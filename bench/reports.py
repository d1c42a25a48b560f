"""Database-backed report benchmark: 1 000 000 synthetic episodes in PostgreSQL and in SQLite.

Usage (from the repository root)::

    PYTHONPATH=. python bench/reports.py                 # both databases, 1 000 000 episodes
    PYTHONPATH=. python bench/reports.py --db postgres --episodes 200000
    PYTHONPATH=. python bench/reports.py --db sqlite

PostgreSQL: ``BENCH_POSTGRES_URL`` (default ``postgres://postgres@127.0.0.1:5432/finsam_bench_reports``;
the database is created when missing). SQLite: a file in ``$TMPDIR``.

For each database: migrate, generate the episodes with numpy (80 associations in 21 counties,
10 individual interventions each, ~12 % anonymous, 1 % FEL, 2015–2024) and bulk-load them straight
into the registry tables (``COPY`` on PostgreSQL, ``executemany`` on SQLite); write the same data
as one flat Parquet file. Then time, for the national level (country) over one year and over the
whole ten years:

- R1–R4 through :mod:`finsam.reports.runner` – the selector (SQL → frame) and the core separately;
- the floor: R1's aggregation done directly with Polars and with DuckDB on the flat file;
- the page ``/rapporter/utfall/`` rendered through Django's test client (national analyst).

Prints the machine (nproc, CPU, RAM) and the data size. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/finsam_bench_reports"
)
SQLITE_PATH = Path(tempfile.gettempdir()) / "finsam_bench_reports.sqlite3"
PARQUET = Path(tempfile.gettempdir()) / "finsam_bench_episodes.parquet"
N_ASSOC, N_COUNTY, N_INTV = 80, 21, 10
YEAR = (pd.Timestamp("2019-01-01").date(), pd.Timestamp("2019-12-31").date())
ALL_YEARS = (pd.Timestamp("2015-01-01").date(), pd.Timestamp("2024-12-31").date())


# --- machine ---


def machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        ram = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        ram = "?"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"nproc {os.cpu_count()}, CPU {cpu}, RAM {ram}, Python {platform.python_version()}, "
        f"load average {load}"
    )


# --- data ---


def generate(n: int, seed: int = 7) -> dict[str, pd.DataFrame]:
    """Participants and episodes as the registry tables hold them (ids from 1)."""
    rng = np.random.default_rng(seed)
    n_persons = int(n * 0.7)
    anon = rng.random(n) < 0.12
    person = rng.integers(0, n_persons, n)
    n_anon = int(anon.sum())
    # participant ids: identified persons 1..n_persons, then one per anonymous episode
    participant_id = np.where(anon, 0, person + 1)
    participant_id[anon] = n_persons + 1 + np.arange(n_anon)
    p_sex = rng.choice(np.array(["K", "M", "X"]), n_persons + n_anon, p=[0.52, 0.47, 0.01])
    p_birth = rng.integers(1955, 2008, n_persons + n_anon)
    participants = pd.DataFrame(
        {
            "id": np.arange(1, n_persons + n_anon + 1),
            "identity_level": np.where(
                np.arange(n_persons + n_anon) < n_persons, "identified", "anonymous"
            ),
            "pseudonym": [
                f"{i:064x}" if i < n_persons else None for i in range(n_persons + n_anon)
            ],
            "sex": p_sex,
            "birth_year": p_birth,
        }
    )
    assoc = rng.integers(0, N_ASSOC, n)
    intervention = assoc * N_INTV + rng.integers(0, N_INTV, n) + 1
    start = np.datetime64("2015-01-01") + rng.integers(0, 3650, n).astype("timedelta64[D]")
    end = start + rng.integers(10, 900, n).astype("timedelta64[D]")
    open_ = rng.random(n) < 0.15
    reasons = np.array(["ARB", "STU", "REH", "SJK", "FOR", "FLY", "AVB", "UTU", "OVR", "FEL"])
    reason = reasons[rng.choice(10, n, p=[0.2, 0.1, 0.2, 0.1, 0.05, 0.05, 0.1, 0.1, 0.09, 0.01])]
    bits = np.array([1, 2, 4, 8, 16, 32, 64, 128, 256, 512])
    before = bits[rng.integers(0, 10, n)] | np.where(
        rng.random(n) < 0.2, bits[rng.integers(0, 10, n)], 0
    )
    after = np.where(open_ | (rng.random(n) < 0.1), 0, bits[rng.integers(0, 10, n)])

    def codes(values, k):
        return np.array(values, dtype=object)[rng.integers(0, len(values), k)]

    sex = p_sex[participant_id - 1]
    age = (start.astype("datetime64[Y]").astype(int) + 1970) - p_birth[participant_id - 1]
    work = np.where(rng.random(n) < 0.3, rng.integers(1, 50, n).astype(float), np.nan)
    study = np.where(rng.random(n) < 0.2, rng.integers(1, 40, n).astype(float), np.nan)
    episodes = pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "key": [f"B{i}" for i in range(1, n + 1)],
            "intervention_id": intervention,
            "participant_id": participant_id,
            "start_date": start,
            "home_municipality_id": "0180",
            "sex": sex,
            "age_at_start": np.maximum(age, 16),
            "support_before": before,
            "occupation_before": codes(["ARB", "STU", "ARS", "OVR", ""], n),
            "time_on_support": codes(["NONE", "LT1", "1TO3", "3TO9", "GE9", ""], n),
            "education": codes(["GRU_LT", "GRU", "GYM", "EFT", ""], n),
            "work_hours_before": np.where(rng.random(n) < 0.5, 0.0, np.nan),
            "study_hours_before": np.where(rng.random(n) < 0.5, 0.0, np.nan),
            "end_date": np.where(open_, np.datetime64("NaT"), end),
            "exit_reason": np.where(open_, "", reason),
            "support_after": after,
            "occupation_after": np.where(open_, "", codes(["ARB", "STU", "ARS", "OVR", ""], n)),
            "work_hours": np.where(open_, np.nan, work),
            "study_hours": np.where(open_, np.nan, study),
        }
    )
    return {"participants": participants, "episodes": episodes}


def _pick(codes: list[str], i: int) -> str:
    return codes[i % len(codes)]


def load_reference_data() -> None:
    """80 associations (seat municipalities in 21 counties), 10 individual interventions each."""
    from datetime import date

    from finsam.geo.models import Municipality
    from finsam.registry.models import Association, Intervention

    by_county: dict[str, list[str]] = {}
    for code, county in Municipality.objects.order_by("code").values_list("code", "county_id"):
        by_county.setdefault(county, []).append(code)
    counties = sorted(by_county)[:N_COUNTY]
    Association.objects.bulk_create(
        [
            Association(
                id=i + 1,
                code=f"F{i + 1:02d}",
                name=f"Samordningsförbund {i + 1}",
                start_date=date(2010, 1, 1),
                seat_municipality_id=_pick(by_county[counties[i % N_COUNTY]], i // N_COUNTY),
            )
            for i in range(N_ASSOC)
        ]
    )
    Intervention.objects.bulk_create(
        [
            Intervention(
                id=a * N_INTV + j + 1,
                association_id=a + 1,
                code=f"F{a + 1:02d}-I{j + 1}",
                name=f"Insats {j + 1}",
                start_date=date(2014, 1, 1),
                orientation="individual",
                registration="persons",
            )
            for a in range(N_ASSOC)
            for j in range(N_INTV)
        ]
    )


def bulk_load(data: dict[str, pd.DataFrame]) -> None:
    from django.db import connection

    now = pd.Timestamp("2025-01-01T00:00:00Z").isoformat()
    p = data["participants"].assign(
        identity_encrypted="", name_encrypted="", protected_identity=False, created_at=now
    )
    e = data["episodes"].assign(
        created_at=now, updated_at=now, work_study_increased=None, district_id=None
    )
    e["start_date"] = e["start_date"].dt.strftime("%Y-%m-%d")
    e["end_date"] = e["end_date"].dt.strftime("%Y-%m-%d")
    tables = [("registry_participant", p), ("registry_episode", e)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor
            for table, df in tables:
                buf = io.StringIO()
                df.to_csv(buf, index=False, header=False, na_rep="\\N", sep="\t")
                cols = ", ".join(df.columns)
                with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    copy.write(buf.getvalue())
            # steady state: statistics, visibility map and hint bits as after autovacuum
            cursor.execute("VACUUM (ANALYZE)")
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
            for table, df in tables:
                cols = ", ".join(df.columns)
                marks = ", ".join(["%s"] * len(df.columns))
                values = df.astype(object).where(df.notna(), None).itertuples(index=False)
                cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(values))
            cursor.execute("ANALYZE")


def write_flat(data: dict[str, pd.DataFrame]) -> None:
    """The same episodes as one flat file (the floor reads this)."""
    import polars as pl

    e = data["episodes"]
    p = data["participants"].set_index("id")
    assoc = (e["intervention_id"].to_numpy() - 1) // N_INTV + 1
    flat = pd.DataFrame(
        {
            "episode_id": e["id"],
            "association_code": [f"F{a:02d}" for a in assoc],
            "person_key": p["pseudonym"].reindex(e["participant_id"]).to_numpy(),
            "sex": e["sex"],
            "age_at_start": e["age_at_start"],
            "start_date": e["start_date"],
            "end_date": e["end_date"],
            "exit_reason": e["exit_reason"],
            "time_on_support": e["time_on_support"],
            "education": e["education"],
            "work_hours": e["work_hours"],
            "study_hours": e["study_hours"],
        }
    )
    columns = {}
    for name in flat.columns:
        values = flat[name]
        if values.dtype.kind in "biufM":
            arr = values.to_numpy()
            if arr.dtype.kind == "M":
                arr = arr.astype("datetime64[ms]")
            columns[name] = pl.Series(name, arr)
        else:
            objs = values.astype(object).where(values.notna(), None).tolist()
            columns[name] = pl.Series(name, objs, dtype=pl.Utf8)
    pl.DataFrame(columns).with_columns(
        pl.col("start_date").cast(pl.Date), pl.col("end_date").cast(pl.Date)
    ).write_parquet(PARQUET)


# --- the floor ---


def floor_polars(start, end) -> float:
    import polars as pl

    t0 = time.perf_counter()
    df = pl.scan_parquet(PARQUET)
    ex = df.filter(
        (pl.col("end_date") >= pl.lit(start))
        & (pl.col("end_date") <= pl.lit(end))
        & (pl.col("exit_reason") != "FEL")
    )
    w, s = pl.col("work_hours").fill_null(0), pl.col("study_hours").fill_null(0)
    out = (
        ex.group_by("sex")
        .agg(
            pl.len().alias("n"),
            pl.col("person_key").n_unique().alias("unique"),
            (pl.col("age_at_start") < 30).sum().alias("u30"),
            pl.col("time_on_support").is_in(["3TO9", "GE9"]).sum().alias("long"),
            pl.col("education").is_in(["GRU_LT", "GRU"]).sum().alias("gru"),
            (pl.col("education") == "EFT").sum().alias("eft"),
            (pl.col("end_date") - pl.col("start_date")).dt.total_days().mean().alias("days"),
            (w > 0).sum().alias("work"),
            pl.when(w > 0).then(pl.min_horizontal(w, 40)).otherwise(0).sum().alias("fte"),
            ((w > 0) | (s > 0)).sum().alias("ws"),
            pl.when((w > 0) | (s > 0))
            .then(pl.min_horizontal(w + s, 40))
            .otherwise(0)
            .sum()
            .alias("fte2"),
        )
        .collect()
    )
    assert len(out) >= 2
    return time.perf_counter() - t0


def floor_duckdb(start, end) -> float:
    import duckdb

    t0 = time.perf_counter()
    con = duckdb.connect()
    rows = con.execute(
        f"""
        SELECT sex, count(*), count(DISTINCT person_key),
               sum((age_at_start < 30)::INT), sum((time_on_support IN ('3TO9','GE9'))::INT),
               sum((education IN ('GRU_LT','GRU'))::INT), sum((education = 'EFT')::INT),
               avg(date_diff('day', start_date, end_date)),
               sum((coalesce(work_hours,0) > 0)::INT),
               sum(CASE WHEN coalesce(work_hours,0) > 0 THEN least(work_hours, 40) ELSE 0 END),
               sum((coalesce(work_hours,0) > 0 OR coalesce(study_hours,0) > 0)::INT),
               sum(CASE WHEN coalesce(work_hours,0) > 0 OR coalesce(study_hours,0) > 0
                   THEN least(coalesce(work_hours,0) + coalesce(study_hours,0), 40) ELSE 0 END)
        FROM read_parquet('{PARQUET}')
        WHERE end_date BETWEEN DATE '{start}' AND DATE '{end}' AND exit_reason <> 'FEL'
        GROUP BY sex
        """
    ).fetchall()
    assert len(rows) >= 2
    return time.perf_counter() - t0


# --- one database ---


def _setup(db: str, *, fresh: bool) -> None:
    if db == "postgres":
        os.environ["DATABASE_URL"] = PG_URL
        if fresh:
            name = PG_URL.rsplit("/", 1)[1]
            base = PG_URL.rsplit("/", 1)[0] + "/postgres"
            import psycopg

            with psycopg.connect(base, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name}")
                conn.execute(f"CREATE DATABASE {name}")
    else:
        if fresh and SQLITE_PATH.exists():
            SQLITE_PATH.unlink()
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finsam.settings.local")
    os.environ.setdefault("FINSAM_DATA_DIR", tempfile.gettempdir() + "/finsam_bench_var")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False


def load(db: str, n: int) -> None:
    """Create the database and bulk-load ``n`` synthetic episodes (and the flat file)."""
    _setup(db, fresh=True)
    from django.core.management import call_command

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    load_reference_data()
    data = generate(n)
    t1 = time.perf_counter()
    bulk_load(data)
    t2 = time.perf_counter()
    write_flat(data)
    print(
        f"\n== {db} ==\ndata: {n} episodes, {len(data['participants'])} participants, "
        f"{N_ASSOC} associations, {N_ASSOC * N_INTV} interventions; generate+migrate "
        f"{t1 - t0:.1f} s, bulk load {t2 - t1:.1f} s",
        flush=True,
    )


def measure(db: str, repeat: int) -> None:
    """Time the reports in a fresh process (as a server would: no generated data in memory)."""
    _setup(db, fresh=False)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("SELECT pg_database_size(current_database())")
            size = c.fetchone()[0]
    else:
        size = SQLITE_PATH.stat().st_size
    print(
        f"{machine()}\ndatabase {size / 2**20:.0f} MiB, Parquet "
        f"{PARQUET.stat().st_size / 2**20:.0f} MiB"
    )
    from django.conf import settings

    from finsam.domain import protection
    from finsam.domain.reports.core import Period
    from finsam.reports import extract, runner

    # The reports' columnar extract (finsam/reports/extract.py): built from the registry (what a
    # report pays once after a change), loaded from disk (a new process), decoded once.
    settings.FINSAM_REPORT_EXTRACT = "auto"
    extract.forget()
    t0 = time.perf_counter()
    built = extract.build()
    t1 = time.perf_counter()
    extract.forget()
    loaded = extract.current()
    t2 = time.perf_counter()
    assert loaded is not None and len(loaded) == len(built)
    loaded.raw  # noqa: B018  (decode once, as the first report of a process does)
    t3 = time.perf_counter()
    path = extract.saved_path(loaded)
    print(
        f"extract: {len(built)} episodes; build from the registry {t1 - t0:.2f} s, "
        f"load from disk {t2 - t1:.2f} s ({path.stat().st_size / 2**20:.0f} MiB), "
        f"decode {t3 - t2:.2f} s"
    )

    header = f"{'report':24s} {'period':10s} {'rows':>8s} {'select':>7s} {'core':>7s} {'total':>7s}"
    for mode in ("auto", "off"):
        settings.FINSAM_REPORT_EXTRACT = mode
        print(f"-- {'from the extract' if mode == 'auto' else 'straight from the registry'} --")
        print(header)
        for label, (start, end) in (("2019", YEAR), ("2015–2024", ALL_YEARS)):
            if mode == "off" and label != "2019":
                continue
            period = Period(start, end)
            for name in (
                "utfall",
                "forsorjning-fore",
                "forsorjning-efter",
                "avslutningsanledningar",
            ):
                best = None
                for _ in range(repeat):
                    plan = _plan(runner, name, period)
                    run = runner.run_report(plan, with_quality=False)
                    t = run.timings
                    if best is None or t["load"] + t["report"] < best[1] + best[2]:
                        best = (len(run.episodes), t["load"], t["report"])
                    del run
                rows, load_s, core = best
                print(
                    f"{name:24s} {label:10s} {rows:8d} {load_s:7.2f} {core:7.2f} "
                    f"{load_s + core:7.2f}",
                    flush=True,
                )
                protection.STATS.update(seconds=0.0, lp_solves=0)
                protection._CACHE.clear()
                plan = _plan(runner, name, period)
                runner.run_report(plan, with_quality=False)
                print(
                    f"{'  of which protection':24s} {label:10s} {'':8s} {'':7s} "
                    f"{protection.STATS['seconds']:7.3f}  ({protection.STATS['lp_solves']} LP)",
                    flush=True,
                )
            if mode == "auto":
                fp = min(floor_polars(start, end) for _ in range(repeat))
                fd = min(floor_duckdb(start, end) for _ in range(repeat))
                print(f"{'floor R1 Polars':24s} {label:10s} {'':8s} {'':7s} {'':7s} {fp:7.3f}")
                print(f"{'floor R1 DuckDB':24s} {label:10s} {'':8s} {'':7s} {'':7s} {fd:7.3f}")
    settings.FINSAM_REPORT_EXTRACT = "auto"
    page_timings()
    print(f"load average after the run: {os.getloadavg()}")


def _plan(runner, name, period):
    """The national plan; a period that is no calendar grid cell (the ten years) is not offered
    protected, so it is timed unprotected (the core's cost; protection is timed on 2019)."""
    import dataclasses

    from finsam.domain.reports.periods import grid_cell
    from finsam.reports import selectors

    if grid_cell(period) is not None:
        return runner.plan_report(None, name, period=period, levels=("country",))
    plan = runner.plan_report(None, name, period=YEAR_PERIOD(), levels=("country",))
    return dataclasses.replace(
        plan,
        options=dataclasses.replace(plan.options, period=period, protected=False),
        selection=selectors.Selection(period, plan.selection.association_ids),
    )


def YEAR_PERIOD():
    from finsam.domain.reports.core import Period

    return Period(*YEAR)


def page_timings() -> None:
    from django.test import Client

    from finsam.access.models import RoleAssignment
    from finsam.accounts.models import User
    from finsam.domain.access import Role

    analyst = User.objects.filter(username="bench_analyst").first()
    if analyst is None:
        analyst = User.objects.create_user("bench_analyst", password="bench-pw-123456")
        RoleAssignment.objects.create(user=analyst, role=Role.NATIONAL_ANALYST)
    client = Client(HTTP_HOST="localhost")
    client.force_login(analyst)
    pages = [
        ("page R1 country 2019", "/rapporter/utfall/?period_type=year&year=2019&levels=country"),
        (
            "page R1 80 assoc+21 län+riket",
            "/rapporter/utfall/?period_type=year&year=2019&levels=association&levels=county"
            "&levels=country",
        ),
        ("csv R1 country 2019", "/rapporter/utfall/?year=2019&levels=country&format=csv"),
        ("pdf R1 country 2019", "/rapporter/utfall/?year=2019&levels=country&format=pdf"),
    ]
    for label, url in pages:
        best = 1e9
        print(f"load average {os.getloadavg()[0]:.1f}", end="  ")
        for _ in range(2):
            t0 = time.perf_counter()
            response = client.get(url)
            best = min(best, time.perf_counter() - t0)
            assert response.status_code == 200, response.status_code
        print(f"{label:34s} {best:7.2f} s  ({len(response.content) / 1024:.0f} KiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["postgres", "sqlite", "both"], default="both")
    parser.add_argument("--episodes", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--phase", choices=["load", "measure", "all"], default="all")
    args = parser.parse_args()
    if args.phase == "load":
        load(args.db, args.episodes)
        return
    if args.phase == "measure":
        measure(args.db, args.repeat)
        return
    for db in ("postgres", "sqlite") if args.db == "both" else (args.db,):
        for phase in ("load", "measure"):
            cmd = [sys.executable, "-u", __file__, "--db", db, "--phase", phase]
            cmd += ["--episodes", str(args.episodes), "--repeat", str(args.repeat)]
            subprocess.run(cmd, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


if __name__ == "__main__":
    main()
