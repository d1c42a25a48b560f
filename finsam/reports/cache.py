"""A cache of what is the same for everyone: the (protected) result of one report plan at one
registry state, and its rendered chart.

Running a report and drawing its chart with vl-convert are the expensive part of a report page;
twenty analysts looking at this year's national R1 should pay for it once. The result is cached in
Django's cache framework under the alias ``reports`` (``settings.CACHES``; a file-based cache by
default so every gunicorn worker on a host shares it without Redis, or the database cache so
several web hosts share it – ``docs/operations.md``).

**Safe by construction.** The key is a hash of

- the *registry state* (:func:`registry_state`): the change log the report extract trusts
  (``finsam.reports.extract.fingerprint`` – database triggers on every episode and participant
  write) plus a cheap count/maximum of the other tables a report reads. A registration changes the
  state, so the next request misses and computes afresh: a cached result is never older than the
  registry (tests/reports/test_cache.py);
- the user's *scope*: whether the VIEW_REPORTS grant covers every association, and the ids of the
  associations it covers. Two users share an entry only when they may report on exactly the same
  associations;
- everything of the plan that decides the figures: report, period, levels, shown areas, split,
  protection on/off and its rule, what is read, the associations shown (with their names), the
  sign-off and overdue options, and what was run (report and/or data quality).

Identity rights play no part: results are aggregates (protected unless the plan allows otherwise,
and that permission is in the plan). What differs per user on the page – links to episodes, which
associations' quality counts are protected – is computed per request from the cached quality
result, never cached.

Entries also expire after ``FINSAM_REPORT_CACHE_SECONDS`` (default 600 s): the backstop for an
edit of a follow-up, volume or budget row that changes neither count nor maximum id.

:func:`registry_state` is the one switch point for a cheaper registry-state / extract-generation
token when the extract module provides one.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import InvalidCacheBackendError, caches
from django.utils import translation

from finsam.finance.models import BudgetLine
from finsam.registry.models import Association, FollowUp, Intervention, VolumeCount
from finsam.reports import extract, runner
from finsam.settings.routers import report_connection as connection
from finsam.settings.routers import report_reads

log = logging.getLogger(__name__)

ALIAS = "reports"
VERSION = "1"
"""Bump when what is cached changes shape: older entries are then never read."""

_FRAME_TABLES = {
    "followups": (FollowUp, "recorded_at"),
    "volume": (VolumeCount, None),
    "interventions": (Intervention, None),
    "budget_lines": (BudgetLine, None),
}
_ALWAYS = ((Intervention, None), (Association, None))
"""Read by every report (the dimensions: names, counties, interventions)."""


def _cache():
    try:
        return caches[ALIAS]
    except InvalidCacheBackendError:
        return None


def enabled() -> bool:
    return _cache() is not None


def timeout() -> int:
    return int(getattr(settings, "FINSAM_REPORT_CACHE_SECONDS", 600))


def _tables_state(tables) -> tuple[str, ...]:
    """count(*), max(id) (and the maximum of a change-time column when the table has one) of each
    table, in one query."""
    parts = []
    for model, changed in tables:
        t = model._meta.db_table
        parts += [f"(SELECT count(*) FROM {t})", f"(SELECT coalesce(max(id), 0) FROM {t})"]  # noqa: S608
        if changed:
            parts.append(f"(SELECT max({changed}) FROM {t})")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))  # our own table and column names
        return tuple(str(v) for v in cursor.fetchone())


def registry_state(frames: tuple[str, ...] = ()) -> str:
    """A token that changes whenever the data a report reads may have changed: the report
    extract's change-log fingerprint (episodes, participants) plus the other tables read.

    The one place to switch to a cheaper registry-state / extract-generation function."""
    tables = dict.fromkeys(_ALWAYS)
    for frame in frames:
        if frame in _FRAME_TABLES:
            tables[_FRAME_TABLES[frame]] = None
    state = (*extract.fingerprint(), *_tables_state(tables))
    return "|".join(state)


def scope(user) -> str:
    """What the user may report on: every association, or exactly these ids."""
    if user is None:
        return "operator"
    everything = runner.reports_everything(user)
    ids = sorted(runner.reportable_associations(user).values_list("pk", flat=True))
    return f"{'all' if everything else 'some'}:{','.join(map(str, ids))}"


def plan_identity(plan: runner.ReportPlan) -> str:
    o = plan.options
    return repr(
        (
            plan.name,
            (o.period.start.isoformat(), o.period.end.isoformat()),
            o.levels,
            o.areas,
            o.split,
            o.protected,
            repr(o.rule),
            plan.selection.association_ids,
            repr(plan.selection.period),
            tuple((a.pk, a.code, a.name) for a in plan.associations),
            plan.unprotected_allowed,
            plan.overdue_months,
            plan.signed_codes,
            plan.signed_only,
        )
    )


def key(user, plan: runner.ReportPlan, *, with_quality: bool, with_report: bool) -> str:
    with report_reads(runner.reads_replica(plan)):  # the state of what the run will read
        # Bring the extract up to date first (what the run would do): a patch advances the
        # extract's generation, so a key taken before it would never be found again.
        extract.for_read(every_association=plan.selection.association_ids is None)
        state = registry_state(plan.spec.frames)
    text = "\n".join(
        (
            VERSION,
            state,
            scope(user),
            plan_identity(plan),
            f"quality={with_quality} report={with_report}",
        )
    )
    return "finsam-report:" + hashlib.sha256(text.encode()).hexdigest()


def run_report(
    user, plan: runner.ReportPlan, *, with_quality: bool = True, with_report: bool = True
) -> runner.ReportRun:
    """:func:`finsam.reports.runner.run_report`, from the cache when the same plan was run at the
    same registry state for the same scope. The run's ``cache_key`` names the entry (for the
    chart); a cached run has no episode frame."""
    cache = _cache()
    if cache is None:
        return runner.run_report(plan, with_quality=with_quality, with_report=with_report)
    k = key(user, plan, with_quality=with_quality, with_report=with_report)
    hit = cache.get(k)
    if hit is not None:
        result, quality = hit
        run = runner.ReportRun(plan, result, quality, None, {"cached": 1.0})
    else:
        run = runner.run_report(plan, with_quality=with_quality, with_report=with_report)
        try:
            cache.set(k, (run.result, run.quality), timeout())
        except Exception:  # a full disk or a lost cache table must not break the page
            log.exception("report cache: could not store %s", k)
    run.cache_key = k
    return run


def chart_svg(run: runner.ReportRun) -> str:
    """The chart of the run's report as SVG, drawn once per cached result (and language)."""
    from finsam.reports import render

    cache = _cache()
    k = getattr(run, "cache_key", None)
    if cache is None or k is None:
        return render.chart_svg(run.result)
    k = f"{k}:svg:{translation.get_language()}"
    svg = cache.get(k)
    if svg is None:
        svg = render.chart_svg(run.result)
        try:
            cache.set(k, svg, timeout())
        except Exception:
            log.exception("report cache: could not store %s", k)
    return svg
