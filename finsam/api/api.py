"""The REST API (``/api/v1/``), its OpenAPI document (``/api/openapi.json``) and docs
(``/api/docs``).

Thin like the pages: each operation checks permission with ``finsam.access.permissions`` (and the
token's own scope), reads through the registry's selectors, writes through its services and runs
reports through ``finsam.reports.runner``. Errors are RFC 9457 problem details
(:mod:`finsam.api.problems`)."""

import json
from datetime import date
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Field, File, Form, NinjaAPI, Query, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security import HttpBearer, SessionAuth

from finsam.access.permissions import can
from finsam.api.problems import _jsonable, problem_response
from finsam.api.services import rate_limit_hit, token_authenticate
from finsam.audit.models import LogType
from finsam.audit.services import audit_record
from finsam.domain import codelists as cl
from finsam.domain.access import Action
from finsam.domain.problems import DomainValidationError, Problem
from finsam.registry import selectors, services
from finsam.registry.models import Association, FollowUp, Intervention, VolumeCount

MAX_ID = 2**53
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""A row id: bounded so a huge number is a 422, not a database overflow."""


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        self.retry_after = retry_after


class TokenAuth(HttpBearer):
    """``Authorization: Bearer fsm_…``: the token's user, limited to the token's scope."""

    def authenticate(self, request, token):
        found = token_authenticate(token)
        if found is None:
            return None
        wait = rate_limit_hit(found)
        if wait is not None:
            raise RateLimited(wait)
        request.user = found.user
        request.api_token = found
        return found.user


class CsrfSessionAuth(SessionAuth):
    """The browser session; unsafe methods need the CSRF token (``X-CSRFToken``)."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None:
            request.api_token = None
        return user


api = NinjaAPI(
    title="Finsam API",
    version="1",
    description=(
        "Finsams API för samordningsförbund. Autentisering: `Authorization: Bearer <nyckel>` "
        "eller inloggad session (med CSRF-token för ändringar). Se docs/api.md."
    ),
    auth=[TokenAuth(), CsrfSessionAuth(csrf=True)],
    openapi_url="/openapi.json",
    docs_url="/docs",
    urls_namespace="api",
)

# --- errors as problem details ------------------------------------------------------------------


@api.exception_handler(DomainValidationError)
def _domain_error(request, exc):
    return problem_response(422, str(exc), problems=exc.problems)


