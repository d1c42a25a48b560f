"""Forms of the socio-economic pages. They parse and present; the rules are the core's
(``finsam.domain.socioeconomics``) and come back as problems via ``apply_problems``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext, gettext_lazy

from finsam.domain.socioeconomics.exclusion import EXCLUSION_ACTOR_LABELS, EXCLUSION_ACTORS
from finsam.domain.socioeconomics.needs import DEFAULT_SHARES, GROUP_LABELS, GROUPS
from finsam.registry.forms import DateInput, FinsamForm


def _percent(label: str, help_text: str, *, required=False, initial=None, max_value=100):
    return forms.FloatField(
        label=label,
        help_text=help_text,
        required=required,
        initial=initial,
        min_value=0,
        max_value=max_value,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


def _amount(label: str, help_text: str, *, required=False):
    return forms.FloatField(
        label=label,
        help_text=help_text,
        required=required,
        min_value=0,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


class PercentMessagesMixin:
    def _fix_messages(self):
        for field in self.fields.values():
            if isinstance(field, forms.FloatField | forms.IntegerField):
                field.error_messages["invalid"] = f"{field.label}: ange ett tal."
                # These messages are %-formatted with the limit, so escape the label's "%".
                label = str(field.label).replace("%", "%%")
                field.error_messages["min_value"] = f"{label}: värdet får inte vara negativt."
                if field.max_value is not None:
                    field.error_messages["max_value"] = (
                        f"{label}: värdet får vara högst {field.max_value:g}."
                    )


class ParameterUploadForm(FinsamForm):
    valid_year = forms.IntegerField(
        label=gettext_lazy("Gäller år"),
        min_value=2004,
        max_value=2100,
        help_text=gettext_lazy("Året tabellens belopp gäller för (t.ex. 2025)."),
    )
    file = forms.FileField(
        label=gettext_lazy("Parameterfil (CSV eller xlsx)"),
        help_text=gettext_lazy(
            "Kolumnerna item, actor, monthly_sek och gärna source, year, assumption, note. "
            "Hela filen kontrolleras först; innehåller den ett enda fel sparas ingenting."
        ),
    )
    source_notes = forms.CharField(
        label=gettext_lazy("Källor och kommentarer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Varifrån siffrorna kommer och vad som har ändrats mot förra versionen."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valid_year"].error_messages["max_value"] = "Gäller år: ange ett år 2004–2100."
        self.fields["valid_year"].error_messages["min_value"] = "Gäller år: ange ett år 2004–2100."


class PaybackForm(PercentMessagesMixin, FinsamForm):
    association = forms.ChoiceField(label=gettext_lazy("Förbund"))
    intervention = forms.ChoiceField(
        label=gettext_lazy("Insats"),
        required=False,
        help_text=gettext_lazy(
            "Lämna tomt för hela förbundet (alla insatser och hela insatskostnaden)."
        ),
    )
    date_from = forms.DateField(
        label=gettext_lazy("Från"),
        widget=DateInput(),
        help_text=gettext_lazy("Deltagare som avslutades från och med detta datum räknas."),
    )
    date_to = forms.DateField(
        label=gettext_lazy("Till"), widget=DateInput(), help_text=gettext_lazy("Till och med.")
    )
    persistence = _percent(
        "Varaktighet per år (%)",
        "Hur stor del av effekten som finns kvar varje nytt år. 100 = effekten håller i sig.",
        initial=100,
    )
    discount_rate = _percent(
        "Diskonteringsränta (%)",
        "Hur mycket framtida vinster räknas ned per år. 0 = ingen diskontering.",
        initial=0,
    )
    state_split = forms.ChoiceField(
        label=gettext_lazy("Statens hälft av finansieringen"),
        choices=[
            ("25/25", gettext_lazy("FK 25 % och AF 25 %")),
            ("50/0", gettext_lazy("FK 50 % och AF 0 %")),
        ],
        initial="25/25",
        help_text=gettext_lazy(
            "Hur statens 50 % av insatskostnaden delas mellan Försäkringskassan och "
            "Arbetsförmedlingen."
        ),
    )

    def __init__(self, *args, associations, interventions, **kwargs):
        super().__init__(*args, **kwargs)
        associations = list(associations)
        self.fields["association"].choices = [("", "– välj –")] + [
            (str(a.pk), f"{a.name} ({a.code})") for a in associations
        ]
        if len(associations) == 1:
            self.fields["association"].initial = str(associations[0].pk)
        self.fields["intervention"].choices = [("", "Hela förbundet")] + [
            (str(i.pk), f"{i.name} ({i.code}) – {i.association.code}") for i in interventions
        ]
        self._fix_messages()


class ExclusionForm(PercentMessagesMixin, FinsamForm):
    annual_cost = _amount(
        "Årskostnad för utanförskap per person (kr)",
        "Vad en person i utanförskap kostar samhället per år: försörjningsstöd, ersättningar, "
        "vård, förlorad produktion och skatt. Exempel: 350 000 kr.",
        required=True,
    )
    intervention_cost = _amount(
        "Insatskostnad per deltagare (kr)",
        "Vad insatsen kostar för en deltagare. Exempel: 500 000 kr.",
        required=True,
    )
    horizon_years = forms.IntegerField(
        label=gettext_lazy("Tidshorisont (år)"),
        min_value=1,
        max_value=60,
        initial=5,
        required=False,
        help_text=gettext_lazy(
            "Hur många år framåt besparingen räknas. Vanligt är 5 år; lämnas fältet tomt "
            "räknas 5 år."
        ),
    )
    success_rate = _percent(
        "Andel som lyckas (%)",
        "Hur stor del av deltagarna som lämnar utanförskapet. Lämna tomt om ni inte vet – "
        "då visas bara hur många som behöver lyckas.",
    )
    persistence = _percent(
        "Varaktighet per år (%)",
        "Hur stor del av effekten som finns kvar varje nytt år. 100 = personen stannar kvar i "
        "arbete eller studier.",
        initial=100,
    )
    discount_rate = _percent(
        "Diskonteringsränta (%)",
        "Hur mycket framtida besparingar räknas ned per år. 0 = ingen nedräkning.",
        initial=0,
        max_value=99,
    )
    lifetime_cost = _amount(
        "Livstidskostnad per person (kr), valfritt",
        "Om ni vill räkna på ett helt liv i utanförskap (20–65 år). Ersätter besparingen över "
        "tidshorisonten. Exempel: 15 000 000 kr.",
    )
    people = _amount(
        "Antal personer i utanförskap, valfritt",
        "För att räkna ut vad utanförskapet kostar totalt per år.",
    )
    inhabitants = _amount(
        "Antal invånare i området, valfritt", "För att räkna ut kostnaden per invånare."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for actor in EXCLUSION_ACTORS:
            self.fields[f"share_{actor}"] = _percent(
                f"{EXCLUSION_ACTOR_LABELS[actor]} (%)",
                "",
            )
        self._fix_messages()
        self.fields["horizon_years"].error_messages["min_value"] = (
            "Tidshorisont (år): ange minst 1 år."
        )

    share_help = (
        "Välfärdskakan: hur stor del av kostnaden för utanförskapet varje aktör bär. "
        "Andelarna ska tillsammans bli 100 %. Lämna alla tomma om ni inte vill dela upp."
    )

    @property
    def main_fields(self):
        return [f for f in self if not f.name.startswith("share_")]

    @property
    def share_fields(self):
        return [f for f in self if f.name.startswith("share_")]

    def actor_shares(self) -> dict[str, float] | None:
        data = self.cleaned_data
        shares = {
            actor: data[f"share_{actor}"] / 100
            for actor in EXCLUSION_ACTORS
            if data.get(f"share_{actor}") not in (None, 0)
        }
        return shares or None


class NeedsUploadForm(FinsamForm):
    file = forms.FileField(
        label=gettext_lazy("Registerantal (CSV eller xlsx)"),
        help_text="Kolumnerna municipality_code, group, count – en rad per kommun och grupp. "
        f"Grupper: {', '.join(GROUPS)}. Hela filen kontrolleras; vid fel sparas ingenting.",
    )


class NeedsSharesForm(FinsamForm):
    def __init__(self, *args, current: dict[str, float] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        current = current or DEFAULT_SHARES
        for group in GROUPS:
            self.fields[f"share_{group}"] = forms.FloatField(
                label=gettext("%(GROUP_LABELS)s (%(group)s), %% i behov")
                % {"GROUP_LABELS": GROUP_LABELS[group], "group": group},
                initial=round(current.get(group, DEFAULT_SHARES[group]) * 100, 4),
                help_text=f"Standard enligt den nationella uppskattningen 2016: "
                f"{DEFAULT_SHARES[group] * 100:g} %.",
                widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            )
        # Re-run the base class's Swedish messages for the fields added here.
        for field in self.fields.values():
            field.error_messages["required"] = f"{field.label} måste anges."
            field.error_messages["invalid"] = f"{field.label}: ange ett tal."
