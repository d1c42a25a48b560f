"""The report extract while people register: the first national R1 after one changed episode and
after a 1 000-row import against a warm one; the whole 2015–2024 span against the Polars floor.

Usage (from the repository root)::

    PYTHONPATH=. python bench/extract_patch.py --phase load --episodes 1000000   # once
    PYTHONPATH=. python bench/extract_patch.py                                   # measure

PostgreSQL: ``BENCH_POSTGRES_URL`` (default ``postgres://postgres@127.0.0.1:5432/finsam_ext19``);
the data are those of ``bench/reports.py`` (same generator, same bulk load, same Parquet floor).
Every ratio is measured in one process, in one run, against timings taken right before it.
Prints the machine (nproc, CPU, RAM, load average) and the data size. Not part of the tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/finsam_ext19")
os.environ.setdefault(
    "FINSAM_REPORT_EXTRACT_DIR", str(Path(tempfile.gettempdir()) / "finsam_ext19_extract")
)

from bench import reports as base  # noqa: E402


def _r1(period) -> float:
    from finsam.reports import runner

    t0 = time.perf_counter()
    plan = runner.plan_report(None, "utfall", period=period, levels=("country",))
    runner.run_report(plan, with_quality=False)
    return time.perf_counter() - t0


def _warm(period, repeat: int) -> float:
    return statistics.median(_r1(period) for _ in range(repeat))


def _insert_copies(n: int, tag: str) -> None:
    """``n`` new episodes in one transaction, as an import writes them (copies of existing rows
    with new keys)."""
    from django.db import connection, transaction

    from finsam.registry.models import Episode

    fields = [f.column for f in Episode._meta.concrete_fields if f.column not in ("id", "key")]
    cols = ", ".join(fields)
    t = Episode._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        # the bulk load wrote the ids itself
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT max(id) FROM {t}))"
        )
        cursor.execute(
            f"INSERT INTO {t} (key, {cols}) "
            f"SELECT %s || id::text, {cols} FROM {t} ORDER BY id LIMIT %s",
            [f"bench-{tag}-", n],
        )


def measure(repeat: int) -> None:
    base._setup("postgres", fresh=False)
    from django.conf import settings
    from django.db import connection

    from finsam.domain.reports.core import Period
    from finsam.registry.models import Episode
    from finsam.reports import extract
    from finsam.reports.models import RegistryChange

    settings.FINSAM_REPORT_EXTRACT = "auto"
    with connection.cursor() as c:
        c.execute("SELECT pg_database_size(current_database())")
        size = c.fetchone()[0]
    n = Episode.objects.count()
    print(f"{base.machine()}\ndata: {n} episodes, database {size / 2**20:.0f} MiB (PostgreSQL)")
    t0 = time.perf_counter()
    built = extract.rebuild()
    t1 = time.perf_counter()
    built.raw  # noqa: B018
    t2 = time.perf_counter()
    path = extract.saved_path(built)
    print(
        f"full rebuild {t1 - t0:.2f} s ({len(built)} rows, file "
        f"{path.stat().st_size / 2**20:.0f} MiB in {path.parent}), decode {t2 - t1:.2f} s"
    )
    extract.forget()
    t0 = time.perf_counter()
    mapped = extract.current()
    t1 = time.perf_counter()
    assert mapped is not None
    print(f"a new process: map the file {t1 - t0:.3f} s (then decode once per process)")
    year = Period(*base.YEAR)
    span = Period(*base.ALL_YEARS)
    ids = list(Episode.objects.order_by("-id").values_list("id", flat=True)[:50])
    for rnd in range(repeat):
        warm = _warm(year, 3)
        Episode.objects.filter(pk=ids[rnd]).update(work_hours=float(rnd + 1))
        one = _r1(year)
        after_one = _warm(year, 3)
        _insert_copies(1000, f"{os.getpid()}-{rnd}")
        pending = RegistryChange.objects.count()
        thousand = _r1(year)
        print(
            f"round {rnd + 1}: load {os.getloadavg()[0]:.1f}; R1 country 2019 warm {warm:.3f} s; "
            f"first after 1 changed episode {one:.3f} s ({one / warm:.2f}×, warm again "
            f"{after_one:.3f}); first after 1 000 inserted ({pending} log rows) {thousand:.3f} s "
            f"({thousand / warm:.2f}×); log rows left {RegistryChange.objects.count()}",
            flush=True,
        )
    # item 6: the whole span, against the Polars floor in the same run
    for _ in range(2):
        r1 = min(_r1(span) for _ in range(repeat))
        fp = min(base.floor_polars(*base.ALL_YEARS) for _ in range(repeat))
        print(
            f"R1 country 2015–2024: {r1:.3f} s, Polars floor {fp:.3f} s, {r1 / fp:.2f}× "
            f"(load {os.getloadavg()[0]:.1f})",
            flush=True,
        )
    print(f"load average after the run: {os.getloadavg()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--phase", choices=["load", "measure"], default="measure")
    args = parser.parse_args()
    base.PG_URL = os.environ["BENCH_POSTGRES_URL"]
    if args.phase == "load":
        base.load("postgres", args.episodes)
    else:
        measure(args.repeat)


if __name__ == "__main__":
    main()
