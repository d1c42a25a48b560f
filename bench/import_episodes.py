"""Benchmark: import 1 000 000 synthetic episodes into PostgreSQL and SQLite.

Prints rows/s, wall time and peak memory of ``finsam import episodes`` on each database, next to
the time PostgreSQL's own ``COPY`` takes to load the same CSV into a plain table (the floor, the
fastest of three loads), and
the machine (nproc, CPU, RAM) and data size. Not part of the test suite.

    python bench/import_episodes.py [--episodes 1000000] [--pg postgres://postgres@127.0.0.1:5432]
                                    [--workdir /tmp/finsam-bench] [--skip-sqlite] [--skip-pg]
                                    [--no-floors]

It also measures three lower bounds on any validated import of the file (``--no-floors`` skips
them), each as the best share of the ``COPY`` speed an import could reach if it did nothing but
that one step:

- **write floor** (PostgreSQL): after the import, the rows it stored in participants, consents
  and episodes are copied out, the tables emptied, and the same rows written back with binary
  ``COPY`` into the real tables, with the import's own deferral of secondary indexes and foreign
  keys (``registry.services.bulk.DeferredIndexes``), then committed – the database's share
  alone, no Python;
- **identity floor**: the file's distinct identity numbers parsed and checked, pseudonymised and
  encrypted with the import's functions, divided by the machine's cores (perfect parallelism);
- **read floor**: the file read into columns by the import's reader (``Table.column_chunks``).

Each import runs in its own process on a fresh database (migrated, with the generated
associations, areas, members and interventions loaded first), so peak memory is that process's.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PRE_KINDS = ("associations", "association-municipalities", "members", "interventions")
PLAIN_TABLE = """
CREATE TABLE plain_episodes (
  episode_key text, intervention_code text, personal_number text, consent_date date,
  protected_identity smallint, sex text, birth_year int, home_municipality text,
  start_date date, support_before text, occupation_before text, time_on_support text,
  education text, end_date date, exit_reason text, support_after text, occupation_after text,
  work_hours real, study_hours real, work_hours_before real, study_hours_before real)
