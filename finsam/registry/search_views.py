"""Pages to find participants: the search across the user's interventions and the paginated
episode list of one intervention. Thin: the form parses, ``registry.search`` reads."""

from __future__ import annotations

import secrets

from django import forms as dj_forms
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods

from finsam.access.permissions import can, require
from finsam.domain.access import Action
from finsam.domain.problems import DomainValidationError
from finsam.registry import search
from finsam.registry.forms import DateInput, FinsamForm
from finsam.ui.paging import paginate


class SearchForm(FinsamForm):
    q = dj_forms.CharField(
        label=gettext_lazy("Personnummer eller inskrivningsnyckel"),
        required=False,
        max_length=64,
        help_text=gettext_lazy(
            "Personnummer ÅÅÅÅMMDD-NNNN (söks via pseudonymen och loggas) "
            "eller en del av inskrivningsnyckeln."
        ),
        widget=dj_forms.TextInput(attrs={"autocomplete": "off", "type": "search"}),
    )
    intervention = dj_forms.ModelChoiceField(
        label=gettext_lazy("Insats"),
        required=False,
        queryset=None,
        empty_label=gettext_lazy("Alla dina insatser"),
    )
    status = dj_forms.ChoiceField(
        label=gettext_lazy("Status"), required=False, choices=search.STATUSES
    )
    period_from = dj_forms.DateField(
        label=gettext_lazy("Aktiv från"), required=False, widget=DateInput()
    )
    period_to = dj_forms.DateField(
        label=gettext_lazy("Aktiv till"), required=False, widget=DateInput()
    )

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
            self.add_error(
                "period_to", gettext("Aktiv till: datumet får inte vara före ”Aktiv från”.")
            )
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


PERSON_SEARCHES = "finsam_person_searches"
"""Session key: opaque token → pseudonym of an identity-number search, so the number itself is
sent once (POST) and never appears in a URL, the browser history or a server log."""


def _remember_person(request, pseudonym: str) -> str:
    token = secrets.token_urlsafe(12)
    searches = dict(request.session.get(PERSON_SEARCHES, {}))
    searches[token] = pseudonym
    request.session[PERSON_SEARCHES] = dict(list(searches.items())[-20:])
    return token


def _post_search(request, form: SearchForm):
    """A submitted search (POST): an identity number is resolved (audited) and replaced by a
    token; everything else goes to the address as ordinary filters. ``None`` when the form has
    errors (shown on the page)."""
    if not form.is_valid():
        return None
    criteria = form.criteria()
    query = QueryDict(mutable=True)
    for name in ("intervention", "status", "period_from", "period_to"):
        value = form.data.get(name)
        if value and name in form.fields:
            query[name] = value
    if criteria.q and search.looks_like_identity_number(criteria.q):
        try:
            pseudonym = search.participant_find_by_identity(
                actor=request.user, number=criteria.q, intervention=criteria.intervention
            )
        except DomainValidationError as exc:
            form.apply_problems(exc.problems)
            return None
        query["person"] = _remember_person(request, pseudonym)
    elif criteria.q:
        query["q"] = criteria.q
    return redirect(f"{request.path}?{query.urlencode()}")


def _results(request, form: SearchForm):
    criteria = form.criteria()
    if not form.is_valid():
        return criteria, None  # the errors are shown; no list rather than everything
    pseudonym = None
    token = request.GET.get("person")
    if token:
        pseudonym = request.session.get(PERSON_SEARCHES, {}).get(token, "")
    qs = search.episode_search(user=request.user, criteria=criteria, pseudonym=pseudonym)
    return criteria, qs


def _context(request, form, criteria, qs) -> dict:
    context = {
        "form": form,
        "criteria": criteria,
        "status": criteria.status,
        "status_label": dict(search.STATUSES).get(criteria.status, ""),
        "statuses": search.STATUSES,
        "by_identity": bool(request.GET.get("person")),
    }
    if qs is not None:
        context.update(paginate(request, qs))
    return context


def _search_form(request, **kwargs) -> SearchForm:
    if request.method == "POST":
        return SearchForm(request.POST, user=request.user, **kwargs)
    data = request.GET.copy()
    data.setdefault("status", "open")
    return SearchForm(data, user=request.user, **kwargs)


def _search(request, form):
    """(redirect, criteria, results): a POST (identity number) answers with a redirect or the
    form's problems; a GET runs the search the address describes."""
    if request.method == "POST":
        response = _post_search(request, form)
        return response, (None if response else form.criteria()), None
    return (None, *_results(request, form))


@require_http_methods(["GET", "POST"])
def participant_search(request):
    require(request.user, Action.VIEW_EPISODES)
    form = _search_form(request)
    response, criteria, qs = _search(request, form)
    if response:
        return response
    return render(
        request,
        "registry/participant_search.html",
        {**_context(request, form, criteria, qs), "show_intervention": True},
    )


def episode_list(request, intervention):
    """The participants of one intervention (``registry.views.episode_list`` checks access)."""
    form = _search_form(request, fixed_intervention=intervention)
    response, criteria, qs = _search(request, form)
    if response:
        return response
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
