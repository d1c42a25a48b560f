"""Benchmark: server time of the start page and the lists at two registry sizes.

Builds (once, then reuses; ``bench/_registry_db.py``) a PostgreSQL registry of ``--small``
(10 000) and of ``--large`` (1 000 000) synthetic episodes, and in each times the views through
Django's test client (the whole middleware stack, no network) for users who see everything:

- ``admin``: system administrator;
- ``analyst``: national analyst;
- ``handler``: participant handler in every association, assigned to every intervention (the
  start page's worklist covers the whole registry).

Pages: the start page ``/``, ``/insatser/``, the participant search ``/deltagare/`` (open
episodes, 50 a page, "1–50 av N"), all episodes there (``status=all``) and the episode list of
the intervention with the most episodes. Median of ``--repeat`` requests after one warm-up.
Prints the machine, the load average and, per page and user, both sizes and their ratio.

    python bench/lists.py [--pg postgres://postgres@127.0.0.1:5432] [--small 10000]
                          [--large 1000000] [--repeat 5] [--prefix finsam_bench]

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _registry_db import DEFAULT_PG, ensure_db, env_for  # noqa: E402
from import_episodes import machine  # noqa: E402

USERS = ("admin", "analyst", "handler")


def _users():
    from django.contrib.auth import get_user_model

    from finsam.access.models import InterventionAssignment, RoleAssignment
    from finsam.domain.access import Role
    from finsam.registry.models import Association, Intervention

    User = get_user_model()
    users = {}
    for name in USERS:
        user, _ = User.objects.get_or_create(username=f"bench_{name}")
        users[name] = user
    RoleAssignment.objects.get_or_create(user=users["admin"], role=Role.SYSTEM_ADMIN)
    RoleAssignment.objects.get_or_create(user=users["analyst"], role=Role.NATIONAL_ANALYST)
    handler = users["handler"]
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=handler, role=Role.PARTICIPANT_HANDLER, association=a)
            for a in Association.objects.all()
        ],
        ignore_conflicts=True,
    )
    InterventionAssignment.objects.bulk_create(
        [
            InterventionAssignment(user=handler, intervention=i, kind="handler")
            for i in Intervention.objects.all()
        ],
        ignore_conflicts=True,
    )
    return users


def child(repeat: int) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.db.models import Count
    from django.test import Client

    from finsam.registry.models import Episode

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    users = _users()
    biggest = (
        Episode.objects.values("intervention_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("intervention_id", "n")
        .first()
    )
    pages = {
        "start page /": "/",
        "/insatser/": "/insatser/",
        "/deltagare/ (open)": "/deltagare/",
        "/deltagare/?status=all": "/deltagare/?status=all",
        "/insatser/<largest>/deltagare/": f"/insatser/{biggest[0]}/deltagare/",
    }
    out = {"episodes": Episode.objects.count(), "largest_intervention": biggest[1], "pages": {}}
    for user_name, user in users.items():
        client = Client()
        client.force_login(user)
        for label, url in pages.items():
            response = client.get(url)  # warm-up (and the status)
            walls = []
            for _ in range(repeat):
                started = time.perf_counter()
                client.get(url)
                walls.append(time.perf_counter() - started)
            out["pages"].setdefault(label, {})[user_name] = {
                "status": response.status_code,
                "median_ms": round(1000 * statistics.median(walls), 1),
            }
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--prefix", default="finsam_bench")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.repeat)
        return
    load_before = os.getloadavg()
    results = {}
    for size in (args.small, args.large):
        name = (
            f"{args.prefix}_{size // 1_000_000}m"
            if size >= 1_000_000
            else f"{args.prefix}_{size // 1000}k"
        )
        built = ensure_db(args.pg, name, size)
        proc = subprocess.run(
            [sys.executable, __file__, "--child", "--repeat", str(args.repeat)],
            env=env_for(args.pg, name, size),
            cwd=ROOT,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        results[size] = {**built, **json.loads(proc.stdout.strip().splitlines()[-1])}
    print(json.dumps(machine()))
    print(f"load average before {load_before}, after {os.getloadavg()}")
    small, large = results[args.small], results[args.large]
    print(
        f"episodes: {small['episodes']:,} and {large['episodes']:,} (largest intervention "
        f"{small['largest_intervention']:,} and {large['largest_intervention']:,}); "
        f"median of {args.repeat} requests"
    )
    print(f"\n{'page':46} {'user':8} {'small ms':>9} {'large ms':>9} {'ratio':>6}  status")
    for label, per_user in large["pages"].items():
        small_page = small["pages"].get(label, {})
        for user_name, value in per_user.items():
            s = small_page.get(user_name, {})
            ratio = value["median_ms"] / s["median_ms"] if s.get("median_ms") else float("nan")
            print(
                f"{label[:46]:46} {user_name:8} {s.get('median_ms', 0):>9} "
                f"{value['median_ms']:>9} {ratio:>6.2f}  {s.get('status')}/{value['status']}"
            )
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
