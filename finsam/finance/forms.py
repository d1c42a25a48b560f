"""Finance forms: they parse and present; the rules are in the domain core and the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from finsam.domain.finance import budget as core
from finsam.domain.finance.allocation import (
    DEFAULT_BASE_GRANT,
    DEFAULT_FLOOR_SHARE,
    DEFAULT_WEIGHT_POPULATION,
    DEFAULT_WEIGHT_SUPPORT,
    AllocationParameters,
    default_frame,
)
from finsam.domain.finance.contributions import SPLIT_METHOD_LABELS, SplitMethod
from finsam.finance.models import BudgetLine
from finsam.registry.forms import DateInput, FinsamForm


class AssociationYearForm(FinsamForm):
    budget_adopted = forms.DateField(
        label=gettext_lazy("Budget fastställd"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy("Styrelsen antar budgeten före utgången av november året före."),
    )
    annual_report_adopted = forms.DateField(
        label=gettext_lazy("Årsredovisning fastställd"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy("Ska vara klar inom tre månader efter årets slut."),
    )
    equity_start = forms.DecimalField(
        label=gettext_lazy("Eget kapital vid årets början (kr)"), required=False, decimal_places=2
    )
    population_16_64 = forms.IntegerField(
        label=gettext_lazy("Invånare 16–64 år i området"), required=False, min_value=0
    )
    contribution_total = forms.DecimalField(
        label=gettext_lazy("Medlemmarnas bidrag för helår (kr)"),
        required=False,
        min_value=0,
        decimal_places=2,
        help_text=gettext_lazy("Fördelas 50/25/25; tomt = summan av medlemmarnas intäktsrader."),
    )
    state_offer = forms.DecimalField(
        label=gettext_lazy("Erbjuden statlig tilldelning (kr)"),
        required=False,
        min_value=0,
        decimal_places=2,
    )
    notes = forms.CharField(
        label=gettext_lazy("Anteckningar"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class NewYearForm(FinsamForm):
    year = forms.IntegerField(label=gettext_lazy("År"), min_value=0)


def _category_help() -> str:
    return (
        "Intäkt: finansiär (FK, AF, länskod, kommunkod, EK, ESF, OVR). Administrativ kostnad: "
        + ", ".join(f"{c.code} ({c.label.lower()})" for c in core.ADMIN_COST_TYPES.codes)
        + ". Insatskostnad: tom för kostnaden, ESF för den ESF-finansierade delen."
    )


class BudgetLineForm(FinsamForm):
    line = forms.ChoiceField(
        label=gettext_lazy("Radtyp"),
        choices=[("", gettext_lazy("– välj –")), *BudgetLine.Line.choices],
    )
    category = forms.CharField(
        label=gettext_lazy("Kategori"), required=False, max_length=20, help_text=_category_help()
    )
    intervention_code = forms.ChoiceField(label=gettext_lazy("Insats"), required=False)
    budget = forms.DecimalField(label=gettext_lazy("Budget (kr)"), decimal_places=2)
    actual = forms.DecimalField(label=gettext_lazy("Utfall (kr)"), required=False, decimal_places=2)

    def __init__(self, *args, association, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["intervention_code"].choices = [("", "– ingen –")] + [
            (i.code, f"{i.name} ({i.code})") for i in association.interventions.order_by("name")
        ]


# --- the allocation model -------------------------------------------------------------------


class UploadForm(FinsamForm):
    file = forms.FileField(
        label=gettext_lazy("Indatafil (allocation_input.csv eller xlsx)"),
        help_text=gettext_lazy(
            "Kolumner: association_code, name, support_measure_sek, population_16_64, "
            "previous_allocation, equity, revenue, requested."
        ),
    )


EQUITY_POLICY_CHOICES = [
    ("half", gettext_lazy("Minska med halva överskottet")),
    ("full", gettext_lazy("Minska med hela överskottet")),
    ("none", gettext_lazy("Ingen minskning")),
]


class AllocationParametersForm(FinsamForm):
    """One scenario's parameters. Percentages are entered in percent."""

    frame = forms.DecimalField(
        label=gettext_lazy("Statlig ram (kr)"), min_value=0, decimal_places=2
    )
    base_grant = forms.DecimalField(
        label=gettext_lazy("Grundbidrag per förbund (kr)"),
        min_value=0,
        decimal_places=2,
        initial=DEFAULT_BASE_GRANT,
    )
    weight_support = forms.DecimalField(
        label=gettext_lazy("Vikt försörjningsmått (%)"),
        min_value=0,
        max_value=100,
        initial=DEFAULT_WEIGHT_SUPPORT * 100,
        help_text=gettext_lazy("Vikterna ska summera till 100 %."),
    )
    weight_population = forms.DecimalField(
        label=gettext_lazy("Vikt befolkning 16–64 år (%)"),
        min_value=0,
        max_value=100,
        initial=DEFAULT_WEIGHT_POPULATION * 100,
    )
    floor_on = forms.BooleanField(
        label=gettext_lazy("Golv (skydd mot stor minskning)"), required=False
    )
    floor_share = forms.DecimalField(
        label=gettext_lazy("Golv, andel av fjolårets tilldelning (%)"),
        required=False,
        min_value=0,
        max_value=100,
        initial=DEFAULT_FLOOR_SHARE * 100,
    )
    equity_policy = forms.ChoiceField(
        label=gettext_lazy("Policy för eget kapital över rekommendationen"),
        choices=EQUITY_POLICY_CHOICES,
        initial="half",
    )
    redistribution = forms.BooleanField(
        label=gettext_lazy("Omfördela medel som inte tas i anspråk"), required=False, initial=True
    )
    year = forms.IntegerField(
        label=gettext_lazy("År"), required=False, min_value=2004, max_value=2100
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("weight_support", "weight_population", "floor_share"):
            self.fields[name].error_messages["max_value"] = (
                f"{self.fields[name].label}: högst 100 %."
            )

    def parameters(self) -> AllocationParameters:
        d = self.cleaned_data
        floor = None
        if d["floor_on"]:
            floor = float(d["floor_share"] if d["floor_share"] is not None else 90) / 100
        return AllocationParameters(
            frame=float(d["frame"]),
            base_grant=float(d["base_grant"]),
            weight_support=float(d["weight_support"]) / 100,
            weight_population=float(d["weight_population"]) / 100,
            floor_share=floor,
            equity_policy=d["equity_policy"],
            redistribution=d["redistribution"],
            year=d.get("year"),
        )

    FIELD_MAP = {
        "weights": "weight_support",
        "floor_share": "floor_share",
        "frame": "frame",
        "base_grant": "base_grant",
        "equity_policy": "equity_policy",
    }


def default_parameter_data(prefix: str, year: int | None = None) -> dict:
    """Initial values for an unbound parameter form (the year's frame when known)."""
    frame = default_frame(year) if year else default_frame(2016)
    values = {
        "frame": frame,
        "base_grant": DEFAULT_BASE_GRANT,
        "weight_support": DEFAULT_WEIGHT_SUPPORT * 100,
        "weight_population": DEFAULT_WEIGHT_POPULATION * 100,
        "floor_on": True,
        "floor_share": DEFAULT_FLOOR_SHARE * 100,
        "equity_policy": "half",
        "redistribution": True,
        "year": year,
    }
    return {f"{prefix}-{k}": v for k, v in values.items() if v is not None}


class MergerForm(FinsamForm):
    codes = forms.MultipleChoiceField(
        label=gettext_lazy("Förbund som slås samman"),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Välj minst två förbund ur indatafilen."),
    )
    merged_code = forms.CharField(
        label=gettext_lazy("Kod för det nya förbundet"), required=False, max_length=40
    )
    merged_name = forms.CharField(
        label=gettext_lazy("Namn på det nya förbundet"), required=False, max_length=200
    )
    split_method = forms.ChoiceField(
        label=gettext_lazy("Fördelning mellan medlemmarna"),
        choices=[
            (m.value, SPLIT_METHOD_LABELS[m]) for m in SplitMethod if m is not SplitMethod.CUSTOM
        ],
        initial=SplitMethod.EQUAL.value,
        help_text=gettext_lazy("Medlemmarna hämtas ur registret för förbund med samma kod."),
    )

    def __init__(self, *args, codes: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["codes"].choices = codes
        self.fields["codes"].error_messages["invalid_choice"] = (
            "Förbund som slås samman: välj förbund ur indatafilen."
        )
