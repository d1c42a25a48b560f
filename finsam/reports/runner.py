"""Who may run which report on what, and running it: the one path for pages, downloads and the
``finsam report`` command.

Role rules (``domain.md`` §5, ``reports.md``):

- ``VIEW_REPORTS`` decides which associations a user may report on at all. A user whose grant
  covers every association (national analyst) may also ask for the county and country levels;
  everyone else reports on intervention and association level for their own associations.
- Unprotected numbers only for a user with ``VIEW_UNPROTECTED_REPORTS`` on **every** association
  of the report (association administrator, participant handler), on intervention or association
  level. Everyone else – and every county or country figure – gets protected aggregates.
- Without a user (the command run by the operator without ``--user``) every association may be
  reported on, protected only.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd
from django.conf import settings
from django.utils.translation import get_language, gettext

from finsam.access.permissions import association_filter, can, covers_all
from finsam.domain import codelists
from finsam.domain.access import Action
from finsam.domain.problems import DomainValidationError, Problem
from finsam.domain.protection import ProtectionRule
from finsam.domain.reports import REPORTS, data_quality, periods
from finsam.domain.reports.core import (
    LEVELS,
    Period,
    ReportOptions,
    ReportResult,
)
from finsam.domain.reports.quality import DEFAULT_OVERDUE_MONTHS, DataQualityResult
from finsam.domain.reports.specs import BY_SLUG, SPECS, ReportSpec, find_spec
from finsam.domain.signoff import covers
from finsam.registry import selectors as registry_selectors
from finsam.registry.models import Association
from finsam.reports import selectors
from finsam.settings.routers import report_reads

REPORT_INFO: dict[str, tuple[str, str]] = {s.slug: (s.code, s.title) for s in SPECS}
"""Slug → (code, title), from :data:`finsam.domain.reports.specs.SPECS`."""
REPORT_DESCRIPTIONS = {s.slug: s.description for s in SPECS}
SPLIT_REPORTS = frozenset(s.slug for s in SPECS if s.split)
"""Reports with an age-band split (the others are not about persons by sex)."""

PROTECTED_LEVELS = frozenset({"county", "country"})
PROGRESS_ROWS = 100_000


def _problem(field_name: str, rule: str, message: str, value=None) -> DomainValidationError:
    return DomainValidationError([Problem(field_name, rule, message, value)])


# --- scope ------------------------------------------------------------------------------------


def reportable_associations(user):
    """The associations ``user`` may report on (``None`` user = every association)."""
    qs = Association.objects.order_by("name")
    if user is None:
        return qs
    return qs.filter(association_filter(user, Action.VIEW_REPORTS))


def reports_everything(user) -> bool:
    """True when the user's VIEW_REPORTS grant covers every association (or there is no user)."""
    if user is None:
        return True
    return covers_all(user, Action.VIEW_REPORTS)


def may_see_unprotected(user, association_ids) -> bool:
    ids = list(association_ids)
    return (
        user is not None
        and bool(ids)
        and all(can(user, Action.VIEW_UNPROTECTED_REPORTS, association=a) for a in ids)
    )


def allowed_levels(user) -> tuple[str, ...]:
    return LEVELS if reports_everything(user) else ("intervention", "association")


# --- the plan of one report -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReportPlan:
    name: str
    options: ReportOptions
    selection: selectors.Selection
    associations: tuple[Association, ...]
    """The associations the report shows (chosen or, when none chosen, all the user may see)."""
    unprotected_allowed: bool
    overdue_months: int = DEFAULT_OVERDUE_MONTHS
    signed_codes: tuple[str, ...] = ()
    """The codes of the shown associations that have signed off the whole report period."""
    signed_only: bool = False
    """The report reads only associations that have signed off the period."""

    @property
    def signoff_note(self) -> str:
        """A Swedish line saying which associations' data are signed off."""
        shown = [a.code for a in self.associations]
        signed = [c for c in shown if c in self.signed_codes]
        if self.signed_only:
            return (
                f"Endast förbund som har undertecknat perioden: {len(signed)} förbund "
                f"({', '.join(signed)})."
            )
        if not signed:
            return f"Inget av de {len(shown)} förbunden har undertecknat perioden."
        return (
            f"{len(signed)} av {len(shown)} förbund har undertecknat perioden: {', '.join(signed)}."
        )

    @property
    def spec(self) -> ReportSpec:
        return BY_SLUG[self.name]

    @property
    def code(self) -> str:
        return self.spec.code


