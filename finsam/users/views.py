"""User and role management in Finsam's own pages (system and association administrators)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from finsam.access import services as access_services
from finsam.access.models import RoleAssignment
from finsam.access.permissions import require
from finsam.accounts import services, throttling
from finsam.accounts.forms import AssignmentForm, RoleGrantForm, UserForm, needs_association
from finsam.accounts.strong_auth import user_has_mfa
from finsam.domain.access import Action
from finsam.domain.problems import DomainValidationError, Problem
from finsam.users import selectors


def _require_manager(request):
    require(request.user, Action.MANAGE_USERS)


def _association(request, raw):
    if not raw:
        return None
    association = selectors.managed_associations(request.user).filter(pk=raw).first()
    if association is None:
        raise PermissionDenied(gettext("Du administrerar inte det förbundet."))
    return association


def _managed_user(request, pk):
    user = get_object_or_404(get_user_model(), pk=pk)
    if not selectors.can_see_user(request.user, user):
        raise Http404
    return user


def _association_problem(role, association):
    if needs_association(role) and association is None:
        return None  # role_grant reports it, naming the role
    if role and not needs_association(role) and association is not None:
        return Problem(
            "association",
            "role.no_association",
            gettext("Rollen gäller alla förbund; välj inget förbund."),
        )
    return None


@require_http_methods(["GET"])
def user_list(request):
    _require_manager(request)
    query = request.GET.get("q", "").strip()[:100]
    users = selectors.user_list(actor=request.user, query=query)
    lockouts = throttling.current_lockouts(
        usernames=None
        if selectors.manages_all(request.user)
        else list(users.values_list("username", flat=True))
    )
    return render(
        request,
        "accounts/user_list.html",
        {"users": users, "query": query, "lockout_count": len(lockouts)},
    )


@require_http_methods(["GET", "POST"])
def user_new(request):
    _require_manager(request)
    form = UserForm(
        request.POST or None,
        roles=selectors.grantable_roles(request.user),
        associations=selectors.managed_associations(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        association = _association(request, data["association"])
        if not selectors.manages_all(request.user) and not data["role"]:
            form.add_error("role", gettext("Välj en roll i ditt förbund för det nya kontot."))
        else:
            problem = _association_problem(data["role"], association)
            try:
                if problem:
                    raise DomainValidationError([problem])
                user = services.user_create(
                    actor=request.user,
                    username=data["username"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    password=data["password"],
                    personal_number=data["personal_number"],
                    hsa_id=data["hsa_id"],
                    role=data["role"] or None,
                    association=association,
                )
            except DomainValidationError as exc:
                form.apply_problems(exc.problems)
            else:
                messages.success(
                    request, gettext("Kontot %(username)s är skapat.") % {"username": user.username}
                )
                return redirect("user_detail", pk=user.pk)
    return render(
        request,
        "registry/form.html",
        {
            "form": form,
            "title": "Nytt konto",
            "intro": "Konton skapas alltid av en administratör. Ett konto med personnummer eller "
            "HSA-id kan logga in med e-legitimation; ett lösenordskonto kan slå på "
            "tvåstegsverifiering.",
            "back_url": "/anvandare/",
            "submit": "Skapa konto",
        },
    )


@require_http_methods(["GET", "POST"])
def user_detail(request, pk):
    _require_manager(request)
    user = _managed_user(request, pk)
    actor = request.user
    may_manage = selectors.can_manage_account(actor, user)
    grant_form = RoleGrantForm(
        roles=selectors.grantable_roles(actor),
        associations=selectors.managed_associations(actor),
    )
    assign_form = AssignmentForm(interventions=selectors.assignable_interventions(actor))
    action = request.POST.get("action", "")
    if request.method == "POST":
        try:
            if action == "grant":
                grant_form = RoleGrantForm(
                    request.POST,
                    roles=selectors.grantable_roles(actor),
                    associations=selectors.managed_associations(actor),
                )
                if grant_form.is_valid():
                    role = grant_form.cleaned_data["role"]
                    association = _association(request, grant_form.cleaned_data["association"])
                    problem = _association_problem(role, association)
                    if problem:
                        raise DomainValidationError([problem])
                    access_services.role_grant(
                        user=user, role=role, association=association, actor=actor
                    )
                    messages.success(request, gettext("Rollen är tillagd."))
                    return redirect("user_detail", pk=pk)
            elif action == "withdraw":
                assignment = get_object_or_404(
                    RoleAssignment, pk=request.POST.get("assignment"), user=user
                )
                if not selectors.can_withdraw(actor, assignment):
                    raise PermissionDenied(gettext("Du får inte ta bort den rollen."))
                access_services.role_withdraw(assignment=assignment, actor=actor)
                messages.success(request, gettext("Rollen är borttagen."))
                return redirect("user_detail", pk=pk)
            elif action == "assign":
                assign_form = AssignmentForm(
                    request.POST, interventions=selectors.assignable_interventions(actor)
                )
                if assign_form.is_valid():
                    intervention = get_object_or_404(
                        selectors.assignable_interventions(actor),
                        pk=assign_form.cleaned_data["intervention"],
                    )
                    require(actor, Action.ASSIGN_STAFF, intervention=intervention)
                    access_services.intervention_assign(
                        user=user,
                        intervention=intervention,
                        kind=assign_form.cleaned_data["kind"],
                        actor=actor,
                    )
                    messages.success(request, gettext("Tilldelningen är sparad."))
                    return redirect("user_detail", pk=pk)
            elif action == "unassign":
                assignment = selectors.intervention_assignment(
                    user, request.POST.get("assignment", "")
                )
                if assignment is None:
                    raise Http404
                require(actor, Action.ASSIGN_STAFF, intervention=assignment.intervention)
                access_services.intervention_unassign(assignment=assignment, actor=actor)
                messages.success(request, gettext("Tilldelningen är borttagen."))
                return redirect("user_detail", pk=pk)
            elif action in ("deactivate", "activate", "mfa_reset"):
                if not may_manage:
                    raise PermissionDenied(
                        gettext("Kontot har roller i förbund du inte administrerar.")
                    )
                if action == "mfa_reset":
                    services.mfa_reset(actor=actor, user=user)
                    messages.success(
                        request,
                        gettext(
                            "Tvåstegsverifieringen är återställd; användaren "
                            "ställer in den på nytt "
                            "vid nästa inloggning."
                        ),
                    )
                else:
                    services.user_set_active(actor=actor, user=user, active=action == "activate")
                    messages.success(
                        request,
                        gettext("Kontot är aktiverat.")
                        if action == "activate"
                        else gettext("Kontot är avstängt."),
                    )
                return redirect("user_detail", pk=pk)
        except DomainValidationError as exc:
            target = assign_form if action in ("assign",) else grant_form
            if action in ("deactivate", "activate", "mfa_reset", "withdraw", "unassign"):
                for problem in exc.problems:
                    messages.error(request, problem.message)
                return redirect("user_detail", pk=pk)
            target.apply_problems(exc.problems)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": user,
            "may_manage": may_manage,
            "roles": user.role_assignments.select_related("association"),
            "assignments": user.intervention_assignments.select_related(
                "intervention__association"
            ),
            "has_mfa": user_has_mfa(user),
            "grant_form": grant_form,
            "assign_form": assign_form,
            "withdrawable": {
                a.pk for a in user.role_assignments.all() if selectors.can_withdraw(actor, a)
            },
        },
    )


@require_http_methods(["GET", "POST"])
def user_edit(request, pk):
    _require_manager(request)
    user = _managed_user(request, pk)
    if not selectors.can_manage_account(request.user, user):
        raise PermissionDenied(gettext("Kontot har roller i förbund du inte administrerar."))
    form = UserForm(
        request.POST or None,
        roles=[],
        associations=[],
        edit=True,
        initial={
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "hsa_id": user.hsa_id or "",
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_update(
                actor=request.user,
                user=user,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                personal_number=data["personal_number"],
                remove_personal_number=data["remove_personal_number"],
                hsa_id=data["hsa_id"],
            )
        except DomainValidationError as exc:
            form.apply_problems(exc.problems)
        else:
            messages.success(request, gettext("Kontot är sparat."))
            return redirect("user_detail", pk=pk)
    return render(
        request,
        "registry/form.html",
        {
            "form": form,
            "title": f"Ändra konto {user.username}",
            "intro": "Kopplad e-legitimation: "
            + ("ja (personnummer)" if user.eid_pseudonym else "nej")
            + ".",
            "back_url": f"/anvandare/{user.pk}/",
            "submit": "Spara",
        },
    )


@require_http_methods(["GET", "POST"])
def lockout_list(request):
    _require_manager(request)
    all_users = selectors.manages_all(request.user)
    usernames = (
        None
        if all_users
        else list(selectors.user_list(actor=request.user).values_list("username", flat=True))
    )
    if request.method == "POST":
        kind, value = request.POST.get("kind"), request.POST.get("value", "")
        allowed = {(lk.kind, lk.value) for lk in throttling.current_lockouts(usernames=usernames)}
        if (kind, value) not in allowed:
            raise PermissionDenied(gettext("Spärren finns inte eller är inte din att häva."))
        if kind == "username":
            throttling.lockout_release(actor=request.user, username=value)
        else:
            throttling.lockout_release(actor=request.user, ip_address=value)
        messages.success(request, gettext("Spärren för %(value)s är hävd.") % {"value": value})
        return redirect("lockout_list")
    return render(
        request,
        "accounts/lockouts.html",
        {
            "lockouts": throttling.current_lockouts(usernames=usernames),
            "minutes": throttling.cooloff_minutes(),
        },
    )
