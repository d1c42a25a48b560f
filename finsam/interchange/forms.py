"""The upload form of the web import (parse and present only)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext, gettext_lazy

from finsam.access.permissions import association_filter
from finsam.domain.access import Action
from finsam.interchange.formats import FORMATS
from finsam.registry.forms import FinsamForm
from finsam.registry.models import Association

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class ImportForm(FinsamForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("Vad innehåller filen?"),
        choices=[("", "– välj –")] + [(k, f.label) for k, f in FORMATS.items()],
    )
    association = forms.ModelChoiceField(
        label=gettext_lazy("Förbund"),
        queryset=Association.objects.none(),
        empty_label=gettext_lazy("– välj –"),
        help_text=gettext_lazy("Alla rader i filen måste höra till förbundet."),
    )
    file = forms.FileField(
        label=gettext_lazy("Fil (CSV eller xlsx)"),
        help_text=gettext_lazy(
            "Kolumnerna enligt Finsams filformat. CSV ska vara UTF-8 "
            "med komma eller semikolon; i xlsx läses det första bladet."
        ),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["association"].queryset = Association.objects.filter(
            association_filter(user, Action.IMPORT_DATA)
        ).order_by("name")
        self.fields["association"].error_messages["invalid_choice"] = (
            "Förbund: välj ett förbund du får importera till."
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not (name.endswith(".csv") or name.endswith(".xlsx") or name.endswith(".txt")):
            raise forms.ValidationError(gettext("Fil: välj en CSV- eller xlsx-fil."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                gettext("Fil: filen är större än 200 MB; använd kommandot finsam import.")
            )
        return upload


class ExportForm(FinsamForm):
    """A registry export from the web (pseudonymised; with identity numbers only through
    ``finsam export --with-identity``)."""

    kind = forms.ChoiceField(
        label="Vad ska exporteras?",
        choices=[("", "– välj –")] + [(k, f.label) for k, f in FORMATS.items()],
    )
    association = forms.ModelChoiceField(
        label="Förbund",
        queryset=Association.objects.none(),
        required=False,
        empty_label="– alla förbund du får se –",
    )
    file_format = forms.ChoiceField(
        label="Filformat",
        choices=[("csv", "CSV (UTF-8)"), ("xlsx", "Excel (xlsx)")],
        initial="csv",
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["association"].queryset = Association.objects.filter(
            association_filter(user, Action.VIEW_ASSOCIATION)
        ).order_by("name")
        self.fields["association"].error_messages["invalid_choice"] = (
            "Förbund: välj ett förbund du får se."
        )