@api.exception_handler(ValidationError)
def _schema_error(request, exc):
    problems = []
    for err in exc.errors:
        loc = [str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path", "payload")]
        problems.append(
            Problem(".".join(loc), str(err.get("type", "invalid")), str(err.get("msg", "")))
        )
    return problem_response(422, "Uppgifterna har fel format.", problems=problems)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return problem_response(403, str(exc) or "Du har inte behörighet till detta.")


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem_response(404, str(exc) or "Finns inte.")


@api.exception_handler(AuthenticationError)
def _unauthorised(request, exc):
    return problem_response(
        401,
        "Ange en giltig API-nyckel (Authorization: Bearer …) eller logga in.",
        headers={"WWW-Authenticate": "Bearer"},
    )


@api.exception_handler(RateLimited)
def _rate_limited(request, exc):
    return problem_response(
        429,
        f"För många anrop med denna API-nyckel. Försök igen om {exc.retry_after} sekunder.",
        headers={"Retry-After": str(exc.retry_after)},
    )


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return problem_response(exc.status_code, str(exc))


class ProblemItem(Schema):
    field: str
    rule: str
    message: str
    value: object = None


class ProblemOut(Schema):
    type: str
    title: str
    status: int
    detail: str
    errors: list[ProblemItem]


ERRORS = {
    400: ProblemOut,
    401: ProblemOut,
    403: ProblemOut,
    404: ProblemOut,
    422: ProblemOut,
    429: ProblemOut,
}

_original_schema = api.get_openapi_schema


def _schema(*args, **kwargs):
    """Error responses are ``application/problem+json`` in the document too."""
    schema = _original_schema(*args, **kwargs)
    for item in schema.get("paths", {}).values():
        for op in item.values():
            for status, resp in op.get("responses", {}).items():
                if str(status) in {"400", "401", "403", "404", "422", "429"} and "content" in resp:
                    resp["content"] = {"application/problem+json": resp["content"].popitem()[1]}
    return schema


api.get_openapi_schema = _schema

# --- scope: the user's permission and the token's own limits -------------------------------------


def _token(request):
    return getattr(request, "api_token", None)


def require(request, action: Action, *, association=None, intervention=None) -> None:
    """The page permission (``finsam.access.permissions.can``) and the token's scope."""
    token = _token(request)
    if token is not None:
        if token.actions and action.value not in token.actions:
            raise PermissionDenied("API-nyckeln får inte användas till detta.")
        assoc_id = getattr(association, "pk", association)
        if assoc_id is None and intervention is not None:
            assoc_id = intervention.association_id
        if token.association_id and assoc_id is not None and assoc_id != token.association_id:
            raise PermissionDenied("API-nyckeln gäller ett annat förbund.")
    if not can(request.user, action, association=association, intervention=intervention):
        raise PermissionDenied("Du har inte behörighet till detta.")


def _scoped(request, qs, path="association_id"):
    token = _token(request)
    if token is not None and token.association_id:
        qs = qs.filter(**{path: token.association_id})
    return qs


def audit_read(request, what: str, *, association_id=None, object_id="") -> None:
    """Every API read leaves an access row naming the user and the token."""
    token = _token(request)
    via = f"API-nyckel {token.name} ({token.prefix})" if token else "API, session"
    audit_record(
        actor=request.user,
        log_type=LogType.ACCESS,
        action="api_read",
        object_type=what,
        object_id=object_id,
        association_id=association_id,
        summary=f"{request.method} {request.path} via {via}"[:300],
    )


def _association(request, pk: Id, action=Action.VIEW_ASSOCIATION) -> Association:
    association = selectors.association_by_pk(pk)
    if association is None:
        raise Http404("Förbundet finns inte.")
    require(request, action, association=association)
    return association


def _intervention(request, pk: Id, action: Action) -> Intervention:
    intervention = selectors.intervention_by_pk(pk)
    if intervention is None:
        raise Http404("Insatsen finns inte.")
    require(request, action, intervention=intervention)
    return intervention


def _episode(request, pk: Id, action: Action):
    episode = selectors.episode_by_pk(pk)
    if episode is None:
        raise Http404("Inskrivningen finns inte.")
    require(request, action, intervention=episode.intervention)
    return episode


# --- schemas -------------------------------------------------------------------------------------


class AssociationOut(Schema):
    id: int
    code: str
    name: str
    org_number: str
    start_date: date
    end_date: date | None = None


class MemberOut(Schema):
    id: int
    kind: str
    organisation_code: str
    name: str


class AreaOut(Schema):
    id: int
    municipality: str
    district: str | None = None
    valid_from: date
    valid_to: date | None = None


class InterventionOut(Schema):
    id: int
    association_id: int
    code: str
    name: str
    start_date: date
    end_date: date | None = None
    status: str
    orientation: str
    registration: str


class EpisodeOut(Schema):
    """Pseudonymised: never an identity number or a name (see ``/identity``)."""

    id: int
    key: str
    intervention_id: int
    participant_id: int
    identity_level: str
    start_date: date
    end_date: date | None = None
    exit_reason: str
    home_municipality: str
    sex: str
    age_at_start: int | None = None
    support_before: list[str]
    occupation_before: str
    time_on_support: str
    education: str
    work_hours_before: float | None = None
    study_hours_before: float | None = None
    support_after: list[str]
    occupation_after: str
    work_hours: float | None = None
    study_hours: float | None = None


def _episode_out(e) -> dict:
    return {
        "id": e.pk,
        "key": e.key,
        "intervention_id": e.intervention_id,
        "participant_id": e.participant_id,
        "identity_level": e.participant.identity_level,
        "start_date": e.start_date,
        "end_date": e.end_date,
        "exit_reason": e.exit_reason,
        "home_municipality": e.home_municipality_id,
        "sex": e.sex,
        "age_at_start": e.age_at_start,
        "support_before": list(e.support_before_codes),
        "occupation_before": e.occupation_before,
        "time_on_support": e.time_on_support,
        "education": e.education,
        "work_hours_before": e.work_hours_before,
        "study_hours_before": e.study_hours_before,
        "support_after": list(e.support_after_codes),
        "occupation_after": e.occupation_after,
        "work_hours": e.work_hours,
        "study_hours": e.study_hours,
    }


class IdentityOut(Schema):
    personal_number: str
    name: str


class EnrolIn(Schema):
    identity_level: str
    home_municipality: str
    start_date: date | None = None
    support_before: list[str] = []
    personal_number: str = ""
    name: str = ""
    consent_date: date | None = None
    consent_form_version: str = ""
    protected_identity: bool = False
    sex: str = ""
    birth_year: int | None = None
    occupation_before: str = ""
    time_on_support: str = ""
    education: str = ""
    work_hours_before: float | None = None
    study_hours_before: float | None = None
    district: str = ""


class EnrolOut(Schema):
    episode: EpisodeOut
    warnings: list[ProblemItem]


class ExitIn(Schema):
    end_date: date | None = None
    exit_reason: str
    support_after: list[str] = []
    occupation_after: str = ""
    work_hours: float | None = None
    study_hours: float | None = None
    work_study_increased: bool | None = None


class CorrectIn(Schema):
    start_date: date
    home_municipality: str
    support_before: list[str] = []
    occupation_before: str = ""
    time_on_support: str = ""
    education: str = ""
    work_hours_before: float | None = None
    study_hours_before: float | None = None
    district: str = ""
    reason: str = ""


class MarkErrorIn(Schema):
    reason: str


class FollowUpIn(Schema):
    months_after: int
    support: list[str] = []
    occupation: str = ""
    work_hours: float | None = None
    study_hours: float | None = None


class FollowUpOut(Schema):
    id: int
    episode_id: int
    months_after: int
    support: list[str]
    occupation: str
    work_hours: float | None = None
    study_hours: float | None = None


def _followup_out(f: FollowUp) -> dict:
    return {
        "id": f.pk,
        "episode_id": f.episode_id,
        "months_after": f.months_after,
        "support": list(f.support_codes),
        "occupation": f.occupation,
        "work_hours": f.work_hours,
        "study_hours": f.study_hours,
    }


class VolumeIn(Schema):
    month: date
    women: int = 0
    men: int = 0
    other: int = 0


class VolumeOut(Schema):
    id: int
    intervention_id: int
    month: date
    women: int
    men: int
    other: int


class ReportInfo(Schema):
    slug: str
    code: str
    title: str
    description: str


class ReportQuery(Schema):
    start: date
    end: date
    level: str = "association"
    associations: str = ""
    """Comma-separated association codes (empty: all you may report on)."""
    split: str = "sex"
    unprotected: bool | None = None


class ReportOut(Schema):
    code: str
    title: str
    protected: bool
    associations: list[str]
    result: dict


class Pages(LimitOffsetPagination):
    """``limit`` (1–1000, default 100) and ``offset``; the answer has ``items`` and ``count``."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000)
        offset: int = Field(0, ge=0, le=10**9)


# --- associations --------------------------------------------------------------------------------

v1 = Router()


@v1.get("/associations", response={200: list[AssociationOut], **ERRORS}, tags=["Förbund"])
@paginate(Pages)
def association_list(request):
    require(request, Action.VIEW_ASSOCIATION)
    audit_read(request, "registry.Association")
    return _scoped(request, selectors.association_list(user=request.user), "pk")


@v1.get("/associations/{pk}", response={200: AssociationOut, **ERRORS}, tags=["Förbund"])
def association_detail(request, pk: Id):
    association = _association(request, pk)
    audit_read(request, "registry.Association", association_id=pk, object_id=pk)
    return association


@v1.get("/associations/{pk}/members", response={200: list[MemberOut], **ERRORS}, tags=["Förbund"])
@paginate(Pages)
def member_list(request, pk: Id):
    association = _association(request, pk)
    audit_read(request, "registry.Member", association_id=pk)
    return association.members.order_by("kind", "name", "pk")


@v1.get("/associations/{pk}/area", response={200: list[AreaOut], **ERRORS}, tags=["Förbund"])
@paginate(Pages)
def area_list(request, pk: Id):
    association = _association(request, pk)
    audit_read(request, "registry.AssociationMunicipality", association_id=pk)
    return [
        {
            "id": a.pk,
            "municipality": a.municipality_id,
            "district": a.district.code if a.district_id else None,
            "valid_from": a.valid_from,
            "valid_to": a.valid_to,
        }
        for a in association.area.select_related("district").order_by("-valid_from", "pk")
    ]


# --- interventions, volume -----------------------------------------------------------------------


@v1.get("/interventions", response={200: list[InterventionOut], **ERRORS}, tags=["Insatser"])
@paginate(Pages)
def intervention_list(request, association: Id | None = None):
    require(request, Action.VIEW_INTERVENTION)
    audit_read(request, "registry.Intervention", association_id=association)
    qs = selectors.intervention_list(user=request.user)
    if association is not None:
        qs = qs.filter(association_id=association)
    return _scoped(request, qs)


@v1.get("/interventions/{pk}", response={200: InterventionOut, **ERRORS}, tags=["Insatser"])
def intervention_detail(request, pk: Id):
    intervention = _intervention(request, pk, Action.VIEW_INTERVENTION)
    audit_read(
        request,
        "registry.Intervention",
        association_id=intervention.association_id,
        object_id=pk,
    )
    return intervention


@v1.get("/interventions/{pk}/volume", response={200: list[VolumeOut], **ERRORS}, tags=["Insatser"])
@paginate(Pages)
def volume_list(request, pk: Id):
    intervention = _intervention(request, pk, Action.VIEW_INTERVENTION)
    audit_read(request, "registry.VolumeCount", association_id=intervention.association_id)
    return VolumeCount.objects.filter(intervention=intervention).order_by("-month")


@v1.post("/interventions/{pk}/volume", response={200: VolumeOut, **ERRORS}, tags=["Insatser"])
def volume_record(request, pk: Id, payload: VolumeIn):
    intervention = _intervention(request, pk, Action.EDIT_VOLUME)
    return services.volume_record(actor=request.user, intervention=intervention, **payload.dict())


# --- episodes ------------------------------------------------------------------------------------


@v1.get(
    "/interventions/{pk}/episodes",
    response={200: list[EpisodeOut], **ERRORS},
    tags=["Inskrivningar"],
)
@paginate(Pages)
def episode_list(request, pk: Id, status: str = ""):
    intervention = _intervention(request, pk, Action.VIEW_EPISODES)
    audit_read(request, "registry.Episode", association_id=intervention.association_id)
    rows = selectors.episode_list(intervention=intervention, status=status)
    return [_episode_out(e) for e in rows.select_related("participant")]


@v1.post(
    "/interventions/{pk}/episodes",
    response={201: EnrolOut, **ERRORS},
    tags=["Inskrivningar"],
)
def episode_enrol(request, pk: Id, payload: EnrolIn):
    intervention = _intervention(request, pk, Action.EDIT_EPISODES)
    if not intervention.takes_persons:
        raise DomainValidationError(
            [Problem("intervention", "registration", "Insatsen tar inte emot personregistrering.")]
        )
    data = payload.dict()
    episode, warnings = services.episode_enrol(
        actor=request.user,
        intervention=intervention,
        data=services.enrolment_input_from(data),
        name=data["name"],
        consent_form_version=data["consent_form_version"],
    )
    episode = selectors.episode_by_pk(episode.pk)
    return Status(
        201,
        {
            "episode": _episode_out(episode),
            "warnings": [
                {"field": w.field, "rule": w.rule, "message": str(w.message), "value": None}
                for w in warnings
            ],
        },
    )


@v1.get("/episodes/{pk}", response={200: EpisodeOut, **ERRORS}, tags=["Inskrivningar"])
def episode_detail(request, pk: Id):
    episode = _episode(request, pk, Action.VIEW_EPISODES)
    audit_read(
        request,
        "registry.Episode",
        association_id=episode.intervention.association_id,
        object_id=pk,
    )
    return _episode_out(episode)


@v1.get("/episodes/{pk}/identity", response={200: IdentityOut, **ERRORS}, tags=["Inskrivningar"])
def episode_identity(request, pk: Id, reason: str = ""):
    """The participant's identity number and name – only for a role that may see identity;
    audited as an identity read (with the reason)."""
    episode = _episode(request, pk, Action.VIEW_IDENTITY)
    identity = services.participant_identity_reveal(
        actor=request.user,
        participant=episode.participant,
        association_id=episode.intervention.association_id,
        reason=reason[:300],
    )
    return {
        "personal_number": identity.get("personal_number", "") or "",
        "name": identity.get("name", "") or "",
    }


@v1.post("/episodes/{pk}/exit", response={200: EpisodeOut, **ERRORS}, tags=["Inskrivningar"])
def episode_exit(request, pk: Id, payload: ExitIn):
    episode = _episode(request, pk, Action.EDIT_EPISODES)
    services.episode_exit(
        actor=request.user, episode=episode, data=services.exit_input_from(payload.dict())
    )
    return _episode_out(selectors.episode_by_pk(pk))


@v1.post("/episodes/{pk}/correct", response={200: EpisodeOut, **ERRORS}, tags=["Inskrivningar"])
def episode_correct(request, pk: Id, payload: CorrectIn):
    episode = _episode(request, pk, Action.EDIT_EPISODES)
    services.episode_correct(actor=request.user, episode=episode, **payload.dict())
    return _episode_out(selectors.episode_by_pk(pk))


@v1.post("/episodes/{pk}/mark-error", response={200: EpisodeOut, **ERRORS}, tags=["Inskrivningar"])
def episode_mark_error(request, pk: Id, payload: MarkErrorIn):
    episode = _episode(request, pk, Action.EDIT_EPISODES)
    services.episode_mark_error(actor=request.user, episode=episode, reason=payload.reason)
    return _episode_out(selectors.episode_by_pk(pk))


@v1.get(
    "/episodes/{pk}/followups",
    response={200: list[FollowUpOut], **ERRORS},
    tags=["Inskrivningar"],
)
@paginate(Pages)
def followup_list(request, pk: Id):
    episode = _episode(request, pk, Action.VIEW_EPISODES)
    audit_read(request, "registry.FollowUp", association_id=episode.intervention.association_id)
    return [_followup_out(f) for f in episode.followups.order_by("months_after")]


@v1.post("/episodes/{pk}/followups", response={200: FollowUpOut, **ERRORS}, tags=["Inskrivningar"])
def followup_record(request, pk: Id, payload: FollowUpIn):
    episode = _episode(request, pk, Action.EDIT_EPISODES)
    return _followup_out(
        services.followup_record(actor=request.user, episode=episode, **payload.dict())
    )


# --- reports -------------------------------------------------------------------------------------


@v1.get("/reports", response={200: list[ReportInfo], **ERRORS}, tags=["Rapporter"])
@paginate(Pages)
def report_list(request):
    from finsam.domain.reports.specs import SPECS

    require(request, Action.VIEW_REPORTS)
    return [
        {"slug": s.slug, "code": s.code, "title": str(s.title), "description": str(s.description)}
        for s in SPECS
    ]


def plan_api_report(request, name: str, q: ReportQuery):
    """The report plan of ``GET /reports/{name}`` and ``POST /report-jobs/{name}``: the caller's
    roles, a token's association scope and the protection, as on the report pages
    (``finsam.reports.runner.plan_report``). Returns the plan, the association codes asked for
    and the token's association id (``None`` when the token has no association scope)."""
    from finsam.domain.reports.core import Period
    from finsam.reports import runner

    require(request, Action.VIEW_REPORTS)
    codes = tuple(c.strip() for c in q.associations.split(",") if c.strip())
    token = _token(request)
    scope = None
    if token is not None and token.association_id:
        own = token.association.code
        if any(c != own for c in codes):
            raise PermissionDenied("API-nyckeln gäller ett annat förbund.")
        codes, scope = (own,), token.association_id
    plan = runner.plan_report(
        request.user,
        name,
        period=Period(q.start, q.end),
        levels=(q.level,),
        association_codes=codes,
        split=q.split,
        unprotected=q.unprotected,
    )
    return plan, codes, scope


@v1.get("/reports/{name}", response={200: ReportOut, **ERRORS}, tags=["Rapporter"])
def report_run(request, name: str, q: Query[ReportQuery]):
    """One standard report (R1–R9), protected exactly as on the report pages
    (``finsam.reports.runner``)."""
    from finsam.reports import render, runner

    plan, _codes, _scope = plan_api_report(request, name, q)
    run = runner.run_report(plan, with_quality=False)
    audit_read(request, f"report.{plan.code}")
    return {
        "code": plan.code,
        "title": str(plan.spec.title),
        "protected": plan.options.protected,
        "associations": [a.code for a in plan.associations],
        "result": json.loads(json.dumps(render.json_content(run.result), default=_plain)),
    }


# --- the allocation model -----------------------------------------------------------------------


class AllocationOut(Schema):
    rows: int
    result: dict


@v1.post("/allocation", response={200: AllocationOut, **ERRORS}, tags=["Nationella modeller"])
def allocation_run(request, file: File[UploadedFile], year: Form[int | None] = None):
    """The state-allocation model on an input file (the same CSV/xlsx as the allocation page),
    with the page's default parameters for ``year`` (or the model's default frame)."""
    from finsam.domain.finance import allocation as alloc
    from finsam.finance import forms as finance_forms

    require(request, Action.NATIONAL_MODELS)
    if file.size and file.size > 20 * 1024 * 1024:
        raise DomainValidationError(
            [Problem("file", "max_size", "Indatafilen får vara högst 20 MB.")]
        )
    rows = alloc.read_allocation_input(file.read())
    form = finance_forms.AllocationParametersForm(
        finance_forms.default_parameter_data("a", year), prefix="a"
    )
    if not form.is_valid():
        raise DomainValidationError(
            [Problem(k, "invalid", str(v[0])) for k, v in form.errors.items()]
        )
    result = alloc.allocate(rows, form.parameters())
    audit_read(request, "finance.allocation")
    return {
        "rows": len(rows),
        "result": json.loads(json.dumps(alloc.allocation_json(result), default=_plain)),
    }


# --- imports -------------------------------------------------------------------------------------

API_IMPORT_MAX_BYTES = 20 * 1024 * 1024
"""The API imports in the request: larger files go through ``finsam import``."""


class ImportOut(Schema):
    kind: str
    file_name: str
    sha256: str
    dry_run: bool
    ok: bool
    written: bool
    rows: int
    created: int
    updated: int
    unchanged: int
    summary: str
    problems: list[ProblemItem]
    warnings: list[ProblemItem]


def _import_problem(p: Problem) -> dict:
    value = None if p.field == "personal_number" else _jsonable(p.value)
    message = f"Rad {p.row}: {p.message}" if p.row is not None else str(p.message)
    return {"field": p.field, "rule": p.rule, "message": message, "value": value}


@v1.post("/imports", response={200: ImportOut, **ERRORS}, tags=["Import"])
def import_run(
    request,
    file: File[UploadedFile],
    kind: Form[str],
    association: Form[Id],
    dry_run: Form[bool] = True,
):
    """Import a file in one of Finsam's formats (``docs/interchange.md``) to an association:
    all or nothing, as the web import. ``dry_run`` (default) checks and reports only."""
    import secrets
    from pathlib import Path

    from django.conf import settings

    from finsam.interchange.forms import ImportForm
    from finsam.interchange.importers import import_file

    require(request, Action.IMPORT_DATA)
    form = ImportForm({"kind": kind, "association": association}, {"file": file}, user=request.user)
    if not form.is_valid():
        raise DomainValidationError(
            [Problem(k, "invalid", str(v[0])) for k, v in form.errors.items()]
        )
    target = form.cleaned_data["association"]
    require(request, Action.IMPORT_DATA, association=target)
    if file.size > API_IMPORT_MAX_BYTES:
        raise DomainValidationError(
            [Problem("file", "max_size", "Fil: högst 20 MB via API:t; använd finsam import.")]
        )
    folder = Path(settings.DATA_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".xlsx" if file.name.lower().endswith(".xlsx") else ".csv"
    path = folder / f"api-{secrets.token_urlsafe(12)}{suffix}"
    try:
        with open(path, "wb") as fh:
            for block in file.chunks():
                fh.write(block)
        result = import_file(
            kind,
            path,
            actor=request.user,
            association=target,
            dry_run=dry_run,
            file_name=file.name,
        )
    finally:
        path.unlink(missing_ok=True)
    return {
        "kind": result.kind,
        "file_name": result.file_name,
        "sha256": result.sha256,
        "dry_run": result.dry_run,
        "ok": result.ok,
        "written": result.written,
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "summary": result.summary(),
        "problems": [_import_problem(p) for p in result.problems[:1000]],
        "warnings": [_import_problem(p) for p in result.warnings[:1000]],
    }


def _plain(value):
    """numpy scalars (the report frames) as plain numbers."""
    return value.item() if hasattr(value, "item") else str(value)


from finsam.api import jobs as _jobs  # noqa: E402 – uses the helpers above

v1.add_router("", _jobs.router)
api.add_router("/v1", v1)

__all__ = ["api", "cl"]
