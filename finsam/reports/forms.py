"""The report filter (a GET form, so every report view and download has a shareable address)."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from finsam.domain.reports.core import LEVEL_LABELS
from finsam.domain.reports.periods import grid_period
from finsam.domain.reports.quality import DEFAULT_OVERDUE_MONTHS
from finsam.domain.reports.specs import find_spec
from finsam.registry.forms import DateInput, FinsamForm
from finsam.reports import runner


class MonthInput(forms.TextInput):
    input_type = "month"


PERIOD_CHOICES = [
    ("year", gettext_lazy("Kalenderår")),
    ("half", gettext_lazy("Halvår")),
    ("quarter", gettext_lazy("Kvartal")),
    ("months", gettext_lazy("Månader")),
    ("dates", gettext_lazy("Datum")),
]
HALF_CHOICES = [
    ("1", gettext_lazy("Första halvåret (januari–juni)")),
    ("2", gettext_lazy("Andra halvåret (juli–december)")),
]
QUARTER_CHOICES = [
    ("1", gettext_lazy("Kvartal 1 (januari–mars)")),
    ("2", gettext_lazy("Kvartal 2 (april–juni)")),
    ("3", gettext_lazy("Kvartal 3 (juli–september)")),
    ("4", gettext_lazy("Kvartal 4 (oktober–december)")),
]
SPLIT_CHOICES = [
    ("sex", gettext_lazy("Totalt, kvinnor, män")),
    ("sex_age", gettext_lazy("Även åldersgrupper")),
]


def kind_label(kind: str) -> str:
    return {"half": "halvår", "quarter": "kvartal"}[kind]


def _month(value: str, label: str) -> date:
    try:
        year, month = (int(p) for p in value.split("-"))
        return date(year, month, 1)
    except (ValueError, AttributeError):
        raise forms.ValidationError(
            gettext("%(label)s: ange en månad som ÅÅÅÅ-MM.") % {"label": label}
        ) from None


class ReportFilterForm(FinsamForm):
    period_type = forms.ChoiceField(
        label=gettext_lazy("Period"),
        choices=PERIOD_CHOICES,
        initial="year",
        widget=forms.RadioSelect,
        required=False,
        help_text=gettext_lazy(
            "Kalenderår, halvår, kvartal, månader (från och med – till och med) eller datum. "
            "Skyddade tal visas bara för ett helt år, halvår, kvartal eller en månad."
        ),
    )
    year = forms.IntegerField(
        label=gettext_lazy("År"), min_value=2004, max_value=2100, required=False
    )
    half = forms.ChoiceField(
        label=gettext_lazy("Halvår"),
        choices=HALF_CHOICES,
        required=False,
        help_text=gettext_lazy("Året anges under År."),
    )
    quarter = forms.ChoiceField(
        label=gettext_lazy("Kvartal"),
        choices=QUARTER_CHOICES,
        required=False,
        help_text=gettext_lazy("Året anges under År."),
    )
    month_from = forms.CharField(
        label=gettext_lazy("Från månad"),
        required=False,
        widget=MonthInput,
        help_text=gettext_lazy("ÅÅÅÅ-MM"),
    )
    month_to = forms.CharField(
        label=gettext_lazy("Till och med månad"),
        required=False,
        widget=MonthInput,
        help_text=gettext_lazy("ÅÅÅÅ-MM"),
    )
    date_from = forms.DateField(
        label=gettext_lazy("Från datum"), required=False, widget=DateInput()
    )
    date_to = forms.DateField(
        label=gettext_lazy("Till och med datum"), required=False, widget=DateInput()
    )
    levels = forms.MultipleChoiceField(
        label=gettext_lazy("Nivå"),
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("Flera nivåer visas sida vid sida (t.ex. förbund, län och riket)."),
    )
    associations = forms.MultipleChoiceField(
        label=gettext_lazy("Förbund"),
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("Inget val = alla förbund du får se rapporter för."),
    )
    split = forms.ChoiceField(
        label=gettext_lazy("Uppdelning"),
        choices=SPLIT_CHOICES,
        initial="sex",
        widget=forms.RadioSelect,
        required=False,
    )
    protected = forms.BooleanField(
        label=gettext_lazy("Visa skyddade tal (för publicering)"),
        required=False,
        help_text=gettext_lazy("Små tal döljs som i rapporter till andra."),
    )
    overdue_months = forms.IntegerField(
        label=gettext_lazy("Maxtid för inskrivning (månader)"),
        min_value=1,
        max_value=600,
        required=False,
        initial=DEFAULT_OVERDUE_MONTHS,
        help_text=gettext_lazy(
            "Datakvalitet: inskrivna längre än så räknas som troligen missat avslut."
        ),
    )

    signed_only = forms.BooleanField(
        label=gettext_lazy("Endast förbund som har undertecknat perioden"),
        required=False,
        help_text=gettext_lazy(
            "Läser och visar bara förbund som har undertecknat (låst) hela perioden."
        ),
    )

    def __init__(self, *args, user, report: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.report = report
        self.fields["levels"].choices = [
            (lvl, LEVEL_LABELS[lvl]) for lvl in runner.allowed_levels(user)
        ]
        self.fields["associations"].choices = [
            (a.code, a.name) for a in runner.reportable_associations(user)
        ]
        ids = [a.pk for a in runner.reportable_associations(user)]
        if not runner.may_see_unprotected(user, ids):
            del self.fields["protected"]
        spec = find_spec(report)
        if spec is None or not spec.split:
            del self.fields["split"]
        self.fields["year"].initial = timezone.localdate().year - 1
        self.fields["levels"].initial = ["association"]
        for name, field in self.fields.items():
            if name in ("year", "overdue_months"):
                field.error_messages["min_value"] = (
                    f"{field.label}: värdet måste vara minst {field.min_value}."
                )
                field.error_messages["max_value"] = (
                    f"{field.label}: värdet får vara högst {field.max_value}."
                )
            if isinstance(field, forms.MultipleChoiceField) or name in ("half", "quarter"):
                field.error_messages["invalid_choice"] = (
                    f"{field.label}: välj bland alternativen i listan (%(value)s finns inte)."
                )

    def clean(self):
        data = super().clean()
        kind = data.get("period_type") or "year"
        start = end = None
        if kind == "year":
            year = data.get("year")
            if year is None and "year" not in self.errors:
                self.add_error("year", gettext("År måste anges när perioden är ett kalenderår."))
            elif year is not None:
                start, end = date(year, 1, 1), date(year, 12, 31)
        elif kind in ("half", "quarter"):
            year = data.get("year")
            part = data.get(kind)
            label = "halvåret" if kind == "half" else "kvartalet"
            if year is None and "year" not in self.errors:
                self.add_error("year", f"År måste anges när perioden är ett {kind_label(kind)}.")
            if not part and kind not in self.errors:
                self.add_error(kind, f"{self.fields[kind].label}: välj {label}.")
            if year is not None and part:
                p = grid_period(year, kind, int(part))
                start, end = p.start, p.end
        elif kind == "months":
            try:
                if not data.get("month_from"):
                    raise forms.ValidationError(gettext("Från månad måste anges."))
                start = _month(data["month_from"], "Från månad")
            except forms.ValidationError as exc:
                self.add_error("month_from", exc)
            try:
                if not data.get("month_to"):
                    raise forms.ValidationError(gettext("Till och med månad måste anges."))
                last = _month(data["month_to"], "Till och med månad")
                nxt = date(last.year + (last.month == 12), last.month % 12 + 1, 1)
                end = date.fromordinal(nxt.toordinal() - 1)
            except forms.ValidationError as exc:
                self.add_error("month_to", exc)
        else:
            start, end = data.get("date_from"), data.get("date_to")
            if start is None and "date_from" not in self.errors:
                self.add_error("date_from", gettext("Från datum måste anges."))
            if end is None and "date_to" not in self.errors:
                self.add_error("date_to", gettext("Till och med datum måste anges."))
        data["start"], data["end"] = start, end
        return data

    def plan_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "levels": tuple(data.get("levels") or ("association",)),
            "association_codes": tuple(data.get("associations") or ()),
            "split": data.get("split") or "sex",
            "unprotected": False if data.get("protected") else None,
            "overdue_months": data.get("overdue_months") or DEFAULT_OVERDUE_MONTHS,
            "signed_only": bool(data.get("signed_only")),
        }