def plan_report(
    user,
    name: str,
    *,
    period: Period,
    levels: tuple[str, ...] = ("association",),
    association_codes: tuple[str, ...] = (),
    split: str = "sex",
    threshold: int | None = None,
    unprotected: bool | None = None,
    overdue_months: int = DEFAULT_OVERDUE_MONTHS,
    signed_only: bool = False,
) -> ReportPlan:
    """Check the request against the user's rights and fix what is read and shown.

    ``unprotected``: ``True`` = the user asks for unprotected numbers (refused with a Swedish
    problem when not allowed); ``False`` = protected; ``None`` = unprotected when allowed (the web
    default for administrators and handlers)."""
    problems: list[Problem] = []
    spec = find_spec(name)
    if spec is None:
        raise _problem(
            "report",
            "report.name",
            f"Okänd rapport {name!r}: välj en av {', '.join(REPORTS)}.",
            name,
        )
    name = spec.slug
    levels = tuple(dict.fromkeys(levels)) or ("association",)
    problems += _level_problems(user, levels)
    if split != "sex" and not spec.split:
        split = "sex"
    allowed = {a.code: a for a in reportable_associations(user)}
    if user is not None and not allowed and not reports_everything(user):
        raise _problem(
            "association",
            "report.no_scope",
            "Du har inte behörighet att se rapporter för något förbund.",
        )
    chosen = _chosen_associations(association_codes, allowed, problems)
    signed_ids = _signed_ids(period, [a.pk for a in (chosen or allowed.values())])
    if signed_only and not problems:
        chosen = [a for a in (chosen or allowed.values()) if a.pk in signed_ids]
        if not chosen:
            problems.append(
                Problem(
                    "signed_only",
                    "report.none_signed",
                    "Endast undertecknade: inget av förbunden i rapporten har undertecknat hela "
                    f"perioden {period.start}–{period.end}.",
                )
            )
    if threshold is not None and (not isinstance(threshold, int) or threshold < 1):
        problems.append(
            Problem(
                "threshold",
                "report.threshold",
                f"Tröskel: tröskelvärdet måste vara ett heltal ≥ 1 (nu {threshold!r}).",
                threshold,
            )
        )
    if problems:
        raise DomainValidationError(problems)
    everything = reports_everything(user)
    shown = tuple(chosen) if chosen else tuple(allowed.values())
    unprotected_ok = not (set(levels) & PROTECTED_LEVELS) and may_see_unprotected(
        user, [a.pk for a in shown]
    )
    if unprotected and not unprotected_ok:
        raise _problem(
            "unprotected",
            "report.unprotected",
            "Oskyddade tal: visas bara för användare som får se deltagarna i varje förbund i "
            "rapporten, på insats- eller förbundsnivå.",
        )
    protected = not unprotected_ok if unprotected is None else not unprotected
    if protected and (bad := periods.protected_period_problems(period, finest_period())):
        raise DomainValidationError(bad)
    rule = ProtectionRule.for_threshold(threshold or settings.FINSAM_PROTECTION_THRESHOLD)
    read_ids = (
        tuple(a.pk for a in shown) if signed_only else _read_ids(levels, everything, chosen, shown)
    )
    areas = _shown_areas(levels, shown) if chosen or not everything else None
    options = ReportOptions(
        period=period,
        levels=tuple(lvl for lvl in LEVELS if lvl in levels),
        areas=areas,
        split=split,
        protected=protected,
        rule=rule,
    )
    return ReportPlan(
        name,
        options,
        # protected: the whole calendar year is read, its grid periods are protected together
        selectors.Selection(Period.year(period.start.year) if protected else period, read_ids),
        shown,
        unprotected_ok,
        overdue_months,
        signed_codes=tuple(a.code for a in shown if a.pk in signed_ids),
        signed_only=signed_only,
    )


