"""The base of every Finsam form: Swedish messages that name the field, the value limits of
``field_limits`` and the services' problems mapped back onto the fields, so the form keeps what
the user typed."""

from __future__ import annotations

from django import forms

from finsam.domain.problems import Problem
from finsam.ui import field_limits


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def swedish_messages(field: forms.Field) -> forms.Field:
    """Error messages that name the field and say what to do."""
    field.error_messages["required"] = f"{field.label} måste anges."
    if isinstance(field, forms.DateField):
        field.error_messages["invalid"] = f"{field.label}: ange ett datum som ÅÅÅÅ-MM-DD."
    if isinstance(field, forms.IntegerField | forms.FloatField | forms.DecimalField):
        field.error_messages["invalid"] = f"{field.label}: ange ett tal."
        field.error_messages["min_value"] = f"{field.label}: värdet får inte vara negativt."
    if isinstance(field, forms.ChoiceField):
        field.error_messages["invalid_choice"] = (
            f"{field.label}: välj ett av alternativen i listan."
        )
    return field


class FinsamForm(forms.Form):
    """Base form: Swedish required message, and problems from services mapped onto fields."""

    required_css_class = "required"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            swedish_messages(field)

    def full_clean(self):
        # database ranges, dates, codes, control characters – fields added after __init__ too
        field_limits.harden(self)
        field_limits.keep_omitted(self)  # a missing field keeps its stored value
        super().full_clean()

    def apply_problems(self, problems: list[Problem], field_map: dict[str, str] | None = None):
        field_map = field_map or {}
        for problem in problems:
            name = field_map.get(problem.field, problem.field)
            if name in self.fields:
                self.add_error(name, problem.message)
            else:
                self.add_error(None, problem.message)
