"""Period sign-off pages: the association's sign-off page and the national status table."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from finsam.access.permissions import can, require
from finsam.domain import signoff as rules
from finsam.domain.access import Action
from finsam.domain.problems import DomainValidationError
from finsam.registry import selectors
from finsam.registry.forms import FinsamForm
from finsam.registry.models import Association, PeriodSignoff
from finsam.registry.services.signoff import period_reopen, period_sign_off


class SignOffForm(FinsamForm):
    period = forms.CharField(
        label=gettext_lazy("Period"),
        max_length=10,
        help_text=gettext_lazy(
            "Ett år (2025) eller ett halvår (2025H1 = jan–jun, 2025H2 = jul–dec)."
        ),
    )
    comment = forms.CharField(
        label=gettext_lazy("Kommentar"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_period(self):
        parsed = rules.parse_period(self.cleaned_data["period"])
        if isinstance(parsed, rules.SignoffPeriod):
            return parsed
        raise forms.ValidationError(parsed.message)


class ReopenForm(FinsamForm):
    reason = forms.CharField(
        label=gettext_lazy("Orsak"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


@require_http_methods(["GET", "POST"])
def signoff_page(request, pk):
    association = get_object_or_404(Association, pk=pk)
    require(request.user, Action.SIGN_OFF_PERIOD, association=association)
    last = timezone.localdate().year - 1
    form = SignOffForm(request.POST or None, initial={"period": str(last)})
    if request.method == "POST" and form.is_valid():
        try:
            row = period_sign_off(
                actor=request.user,
                association=association,
                period=form.cleaned_data["period"],
                comment=form.cleaned_data["comment"],
            )
        except DomainValidationError as exc:
            form.apply_problems(exc.problems)
        else:
            messages.success(
                request, _("Perioden %(period)s är undertecknad.") % {"period": row.period.label}
            )
            return redirect("signoff_page", pk=association.pk)
    return render(
        request,
        "registry/signoff.html",
        {
            "association": association,
            "form": form,
            "history": selectors.signoff_history(association.pk),
            "quality_url": reverse("report_quality")
            + f"?associations={association.code}&year={last}",
        },
    )


@require_http_methods(["GET", "POST"])
def signoff_reopen(request, pk, signoff_pk):
    association = get_object_or_404(Association, pk=pk)
    require(request.user, Action.SIGN_OFF_PERIOD, association=association)
    row = get_object_or_404(PeriodSignoff, pk=signoff_pk, association=association)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            period_reopen(actor=request.user, signoff=row, reason=form.cleaned_data["reason"])
        except DomainValidationError as exc:
            form.apply_problems(exc.problems)
        else:
            messages.success(
                request,
                _("Perioden %(period)s är öppnad igen.") % {"period": row.period.label},
            )
            return redirect("signoff_page", pk=association.pk)
    back = reverse("signoff_page", args=[association.pk])
    return render(
        request,
        "registry/form.html",
        {
            "form": form,
            "title": _("Öppna perioden %(period)s igen") % {"period": row.period.label},
            "intro": _(
                "Registreringar i perioden kan ändras igen tills den undertecknas på nytt. "
                "Orsaken sparas i loggen."
            ),
            "back_url": back,
            "submit": _("Öppna perioden"),
        },
    )


def signoff_status(request):
    require(request.user, Action.VIEW_SIGNOFF_STATUS)
    this_year = timezone.localdate().year
    years = [this_year - 3, this_year - 2, this_year - 1, this_year]
    return render(
        request,
        "registry/signoff_status.html",
        {
            "years": years,
            "rows": selectors.signoff_status(user=request.user, years=years),
            "can_sign": can(request.user, Action.SIGN_OFF_PERIOD),
        },
    )
