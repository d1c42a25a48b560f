"""The administrators' page for API tokens: list, create (the secret shown once), revoke."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from finsam.access.permissions import can, require
from finsam.accounts.models import User
from finsam.domain.access import Action
from finsam.domain.problems import DomainValidationError
from finsam.registry.models import Association

from . import selectors, services

ACTION_CHOICES = [(a.value, a.value) for a in Action]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Namn (systemet som använder nyckeln)"), max_length=100
    )
    user = forms.ModelChoiceField(label=gettext_lazy("Användare"), queryset=User.objects.none())
    association = forms.ModelChoiceField(
        label=gettext_lazy("Förbund"), queryset=Association.objects.none(), required=False
    )
    actions = forms.MultipleChoiceField(
        label=gettext_lazy("Tillåtna åtgärder (inget val: allt användarens roller tillåter)"),
        choices=ACTION_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        associations = selectors.token_associations(actor)
        self.fields["association"].queryset = associations
        if not can(actor, Action.ADMIN_SITE):
            self.fields["association"].required = True
        self.fields["user"].queryset = selectors.token_users(actor, associations)


@require_http_methods(["GET", "POST"])
def token_list(request):
    require(request.user, Action.MANAGE_USERS)
    form = TokenForm(request.POST or None, actor=request.user)
    secret = ""
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            token, secret = services.token_create(
                actor=request.user,
                user=d["user"],
                name=d["name"],
                association=d["association"],
                actions=list(d["actions"]),
            )
        except DomainValidationError as exc:
            for p in exc.problems:
                form.add_error(p.field if p.field in form.fields else None, p.message)
        else:
            messages.success(
                request, gettext("API-nyckeln %(name)s är skapad.") % {"name": token.name}
            )
            form = TokenForm(actor=request.user)
    return render(
        request,
        "api/token_list.html",
        {"form": form, "secret": secret, "tokens": selectors.visible_tokens(request.user)},
    )


@require_POST
def token_revoke(request, pk):
    require(request.user, Action.MANAGE_USERS)
    token = get_object_or_404(selectors.visible_tokens(request.user), pk=pk)
    try:
        services.token_revoke(actor=request.user, token=token)
    except DomainValidationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, gettext("API-nyckeln %(name)s är återkallad.") % {"name": token.name}
        )
    return redirect("api_token_list")
