"""Forms of the association's year: they parse and present; the rules are in the core and the
services."""

from __future__ import annotations

from django import forms

from finsam.domain import annual_report as doc
from finsam.domain.finance import calendar as cal
from finsam.domain.finance.budget import ADMIN_COST_TYPES
from finsam.domain.finance.plan import ADMIN, INTERVENTION, PLAN_YEARS
from finsam.registry.forms import DateInput, FinsamForm


class AnnualReportTextForm(FinsamForm):
    board_meetings = forms.IntegerField(
        label="Antal styrelsesammanträden under året",
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
    adopted = forms.DateField(label="Fastställd av styrelsen", widget=DateInput())


class PlanForm(FinsamForm):
    plan_year = forms.IntegerField(label="Planår (första året)", min_value=0)
    equity_start = forms.DecimalField(
        label="Eget kapital vid planårets början (kr)",
        required=False,
        decimal_places=2,
        help_text="Tomt = budgetårets eget kapital vid årets början.",
    )
    description = forms.CharField(
        label="Verksamhetsplanens inriktning",
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
                label=f"Medlemmarnas bidrag för helår, {suffix} (kr)",
                required=False,
                min_value=0,
                decimal_places=2,
                help_text="Fördelas 50/25/25 mellan staten, regionerna och kommunerna."
                if i == 0
                else "",
            )
            self.fields[f"state_offer_{i}"] = forms.DecimalField(
                label=f"Statens erbjudande, {suffix} (kr)",
                required=False,
                min_value=0,
                decimal_places=2,
            )


class PlanLineForm(FinsamForm):
    year = forms.TypedChoiceField(label="År", coerce=int)
    kind = forms.ChoiceField(
        label="Radtyp",
        choices=[(INTERVENTION, "Insatskostnad"), (ADMIN, "Administrativ kostnad")],
    )
    intervention_code = forms.ChoiceField(label="Insats", required=False)
    cost_type = forms.ChoiceField(
        label="Kostnadstyp (administration)",
        required=False,
        choices=[("", "–"), *ADMIN_COST_TYPES.choices()],
    )
    amount = forms.DecimalField(label="Belopp (kr)", min_value=0, decimal_places=2)
    goal = forms.CharField(
        label="Mål för insatsen",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    planned_participants = forms.IntegerField(
        label="Planerat antal deltagare", required=False, min_value=0
    )

    def __init__(self, *args, plan_year: int, interventions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(plan_year + i, plan_year + i) for i in range(PLAN_YEARS)]
        self.fields["intervention_code"].choices = [("", "–")] + [
            (iv.code, f"{iv.name} ({iv.code})") for iv in interventions
        ]


class AdoptBudgetForm(FinsamForm):
    adopted = forms.DateField(
        label="Budgeten fastställd av styrelsen",
        required=False,
        widget=DateInput(),
        help_text="Tomt = budgeten skapas från planen utan fastställelsedatum.",
    )


class CalendarStepForm(FinsamForm):
    step = forms.ChoiceField(
        label="Steg",
        choices=[(s.key, s.label) for s in cal.STEPS if s.key not in cal.RECORDED_ON_YEAR],
    )
    planned_date = forms.DateField(label="Planerat datum", required=False, widget=DateInput())
    done_date = forms.DateField(label="Klart", required=False, widget=DateInput())
    note = forms.CharField(label="Anteckning", required=False, max_length=300)