"""


def machine() -> dict:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    ram = "?"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram": ram,
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def peak_rss_mib() -> float:
    """This process's peak resident memory (VmHWM; unlike ``ru_maxrss`` it is not inherited
    from the parent across ``exec``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(backend: str, data: Path, floors: bool) -> None:
    """Runs inside the subprocess: migrate, load the small files, time the episodes import."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finsam.settings.local")
    django.setup()
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection

    from finsam.interchange.importers import import_file

    call_command("migrate", verbosity=0)
    for kind in PRE_KINDS:
        result = import_file(kind, data / (kind.replace("-", "_") + ".csv"))
        assert result.ok, result.problems[:3]
    del StringIO
    base_rss = peak_rss_mib()
    started = time.perf_counter()
    last = [started]

    def progress(rows, fraction):
        now = time.perf_counter()
        if now - last[0] > 10:
            last[0] = now
            print(
                f"  {backend}: {rows:,} rows, {rows / (now - started):,.0f} rows/s",
                file=sys.stderr,
                flush=True,
            )

    result = import_file("episodes", data / "episodes.csv", progress=progress)
    wall = time.perf_counter() - started
    peak = peak_rss_mib()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM registry_episode")
        stored = cursor.fetchone()[0]
    floor = write_floor() if floors and connection.vendor == "postgresql" else None
    print(
        json.dumps(
            {
                "write_floor": floor,
                "backend": backend,
                "rows": result.rows,
                "created": result.created,
                "stored": stored,
                "ok": result.ok,
                "problems": len(result.problems),
                "warnings": len(result.warnings),
                "wall_s": round(wall, 2),
                "rows_per_s": round(result.rows / wall),
                "peak_rss_mib": round(peak),
                "rss_before_import_mib": round(base_rss),
            }
        )
    )


def write_floor() -> dict:
    """The database's share of the import alone: the rows the import stored in the registry
    tables, written again with binary ``COPY`` into the emptied real tables, with the import's
    own deferral of indexes and foreign keys, and committed (see the module docstring)."""
    from django.db import connection, transaction

    from finsam.registry.models import Consent, Episode, Participant
    from finsam.registry.services.bulk import DeferredIndexes

    models = (Participant, Consent, Episode)  # the order the foreign keys need
    dumps, counts = {}, {}
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            buf = bytearray()
            with cursor.cursor.copy(f"COPY {table} TO STDOUT (FORMAT binary)") as copy:
                for block in copy:
                    buf += block
            dumps[table] = bytes(buf)
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
        tables = ", ".join(m._meta.db_table for m in models)
        cursor.execute(f"TRUNCATE {tables} CASCADE")
    started = time.perf_counter()
    with transaction.atomic():
        deferred = DeferredIndexes()
        deferred.drop(counts[Episode._meta.db_table])
        with connection.cursor() as cursor:
            copied = {}
            for model in models:
                table = model._meta.db_table
                one = time.perf_counter()
                with cursor.cursor.copy(f"COPY {table} FROM STDIN (FORMAT binary)") as copy:
                    copy.write(dumps[table])
                copied[table] = round(time.perf_counter() - one, 2)
        rebuilt = time.perf_counter()
        deferred.restore()
        rebuilt = time.perf_counter() - rebuilt
        committed = time.perf_counter()
    wall = time.perf_counter() - started
    committed = time.perf_counter() - committed
    return {
        "rows": counts,
        "wall_s": round(wall, 2),
        "copy_s": copied,
        "indexes_and_keys_s": round(rebuilt, 2),
        "commit_s": round(committed, 2),
    }


def identity_floor(csv_path: Path) -> dict:
    """The identity work of the import alone: every distinct identity number of the file
    parsed and checked, pseudonymised and encrypted once with the import's functions; the time
    divided by the cores is what a perfectly parallel import would need."""
    import csv
    import secrets

    from finsam.domain.identity import IdentityCipher, parse_personal_number, pseudonym

    with open(csv_path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        column = next(reader).index("personal_number")
        numbers = {row[column] for row in reader if row[column]}
    cipher = IdentityCipher([IdentityCipher.generate_key()])
    key = secrets.token_bytes(32)
    today = date.today()
    started = time.perf_counter()
    for raw in numbers:
        person = parse_personal_number(raw, today=today)
        pseudonym(person, key)
        cipher.encrypt(person.canonical)
    wall = time.perf_counter() - started
    cores = os.cpu_count() or 1
    return {
        "distinct_numbers": len(numbers),
        "one_core_s": round(wall, 2),
        "us_per_number": round(1e6 * wall / max(len(numbers), 1), 2),
        "cores": cores,
        "wall_s": round(wall / cores, 2),
    }


def read_floor(csv_path: Path) -> dict:
    """The import's reader alone: the file into columns, chunk by chunk."""
    from finsam.interchange.formats import FORMATS
    from finsam.interchange.importers import EPISODE_CHUNK_ROWS, _chunked_gc, _collect_chunk
    from finsam.interchange.reader import open_table

    started = time.perf_counter()
    rows = 0
    with _chunked_gc():  # as the import runs it
        table = open_table(csv_path, FORMATS["episodes"])
        for chunk in table.column_chunks(EPISODE_CHUNK_ROWS):
            rows += len(chunk.numbers)
            _collect_chunk()
    return {"rows": rows, "wall_s": round(time.perf_counter() - started, 2)}


