"""Web under load: simulated handlers and analysts against gunicorn with production settings.

Usage (from the repository root, PostgreSQL with a national data set loaded, e.g.
``finsam demo-data --episodes 100000 --load``)::

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/finsam_load FINSAM_DATA_DIR=/tmp/var
    python bench/load.py setup                       # users, work lists, collectstatic (once)
    python bench/load.py run --users 20 --seconds 120 --workers 3 --worker-class sync

``setup`` creates (idempotently) one national analyst and one participant handler per
association of the busiest associations, with passwords, and writes ``load-users.json`` in the
data directory: the handlers' interventions, open episodes to exit and exited ones to follow up.

``run`` starts gunicorn (``finsam.wsgi`` with ``DJANGO_SETTINGS_MODULE=finsam.settings.production``,
DEBUG off, throw-away secrets; TLS redirect and strong sign-in switched off by their documented
variables, since the bench speaks plain HTTP to 127.0.0.1 and signs in with a password), then runs
``--users`` threads for ``--seconds``: a bounded script (threads + requests) rather than locust,
so the bench needs nothing beyond the dev dependencies and its load generator stays small on a
2-core machine. Each simulated user signs in and repeats its work with a think time of
``--think`` seconds (uniform 0.5×–1.5×):

- handler (``--users`` − ``--analysts``): start page with work list, participant search, an
  intervention's participant list, enrolment form GET + POST, exit (GET + POST), follow-up
  (GET + POST);
- analyst: a report page R1–R9 at association, county or national level (year 2024), now and then
  its CSV download.

Every user also fetches the login page without a session: the floor. Prints count, errors, p50,
p95, p99 per endpoint and p95 against the floor's p95, with the machine, load average, data size
and server configuration. An error: a status ≥ 400, an exception, or a form POST that did not
redirect. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import subprocess
import sys
import threading
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "load-bench-pw-2026"
sys.path.insert(0, str(ROOT))

from finsam.domain.reports.specs import SPECS  # noqa: E402

REPORTS = [spec.slug for spec in SPECS]
ERRORS = re.compile(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', re.S)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def data_dir() -> Path:
    return Path(os.environ.get("FINSAM_DATA_DIR") or ROOT / "var").resolve()


def machine() -> str:
    cpu = platform.processor() or ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = ""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
    return f"{os.cpu_count()} cores ({cpu}), {mem}, Python {platform.python_version()}"


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- setup ----------------------------------------------------------------------------------


def setup(handlers: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finsam.settings.local")
    import django

    django.setup()
    from django.db.models import Count, Q

    from finsam.access.models import InterventionAssignment, RoleAssignment
    from finsam.accounts.models import User
    from finsam.domain.access import Role
    from finsam.registry.models import Episode, FollowUp, Intervention

    def user(name: str) -> User:
        u, _ = User.objects.get_or_create(username=name)
        u.set_password(PASSWORD)
        u.save()
        return u

    analyst = user("load_analyst")
    RoleAssignment.objects.get_or_create(user=analyst, role=Role.NATIONAL_ANALYST)
    busiest = (
        Intervention.objects.filter(registration="persons")
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=date.today()))
        .annotate(n=Count("episodes"))
        .order_by("-n")[:handlers]
    )
    plan = {"analyst": analyst.username, "handlers": []}
    followed = set(FollowUp.objects.filter(months_after=6).values_list("episode_id", flat=True))
    for i, intv in enumerate(busiest):
        h = user(f"load_handler{i}")
        RoleAssignment.objects.get_or_create(
            user=h, role=Role.PARTICIPANT_HANDLER, association=intv.association
        )
        InterventionAssignment.objects.get_or_create(user=h, intervention=intv, kind="handler")
        episodes = Episode.objects.filter(intervention=intv).exclude(exit_reason="FEL")
        open_ids = list(
            episodes.filter(end_date__isnull=True).order_by("?").values_list("pk", flat=True)[:400]
        )
        exited = [
            pk
            for pk in episodes.filter(end_date__lt=date(2025, 1, 1))
            .order_by("?")
            .values_list("pk", flat=True)[:800]
            if pk not in followed
        ][:400]
        plan["handlers"].append(
            {
                "username": h.username,
                "intervention": intv.pk,
                "association": intv.association.code,
                "municipality": intv.association.area.order_by("valid_from")
                .values_list("municipality_id", flat=True)
                .first(),
                "open": open_ids,
                "exited": exited,
            }
        )
    path = data_dir() / "load-users.json"
    path.write_text(json.dumps(plan, indent=1))
    finsam = Path(sys.executable).with_name("finsam")  # with the production storage (manifest)
    subprocess.run([str(finsam), "collectstatic", "--noinput", "-v0"], env=server_env(), check=True)
    print(f"{len(plan['handlers'])} handlers and 1 analyst written to {path}")


# --- the server -----------------------------------------------------------------------------


def server_env() -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "finsam.settings.production",
            "FINSAM_SSL_REDIRECT": "0",
            "FINSAM_REQUIRE_STRONG_AUTH": "0",
            "FINSAM_DATA_DIR": str(data_dir()),
        }
    )
    env.setdefault("FINSAM_SECRET_KEY", "load-bench-secret-key-" + "x" * 40)
    env.setdefault("FINSAM_PSEUDONYM_KEY", "dGVzdC1wc2V1ZG9ueW0ta2V5LTMyLWJ5dGVzLWxvbmch")
    env.setdefault("FINSAM_ENCRYPTION_KEYS", "kq3E0nQZ3mK5vV6Q0b0y9b5y5S9Wm0W2pR8m3hQm9Yc=")
    return env


def start_gunicorn(args) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    cmd = [
        str(gunicorn),
        "finsam.wsgi",
        "--bind",
        f"127.0.0.1:{args.port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        "--timeout",
        "120",
        "--keep-alive",  # longer than a user's think time: no reset on a reused connection
        "75",
        "--log-level",
        "warning",
    ]
    if args.worker_class == "gthread":
        cmd += ["--threads", str(args.threads)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=server_env())
    import requests

    for _ in range(240):
        try:
            if requests.get(f"{base(args)}/healthz", timeout=2).status_code == 200:
                return proc
        except requests.RequestException:
            pass
        time.sleep(0.5)
    proc.terminate()
    raise SystemExit("gunicorn did not answer /healthz")


def base(args) -> str:
    return f"http://127.0.0.1:{args.port}"


# --- simulated users -----------------------------------------------------------------------


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.examples: dict[str, str] = {}

    def add(self, name: str, seconds: float, error: str = "") -> None:
        with self.lock:
            self.times[name].append(seconds)
            if error:
                self.errors[name] += 1
                self.examples.setdefault(name, error)


class User(threading.Thread):
    def __init__(self, args, stats: Stats, deadline: float, seed: int, plan: dict, role: str):
        super().__init__(daemon=True)
        import requests

        self.args, self.stats, self.deadline = args, stats, deadline
        self.rng = random.Random(seed)
        self.plan, self.role = plan, role
        self.http = requests.Session()
        self.base = base(args)

    # one request, timed; ``expect`` = the statuses that are not an error
    def call(self, name: str, method: str, path: str, expect=(200,), **kw):
        t0 = time.perf_counter()
        try:
            r = self.http.request(
                method, self.base + path, allow_redirects=False, timeout=120, **kw
            )
        except Exception as exc:
            self.stats.add(name, time.perf_counter() - t0, repr(exc))
            return None
        elapsed = time.perf_counter() - t0
        for c in self.http.cookies:  # production cookies are Secure; the bench speaks HTTP
            c.secure = False
        error = "" if r.status_code in expect else f"{r.status_code} {path}"
        if error and r.status_code == 200:  # a form shown again: its first problem
            problem = ERRORS.search(r.text)
            error += f" {problem.group(1).strip()[:200]}" if problem else ""
        self.stats.add(name, elapsed, error)
        return r

    def post_form(self, name: str, path: str, data: dict, get_name: str):
        page = self.call(get_name, "GET", path)
        if page is None or page.status_code != 200:
            return None
        token = CSRF.search(page.text)
        data = {**data, "csrfmiddlewaretoken": token.group(1) if token else ""}
        return self.call(name, "POST", path, expect=(302,), data=data, headers={"Referer": path})

    def think(self) -> None:
        time.sleep(self.args.think * self.rng.uniform(0.5, 1.5))

    def floor(self) -> None:
        import requests

        t0 = time.perf_counter()
        try:
            r = requests.get(self.base + "/login/", timeout=60)
            err = "" if r.status_code == 200 else f"{r.status_code} /login/"
        except Exception as exc:
            err = repr(exc)
        self.stats.add("login page (floor)", time.perf_counter() - t0, err)

    def login(self, username: str) -> bool:
        r = self.post_form(
            "sign in (POST)",
            "/login/",
            {"username": username, "password": PASSWORD},
            "login page (GET, session)",
        )
        return r is not None and r.status_code == 302

    def run(self) -> None:
        username = self.plan["username"] if self.role == "handler" else self.plan["analyst"]
        if not self.login(username):
            return
        while time.monotonic() < self.deadline:
            self.floor()
            self.think()
            if self.role == "handler":
                self.handler_round()
            else:
                self.analyst_round()

    def handler_round(self) -> None:
        p, rng = self.plan, self.rng
        steps = [
            lambda: self.call("start page (work list)", "GET", "/"),
            lambda: self.call(
                "participant search", "GET", "/deltagare/?status=" + rng.choice(["open", "all"])
            ),
            lambda: self.call(
                "intervention participant list", "GET", f"/insatser/{p['intervention']}/deltagare/"
            ),
            self.enrol,
            self.exit,
            self.followup,
        ]
        for step in steps:
            if time.monotonic() >= self.deadline:
                return
            step()
            self.think()

    def enrol(self) -> None:
        rng = self.rng
        start = date(2026, rng.randint(1, 10), rng.randint(1, 28)).isoformat()
        self.post_form(
            "enrol (POST)",
            f"/insatser/{self.plan['intervention']}/deltagare/ny/",
            {
                "identity_level": "anonymous",
                "sex": rng.choice(["K", "M"]),
                "birth_year": str(rng.randint(1960, 2004)),
                "home_municipality": self.plan["municipality"] or "0180",
                "start_date": start,
                "support_before": ["FSS"],
                "time_on_support": "",
                "education": "",
            },
            "enrol form (GET)",
        )

    def exit(self) -> None:
        if not self.plan["open"]:
            return
        pk = self.plan["open"].pop()
        self.post_form(
            "exit (POST)",
            f"/inskrivningar/{pk}/avslut/",
            {
                "end_date": date.today().isoformat(),
                "exit_reason": self.rng.choice(["ARB", "STU", "AVB"]),
                "support_after": ["ING"],
                "work_study_increased": "unknown",
            },
            "exit form (GET)",
        )

    def followup(self) -> None:
        if not self.plan["exited"]:
            return
        pk = self.plan["exited"].pop()
        self.post_form(
            "follow-up (POST)",
            f"/inskrivningar/{pk}/uppfoljning/",
            {"months_after": "6", "support": ["ING"], "occupation": "ARB", "work_hours": "20"},
            "follow-up form (GET)",
        )

    def analyst_round(self) -> None:
        rng = self.rng
        name = rng.choice(REPORTS)
        level = rng.choice(["association", "county", "country"])
        query = f"?period_type=year&year=2024&levels={level}"
        if level != "country":
            query += f"&associations={rng.choice(self.plan['associations'])}"
        self.call(f"report page ({level})", "GET", f"/rapporter/{name}/{query}")
        if rng.random() < 0.2:
            self.think()
            self.call("report csv download", "GET", f"/rapporter/{name}/{query}&format=csv")


def percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    i = min(len(s) - 1, max(0, round(q / 100 * (len(s) - 1))))
    return s[i]


def data_size() -> str:
    import psycopg

    url = os.environ["DATABASE_URL"]
    with psycopg.connect(url) as conn:
        n = conn.execute(
            "SELECT (SELECT count(*) FROM registry_episode), (SELECT count(*) FROM "
            "registry_participant), (SELECT count(*) FROM registry_association), "
            "(SELECT count(*) FROM registry_followup)"
        ).fetchone()
    return f"{n[0]} episodes, {n[1]} participants, {n[2]} associations, {n[3]} follow-ups"


def run(args) -> None:
    plan = json.loads((data_dir() / "load-users.json").read_text())
    codes = sorted({h["association"] for h in plan["handlers"]})
    print(f"Machine: {machine()}; load average before: {loadavg()}")
    print(f"Data: {data_size()} (PostgreSQL)")
    server = f"gunicorn {args.worker_class} × {args.workers} workers"
    if args.worker_class == "gthread":
        server += f" × {args.threads} threads"
    cache = os.environ.get("FINSAM_REPORT_CACHE", "file")
    print(
        f"Server: {server}, finsam.settings.production (DEBUG off), report cache {cache!r}; "
        f"{args.users} users ({args.analysts} analysts), think time {args.think} s, "
        f"{args.seconds} s"
    )
    proc = start_gunicorn(args)
    stats = Stats()
    try:
        deadline = time.monotonic() + args.seconds
        users = []
        handlers = plan["handlers"]
        for i in range(args.users):
            if i < args.analysts:
                p, role = {"analyst": plan["analyst"], "associations": codes}, "analyst"
            else:
                p, role = dict(handlers[(i - args.analysts) % len(handlers)]), "handler"
                # two users on one intervention never take the same episode
                k, step = (i - args.analysts) // len(handlers), args.users // len(handlers) + 1
                p["open"], p["exited"] = p["open"][k::step], p["exited"][k::step]
            users.append(User(args, stats, deadline, 1000 + i, p, role))
        t0 = time.monotonic()
        for u in users:
            u.start()
            time.sleep(0.1)
        for u in users:
            u.join(timeout=args.seconds + 300)
        wall = time.monotonic() - t0
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    floor = percentile(stats.times["login page (floor)"], 95)
    total = sum(len(v) for v in stats.times.values())
    rate = total / wall
    print(f"\n{total} requests in {wall:.0f} s = {rate:.1f} requests/s")
    print(f"load average after: {loadavg()}")
    head = ("endpoint", "count", "errors", "p50 ms", "p95 ms", "p99 ms", "p95/floor")
    print(f"{head[0]:34} " + " ".join(f"{h:>8}" for h in head[1:]))
    for name in sorted(stats.times, key=lambda n: (n != "login page (floor)", n)):
        v = stats.times[name]
        p95 = percentile(v, 95)
        print(
            f"{name:34} {len(v):8d} {stats.errors[name]:8d} {percentile(v, 50) * 1000:8.0f} "
            f"{p95 * 1000:8.0f} {percentile(v, 99) * 1000:8.0f} {p95 / floor:8.1f}"
        )
    for name, example in stats.examples.items():
        print(f"  first error of {name}: {example}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("setup")
    s.add_argument("--handlers", type=int, default=15)
    r = sub.add_parser("run")
    r.add_argument("--users", type=int, default=20)
    r.add_argument("--analysts", type=int, default=5)
    r.add_argument("--seconds", type=int, default=120)
    r.add_argument("--think", type=float, default=1.0)
    r.add_argument("--workers", type=int, default=3)
    r.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    r.add_argument("--threads", type=int, default=4)
    r.add_argument("--port", type=int, default=8719)
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        raise SystemExit("DATABASE_URL (PostgreSQL) is needed")
    sys.path.insert(0, str(ROOT))
    if args.command == "setup":
        setup(args.handlers)
    else:
        run(args)


if __name__ == "__main__":
    main()
