"""Registry pages. Views check permissions, call a form, a service or a selector, and render."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from finsam.access.models import InterventionAssignment
from finsam.access.permissions import can, require
from finsam.accounts.strong_auth import is_identity_reveal, step_up_required
from finsam.audit import readable
from finsam.audit.purposes import purpose_choices, reason_text
from finsam.domain import codelists as cl
from finsam.domain.access import Action
from finsam.domain.problems import DomainValidationError
from finsam.registry import forms, selectors, services
from finsam.registry.models import Association, Episode, Intervention
from finsam.ui import form_errors, once
from finsam.ui.paging import paginate


def _save(request, form, action, *, success_url, success_message, field_map=None):
    """Run ``action(cleaned_data)``; on a rule violation put the messages on the form."""
    sent_to = once.already_sent(request)
    if sent_to:
        messages.info(request, gettext("Formuläret var redan skickat och har sparats en gång."))
        return redirect(sent_to)
    try:
        result = action(form.cleaned_data)
    except DomainValidationError as exc:
        form.apply_problems(exc.problems, field_map)
        return None
    warnings = result[1] if isinstance(result, tuple) else []
    for w in warnings:
        messages.warning(request, w.message)
    messages.success(request, success_message)
    once.remember(request, success_url)
    return redirect(success_url)


def _render_form(request, form, *, title, back_url, submit="Spara", intro="", extra=None):
    return render(
        request,
        "registry/form.html",
        {
            "form": form,
            "title": title,
            "back_url": back_url,
            "submit": submit,
            "intro": intro,
            "form_token": once.new_token(),
            **(extra or {}),
        },
    )


def _form_page(
    request,
    form,
    action,
    *,
    success_url,
    success_message,
    title,
    back_url,
    submit="Spara",
    intro="",
    extra=None,
    field_map=None,
    dry_run=False,
):
    """The whole life of a form page: on a valid POST run ``action`` (a service call) and
    redirect; otherwise, or on a rule violation, show the form with its errors.

    ``dry_run``: when the form itself has errors, also try ``action`` on what could be read (in
    a transaction that is rolled back) so the service's rule errors show at the same time."""
    if request.method == "POST" and form.is_valid():
        response = _save(
            request,
            form,
            action,
            success_url=success_url,
            success_message=success_message,
            field_map=field_map,
        )
        if response:
            return response
    elif request.method == "POST" and dry_run:
        form_errors.add_rule_errors(form, action, field_map)
    return _render_form(
        request, form, title=title, back_url=back_url, submit=submit, intro=intro, extra=extra
    )


# --- associations ------------------------------------------------------------------------------


def association_list(request):
    require(request.user, Action.VIEW_ASSOCIATION)
    return render(
        request,
        "registry/association_list.html",
        {
            "associations": selectors.association_list(user=request.user),
            "can_create": can(request.user, Action.ADMIN_SITE),
        },
    )


def association_detail(request, pk):
    association = get_object_or_404(Association, pk=pk)
    require(request.user, Action.VIEW_ASSOCIATION, association=association)
    return render(
        request,
        "registry/association_detail.html",
        {
            "association": association,
            **selectors.association_overview(association),
            "interventions": selectors.with_episode_counts(
                selectors.intervention_list(user=request.user, association=association)
            ),
            "can_edit": can(request.user, Action.EDIT_ASSOCIATION, association=association),
            "can_create_intervention": can(
                request.user, Action.CREATE_INTERVENTION, association=association
            ),
            "can_sign_off": can(request.user, Action.SIGN_OFF_PERIOD, association=association),
        },
    )


@require_http_methods(["GET", "POST"])
def association_edit(request, pk=None):
    association = get_object_or_404(Association, pk=pk) if pk else None
    if association is None:
        require(request.user, Action.ADMIN_SITE)  # new associations: the system administrator
    else:
        require(request.user, Action.EDIT_ASSOCIATION, association=association)
    initial = {}
    if association:
        initial = {f: getattr(association, f) for f in forms.AssociationForm.base_fields}
    back = reverse("association_detail", args=[pk]) if pk else reverse("association_list")
    return _form_page(
        request,
        forms.AssociationForm(request.POST or None, initial=initial),
        lambda d: services.association_save(actor=request.user, association=association, **d),
        success_url=back,
        success_message=gettext("Förbundet är sparat."),
        title=gettext("Redigera förbund") if association else gettext("Nytt förbund"),
        back_url=back,
    )


