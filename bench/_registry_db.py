"""Build (or reuse) a PostgreSQL registry database of a given size for the benchmarks.

A database ``NAME`` is built once: migrated, then the synthetic registry files of
``finsam.interchange.synthetic.generate`` (80 associations, seed 2026) are imported with
``import_file`` in load order. It is reused as long as it holds exactly the asked number of
episodes (``--rebuild`` to force a new one). Used by ``bench/lists.py`` and
``bench/import_kinds.py``; not part of the test suite.

    python bench/_registry_db.py --episodes 1000000 --name finsam_bench_1m [--kinds ...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432"
BASE_KINDS = ("associations", "association-municipalities", "members", "interventions", "episodes")


def data_dir(episodes: int, workdir: str | None = None) -> Path:
    base = Path(workdir or Path(tempfile.gettempdir()) / "finsam-bench")
    return base / f"data-{episodes}"


def ensure_data(episodes: int, workdir: str | None = None, seed: int = 2026) -> Path:
    """The generated files for ``episodes`` (generated once; ``today`` fixed by the marker)."""
    from finsam.interchange.synthetic import generate

    out = data_dir(episodes, workdir)
    marker = out / "generated.txt"
    if not marker.exists():
        generate(out, associations=80, episodes=episodes, seed=seed, today=date.today())
        marker.write_text(date.today().isoformat())
    return out


def episode_count(pg: str, name: str) -> int | None:
    import psycopg

    try:
        with psycopg.connect(f"{pg}/{name}", autocommit=True) as conn:
            return conn.execute("SELECT COUNT(*) FROM registry_episode").fetchone()[0]
    except Exception:  # a missing database or table: build it
        return None


def recreate(pg: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def env_for(pg: str, name: str, episodes: int, workdir: str | None = None) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"{pg}/{name}",
        "FINSAM_DATA_DIR": str(data_dir(episodes, workdir).parent / f"state-{name}"),
        "DJANGO_SETTINGS_MODULE": "finsam.settings.local",
    }


def ensure_db(
    pg: str,
    name: str,
    episodes: int,
    *,
    kinds: tuple[str, ...] = BASE_KINDS,
    workdir: str | None = None,
    rebuild: bool = False,
    skip_tail: int = 0,
) -> dict:
    """Make sure database ``name`` holds the generated file of ``episodes`` episodes, less its
    last ``skip_tail`` rows (kept for a later import); returns how it was obtained."""
    data = ensure_data(episodes, workdir)
    stored = episodes - skip_tail
    if not rebuild and episode_count(pg, name) == stored:
        env = env_for(pg, name, episodes, workdir)
        subprocess.run(
            [sys.executable, "-m", "finsam", "migrate", "-v", "0"], env=env, cwd=ROOT, check=True
        )
        vacuum(pg, name)
        return {"database": name, "episodes": stored, "built": False}
    episodes_file = data / "episodes.csv"
    if skip_tail:
        episodes_file = data / "episodes_head.csv"
        lines = (data / "episodes.csv").read_text(encoding="utf-8").splitlines(keepends=True)
        episodes_file.write_text("".join(lines[: len(lines) - skip_tail]), encoding="utf-8")
    recreate(pg, name)
    started = time.perf_counter()
    subprocess.run(
        [
            *(sys.executable, __file__, "--child", name, "--data", str(data)),
            *("--kinds", *kinds, "--episodes-file", str(episodes_file)),
        ],
        env=env_for(pg, name, episodes, workdir),
        cwd=ROOT,
        check=True,
    )
    vacuum(pg, name)
    return {
        "database": name,
        "episodes": stored,
        "built": True,
        "build_s": round(time.perf_counter() - started, 1),
    }


def vacuum(pg: str, name: str) -> None:
    """``VACUUM ANALYZE`` (what autovacuum does soon after a large import): statistics for the
    planner and the visibility map that index-only counts need."""
    import psycopg

    with psycopg.connect(f"{pg}/{name}", autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def _child(data: Path, kinds: list[str], episodes_file: str | None) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from finsam.interchange.importers import import_file

    call_command("migrate", verbosity=0)
    for kind in kinds:
        started = time.perf_counter()
        path = data / (kind.replace("-", "_") + ".csv")
        if kind == "episodes" and episodes_file:
            path = Path(episodes_file)
        result = import_file(kind, path)
        assert result.ok, result.problems[:3]
        print(
            f"  imported {kind}: {result.rows:,} rows in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1_000_000)
    parser.add_argument("--name", default="finsam_bench_1m")
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--workdir")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--kinds", nargs="*", default=list(BASE_KINDS))
    parser.add_argument("--child")
    parser.add_argument("--data")
    parser.add_argument("--episodes-file")
    args = parser.parse_args()
    if args.child:
        _child(Path(args.data), args.kinds, args.episodes_file)
        return
    print(
        ensure_db(
            args.pg,
            args.name,
            args.episodes,
            kinds=tuple(args.kinds),
            workdir=args.workdir,
            rebuild=args.rebuild,
        )
    )


if __name__ == "__main__":
    main()
