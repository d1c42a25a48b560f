"""Benchmark: start-up of the ``finsam`` command against Django's own set-up, and its share of a
small import.

Prints (median of ``--repeat`` runs, each a fresh process):

- ``python -c "import django; django.setup()"`` with Finsam's settings (the floor);
- ``finsam --help`` and ``finsam import episodes --help`` (Django set-up, the command loaded,
  its arguments parsed – the start-up every command pays);
- ``finsam import episodes FILE --dry-run`` of 1 000 new episodes into a PostgreSQL registry of
  200 000 episodes (built once by ``bench/_registry_db.py`` and reused; ``--dry-run`` does all of
  the import's work and rolls back, so every run sees the same registry), and the start-up's
  share of it;
- the heavy libraries loaded by ``django.setup()`` (should be none).

    python bench/startup.py [--pg postgres://postgres@127.0.0.1:5432] [--name finsam_bench_200k]
                            [--repeat 5] [--skip-import]

Not part of the test suite (``tests/test_startup.py`` checks the imports structurally).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _registry_db import DEFAULT_PG, data_dir, ensure_db, env_for  # noqa: E402
from import_episodes import machine  # noqa: E402

HEAVY = ("scipy", "altair", "vl_convert", "weasyprint", "pandas", "polars", "numpy", "pyarrow")
BASE = 200_000
SMALL = 1_000


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], env: dict, repeat: int) -> dict:
    """Median wall time and median CPU time (user + system) of the command's process; on a loaded
    machine the CPU time is the steadier figure (the database server's time is not in it)."""
    walls, cpus = [], []
    for _ in range(repeat):
        started, cpu = time.perf_counter(), _children_cpu()
        subprocess.run(cmd, env=env, cwd=ROOT, check=True, capture_output=True)
        walls.append(time.perf_counter() - started)
        cpus.append(_children_cpu() - cpu)
    return {
        "median_s": round(statistics.median(walls), 3),
        "cpu_s": round(statistics.median(cpus), 3),
        "runs_s": [round(w, 3) for w in walls],
    }


def finsam_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "finsam", *args]


def small_file(episodes_total: int) -> Path:
    """The last ``SMALL`` rows of the generated file of ``BASE + SMALL`` episodes."""
    data = data_dir(episodes_total)
    out = data / "episodes_tail.csv"
    if not out.exists():
        lines = (data / "episodes.csv").read_text(encoding="utf-8").splitlines(keepends=True)
        out.write_text(lines[0] + "".join(lines[-SMALL:]), encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--name", default="finsam_bench_200k")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-import", action="store_true")
    args = parser.parse_args()

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "finsam.settings.local"}
    report: dict = {"machine": machine(), "load_average": os.getloadavg()}
    probe = (
        "import json, sys, django; django.setup(); "
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    report["heavy_after_setup"] = json.loads(
        subprocess.run(
            [sys.executable, "-c", probe], env=env, check=True, capture_output=True, text=True
        ).stdout
    )
    report["django.setup()"] = timed(
        [sys.executable, "-c", "import django; django.setup()"], env, args.repeat
    )
    report["finsam --help"] = timed(finsam_cmd("--help"), env, args.repeat)
    report["finsam import episodes --help"] = timed(
        finsam_cmd("import", "episodes", "--help"), env, args.repeat
    )
    if not args.skip_import:
        total = BASE + SMALL
        # The registry holds the first BASE episodes of a file of BASE + SMALL; the import
        # brings the last SMALL (new keys; some people already in the registry).
        built = ensure_db(args.pg, args.name, total, skip_tail=SMALL)
        report["registry"] = built
        db_env = env_for(args.pg, args.name, total)
        tail = small_file(total)
        report["import 1000 episodes --dry-run"] = timed(
            finsam_cmd("import", "episodes", str(tail), "--dry-run"), db_env, args.repeat
        )
        report["import --help (same database)"] = timed(
            finsam_cmd("import", "episodes", "--help"), db_env, args.repeat
        )
    report["load_average_after"] = os.getloadavg()

    setup = report["django.setup()"]["median_s"]
    print(json.dumps(report["machine"]))
    print(f"load average before {report['load_average']}, after {report['load_average_after']}")
    print(f"heavy libraries after django.setup(): {report['heavy_after_setup'] or 'none'}")
    for name in ("django.setup()", "finsam --help", "finsam import episodes --help"):
        median, cpu = report[name]["median_s"], report[name]["cpu_s"]
        print(
            f"{name:40} {median:7.3f} s  ({median / setup:.2f}× django.setup()), "
            f"CPU {cpu:.3f} s ({cpu / report['django.setup()']['cpu_s']:.2f}×)"
        )
    if not args.skip_import:
        whole = report["import 1000 episodes --dry-run"]["median_s"]
        start = report["import --help (same database)"]["median_s"]
        whole_cpu = report["import 1000 episodes --dry-run"]["cpu_s"]
        start_cpu = report["import --help (same database)"]["cpu_s"]
        print(
            f"{'import 1000 episodes into 200 000':40} {whole:7.3f} s  start-up {start:.3f} s "
            f"= {100 * start / whole:.0f} % of it; CPU {whole_cpu:.3f} s, start-up "
            f"{start_cpu:.3f} s = {100 * start_cpu / whole_cpu:.0f} %"
        )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