def _signed_ids(period: Period, association_ids) -> set[int]:
    """The associations among ``association_ids`` whose signed periods cover ``period``."""
    signed = registry_selectors.signed_periods(association_ids)
    return {a for a, periods in signed.items() if covers(periods, period.start, period.end)}


def _level_problems(user, levels: tuple[str, ...]) -> list[Problem]:
    problems: list[Problem] = []
    for level in levels:
        if level not in LEVELS:
            problems.append(
                Problem(
                    "level",
                    "report.level",
                    f"Nivå: okänd nivå {level!r}, välj en av {', '.join(LEVELS)}.",
                    level,
                )
            )
        elif level not in allowed_levels(user):
            problems.append(
                Problem(
                    "level",
                    "report.level_scope",
                    "Nivå: län och riket kräver behörighet att se rapporter för alla förbund; "
                    "välj insats eller förbund.",
                    level,
                )
            )
    return problems


def _chosen_associations(
    association_codes: tuple[str, ...], allowed: dict[str, Association], problems: list[Problem]
) -> list[Association]:
    """The associations asked for that the user may report on; a problem for each other code."""
    chosen: list[Association] = []
    for code in association_codes:
        if code in allowed:
            chosen.append(allowed[code])
        elif Association.objects.filter(code=code).exists():
            problems.append(
                Problem(
                    "association",
                    "report.association_scope",
                    f"Förbund: du har inte behörighet att se rapporter för förbundet {code}.",
                    code,
                )
            )
        else:
            problems.append(
                Problem(
                    "association",
                    "report.association_unknown",
                    f"Förbund: det finns inget förbund med koden {code}.",
                    code,
                )
            )
    return chosen


def _read_ids(levels, everything: bool, chosen, shown) -> tuple[int, ...] | None:
    """What is read: the chosen associations; all of their counties for a county figure; every
    association (``None``) for the country."""
    if "country" in levels and everything:
        return None
    if "county" in levels and everything and chosen:
        counties = set(
            selectors.association_dimension([a.pk for a in chosen])["county_code"].tolist()
        )
        dim = selectors.association_dimension(None)
        return tuple(int(i) for i in dim.loc[dim["county_code"].isin(counties)].iloc[:, 0])
    if everything and not chosen:
        return None
    return tuple(a.pk for a in shown)


def _shown_areas(levels, shown) -> tuple[str, ...]:
    """What is shown of what is read: the areas (associations, their interventions, counties,
    the country) of the associations shown."""
    ids = [a.pk for a in shown]
    codes = {a.code for a in shown}
    if "intervention" in levels:
        codes |= set(selectors.intervention_ids_by_code(ids))
    if "county" in levels:
        codes |= set(selectors.association_dimension(ids)["county_code"])
    if "country" in levels:
        codes.add("SE")
    return tuple(sorted(codes))


# --- running -----------------------------------------------------------------------------------


@dataclass
class ReportRun:
    plan: ReportPlan
    result: ReportResult
    quality: DataQualityResult | None
    episodes: pd.DataFrame = field(repr=False, default=None)
    timings: dict[str, float] = field(default_factory=dict)


def _progress(report: Callable[[str], None] | None, message: str) -> None:
    if report is not None:
        report(message)


FRAME_LOADERS: dict[str, Callable] = {
    "volume": lambda sel, dim: selectors.volume_frame(sel),
    "interventions": lambda sel, dim: selectors.interventions_frame(sel),
    "budget_lines": lambda sel, dim: selectors.budget_frame(sel),
    "followups": lambda sel, dim: selectors.followups_frame(sel, dimension=dim),
}
"""How each frame a report spec names (``ReportSpec.frames``) is read: ``(selection, intervention
dimension or None) -> frame``."""


