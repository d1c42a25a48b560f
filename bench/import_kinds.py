"""Benchmark: rows/s of the follow-up and volume imports at 100 000 rows.

Runs in the PostgreSQL registry of ``--episodes`` (1 000 000) synthetic episodes that
``bench/_registry_db.py`` builds once (shared with ``bench/lists.py``), inside one outer
transaction that is rolled back at the end, so the registry is left as it was:

- **follow-ups**: the first ``--rows`` rows of the generated ``followups.csv`` (the episodes are
  in the registry; follow-ups of theirs already stored are removed first, untimed), imported
  with ``import_file`` (every check, the audit row) – a first import
  (all created) and the same file again (all unchanged: the idempotent re-import);
- **volume**: ``--rows`` monthly counts for 700 extra volume interventions (imported first,
  not timed), first import and re-import likewise.

Prints the machine, the load average, the data size and rows/s per kind and run.

    python bench/import_kinds.py [--pg postgres://postgres@127.0.0.1:5432]
                                 [--name finsam_bench_1m] [--episodes 1000000] [--rows 100000]

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _registry_db import DEFAULT_PG, data_dir, ensure_db, env_for  # noqa: E402
from import_episodes import machine  # noqa: E402

from finsam.interchange.formats import FORMATS  # noqa: E402

EXTRA_INTERVENTIONS = 700


def _files(data: Path, rows: int) -> dict[str, Path]:
    out = data / f"kinds-{rows}"
    out.mkdir(exist_ok=True)
    followups = out / "followups.csv"
    with open(data / "followups.csv", encoding="utf-8") as src:
        lines = [next(src) for _ in range(rows + 1)]
    followups.write_text("".join(lines), encoding="utf-8")
    interventions = out / "interventions.csv"
    header = list(FORMATS["interventions"].columns)
    rows_out = []
    for k in range(EXTRA_INTERVENTIONS):
        assoc = f"SF{k % 80 + 1:02d}"
        rows_out.append(
            [
                f"{assoc}-BV{k:03d}",
                assoc,
                f"Volyminsats {k}",
                "structural",
                "volume",
                "2012-01-01",
                "",
                "FK;AF",
                "PSY",
                "0",
                "10",
            ]
        )
    with open(interventions, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows_out)
    volume = out / "volume.csv"
    months = []
    y, m = 2014, 1
    last = date.today().replace(day=1)
    while date(y, m, 1) < last:
        months.append(f"{y}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    with open(volume, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["intervention_code", "month", "women", "men", "other"])
        n = 0
        for r in rows_out:
            for month in months:
                if n == rows:
                    break
                w.writerow([r[0], month, str(5 + n % 7), str(3 + n % 5), str(n % 2)])
                n += 1
    return {"followups": followups, "interventions": interventions, "volume": volume}


def child(files: dict[str, str]) -> None:
    import django

    django.setup()
    from django.db import transaction

    from finsam.interchange.importers import import_file

    out = {}

    def timed(kind: str, label: str) -> None:
        started, cpu = time.perf_counter(), time.process_time()
        result = import_file(kind, files[kind])
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert result.ok, result.problems[:3]
        out[label] = {
            "rows": result.rows,
            "created": result.created,
            "unchanged": result.unchanged,
            "wall_s": round(wall, 2),
            "python_cpu_s": round(cpu, 2),
            "rows_per_s": round(result.rows / wall),
        }
        print(f"  {label}: {out[label]}", file=sys.stderr, flush=True)

    with transaction.atomic():
        # A registry built with its follow-ups: remove those of the file first (not timed; rolled
        # back with everything else), so the first import creates every row.
        import csv as _csv

        from finsam.registry.models import FollowUp

        with open(files["followups"], encoding="utf-8") as fh:
            keys = {r[0] for r in _csv.reader(fh)} - {"episode_key"}
        removed = FollowUp.objects.filter(episode__key__any=keys)._raw_delete("default")
        print(f"  removed {removed} stored follow-ups of the file first", file=sys.stderr)
        timed("followups", "followups, first import")
        timed("followups", "followups, again (unchanged)")
        timed("interventions", "interventions (row by row, setup)")
        timed("volume", "volume, first import")
        timed("volume", "volume, again (unchanged)")
        transaction.set_rollback(True)
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--name", default="finsam_bench_1m")
    parser.add_argument("--episodes", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(json.loads(args.child))
        return
    built = ensure_db(args.pg, args.name, args.episodes)
    files = _files(data_dir(args.episodes), args.rows)
    load_before = os.getloadavg()
    proc = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps({k: str(v) for k, v in files.items()})],
        env=env_for(args.pg, args.name, args.episodes),
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    print(json.dumps(machine()))
    print(f"load average before {load_before}, after {os.getloadavg()}")
    print(f"registry: {built}")
    print(f"\n{'import':40} {'rows':>8} {'wall s':>8} {'cpu s':>7} {'rows/s':>9}")
    for label, r in results.items():
        print(
            f"{label:40} {r['rows']:>8,} {r['wall_s']:>8} {r['python_cpu_s']:>7} "
            f"{r['rows_per_s']:>9,}"
        )
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
