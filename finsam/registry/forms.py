"""Web forms. They only parse and present: every rule lives in ``finsam.domain.registration`` and
is applied by the services; :func:`apply_problems` puts the services' Swedish messages back on the
fields, so the form keeps what the user typed.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext, gettext_lazy

from finsam.domain import codelists as cl
from finsam.registry.models import (
    Association,
    BoardMember,
    ExtraQuestion,
    Intervention,
    Member,
)
from finsam.ui.forms import DateInput, FinsamForm, swedish_messages

__all__ = ["DateInput", "FinsamForm", "swedish_messages"]  # the shared base, re-exported


def _blank(choices):
    return [("", gettext_lazy("– välj –")), *choices]


class ExtraQuestionsMixin:
    """Adds one field per association question (``q_<id>``) and collects the answers."""

    def add_questions(self, questions) -> None:
        self.questions = list(questions)
        for q in self.questions:
            name, label = f"q_{q.pk}", q.text
            if q.answer_type == "yes_no":
                field = forms.TypedChoiceField(
                    label=label,
                    required=False,
                    coerce=lambda v: v == "1",
                    empty_value=None,
                    choices=[
                        ("", gettext("– ej besvarad –")),
                        ("1", gettext("Ja")),
                        ("0", gettext("Nej")),
                    ],
                )
            elif q.answer_type == "single":
                field = forms.ChoiceField(
                    label=label, required=False, choices=_blank([(c, c) for c in q.choices])
                )
            elif q.answer_type == "multiple":
                field = forms.MultipleChoiceField(
                    label=label,
                    required=False,
                    choices=[(c, c) for c in q.choices],
                    widget=forms.CheckboxSelectMultiple,
                )
            elif q.answer_type == "number":
                field = forms.FloatField(label=label, required=False)
            else:
                field = forms.CharField(
                    label=label,
                    required=False,
                    max_length=1000,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
            field.help_text = gettext("Förbundets egen fråga.")
            self.fields[name] = swedish_messages(field)

    def answers(self) -> dict[int, object]:
        return {q.pk: self.cleaned_data.get(f"q_{q.pk}") for q in getattr(self, "questions", [])}


class AssociationForm(FinsamForm):
    code = forms.CharField(label=gettext_lazy("Kod"), max_length=40)
    name = forms.CharField(label=gettext_lazy("Namn"), max_length=200)
    org_number = forms.CharField(
        label=gettext_lazy("Organisationsnummer"),
        max_length=11,
        required=False,
        help_text=gettext_lazy("NNNNNN-NNNN"),
    )
    start_date = forms.DateField(label=gettext_lazy("Startdatum"), widget=DateInput())
    end_date = forms.DateField(
        label=gettext_lazy("Slutdatum"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy("Endast om förbundet har avvecklats."),
    )
    description = forms.CharField(
        label=gettext_lazy("Beskrivning och mål"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    address = forms.CharField(label=gettext_lazy("Adress"), required=False)
    contact_person = forms.CharField(label=gettext_lazy("Kontaktperson"), required=False)
    contact_email = forms.EmailField(label=gettext_lazy("E-post"), required=False)
    municipal_split = forms.ChoiceField(
        label=gettext_lazy("Fördelning av kommunernas andel"),
        choices=Association.MunicipalSplit.choices,
    )
    majority_rules = forms.CharField(
        label=gettext_lazy("Regler om kvalificerad majoritet"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MemberForm(FinsamForm):
    kind = forms.ChoiceField(label=gettext_lazy("Medlemstyp"), choices=_blank(Member.Kind.choices))
    organisation_code = forms.CharField(
        label=gettext_lazy("Organisationskod"),
        max_length=4,
        help_text=gettext_lazy(
            "Kommunkod (fyra siffror), länskod för region (två siffror), FK eller AF."
        ),
    )
    name = forms.CharField(label=gettext_lazy("Namn"), max_length=200)


class BoardMemberForm(FinsamForm):
    member = forms.ModelChoiceField(label=gettext_lazy("Utsedd av"), queryset=Member.objects.none())
    name = forms.CharField(label=gettext_lazy("Namn"), max_length=200)
    role = forms.ChoiceField(
        label=gettext_lazy("Uppdrag"), choices=_blank(BoardMember.Role.choices)
    )
    is_chair = forms.BooleanField(label=gettext_lazy("Ordförande"), required=False)
    period_start = forms.DateField(label=gettext_lazy("Mandatperiod från"), widget=DateInput())
    period_end = forms.DateField(
        label=gettext_lazy("Mandatperiod till"), required=False, widget=DateInput()
    )

    def __init__(self, *args, association: Association, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = association.members.all()
        self.fields["member"].error_messages["invalid_choice"] = (
            "Utsedd av: välj en av förbundets medlemmar."
        )


class AreaForm(FinsamForm):
    municipality = forms.CharField(
        label=gettext_lazy("Kommunkod"),
        max_length=4,
        help_text=gettext_lazy("Fyra siffror, t.ex. 0183 för Sundbyberg."),
    )
    valid_from = forms.DateField(label=gettext_lazy("Giltig från"), widget=DateInput())
    valid_to = forms.DateField(
        label=gettext_lazy("Giltig till"), required=False, widget=DateInput()
    )


class ExtraQuestionForm(FinsamForm):
    text = forms.CharField(label=gettext_lazy("Fråga"), max_length=300)
    answer_type = forms.ChoiceField(
        label=gettext_lazy("Svarstyp"), choices=_blank(ExtraQuestion.AnswerType.choices)
    )
    choices = forms.CharField(
        label=gettext_lazy("Svarsalternativ"),
        required=False,
        help_text=gettext_lazy("Ett per rad, för ett eller flera val."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    phase = forms.ChoiceField(
        label=gettext_lazy("Ställs"), choices=_blank(ExtraQuestion.Phase.choices)
    )
    order = forms.IntegerField(label=gettext_lazy("Ordning"), min_value=0, initial=0)
    valid_from = forms.DateField(label=gettext_lazy("Giltig från"), widget=DateInput())
    valid_to = forms.DateField(
        label=gettext_lazy("Giltig till"), required=False, widget=DateInput()
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("answer_type") in ("single", "multiple")
            and not (data.get("choices") or "").strip()
        ):
            self.add_error("choices", gettext("Svarsalternativ måste anges för frågor med val."))
        return data


class InterventionForm(FinsamForm):
    code = forms.CharField(label=gettext_lazy("Kod"), max_length=40)
    name = forms.CharField(label=gettext_lazy("Namn"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Beskrivning"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    start_date = forms.DateField(label=gettext_lazy("Startdatum"), widget=DateInput())
    end_date = forms.DateField(label=gettext_lazy("Slutdatum"), required=False, widget=DateInput())
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=Intervention.Status.choices)
    orientation = forms.ChoiceField(
        label=gettext_lazy("Inriktning"),
        choices=_blank(Intervention.Orientation.choices),
        help_text=gettext_lazy("En insats med båda delarna registreras som två."),
    )
    registration = forms.ChoiceField(
        label=gettext_lazy("Registreringssätt"),
        choices=_blank(Intervention.Registration.choices),
        help_text=gettext_lazy("Strukturövergripande insatser registreras normalt med volym."),
    )
    providers = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Anordnare"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    partner_organisations = forms.CharField(
        label=gettext_lazy("Samarbetspartner"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    target_groups = forms.MultipleChoiceField(
        label=gettext_lazy("Målgrupper"),
        required=False,
        choices=cl.TARGET_GROUP.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    esf = forms.BooleanField(label=gettext_lazy("ESF-medfinansierad"), required=False)
    planned_participants = forms.IntegerField(
        label=gettext_lazy("Planerat antal deltagare per år"), required=False, min_value=0
    )

    def __init__(self, *args, association: Association, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["providers"].queryset = association.members.all()


def SUPPORT_BEFORE_CHOICES():
    return [
        (c.code, cl.display_label(c))
        for c in cl.SUPPORT.codes
        if c.code not in cl.SUPPORT_ONLY_AFTER
    ]


class EnrolmentDataForm(FinsamForm):
    """The enrolment data shared by enrolment and correction."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from finsam.geo.models import District

        self.fields["district"].choices = _blank(
            [
                (d.code, f"{d.municipality.name}: {d.name}")
                for d in District.objects.select_related("municipality")
            ]
        )

    home_municipality = forms.CharField(label=gettext_lazy("Hemkommun (kommunkod)"), max_length=4)
    district = forms.ChoiceField(
        label=gettext_lazy("Stadsdel"),
        required=False,
        choices=(),
        help_text=gettext_lazy("Endast för Stockholm och Göteborg."),
    )
    start_date = forms.DateField(label=gettext_lazy("Startdatum"), widget=DateInput())
    support_before = forms.MultipleChoiceField(
        label=gettext_lazy("Försörjning före"),
        required=False,
        choices=SUPPORT_BEFORE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Flera kan gälla samtidigt."),
    )
    occupation_before = forms.ChoiceField(
        label=gettext_lazy("Sysselsättning före"),
        required=False,
        choices=lambda: _blank(cl.OCCUPATION.choices()),
    )
    time_on_support = forms.ChoiceField(
        label=gettext_lazy("Tid i offentlig försörjning före start"),
        required=False,
        choices=lambda: _blank(cl.TIME_ON_SUPPORT.choices()),
    )
    education = forms.ChoiceField(
        label=gettext_lazy("Högsta avslutade utbildning"),
        required=False,
        choices=lambda: _blank(cl.EDUCATION.choices()),
    )
    work_hours_before = forms.FloatField(
        label=gettext_lazy("Arbete före, timmar per vecka"), required=False, min_value=0
    )
    study_hours_before = forms.FloatField(
        label=gettext_lazy("Studier före, timmar per vecka"), required=False, min_value=0
    )


