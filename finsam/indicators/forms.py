"""Forms of the indicators app: they parse and present; the rules are in the core, applied by
the services, whose problems come back onto the fields (``FinsamForm.apply_problems``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext, gettext_lazy

from finsam.domain.indicators import definitions as core
from finsam.domain.indicators.answers import CANNOT_JUDGE
from finsam.domain.indicators.collection import MAX_TOKENS_PER_BATCH
from finsam.registry.forms import DateInput, FinsamForm, swedish_messages

SCALE_FIELDS = {
    "minimum": "scale_min",
    "maximum": "scale_max",
    "scale": "scale_max",
    "scale_labels": "scale_labels",
    "top_categories": "top_categories",
    "cannot_judge_label": "cannot_judge_label",
}


class IndicatorForm(FinsamForm):
    number = forms.IntegerField(label=gettext_lazy("Nummer"), min_value=1, max_value=999)
    name = forms.CharField(label=gettext_lazy("Namn"), max_length=200)
    perspective = forms.CharField(
        label=gettext_lazy("Perspektiv"),
        max_length=100,
        help_text=gettext_lazy("T.ex. Deltagare, Organisation eller Styrning."),
    )
    description = forms.CharField(
        label=gettext_lazy("Beskrivning"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class QuestionnaireForm(FinsamForm):
    respondent_group = forms.ChoiceField(
        label=gettext_lazy("Svarandegrupp"),
        choices=[("", gettext_lazy("– välj –")), *core.RESPONDENT_GROUPS.items()],
    )
    title = forms.CharField(label=gettext_lazy("Rubrik"), max_length=200)
    scale_min = forms.IntegerField(label=gettext_lazy("Skalans lägsta värde"), initial=1)
    scale_max = forms.IntegerField(label=gettext_lazy("Skalans högsta värde"), initial=6)
    scale_labels = forms.CharField(
        label=gettext_lazy("Skalans etiketter"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("En etikett per rad, från lägsta till högsta värdet."),
        initial="\n".join(
            [
                "Stämmer inte alls",
                "Stämmer ganska dåligt",
                "Stämmer delvis",
                "Stämmer ganska bra",
                "Stämmer mycket bra",
                "Stämmer helt",
            ]
        ),
    )
    top_categories = forms.IntegerField(
        label=gettext_lazy("Antal toppkategorier"),
        initial=2,
        min_value=1,
        help_text=gettext_lazy(
            "Hur många av de högsta svarsalternativen som räknas som ”topp” i resultaten."
        ),
    )
    cannot_judge_label = forms.CharField(
        label=gettext_lazy("Text för ”kan inte bedöma”"),
        max_length=60,
        initial=core.CANNOT_JUDGE_LABEL,
    )
    note = forms.CharField(
        label=gettext_lazy("Anmärkning"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["respondent_group"]

    def scale(self) -> core.Scale:
        d = self.cleaned_data
        return core.Scale(
            minimum=d["scale_min"],
            maximum=d["scale_max"],
            labels=tuple(line.strip() for line in d["scale_labels"].splitlines() if line.strip()),
            top_categories=d["top_categories"],
            cannot_judge_label=d["cannot_judge_label"].strip(),
        )


class ItemForm(FinsamForm):
    code = forms.CharField(
        label=gettext_lazy("Frågekod"),
        max_length=20,
        help_text=gettext_lazy("T.ex. D1. Unik i versionen."),
    )
    position = forms.IntegerField(label=gettext_lazy("Ordning"), min_value=1, max_value=999)
    text = forms.CharField(
        label=gettext_lazy("Påstående"),
        max_length=core.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    indicator = forms.TypedChoiceField(label=gettext_lazy("Indikator"), coerce=int)

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", "– välj –")] + [
            (i.number, str(i)) for i in indicators
        ]
        swedish_messages(self.fields["indicator"])


class DefinitionsImportForm(FinsamForm):
    file = forms.FileField(
        label=gettext_lazy("Fil med enkätdefinitioner"),
        help_text=gettext_lazy("JSON (finsam-indicators) eller CSV med en rad per påstående."),
    )


class AnswersImportForm(FinsamForm):
    file = forms.FileField(
        label=gettext_lazy("Fil med svar"),
        help_text=gettext_lazy(
            "CSV i UTF-8 eller xlsx: en rad per enkät, en kolumn per frågekod; värdet är "
            "svaret, kb för ”kan inte bedöma” eller tomt."
        ),
    )


class RoundForm(FinsamForm):
    association = forms.TypedChoiceField(label=gettext_lazy("Förbund"), coerce=int)
    intervention = forms.TypedChoiceField(
        label=gettext_lazy("Insats"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=gettext_lazy("Valfritt: lämna tomt om enkäten gäller hela förbundet."),
    )
    questionnaire = forms.TypedChoiceField(
        label=gettext_lazy("Svarandegrupp och enkätversion"), coerce=int
    )
    period_start = forms.DateField(label=gettext_lazy("Perioden börjar"), widget=DateInput())
    period_end = forms.DateField(label=gettext_lazy("Perioden slutar"), widget=DateInput())
    name = forms.CharField(
        label=gettext_lazy("Benämning"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("T.ex. ”Våren 2026”."),
    )

    def __init__(self, *args, associations=(), interventions=(), versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["association"].choices = [(a.pk, a.name) for a in associations]
        self.fields["intervention"].choices = [("", "– hela förbundet –")] + [
            (i.pk, f"{i.association.name}: {i.name}") for i in interventions
        ]
        self.fields["questionnaire"].choices = [("", "– välj –")] + [
            (
                v.pk,
                f"{v.group_label} – version {v.version}"
                + (" (startuppsättning)" if v.starter else ""),
            )
            for v in versions
        ]
        for name in ("association", "intervention", "questionnaire"):
            swedish_messages(self.fields[name])


class TokenForm(FinsamForm):
    count = forms.IntegerField(
        label=gettext_lazy("Antal engångslänkar"),
        min_value=1,
        max_value=MAX_TOKENS_PER_BATCH,
        initial=20,
        help_text=f"1–{MAX_TOKENS_PER_BATCH}. Länkarna visas bara en gång.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["count"]
        field.error_messages["min_value"] = f"Antal engångslänkar: ange 1–{MAX_TOKENS_PER_BATCH}."
        field.error_messages["max_value"] = f"Antal engångslänkar: ange 1–{MAX_TOKENS_PER_BATCH}."


def field_name(code: str) -> str:
    return f"q_{code}"


class AnswersForm(forms.Form):
    """One radio group per statement (fieldset + legend), all optional; "kan inte bedöma" last."""

    def __init__(self, *args, questionnaire: core.QuestionnaireDef, **kwargs):
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        scale = questionnaire.scale
        choices = [(str(p), f"{p} – {scale.label_of(p)}") for p in scale.points]
        choices.append((CANNOT_JUDGE, scale.cannot_judge_label))
        for item in sorted(questionnaire.items, key=lambda i: i.position):
            self.fields[field_name(item.code)] = forms.ChoiceField(
                label=gettext("%(position)s. %(text)s")
                % {"position": item.position, "text": item.text},
                choices=choices,
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[field_name(item.code)].error_messages["invalid_choice"] = (
                f"Påstående {item.position}: välj ett av svarsalternativen."
            )

    def raw_answers(self) -> dict[str, str]:
        return {
            item.code: self.cleaned_data.get(field_name(item.code)) or ""
            for item in self.questionnaire.items
        }

    def apply_problems(self, problems) -> None:
        for problem in problems:
            name = field_name(problem.field)
            self.add_error(name if name in self.fields else None, problem.message)