def _association_subform(request, pk, form_class, action_factory, *, title, message, **form_kw):
    association = get_object_or_404(Association, pk=pk)
    require(request.user, Action.EDIT_ASSOCIATION, association=association)
    kw = {"association": association} if form_kw.pop("needs_association", False) else {}
    back = reverse("association_detail", args=[pk])
    return _form_page(
        request,
        form_class(request.POST or None, **kw),
        action_factory(association),
        success_url=back,
        success_message=message,
        title=gettext("%(title)s – %(association)s") % {"title": title, "association": association},
        back_url=back,
    )


@require_http_methods(["GET", "POST"])
def member_add(request, pk):
    def factory(association):
        return lambda d: services.member_add(actor=request.user, association=association, **d)

    return _association_subform(
        request,
        pk,
        forms.MemberForm,
        factory,
        title=gettext("Ny medlem"),
        message=gettext("Medlemmen är sparad."),
    )


@require_http_methods(["GET", "POST"])
def board_member_add(request, pk):
    def factory(association):
        return lambda d: services.board_member_add(actor=request.user, **d)

    return _association_subform(
        request,
        pk,
        forms.BoardMemberForm,
        factory,
        title=gettext("Ny ledamot eller ersättare"),
        message=gettext("Styrelseuppdraget är sparat."),
        needs_association=True,
    )


@require_http_methods(["GET", "POST"])
def area_add(request, pk):
    def factory(association):
        return lambda d: services.area_add(
            actor=request.user,
            association=association,
            municipality_code=d["municipality"],
            valid_from=d["valid_from"],
            valid_to=d["valid_to"],
        )

    return _association_subform(
        request,
        pk,
        forms.AreaForm,
        factory,
        title=gettext("Lägg till kommun i området"),
        message=gettext("Kommunen är tillagd i området."),
    )


@require_http_methods(["GET", "POST"])
def extra_question_add(request, pk):
    def factory(association):
        def action(d):
            choices = [c.strip() for c in (d.pop("choices") or "").splitlines() if c.strip()]
            return services.extra_question_add(
                actor=request.user, association=association, choices=choices, **d
            )

        return action

    return _association_subform(
        request,
        pk,
        forms.ExtraQuestionForm,
        factory,
        title=gettext("Ny kompletterande fråga"),
        message=gettext("Frågan är sparad."),
    )


# --- interventions -----------------------------------------------------------------------------


def intervention_list(request):
    require(request.user, Action.VIEW_INTERVENTION)
    context = paginate(request, selectors.intervention_list(user=request.user))
    # Episode counts for the page shown only (50 interventions), not for every intervention.
    context["interventions"] = selectors.with_episode_counts(context["page"].object_list)
    return render(request, "registry/intervention_list.html", context)


def _intervention(request, pk, action: Action) -> Intervention:
    intervention = selectors.intervention_by_pk(pk)
    if intervention is None:
        raise Http404(gettext("Insatsen finns inte."))
    require(request.user, action, intervention=intervention)
    return intervention


def intervention_detail(request, pk):
    intervention = _intervention(request, pk, Action.VIEW_INTERVENTION)
    user = request.user
    return render(
        request,
        "registry/intervention_detail.html",
        {
            "intervention": intervention,
            "providers": intervention.providers.all(),
            "assignments": intervention.assignments.select_related("user"),
            "volume": intervention.volume_counts.order_by("-month")[:24],
            "counts": dict(
                zip(
                    ("n_episodes", "n_open"),
                    selectors.episode_counts([intervention.pk]).get(intervention.pk, (0, 0)),
                    strict=True,
                )
            ),
            "can_edit": can(user, Action.EDIT_INTERVENTION, intervention=intervention),
            "can_enrol": can(user, Action.EDIT_EPISODES, intervention=intervention)
            and intervention.takes_persons,
            "can_view_episodes": can(user, Action.VIEW_EPISODES, intervention=intervention),
            "can_volume": can(user, Action.EDIT_VOLUME, intervention=intervention)
            and intervention.registration == "volume",
            "can_assign": can(user, Action.ASSIGN_STAFF, intervention=intervention),
        },
    )