class EnrolmentForm(ExtraQuestionsMixin, EnrolmentDataForm):
    field_order = [
        "identity_level",
        "personal_number",
        "name",
        "consent_date",
        "consent_form_version",
        "protected_identity",
        "sex",
        "birth_year",
    ]

    identity_level = forms.ChoiceField(
        label=gettext_lazy("Registrering"),
        widget=forms.RadioSelect,
        choices=[
            ("identified", gettext_lazy("Identifierad – deltagaren har lämnat samtycke")),
            ("anonymous", gettext_lazy("Anonym – utan samtycke eller med skyddad identitet")),
        ],
    )
    personal_number = forms.CharField(
        label=gettext_lazy("Personnummer eller samordningsnummer"),
        required=False,
        max_length=13,
        help_text=gettext_lazy("ÅÅÅÅMMDD-NNNN. Lagras aldrig i klartext."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    name = forms.CharField(
        label=gettext_lazy("Namn"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Frivilligt. Lagras krypterat."),
    )
    consent_date = forms.DateField(
        label=gettext_lazy("Samtycke lämnat"), required=False, widget=DateInput()
    )
    consent_form_version = forms.CharField(
        label=gettext_lazy("Samtyckesblankett/version"), required=False, max_length=60
    )
    protected_identity = forms.BooleanField(
        label=gettext_lazy("Skyddade personuppgifter"),
        required=False,
        help_text=gettext_lazy("Personer med skyddad identitet registreras alltid anonymt."),
    )
    sex = forms.ChoiceField(
        label=gettext_lazy("Kön"),
        required=False,
        choices=lambda: _blank(cl.SEX.choices()),
        help_text=gettext_lazy("Anges vid anonym registrering; annars från personnumret."),
    )
    birth_year = forms.IntegerField(
        label=gettext_lazy("Födelseår"),
        required=False,
        min_value=1900,
        help_text=gettext_lazy("Anges vid anonym registrering."),
    )

    applies_control = "identity_level"
    """The radio group whose choice decides which of the fields below apply (``forms.js``)."""
    APPLIES = {
        "personal_number": ("identified", True),
        "name": ("identified", False),
        "consent_date": ("identified", True),
        "consent_form_version": ("identified", False),
        "protected_identity": ("anonymous", False),
        "sex": ("anonymous", True),
        "birth_year": ("anonymous", True),
    }
    APPLIES_LABELS = {
        "identified": "vid identifierad registrering",
        "anonymous": "vid anonym registrering",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (kind, required) in self.APPLIES.items():
            field = self.fields[name]
            field.applies_to = kind
            field.applies_label = self.APPLIES_LABELS[kind]
            if required:
                # Required for that kind only: marked, and announced, but not the HTML
                # ``required`` attribute (the other kind leaves it empty).
                field.required_when = kind
                field.widget.attrs["aria-required"] = "true"


class ExitForm(ExtraQuestionsMixin, FinsamForm):
    end_date = forms.DateField(label=gettext_lazy("Slutdatum"), widget=DateInput())
    exit_reason = forms.ChoiceField(
        label=gettext_lazy("Avslutningsanledning"),
        choices=lambda: _blank(
            [
                (c.code, cl.display_label(c))
                for c in cl.EXIT_REASON.codes
                if c.code != cl.EXIT_REGISTRATION_ERROR
            ]
        ),
        help_text=gettext_lazy("En felregistrering markeras via ”Rätta registrering”."),
    )
    support_after = forms.MultipleChoiceField(
        label=gettext_lazy("Försörjning efter"),
        required=False,
        choices=cl.SUPPORT.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Välj ”Uppgift saknas” om försörjningen efter inte är känd."),
    )
    occupation_after = forms.ChoiceField(
        label=gettext_lazy("Sysselsättning efter"),
        required=False,
        choices=lambda: _blank(cl.OCCUPATION.choices()),
    )
    work_hours = forms.FloatField(
        label=gettext_lazy("Arbete efter, timmar per vecka"),
        required=False,
        min_value=0,
        help_text=gettext_lazy("40 timmar = heltid."),
    )
    study_hours = forms.FloatField(
        label=gettext_lazy("Studier efter, timmar per vecka"), required=False, min_value=0
    )
    work_study_increased = forms.NullBooleanField(
        label=gettext_lazy("Fått eller ökat arbete/studier"),
        required=False,
        help_text=gettext_lazy("Räknas fram när omfattningen före och efter är känd."),
        widget=forms.Select(
            choices=[
                ("unknown", gettext_lazy("Okänt")),
                ("true", gettext_lazy("Ja")),
                ("false", gettext_lazy("Nej")),
            ]
        ),
    )


class CorrectionForm(EnrolmentDataForm):
    reason = forms.CharField(label=gettext_lazy("Skäl till rättelsen"), max_length=300)


class MarkErrorForm(FinsamForm):
    reason = forms.CharField(
        label=gettext_lazy("Varför är registreringen felaktig?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FollowUpForm(FinsamForm):
    months_after = forms.TypedChoiceField(
        label=gettext_lazy("Månader efter avslut"),
        coerce=int,
        choices=_blank([(m, f"{m} månader") for m in cl.FOLLOWUP_MONTHS]),
    )
    support = forms.MultipleChoiceField(
        label=gettext_lazy("Försörjning"),
        required=False,
        choices=cl.SUPPORT.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    occupation = forms.ChoiceField(
        label=gettext_lazy("Sysselsättning"),
        required=False,
        choices=lambda: _blank(cl.OCCUPATION.choices()),
    )
    work_hours = forms.FloatField(
        label=gettext_lazy("Arbete, timmar per vecka"), required=False, min_value=0
    )
    study_hours = forms.FloatField(
        label=gettext_lazy("Studier, timmar per vecka"), required=False, min_value=0
    )


class VolumeForm(FinsamForm):
    month = forms.DateField(
        label=gettext_lazy("Månad"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        help_text=gettext_lazy("ÅÅÅÅ-MM"),
    )
    women = forms.IntegerField(label=gettext_lazy("Kvinnor"), initial=0)
    men = forms.IntegerField(label=gettext_lazy("Män"), initial=0)
    other = forms.IntegerField(label=gettext_lazy("Annat/okänt kön"), initial=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].error_messages["invalid"] = "Månad: ange månaden som ÅÅÅÅ-MM."


class AssignForm(FinsamForm):
    user = forms.ModelChoiceField(label=gettext_lazy("Användare"), queryset=None)
    kind = forms.ChoiceField(
        label=gettext_lazy("Uppdrag"),
        choices=[
            ("handler", gettext_lazy("Deltagaransvarig")),
            ("manager", gettext_lazy("Insatsansvarig")),
        ],
    )

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users


class ConsentWithdrawForm(FinsamForm):
    withdrawn_date = forms.DateField(label=gettext_lazy("Samtycket återkallat"), widget=DateInput())


class RevealForm(FinsamForm):
    reason = forms.CharField(label=gettext_lazy("Skäl"), max_length=300, required=False)
