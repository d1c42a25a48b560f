"""The dashboard page (``/oversikt/``): the director's and the board's year against last year."""

from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from finsam.access.permissions import require
from finsam.domain.access import Action
from finsam.domain.problems import DomainValidationError
from finsam.reports import dashboard, runner
from finsam.web import outputs


class DashboardForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("År"), min_value=2004, max_value=2100)
    association = forms.ModelChoiceField(
        label=gettext_lazy("Förbund"), queryset=None, empty_label=None
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["association"].queryset = runner.reportable_associations(user)
        self.fields["year"].error_messages["invalid"] = gettext("År: ange ett årtal, t.ex. 2025.")
        self.fields["year"].error_messages["min_value"] = gettext(
            "År: tidigast 2004 (lagens start)."
        )
        self.fields["year"].error_messages["max_value"] = gettext("År: ange ett årtal före 2100.")


def dashboard_page(request):
    require(request.user, Action.VIEW_REPORTS)
    associations = runner.reportable_associations(request.user)
    first = associations.first()
    initial = {"year": timezone.localdate().year, "association": first}
    form = DashboardForm(request.GET or None, user=request.user, initial=initial)
    board = None
    problems = []
    if first is not None:
        if form.is_bound and form.is_valid():
            year, association = form.cleaned_data["year"], form.cleaned_data["association"]
        elif form.is_bound:
            year = association = None
        else:
            year, association = initial["year"], first
        if association is not None:
            try:
                board = dashboard.build(request.user, year=year, association=association)
            except DomainValidationError as exc:
                problems = [p.message for p in exc.problems]
    if board is not None:
        for panel in board.panels:
            panel.svg = outputs.chart_svg(panel.chart) if panel.chart is not None else ""
    return render(
        request,
        "reports/dashboard.html",
        {"form": form, "board": board, "problems": problems, "no_association": first is None},
    )