def run_child(backend: str, data: Path, env: dict, floors: bool) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", backend, "--data", str(data)]
        + ([] if floors else ["--no-floors"]),
        env={**os.environ, **env},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def copy_floor(pg: str, csv_path: Path, runs: int = 3) -> dict:
    """The fastest of ``runs`` loads (a single run varied by 40 % on a shared machine)."""
    import psycopg

    walls = []
    with psycopg.connect(f"{pg}/finsam_bench_copy", autocommit=True) as conn:
        for _ in range(runs):
            conn.execute("DROP TABLE IF EXISTS plain_episodes")
            conn.execute(PLAIN_TABLE)
            started = time.perf_counter()
            with (
                conn.cursor() as cur,
                cur.copy("COPY plain_episodes FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
                open(csv_path, "rb") as fh,
            ):
                for block in iter(lambda: fh.read(1 << 20), b""):
                    copy.write(block)
            walls.append(time.perf_counter() - started)
        rows = conn.execute("SELECT COUNT(*) FROM plain_episodes").fetchone()[0]
    wall = min(walls)
    return {
        "backend": "postgresql COPY (plain table)",
        "rows": rows,
        "wall_s": round(wall, 2),
        "rows_per_s": round(rows / wall),
        "runs_s": [round(w, 2) for w in walls],
    }


def recreate_pg(pg: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "finsam-bench"))
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--no-floors", action="store_true", help="skip the three lower bounds")
    parser.add_argument("--child")
    parser.add_argument("--data")
    args = parser.parse_args()
    if args.child:
        child(args.child, Path(args.data), not args.no_floors)
        return

    from finsam.interchange.synthetic import generate

    work = Path(args.workdir)
    data = work / "data"
    started = time.perf_counter()
    counts = generate(
        data, associations=80, episodes=args.episodes, seed=args.seed, today=date.today()
    )
    generated = time.perf_counter() - started
    size = (data / "episodes.csv").stat().st_size
    report = {
        "machine": machine(),
        "episodes": args.episodes,
        "generated_s": round(generated, 1),
        "episodes_csv_mib": round(size / 1024 / 1024, 1),
        "counts": counts,
        "results": [],
    }
    print(json.dumps(report["machine"]), file=sys.stderr)
    print(
        f"generated {args.episodes:,} episodes ({size / 1024 / 1024:.0f} MiB) in {generated:.1f} s",
        file=sys.stderr,
    )
    if not args.skip_pg:
        recreate_pg(args.pg, "finsam_bench_copy")
        report["results"].append(copy_floor(args.pg, data / "episodes.csv"))
        recreate_pg(args.pg, "finsam_bench_import")
        report["results"].append(
            run_child(
                "postgresql",
                data,
                {
                    "DATABASE_URL": f"{args.pg}/finsam_bench_import",
                    "FINSAM_DATA_DIR": str(work / "pg"),
                },
                not args.no_floors,
            )
        )
    if not args.skip_sqlite:
        sqlite_dir = work / "sqlite"
        sqlite_dir.mkdir(parents=True, exist_ok=True)
        for f in sqlite_dir.glob("finsam.sqlite3*"):
            f.unlink()
        report["results"].append(
            run_child(
                "sqlite",
                data,
                {"FINSAM_DATA_DIR": str(sqlite_dir), "DATABASE_URL": ""},
                not args.no_floors,
            )
        )
    floor = next((r for r in report["results"] if "COPY" in r["backend"]), None)
    print(
        f"\n{'database':34} {'rows':>10} {'wall s':>8} {'rows/s':>9} {'peak MiB':>9} {'of COPY':>8}"
    )
    for r in report["results"]:
        share = f"{100 * r['rows_per_s'] / floor['rows_per_s']:.1f} %" if floor else ""
        print(
            f"{r['backend']:34} {r['rows']:>10,} {r['wall_s']:>8} {r['rows_per_s']:>9,} "
            f"{r.get('peak_rss_mib', ''):>9} {share:>8}"
        )
    if floor and not args.no_floors:
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finsam.settings.local")
        django.setup()
        report["floors"] = {
            "write (postgresql)": next(
                (r["write_floor"] for r in report["results"] if r.get("write_floor")), None
            ),
            "read": read_floor(data / "episodes.csv"),
            "identity": identity_floor(data / "episodes.csv"),
        }
        print(f"\n{'lower bound (one step alone)':34} {'wall s':>8} {'best share of COPY':>20}")
        for name, value in report["floors"].items():
            if value:
                best = 100 * floor["wall_s"] / value["wall_s"]
                print(f"{name:34} {value['wall_s']:>8} {best:>19.1f} %")
    (work / "result.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
