"""Issue 14 item 8: an interrupted ``finsam import`` stops its worker processes.

The command runs in a subprocess on its own SQLite database; once its worker processes are up it
gets SIGTERM, and afterwards none of its child processes may be left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from finsam.interchange.synthetic import generate

ROOT = Path(__file__).resolve().parents[2]
FINSAM = Path(sys.executable).with_name("finsam")

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc for children")


def _children(pid: int) -> set[int]:
    """Every descendant process of ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_sigterm_stops_the_import_and_its_workers(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("FINSAM_") and k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="finsam.settings.local",
        FINSAM_DATA_DIR=str(tmp_path / "var"),
        FINSAM_IMPORT_WORKERS="2",
    )
    subprocess.run(
        [str(FINSAM), "migrate", "-v", "0"], env=env, cwd=ROOT, check=True, capture_output=True
    )
    generate(tmp_path / "in", associations=2, episodes=150_000, seed=3)
    process = subprocess.Popen(
        [str(FINSAM), "import", "episodes", str(tmp_path / "in" / "episodes.csv"), "--dry-run"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        workers: set[int] = set()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            workers = _children(process.pid)
            if len(workers) >= 2:  # the workers (and multiprocessing's resource tracker)
                break
            time.sleep(0.2)
        assert process.poll() is None and workers, "the import had no worker processes"
        time.sleep(0.5)
        workers = _children(process.pid)
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode != 0
    assert "Importen avbröts" in err
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_alive(p) for p in workers):
        time.sleep(0.2)
    assert [p for p in workers if _alive(p)] == []
