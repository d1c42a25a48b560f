"""Forms of the evaluation pages. They parse and present; the estimator checks the data."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.utils.translation import gettext, gettext_lazy

from finsam.domain.problems import DomainValidationError
from finsam.evaluation.isf import JOIN, UNIT
from finsam.evaluation.run import (
    BASE_PERIOD_CHOICES,
    CONTROL_CHOICES,
    DEFAULT_BOOTSTRAP,
    METHOD_CHOICES,
    TABLE_SUFFIXES,
    read_table,
)
from finsam.evaluation.web.uploads import MAX_BYTES
from finsam.registry.forms import FinsamForm, swedish_messages

MAX_BOOTSTRAP = 100_000
DEFAULT_SEED = 20_240_601


def _read_upload(form: forms.Form, name: str, text_columns=()):
    """Read the uploaded file of field ``name``; put a Swedish error on the field if unreadable.

    Returns ``(bytes, DataFrame)`` or ``None``.
    """
    upload = form.cleaned_data.get(name)
    if upload is None:
        return None
    label = form.fields[name].label
    if upload.size > MAX_BYTES:
        form.add_error(
            name,
            gettext("%(label)s: filen får vara högst %(MAX_BYTES)s MB.")
            % {"label": label, "MAX_BYTES": MAX_BYTES // (1024 * 1024)},
        )
        return None
    if Path(upload.name).suffix.lower() not in TABLE_SUFFIXES:
        form.add_error(
            name,
            gettext("%(label)s: filen måste vara en CSV-fil (.csv) eller en Excel-fil (.xlsx).")
            % {"label": label},
        )
        return None
    content = upload.read()
    try:
        frame = read_table(_Bytes(content), upload.name, text_columns=text_columns)
    except DomainValidationError as error:
        form.add_error(name, gettext("%(label)s: %(error)s") % {"label": label, "error": error})
        return None
    return content, frame


class _Bytes:
    def __init__(self, content: bytes):
        self.content = content

    def read(self) -> bytes:
        return self.content


class PanelUploadForm(FinsamForm):
    data = forms.FileField(
        label=gettext_lazy("Panelfil"),
        help_text=gettext_lazy(
            "CSV (komma eller semikolon, UTF-8) eller xlsx med en rad per enhet och period "
            "och en rubrikrad."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        read = _read_upload(self, "data")
        if read is not None:
            self.content, self.frame = read
        return cleaned


class IsfUploadForm(FinsamForm):
    data = forms.FileField(
        label=gettext_lazy("Fil med antal per kommun och år"),
        help_text=gettext_lazy(
            "CSV eller xlsx med kolumnerna municipality, year, join_year (eller en separat "
            "fil med inträdesår), pop_<grupp> och <utfall>_<grupp> (se hjälptexten nedan)."
        ),
    )
    join_years = forms.FileField(
        label=gettext_lazy("Fil med inträdesår (valfri)"),
        required=False,
        help_text=gettext_lazy(
            "CSV eller xlsx med kolumnerna municipality och join_year (tom eller 0 = aldrig "
            "med). Behövs bara om datafilen saknar join_year."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        self.files_read = {}
        for name in ("data", "join_years"):
            read = _read_upload(self, name, text_columns=(UNIT,))
            if read is not None:
                self.files_read[name] = read
        data = self.files_read.get("data")
        if data is not None:
            missing = [c for c in (UNIT, "year") if c not in data[1].columns]
            if missing:
                self.add_error(
                    "data",
                    gettext("%(label)s: kolumnen %(join)s saknas.")
                    % {"label": self.fields["data"].label, "join": ", ".join(missing)},
                )
            elif (
                JOIN not in data[1].columns
                and "join_years" not in self.files_read
                and not self.has_error("join_years")
            ):
                self.add_error(
                    "join_years",
                    gettext(
                        "%(label)s: datafilen saknar kolumnen %(JOIN)s, så ange "
                        "en fil med inträdesår."
                    )
                    % {"label": self.fields["join_years"].label, "JOIN": JOIN},
                )
        joins = self.files_read.get("join_years")
        if joins is not None:
            missing = [c for c in (UNIT, JOIN) if c not in joins[1].columns]
            if missing:
                self.add_error(
                    "join_years",
                    gettext("%(label)s: kolumnen %(join)s saknas.")
                    % {"label": self.fields["join_years"].label, "join": ", ".join(missing)},
                )
        return cleaned


class _OptionsMixin:
    def add_options(self, *, control_default: str, bootstrap_minimum: int) -> None:
        self.fields["control"] = forms.ChoiceField(
            label=gettext("Jämförelsegrupp"),
            choices=list(CONTROL_CHOICES.items()),
            initial=control_default,
            widget=forms.RadioSelect,
        )
        self.fields["method"] = forms.ChoiceField(
            label=gettext("Skattningsmetod"),
            choices=list(METHOD_CHOICES.items()),
            initial="dr",
            help_text=gettext("Utan kovariater ger de tre metoderna samma skattningar."),
        )
        self.fields["base_period"] = forms.ChoiceField(
            label=gettext("Basperiod"), choices=list(BASE_PERIOD_CHOICES.items()), initial="varying"
        )
        self.fields["anticipation"] = forms.IntegerField(
            label=gettext("Förväntanseffekt (antal perioder)"), min_value=0, max_value=20, initial=0
        )
        self.fields["bootstrap"] = forms.IntegerField(
            label=gettext("Bootstrap-dragningar"),
            min_value=bootstrap_minimum,
            max_value=MAX_BOOTSTRAP,
            initial=DEFAULT_BOOTSTRAP,
            help_text=(
                "0 = analytiska standardfel för ATT(g,t)."
                if bootstrap_minimum == 0
                else "Antal dragningar i multiplikator-bootstrap."
            ),
        )
        self.fields["seed"] = forms.IntegerField(
            label=gettext("Slumpfrö"),
            min_value=0,
            max_value=2**63 - 1,
            required=False,
            initial=DEFAULT_SEED,
            help_text=gettext("Samma frö ger samma standardfel. Tomt: ett frö dras och visas."),
        )
        for name in ("control", "method", "base_period", "anticipation", "bootstrap", "seed"):
            swedish_messages(self.fields[name])
        self.fields["anticipation"].error_messages["max_value"] = (
            "Förväntanseffekt: ange högst 20 perioder."
        )
        self.fields["bootstrap"].error_messages["min_value"] = (
            f"Bootstrap-dragningar: ange minst {bootstrap_minimum}."
        )
        self.fields["bootstrap"].error_messages["max_value"] = (
            f"Bootstrap-dragningar: ange högst {MAX_BOOTSTRAP}."
        )


ROLE_FIELDS = {
    "unit": "Enhet (id-kolumn)",
    "time": "Period (tidskolumn)",
    "group": "Första behandlade period (grupp)",
    "outcome": "Utfall",
}


_GUESSES = {
    "unit": ("municipality", "kommun", "kommunkod", "unit", "id", "enhet", "countyreal"),
    "time": ("year", "år", "ar", "period", "time", "tid"),
    "group": ("join_year", "first.treat", "first_treat", "inträdesår", "cohort", "group", "g"),
}


def guess_columns(columns) -> dict[str, str]:
    """Preselect unit, period and group when the file uses a common name for them."""
    by_name = {str(c).strip().lower(): c for c in columns}
    guess = {}
    for field, names in _GUESSES.items():
        found = next((by_name[n] for n in names if n in by_name), None)
        if found is not None and found not in guess.values():
            guess[field] = found
    return guess


class DidForm(_OptionsMixin, FinsamForm):
    """Columns and options of a DiD run; the columns are those of the uploaded file."""

    def __init__(self, *args, columns: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(c, c) for c in columns]
        for name, label in ROLE_FIELDS.items():
            self.fields[name] = swedish_messages(
                forms.ChoiceField(label=label, choices=[("", gettext("– välj kolumn –")), *choices])
            )
        self.fields["group"].help_text = gettext("0 eller tom = aldrig behandlad.")
        self.fields["covariates"] = swedish_messages(
            forms.MultipleChoiceField(
                label=gettext("Kovariater (valfria)"),
                choices=choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text=gettext("Tas från den tidigare av cellens två perioder."),
            )
        )
        self.add_options(control_default="never", bootstrap_minimum=0)

    def clean(self):
        cleaned = super().clean()
        chosen: dict[str, str] = {}
        for name, label in ROLE_FIELDS.items():
            column = cleaned.get(name)
            if not column:
                continue
            if column in chosen:
                self.add_error(
                    name,
                    gettext(
                        "%(label)s: kolumnen '%(column)s' är redan vald som "
                        "%(lower)s; välj en annan kolumn."
                    )
                    % {
                        "label": label,
                        "column": column,
                        "lower": ROLE_FIELDS[chosen[column]].lower(),
                    },
                )
            else:
                chosen[column] = name
        overlap = [c for c in cleaned.get("covariates", []) if c in chosen]
        if overlap:
            self.add_error(
                "covariates",
                gettext(
                    "Kovariater: kolumnen %(join)s är redan vald som enhet, "
                    "period, grupp eller utfall."
                )
                % {"join": ", ".join(overlap)},
            )
        return cleaned

    def field_map(self) -> dict[str, str]:
        """Problem field (column or option name) → form field, for ``apply_problems``."""
        data = self.cleaned_data
        mapping = dict.fromkeys(data.get("covariates", []), "covariates")
        mapping.update({data[name]: name for name in ROLE_FIELDS if data.get(name)})
        if data.get("unit") and data.get("time"):
            mapping[f"{data['unit']}, {data['time']}"] = "unit"  # a unit twice in one period
        mapping.update(
            control_group="control",
            est_method="method",
            biters="bootstrap",
            xformla="covariates",
        )
        return mapping


class IsfForm(_OptionsMixin, FinsamForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_options(control_default="notyet", bootstrap_minimum=1)

    def field_map(self) -> dict[str, str]:
        return {"control_group": "control", "est_method": "method", "biters": "bootstrap"}
