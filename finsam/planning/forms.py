"""Forms of the association's year: they parse and present; the rules are in the core and the
services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext, gettext_lazy

from finsam.domain import annual_report as doc
from finsam.domain.finance import calendar as cal
from finsam.domain.finance.budget import ADMIN_COST_TYPES
from finsam.domain.finance.plan import ADMIN, INTERVENTION, PLAN_YEARS
from finsam.registry.forms import DateInput, FinsamForm


class AnnualReportTextForm(FinsamForm):
    board_meetings = forms.IntegerField(
        label=gettext_lazy("Antal styrelsesammanträden under året"),
        required=False,
        min_value=0,
        max_value=366,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, heading, hint in doc.EDITABLE_SECTIONS:
            self.fields[key] = forms.CharField(
                label=heading,
                help_text=hint,
                required=False,
                max_length=doc.MAX_TEXT,
                widget=forms.Textarea(attrs={"rows": 5}),
            )


class AdoptForm(FinsamForm):
    adopted = forms.DateField(label=gettext_lazy("Fastställd av styrelsen"), widget=DateInput())


class PlanForm(FinsamForm):
    plan_year = forms.IntegerField(label=gettext_lazy("Planår (första året)"), min_value=0)
    equity_start = forms.DecimalField(
        label=gettext_lazy("Eget kapital vid planårets början (kr)"),
        required=False,
        decimal_places=2,
        help_text=gettext_lazy("Tomt = budgetårets eget kapital vid årets början."),
    )
    description = forms.CharField(
        label=gettext_lazy("Verksamhetsplanens inriktning"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, plan_year: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if plan_year is not None:
            self.fields["plan_year"].disabled = True
        for i in range(PLAN_YEARS):
            suffix = "planåret" if i == 0 else f"år {i + 1}"
            self.fields[f"contribution_total_{i}"] = forms.DecimalField(
                label=gettext("Medlemmarnas bidrag för helår, %(suffix)s (kr)")
                % {"suffix": suffix},
                required=False,
                min_value=0,
                decimal_places=2,
                help_text="Fördelas 50/25/25 mellan staten, regionerna och kommunerna."
                if i == 0
                else "",
            )
            self.fields[f"state_offer_{i}"] = forms.DecimalField(
                label=gettext("Statens erbjudande, %(suffix)s (kr)") % {"suffix": suffix},
                required=False,
                min_value=0,
                decimal_places=2,
            )


class PlanLineForm(FinsamForm):
    year = forms.TypedChoiceField(label=gettext_lazy("År"), coerce=int)
    kind = forms.ChoiceField(
        label=gettext_lazy("Radtyp"),
        choices=[
            (INTERVENTION, gettext_lazy("Insatskostnad")),
            (ADMIN, gettext_lazy("Administrativ kostnad")),
        ],
    )
    intervention_code = forms.ChoiceField(label=gettext_lazy("Insats"), required=False)
    cost_type = forms.ChoiceField(
        label=gettext_lazy("Kostnadstyp (administration)"),
        required=False,
        choices=[("", "–"), *ADMIN_COST_TYPES.choices()],
    )
    amount = forms.DecimalField(label=gettext_lazy("Belopp (kr)"), min_value=0, decimal_places=2)
    goal = forms.CharField(
        label=gettext_lazy("Mål för insatsen"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    planned_participants = forms.IntegerField(
        label=gettext_lazy("Planerat antal deltagare"), required=False, min_value=0
    )

    def __init__(self, *args, plan_year: int, interventions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(plan_year + i, plan_year + i) for i in range(PLAN_YEARS)]
        self.fields["intervention_code"].choices = [("", "–")] + [
            (iv.code, f"{iv.name} ({iv.code})") for iv in interventions
        ]


class AdoptBudgetForm(FinsamForm):
    adopted = forms.DateField(
        label=gettext_lazy("Budgeten fastställd av styrelsen"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy("Tomt = budgeten skapas från planen utan fastställelsedatum."),
    )


class CalendarStepForm(FinsamForm):
    step = forms.ChoiceField(
        label=gettext_lazy("Steg"),
        choices=[
            (s.key, gettext_lazy(s.label)) for s in cal.STEPS if s.key not in cal.RECORDED_ON_YEAR
        ],
    )
    planned_date = forms.DateField(
        label=gettext_lazy("Planerat datum"), required=False, widget=DateInput()
    )
    done_date = forms.DateField(label=gettext_lazy("Klart"), required=False, widget=DateInput())
    note = forms.CharField(label=gettext_lazy("Anteckning"), required=False, max_length=300)
