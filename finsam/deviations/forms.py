"""Forms of deviation reports. They parse and present; the rules are in
``finsam.domain.deviations`` and reach the form through the services' problems."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext, gettext_lazy

from finsam.domain import deviations as core
from finsam.registry.forms import DateInput, FinsamForm
from finsam.registry.models import Member

NO_IDENTITY_HINT = (
    "Skriv inte namn, personnummer, samordningsnummer eller annat som kan identifiera personen. "
    "Text som innehåller ett personnummer eller samordningsnummer sparas inte."
)


def _blank(choices):
    return [("", "– välj –"), *choices]


def _members(association):
    return [(str(m.pk), f"{m.name} ({m.get_kind_display()})") for m in association.members.all()]


class DeviationForm(FinsamForm):
    report_date = forms.DateField(
        label=gettext_lazy("Datum"),
        widget=DateInput(),
        help_text=gettext_lazy("När avvikelsen inträffade eller upptäcktes."),
    )
    organisations = forms.MultipleChoiceField(
        label=gettext_lazy("Inblandade organisationer"),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Välj alla förbundets medlemmar som var inblandade."),
    )
    category = forms.ChoiceField(label=gettext_lazy("Kategori"))
    description = forms.CharField(
        label=gettext_lazy("Beskrivning"),
        max_length=core.DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=f"Vad hände? {NO_IDENTITY_HINT}",
    )
    consequence = forms.CharField(
        label=gettext_lazy("Konsekvens för personen"),
        required=False,
        max_length=core.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Till exempel väntetid, utebliven ersättning, avbruten rehabilitering."
        ),
    )
    improvement = forms.CharField(
        label=gettext_lazy("Förslag till förbättring"),
        required=False,
        max_length=core.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, association, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].choices = _members(association)
        self.fields["category"].choices = _blank(categories)

    def report_input(self) -> core.ReportInput:
        d = self.cleaned_data
        return core.ReportInput(
            report_date=d["report_date"],
            organisations=tuple(d["organisations"]),
            category=d["category"],
            description=d["description"],
            consequence=d.get("consequence", ""),
            improvement=d.get("improvement", ""),
        )


class ClassifyForm(FinsamForm):
    prefix = "classify"
    category = forms.ChoiceField(label=gettext_lazy("Kategori"))
    owner = forms.ChoiceField(
        label=gettext_lazy("Ansvarig organisation"),
        help_text=gettext_lazy("Den medlem som äger åtgärden."),
    )

    def __init__(self, *args, association, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _blank(categories)
        self.fields["owner"].choices = _blank(_members(association))


class ActionForm(FinsamForm):
    prefix = "action"
    action_date = forms.DateField(label=gettext_lazy("Datum för åtgärden"), widget=DateInput())
    text = forms.CharField(
        label=gettext_lazy("Åtgärd"),
        max_length=core.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=NO_IDENTITY_HINT,
    )
    organisation = forms.ChoiceField(label=gettext_lazy("Organisation"), required=False)

    def __init__(self, *args, association, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", "– ingen –"), *_members(association)]


class CloseForm(FinsamForm):
    prefix = "close"
    closed_date = forms.DateField(label=gettext_lazy("Avslutsdatum"), widget=DateInput())
    closing_note = forms.CharField(
        label=gettext_lazy("Avslutskommentar"),
        max_length=core.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Vad blev resultatet? " + NO_IDENTITY_HINT,
    )


STATUS_FILTER = [
    ("", "Alla"),
    ("open", "Alla öppna"),
    *[(s.value, core.STATUS_LABELS[s]) for s in core.Status],
]


class ListFilterForm(FinsamForm):
    association = forms.ChoiceField(label=gettext_lazy("Förbund"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False, choices=STATUS_FILTER)
    category = forms.ChoiceField(label=gettext_lazy("Kategori"), required=False)
    organisation_kind = forms.ChoiceField(
        label=gettext_lazy("Inblandad medlemstyp"),
        required=False,
        choices=[("", gettext_lazy("Alla")), *Member.Kind.choices],
    )
    start = forms.DateField(label=gettext_lazy("Från och med"), required=False, widget=DateInput())
    end = forms.DateField(label=gettext_lazy("Till och med"), required=False, widget=DateInput())

    def __init__(self, *args, associations, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["association"].choices = [
            ("", "Alla"),
            *[(str(a.pk), a.name) for a in associations],
        ]
        self.fields["category"].choices = [("", "Alla"), *categories]
        for field in self.fields.values():
            field.required_css_class = ""


NATIONAL = "national"


class StatisticsForm(FinsamForm):
    scope = forms.ChoiceField(label=gettext_lazy("Förbund"))
    period_type = forms.ChoiceField(
        label=gettext_lazy("Period"),
        choices=[(p.value, core.PERIOD_LABELS[p]) for p in core.PeriodType],
        initial=core.PeriodType.QUARTER.value,
    )
    start = forms.DateField(label=gettext_lazy("Från och med"), widget=DateInput())
    end = forms.DateField(label=gettext_lazy("Till och med"), widget=DateInput())

    def __init__(self, *args, associations, national: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(a.pk), a.name) for a in associations]
        if national:
            choices.insert(0, (NATIONAL, "Hela landet (alla förbund)"))
        self.fields["scope"].choices = choices

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", gettext("Till och med: datumet får inte vara före Från och med."))
        if start and end and (end - start).days > 366 * 10:
            self.add_error("end", gettext("Perioden får vara högst tio år."))
        return data