def _intervention_form_values(data: dict) -> tuple[dict, list]:
    values = dict(data)
    providers = list(values.pop("providers", []) or [])
    return values, providers


@require_http_methods(["GET", "POST"])
def intervention_create(request, association_pk):
    association = get_object_or_404(Association, pk=association_pk)
    require(request.user, Action.CREATE_INTERVENTION, association=association)

    def action(data):
        values, providers = _intervention_form_values(data)
        return services.intervention_save(
            actor=request.user, association=association, providers=providers, **values
        )

    back = reverse("association_detail", args=[association.pk])
    return _form_page(
        request,
        forms.InterventionForm(request.POST or None, association=association),
        action,
        success_url=back,
        success_message=gettext("Insatsen är skapad."),
        title=gettext("Ny insats – %(association)s") % {"association": association},
        back_url=back,
    )


@require_http_methods(["GET", "POST"])
def intervention_edit(request, pk):
    intervention = _intervention(request, pk, Action.EDIT_INTERVENTION)
    initial = {
        f: getattr(intervention, f) for f in forms.InterventionForm.base_fields if f != "providers"
    }
    initial["providers"] = list(intervention.providers.all())

    def action(data):
        values, providers = _intervention_form_values(data)
        return services.intervention_save(
            actor=request.user,
            association=intervention.association,
            intervention=intervention,
            providers=providers,
            **values,
        )

    back = reverse("intervention_detail", args=[pk])
    return _form_page(
        request,
        forms.InterventionForm(
            request.POST or None, initial=initial, association=intervention.association
        ),
        action,
        success_url=back,
        success_message=gettext("Insatsen är sparad."),
        title=gettext("Redigera insats – %(intervention)s") % {"intervention": intervention},
        back_url=back,
    )


@require_http_methods(["GET", "POST"])
def intervention_assign(request, pk):
    intervention = _intervention(request, pk, Action.ASSIGN_STAFF)
    from finsam.access.services import intervention_assign as assign
    from finsam.access.services import intervention_unassign

    if request.method == "POST" and request.POST.get("remove"):
        assignment = get_object_or_404(
            InterventionAssignment, pk=request.POST["remove"], intervention=intervention
        )
        intervention_unassign(assignment=assignment, actor=request.user)
        messages.success(request, gettext("Tilldelningen är borttagen."))
        return redirect("intervention_assign", pk=pk)
    users = selectors.assignable_users(intervention)
    form = forms.AssignForm(request.POST or None, users=users)
    if request.method == "POST" and form.is_valid():
        response = _save(
            request,
            form,
            lambda d: assign(actor=request.user, intervention=intervention, **d),
            success_url=reverse("intervention_assign", args=[pk]),
            success_message=gettext("Tilldelningen är sparad."),
        )
        if response:
            return response
    return render(
        request,
        "registry/assign.html",
        {
            "intervention": intervention,
            "form": form,
            "assignments": intervention.assignments.select_related("user"),
        },
    )


@require_http_methods(["GET", "POST"])
def volume_edit(request, pk):
    intervention = _intervention(request, pk, Action.EDIT_VOLUME)
    form = forms.VolumeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _save(
            request,
            form,
            lambda d: services.volume_record(actor=request.user, intervention=intervention, **d),
            success_url=reverse("volume_edit", args=[pk]),
            success_message=gettext("Volymuppgiften är sparad."),
        )
        if response:
            return response
    return render(
        request,
        "registry/volume.html",
        {
            "intervention": intervention,
            "form": form,
            "rows": intervention.volume_counts.order_by("-month"),
        },
    )


# --- participants and episodes -----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def episode_list(request, pk):
    from finsam.registry.search_views import episode_list as paginated_list

    return paginated_list(request, _intervention(request, pk, Action.VIEW_EPISODES))