def reads_replica(plan: ReportPlan) -> bool:
    """National and county reports (reads of every association or of whole counties) read from
    the read replica when one is configured (finsam/settings/routers.py)."""
    return plan.selection.association_ids is None or bool(
        set(plan.options.levels) & PROTECTED_LEVELS
    )


def load_frames(plan: ReportPlan, progress: Callable[[str], None] | None = None) -> dict:
    """The frames the report of ``plan`` needs, one query each."""
    sel = plan.selection
    spec = plan.spec
    dim = (
        None
        if sel.association_ids is None
        else selectors.intervention_dimension(sel.association_ids)
    )
    frames = {
        "episodes": selectors.episodes_frame(sel, history=spec.episode_history, dimension=dim)
    }
    for frame in spec.frames:
        frames[frame] = FRAME_LOADERS[frame](sel, dim)
    return frames


def compute(plan: ReportPlan, frames: dict) -> ReportResult:
    names = {a.code: a.name for a in plan.associations}
    result = periods.protect_over_year(
        lambda options: plan.spec.run(frames, options, names), plan.options, finest_period()
    )
    return translated(result)


def finest_period() -> str:
    """The finest calendar period protected outputs offer (``FINSAM_PROTECTION_FINEST_PERIOD``:
    month, quarter, half or year; see ``finsam.domain.reports.periods``)."""
    return getattr(settings, "FINSAM_PROTECTION_FINEST_PERIOD", "quarter")


def translated(result: ReportResult) -> ReportResult:
    """The result with its labels in the active language.

    The domain writes its titles, notes, column and row labels in Swedish and marks them with
    ``gettext_noop``; they are translated here, once, so the page, csv, xlsx, pdf and chart all
    show the same words. Swedish (the default) returns the labels unchanged.
    """

    codes = codelists.english_labels() if get_language() == "en" else {}

    def label(text: str) -> str:
        translation = gettext(text)
        return codes.get(text, text) if translation == text else translation

    def area(a):
        return replace(a, name=gettext(a.name)) if a.level == "country" else a

    def table(t):
        return replace(
            t,
            title=gettext(t.title),
            note=gettext(t.note) if t.note else t.note,
            rows=tuple(replace(r, label=label(r.label)) for r in t.rows),
            column_labels={k: gettext(v) for k, v in t.column_labels.items()},
            areas=tuple(area(a) for a in t.areas),
        )

    return replace(
        result,
        title=gettext(result.title),
        tables=tuple(table(t) for t in result.tables),
        notes=tuple(gettext(n) if n else n for n in result.notes),
    )


def run_report(
    plan: ReportPlan,
    *,
    with_quality: bool = True,
    with_report: bool = True,
    progress: Callable[[str], None] | None = None,
) -> ReportRun:
    import time

    t0 = time.perf_counter()
    with report_reads(reads_replica(plan)):
        frames = load_frames(plan, progress)
    t1 = time.perf_counter()
    n = len(frames["episodes"])
    big = n >= PROGRESS_ROWS
    progress = progress if big else None
    _progress(
        progress,
        f"{n} deltagarepisoder inlästa på {t1 - t0:.1f} s; beräknar {plan.spec.title.lower()} …",
    )
    result = compute(plan, frames) if with_report else None
    t2 = time.perf_counter()
    quality = None
    if with_quality:
        codes = tuple(a.code for a in plan.associations)
        quality = data_quality(
            frames["episodes"],
            plan.options.period,
            overdue_months=plan.overdue_months,
            associations=codes,
        )
    t3 = time.perf_counter()
    _progress(progress, f"Klart på {t3 - t0:.1f} s.")
    return ReportRun(
        plan,
        result,
        quality,
        frames["episodes"],
        {"load": t1 - t0, "report": t2 - t1, "quality": t3 - t2},
    )


def stderr_progress(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def parse_date(value: str, field_name: str, label: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise _problem(
            field_name,
            "report.date",
            f"{label}: ange ett datum som ÅÅÅÅ-MM-DD (nu {value!r}).",
            value,
        ) from None
