"""Forms of deviation reports. They parse and present; the rules are in
``finsam.domain.deviations`` and reach the form through the services' problems."""

from __future__ import annotations

from django import forms

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
        label="Datum", widget=DateInput(), help_text="När avvikelsen inträffade eller upptäcktes."
    )
    organisations = forms.MultipleChoiceField(
        label="Inblandade organisationer",
        widget=forms.CheckboxSelectMultiple,
        help_text="Välj alla förbundets medlemmar som var inblandade.",
    )
    category = forms.ChoiceField(label="Kategori")
    description = forms.CharField(
        label="Beskrivning",
        max_length=core.DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=f"Vad hände? {NO_IDENTITY_HINT}",
    )
    consequence = forms.CharField(
        label="Konsekvens för personen",
        required=False,
        max_length=core.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Till exempel väntetid, utebliven ersättning, avbruten rehabilitering.",
    )
    improvement = forms.CharField(
        label="Förslag till förbättring",
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
    category = forms.ChoiceField(label="Kategori")
    owner = forms.ChoiceField(
        label="Ansvarig organisation", help_text="Den medlem som äger åtgärden."
    )

    def __init__(self, *args, association, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _blank(categories)
        self.fields["owner"].choices = _blank(_members(association))


class ActionForm(FinsamForm):
    prefix = "action"
    action_date = forms.DateField(label="Datum för åtgärden", widget=DateInput())
    text = forms.CharField(
        label="Åtgärd",
        max_length=core.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=NO_IDENTITY_HINT,
    )
    organisation = forms.ChoiceField(label="Organisation", required=False)

    def __init__(self, *args, association, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", "– ingen –"), *_members(association)]


class CloseForm(FinsamForm):
    prefix = "close"
    closed_date = forms.DateField(label="Avslutsdatum", widget=DateInput())
    closing_note = forms.CharField(
        label="Avslutskommentar",
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
    association = forms.ChoiceField(label="Förbund", required=False)
    status = forms.ChoiceField(label="Status", required=False, choices=STATUS_FILTER)
    category = forms.ChoiceField(label="Kategori", required=False)
    organisation_kind = forms.ChoiceField(
        label="Inblandad medlemstyp",
        required=False,
        choices=[("", "Alla"), *Member.Kind.choices],
    )
    start = forms.DateField(label="Från och med", required=False, widget=DateInput())
    end = forms.DateField(label="Till och med", required=False, widget=DateInput())

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
    scope = forms.ChoiceField(label="Förbund")
    period_type = forms.ChoiceField(
        label="Period",
        choices=[(p.value, core.PERIOD_LABELS[p]) for p in core.PeriodType],
        initial=core.PeriodType.QUARTER.value,
    )
    start = forms.DateField(label="Från och med", widget=DateInput())
    end = forms.DateField(label="Till och med", widget=DateInput())

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
            self.add_error("end", "Till och med: datumet får inte vara före Från och med.")
        if start and end and (end - start).days > 366 * 10:
            self.add_error("end", "Perioden får vara högst tio år.")
        return data