@require_http_methods(["GET", "POST"])
def episode_enrol(request, pk):
    intervention = _intervention(request, pk, Action.EDIT_EPISODES)
    if not intervention.takes_persons:
        messages.error(request, gettext("Insatsen tar inte emot personregistrering."))
        return redirect("intervention_detail", pk=pk)
    form = forms.EnrolmentForm(request.POST or None, initial={"identity_level": "identified"})
    form.add_questions(
        services.extra_questions_for(intervention.association_id, "enrolment", timezone.localdate())
    )

    def action(data):
        return services.episode_enrol(
            actor=request.user,
            intervention=intervention,
            data=services.enrolment_input_from(data),
            name=data.get("name") or "",
            consent_form_version=data.get("consent_form_version") or "",
            answers=form.answers(),
        )

    return _form_page(
        request,
        form,
        action,
        success_url=reverse("episode_list", args=[pk]),
        success_message=gettext("Deltagaren är inskriven."),
        title=gettext("Skriv in deltagare – %(intervention)s") % {"intervention": intervention},
        back_url=reverse("episode_list", args=[pk]),
        submit="Skriv in",
        extra={"privacy_note": True},
        dry_run=True,
    )


def _episode(request, pk, action: Action) -> Episode:
    episode = selectors.episode_by_pk(pk)
    if episode is None:
        raise Http404(gettext("Inskrivningen finns inte."))
    require(request.user, action, intervention=episode.intervention)
    return episode


@require_http_methods(["GET", "POST"])
@step_up_required(when=is_identity_reveal)
def episode_detail(request, pk):
    episode = _episode(request, pk, Action.VIEW_EPISODES)
    identity = {}
    reveal_problems = {}
    can_identity = can(request.user, Action.VIEW_IDENTITY, intervention=episode.intervention)
    if request.method == "POST" and request.POST.get("reveal"):
        if not can_identity:
            raise Http404
        try:
            identity = services.participant_identity_reveal(
                actor=request.user,
                participant=episode.participant,
                association_id=episode.intervention.association_id,
                reason=reason_text(
                    purpose=request.POST.get("purpose", ""),
                    reason=request.POST.get("reason", "")[:250],
                ),
            )
        except DomainValidationError as exc:
            reveal_problems = {p.field: p.message for p in exc.problems}
    history_rows = list(selectors.episode_history(episode))
    _objects, _associations, refs = readable.resolve(history_rows)
    history = [
        {
            "at": h.at,
            "actor_label": h.actor_label,
            "action": readable.action_label(h.action),
            "summary": h.summary,
            "changes": readable.changes_text(h, refs),
        }
        for h in history_rows
    ]
    return render(
        request,
        "registry/episode_detail.html",
        {
            "episode": episode,
            "intervention": episode.intervention,
            "participant": episode.participant,
            "identity": identity,
            "can_identity": can_identity,
            "reveal_problems": reveal_problems,
            "reveal_purposes": purpose_choices(),
            "reveal_values": request.POST if reveal_problems else {},
            "can_edit": can(request.user, Action.EDIT_EPISODES, intervention=episode.intervention),
            "support_before": [cl.SUPPORT.label_of(c) for c in episode.support_before_codes],
            "support_after": [cl.SUPPORT.label_of(c) for c in episode.support_after_codes],
            "labels": {
                "occupation_before": cl.OCCUPATION.label_of(episode.occupation_before),
                "occupation_after": cl.OCCUPATION.label_of(episode.occupation_after),
                "time_on_support": cl.TIME_ON_SUPPORT.label_of(episode.time_on_support),
                "education": cl.EDUCATION.label_of(episode.education),
                "exit_reason": cl.EXIT_REASON.label_of(episode.exit_reason),
                "sex": cl.SEX.label_of(episode.sex),
            },
            "followups": [
                {
                    "months_after": f.months_after,
                    "work_hours": f.work_hours,
                    "support": [cl.SUPPORT.label_of(c) for c in f.support_codes],
                }
                for f in episode.followups.all()
            ],
            "answers": episode.extra_answers.select_related("question").order_by("question__order"),
            "history": history,
            "consents": episode.participant.consents.all() if can_identity else [],
        },
    )


