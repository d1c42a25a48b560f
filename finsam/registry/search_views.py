"""Pages to find participants: the search across the user's interventions and the paginated
episode list of one intervention. Thin: the form parses, ``registry.search`` reads."""

from __future__ import annotations

from django import forms as dj_forms
from django.shortcuts import render

from finsam.access.permissions import can, require
from finsam.domain.access import Action
from finsam.domain.problems import DomainValidationError
from finsam.registry import search
from finsam.registry.forms import DateInput, FinsamForm
from finsam.web.paging import paginate


class SearchForm(FinsamForm):
    q = dj_forms.CharField(
        label="Personnummer eller inskrivningsnyckel",
        required=False,
        max_length=64,
        help_text="Personnummer ÅÅÅÅMMDD-NNNN (söks via pseudonymen och loggas) "
        "eller en del av inskrivningsnyckeln.",
        widget=dj_forms.TextInput(attrs={"autocomplete": "off", "type": "search"}),
    )
    intervention = dj_forms.ModelChoiceField(
        label="Insats", required=False, queryset=None, empty_label="Alla dina insatser"
    )
    status = dj_forms.ChoiceField(label="Status", required=False, choices=search.STATUSES)
    period_from = dj_forms.DateField(label="Aktiv från", required=False, widget=DateInput())
    period_to = dj_forms.DateField(label="Aktiv till", required=False, widget=DateInput())

    def __init__(self, *args, user, fixed_intervention=None, **kwargs):
        super().__init__(*args, **kwargs)
        if fixed_intervention is not None:
            del self.fields["intervention"]
        else:
            field = self.fields["intervention"]
            field.queryset = search.visible_interventions(user)
            field.label_from_instance = lambda i: f"{i.name} ({i.association.name})"
        self.fixed_intervention = fixed_intervention

    def clean(self):
        data = super().clean()
        a, b = data.get("period_from"), data.get("period_to")
        if a and b and b < a:
            self.add_error("period_to", "Aktiv till: datumet får inte vara före ”Aktiv från”.")
        return data

    def criteria(self) -> search.Criteria:
        d = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return search.Criteria(
            q=(d.get("q") or "").strip(),
            intervention=self.fixed_intervention or d.get("intervention"),
            status=d.get("status") or "open",
            period_from=d.get("period_from"),
            period_to=d.get("period_to"),
        )


def _results(request, form: SearchForm):
    criteria = form.criteria()
    pseudonym = None
    if criteria.q and search.looks_like_identity_number(criteria.q):
        try:
            pseudonym = search.participant_find_by_identity(
                actor=request.user, number=criteria.q, intervention=criteria.intervention
            )
        except DomainValidationError as exc:
            form.apply_problems(exc.problems)
            return criteria, None
    qs = search.episode_search(user=request.user, criteria=criteria, pseudonym=pseudonym)
    return criteria, qs


def _context(request, form, criteria, qs) -> dict:
    context = {
        "form": form,
        "criteria": criteria,
        "status": criteria.status,
        "status_label": dict(search.STATUSES).get(criteria.status, ""),
        "statuses": search.STATUSES,
        "by_identity": criteria.q and search.looks_like_identity_number(criteria.q),
    }
    if qs is not None:
        context.update(paginate(request, qs))
    return context


def participant_search(request):
    require(request.user, Action.VIEW_EPISODES)
    data = request.GET if request.GET else None
    form = SearchForm(data, user=request.user, initial={"status": "open"})
    criteria, qs = _results(request, form) if data else (form.criteria(), None)
    if qs is None and not data:
        qs = search.episode_search(user=request.user, criteria=criteria)
    return render(
        request,
        "registry/participant_search.html",
        {**_context(request, form, criteria, qs), "show_intervention": True},
    )


def episode_list(request, intervention):
    """The participants of one intervention (``registry.views.episode_list`` checks access)."""
    data = request.GET if request.GET else None
    form = SearchForm(data, user=request.user, fixed_intervention=intervention)
    if data and "status" not in data:
        data = data.copy()
        data["status"] = "open"
        form = SearchForm(data, user=request.user, fixed_intervention=intervention)
    criteria, qs = _results(request, form)
    return render(
        request,
        "registry/episode_list.html",
        {
            **_context(request, form, criteria, qs),
            "intervention": intervention,
            "can_enrol": can(request.user, Action.EDIT_EPISODES, intervention=intervention)
            and intervention.takes_persons,
            "can_identity": can(request.user, Action.VIEW_IDENTITY, intervention=intervention),
        },
    )
