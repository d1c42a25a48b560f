"""Reads of deviation reports, filtered by permission, and the facts the report page counts."""

from __future__ import annotations

from datetime import date

from django.db.models import Max, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language, gettext

from finsam.access.permissions import association_filter, can, covers_all, require
from finsam.deviations.models import DeviationReport
from finsam.domain import deviations as core
from finsam.domain.access import Action
from finsam.registry.models import Association, CodeListEntry, Member

# --- the editable category list -----------------------------------------------------------------


def _categories(on: date | None = None) -> QuerySet:
    qs = CodeListEntry.objects.filter(list_name=core.CATEGORY_LIST_NAME)
    if on is not None:
        qs = qs.filter(valid_from__lte=on).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
    return qs.order_by("sort_order", "code", "-valid_from")


def category_codes(*, on: date) -> list[str]:
    """Codes valid on ``on`` (the administrator edits the list in the code-list admin)."""
    return list(dict.fromkeys(_categories(on).values_list("code", flat=True)))


def category_choices(*, on: date) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for code, label in _categories(on).values_list("code", "label"):
        seen.setdefault(code, label)
    return list(seen.items())


def category_labels() -> dict[str, str]:
    """Code → label over every version (the latest label wins), for lists and reports."""
    english = (get_language() or "").startswith("en")
    labels: dict[str, str] = {}
    for code, label, label_en in (
        CodeListEntry.objects.filter(list_name=core.CATEGORY_LIST_NAME)
        .order_by("valid_from")
        .values_list("code", "label", "label_en")
    ):
        labels[code] = label_en if english and label_en else label
    return labels


def all_category_codes() -> list[str]:
    return list(dict.fromkeys(_categories().values_list("code", flat=True)))


# --- reports one by one -------------------------------------------------------------------------


def filing_associations(user) -> QuerySet:
    return Association.objects.filter(association_filter(user, Action.FILE_DEVIATION))


def deviation_list(
    user,
    *,
    association=None,
    status: str = "",
    category: str = "",
    organisation_kind: str = "",
    start: date | None = None,
    end: date | None = None,
) -> QuerySet:
    qs = (
        DeviationReport.objects.filter(
            association_filter(user, Action.VIEW_DEVIATIONS, prefix="association__")
        )
        .select_related("association", "owner")
        .prefetch_related("organisations")
    )
    if association is not None:
        qs = qs.filter(association=association)
    if status == "open":
        qs = qs.exclude(status=core.Status.CLOSED.value)
    elif status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if organisation_kind:
        qs = qs.filter(organisations__kind=organisation_kind).distinct()
    if start:
        qs = qs.filter(report_date__gte=start)
    if end:
        qs = qs.filter(report_date__lte=end)
    return qs


def deviation_get(user, pk: int) -> DeviationReport:
    report = get_object_or_404(
        DeviationReport.objects.select_related("association", "owner"), pk=pk
    )
    require(user, Action.VIEW_DEVIATIONS, association=report.association)
    return report


def viewable_associations(user) -> QuerySet:
    return Association.objects.filter(association_filter(user, Action.VIEW_DEVIATIONS))


# --- statistics ---------------------------------------------------------------------------------


def statistics_associations(user) -> QuerySet:
    return Association.objects.filter(
        association_filter(user, Action.VIEW_DEVIATION_STATISTICS)
    ).order_by("name")


def may_see_national(user) -> bool:
    """National aggregates: only a user whose grant covers every association."""
    return covers_all(user, Action.VIEW_DEVIATION_STATISTICS)


def unprotected_for(user, association) -> bool:
    """Counts of one association are shown unprotected to that association's own roles; a
    national aggregate (``association=None``) is always protected."""
    return association is not None and can(
        user, Action.VIEW_UNPROTECTED_DEVIATION_STATISTICS, association=association
    )


KIND_LABELS = dict(Member.Kind.choices)


def facts(association=None) -> list[core.Fact]:
    """Every report as a :class:`~finsam.domain.deviations.Fact`. Within one association the
    organisations are its members by name; nationally they are member kinds (FK, AF, region,
    municipality), so pairs compare across associations."""
    qs = DeviationReport.objects.all()
    if association is not None:
        qs = qs.filter(association=association)
    orgs: dict[int, list[str]] = {}
    through = DeviationReport.organisations.through.objects.filter(
        deviationreport_id__in=qs.values("pk")
    ).values_list("deviationreport_id", "member__name", "member__kind")
    for report_id, name, kind in through:
        orgs.setdefault(report_id, []).append(
            name if association is not None else KIND_LABELS.get(kind, kind)
        )
    return [
        core.Fact(
            report_date=r["report_date"],
            category=r["category"],
            organisations=tuple(orgs.get(r["pk"], ())),
            status=core.Status(r["status"]),
            closed_date=r["closed_date"],
        )
        for r in qs.values("pk", "report_date", "category", "status", "closed_date")
    ]


def open_items(association, *, today: date, start: date, end: date) -> list[dict]:
    """The open reports of one association, oldest first, with their age and last action."""
    qs = (
        DeviationReport.objects.filter(
            association=association, report_date__gte=start, report_date__lte=end
        )
        .exclude(status=core.Status.CLOSED.value)
        .select_related("owner")
        .annotate(last_action=Max("actions__action_date"))
        .order_by("report_date", "pk")
    )
    labels = category_labels()
    return [
        {
            "report": r,
            "category": labels.get(r.category, r.category),
            "status": gettext(core.STATUS_LABELS[r.state]),
            "age_days": (today - r.report_date).days,
            "last_action": r.last_action,
        }
        for r in qs
    ]