@require_http_methods(["GET", "POST"])
def episode_exit(request, pk):
    episode = _episode(request, pk, Action.EDIT_EPISODES)
    initial = {}
    if episode.end_date:
        initial = {
            "end_date": episode.end_date,
            "exit_reason": episode.exit_reason,
            "support_after": list(episode.support_after_codes),
            "occupation_after": episode.occupation_after,
            "work_hours": episode.work_hours,
            "study_hours": episode.study_hours,
        }
    form = forms.ExitForm(request.POST or None, initial=initial)
    form.add_questions(
        services.extra_questions_for(
            episode.intervention.association_id, "exit", timezone.localdate()
        )
    )
    return _form_page(
        request,
        form,
        lambda d: services.episode_exit(
            actor=request.user,
            episode=episode,
            data=services.exit_input_from(d),
            answers=form.answers(),
        ),
        success_url=reverse("episode_detail", args=[pk]),
        success_message=gettext("Avslutet är registrerat."),
        title=gettext("Avsluta inskrivning %(key)s") % {"key": episode.key},
        back_url=reverse("episode_detail", args=[pk]),
        submit="Registrera avslut",
        dry_run=True,
    )


@require_http_methods(["GET", "POST"])
def episode_correct(request, pk):
    episode = _episode(request, pk, Action.EDIT_EPISODES)
    initial = {
        "start_date": episode.start_date,
        "home_municipality": episode.home_municipality_id,
        "support_before": list(episode.support_before_codes),
        "occupation_before": episode.occupation_before,
        "time_on_support": episode.time_on_support,
        "education": episode.education,
        "work_hours_before": episode.work_hours_before,
        "study_hours_before": episode.study_hours_before,
    }
    form = forms.CorrectionForm(request.POST or None, initial=initial)
    return _form_page(
        request,
        form,
        lambda d: services.episode_correct(actor=request.user, episode=episode, **d),
        success_url=reverse("episode_detail", args=[pk]),
        success_message=gettext("Registreringen är rättad."),
        title=gettext("Rätta registrering %(key)s") % {"key": episode.key},
        back_url=reverse("episode_detail", args=[pk]),
        intro="De tidigare uppgifterna sparas i historiken.",
    )


@require_http_methods(["GET", "POST"])
def episode_mark_error(request, pk):
    episode = _episode(request, pk, Action.EDIT_EPISODES)
    return _form_page(
        request,
        forms.MarkErrorForm(request.POST or None),
        lambda d: services.episode_mark_error(actor=request.user, episode=episode, **d),
        success_url=reverse("episode_detail", args=[pk]),
        success_message=gettext("Registreringen är markerad som felregistrering."),
        title=gettext("Markera som felregistrering – %(key)s") % {"key": episode.key},
        back_url=reverse("episode_detail", args=[pk]),
        submit="Markera",
        intro=gettext(
            "En felregistrering tas aldrig bort: den räknas inte i någon rapport, och "
            "historiken sparas."
        ),
    )


@require_http_methods(["GET", "POST"])
def followup_record(request, pk):
    episode = _episode(request, pk, Action.EDIT_EPISODES)
    return _form_page(
        request,
        forms.FollowUpForm(
            request.POST or None, initial={"months_after": request.GET.get("months_after")}
        ),
        lambda d: services.followup_record(actor=request.user, episode=episode, **d),
        success_url=reverse("episode_detail", args=[pk]),
        success_message=gettext("Uppföljningen är sparad."),
        title=gettext("Uppföljning – %(key)s") % {"key": episode.key},
        back_url=reverse("episode_detail", args=[pk]),
    )


@require_http_methods(["GET", "POST"])
def consent_withdraw(request, pk):
    episode = _episode(request, pk, Action.EDIT_EPISODES)
    if not episode.participant.is_identified:
        messages.error(
            request, gettext("Deltagaren är registrerad anonymt och har inget samtycke.")
        )
        return redirect("episode_detail", pk=pk)
    form = forms.ConsentWithdrawForm(
        request.POST or None, initial={"withdrawn_date": timezone.localdate()}
    )
    return _form_page(
        request,
        form,
        lambda d: services.consent_withdraw(
            actor=request.user, participant=episode.participant, **d
        ),
        success_url=reverse("episode_detail", args=[pk]),
        success_message=gettext("Återkallelsen av samtycket är registrerad."),
        title=gettext("Återkalla samtycke – %(key)s") % {"key": episode.key},
        back_url=reverse("episode_detail", args=[pk]),
        submit="Registrera",
        intro=gettext(
            "Efter återkallelsen kan deltagaren bara registreras anonymt, tills ett nytt "
            "samtycke lämnas. Redan registrerade uppgifter finns kvar; begär radering separat om "
            "deltagaren vill det."
        ),
    )
