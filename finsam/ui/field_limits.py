"""Every form field keeps the limits of ``finsam.domain.inputs`` (issue 14 item 8).

:func:`harden` is called by ``FinsamForm.__init__`` (and the public questionnaire form), so each
form gets, without code of its own:

* numbers inside the range of the database column they are stored in – the column of the same
  name on a model in the form's ``limits_from``; otherwise the widest column Finsam has (32-bit
  integers; amounts ±10^15); a year field (``year``, ``…_year``) 1900–2100;
* dates between 1900-01-01 and 2100-12-31;
* codes (``code``, ``…_code``) in the safe character set; one-line text without control or
  invisible characters; text areas the same except line breaks.

A value outside gets a Swedish message naming the field and the rule, never an ``OverflowError``
or a database error.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations

from finsam.domain import inputs

YEAR_MIN, YEAR_MAX = 1900, 2100
LINE_MAX = 1_000
"""A one-line text field no model column bounds (search boxes, filters, free answers)."""
TEXT_AREA_MAX = 20_000


class _Check:
    """A Django validator around a domain check (deconstructible is not needed: forms only)."""

    def __init__(self, check, name: str, label: str, **kwargs):
        self.check, self.name, self.label, self.kwargs = check, name, label, kwargs

    def __call__(self, value) -> None:
        problem = self.check(self.name, self.label, value, **self.kwargs)
        if problem is not None:
            raise ValidationError(problem.message, code=problem.rule)


def model_range(field: models.Field) -> tuple[object, object] | None:
    """The values the column can hold (the same on SQLite and PostgreSQL: PostgreSQL's)."""
    if isinstance(field, models.DecimalField):
        top = Decimal(10) ** (field.max_digits - field.decimal_places) - Decimal(1).scaleb(
            -field.decimal_places
        )
        return -top, top
    if isinstance(field, models.IntegerField | models.BigIntegerField):
        return BaseDatabaseOperations.integer_field_ranges.get(field.get_internal_type())
    return None


LIMITS_FROM: dict[str, tuple[str, ...]] = {
    "AssociationForm": ("registry.Association",),
    "MemberForm": ("registry.Member",),
    "BoardMemberForm": ("registry.BoardMember",),
    "ExtraQuestionForm": ("registry.ExtraQuestion",),
    "InterventionForm": ("registry.Intervention",),
    "EnrolmentDataForm": ("registry.Episode", "registry.Participant"),
    "ExitForm": ("registry.Episode",),
    "FollowUpForm": ("registry.FollowUp",),
    "VolumeForm": ("registry.VolumeCount",),
    "AssociationYearForm": ("finance.AssociationYear",),
    "NewYearForm": ("finance.AssociationYear",),
    "BudgetLineForm": ("finance.BudgetLine",),
    "IndicatorForm": ("indicators.Indicator",),
    "QuestionnaireForm": ("indicators.QuestionnaireVersion",),
    "ItemForm": ("indicators.Item",),
    "RoundForm": ("indicators.CollectionRound",),
    "DeviationForm": ("deviations.DeviationReport",),
    "ActionForm": ("deviations.DeviationAction",),
    "ParameterUploadForm": ("socioeconomics.ParameterSet",),
}
"""Form class name → the models whose columns of the same names bound its fields (a form may
also say ``limits_from = (Model, …)`` itself)."""


def _models(form) -> list:
    from django.apps import apps

    own = getattr(form, "limits_from", None)
    if own:
        return list(own)
    for cls in type(form).__mro__:
        if cls.__name__ in LIMITS_FROM:
            return [apps.get_model(label) for label in LIMITS_FROM[cls.__name__]]
    return []


def _model_field(form, name: str) -> models.Field | None:
    for model in _models(form):
        try:
            return model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
    return None


def _is_code(name: str) -> bool:
    return name == "code" or name.endswith("_code")


def _number_limits(form, name: str, field: forms.Field) -> None:
    low: object
    high: object
    column = _model_field(form, name)
    limits = model_range(column) if column is not None else None
    if limits is not None:
        low, high = limits
        if low == 0:
            # a negative count is a rule with its own message (e.g. registration.py); the form
            # guards the column's storage range only
            low = inputs.INTEGER_MIN
    elif name == "year" or name.endswith("_year"):
        low, high = YEAR_MIN, YEAR_MAX
    elif isinstance(field, forms.FloatField | forms.DecimalField):
        low, high = -inputs.AMOUNT_MAX, inputs.AMOUNT_MAX
    else:
        low, high = inputs.INTEGER_MIN, inputs.INTEGER_MAX
    if field.max_value is not None and field.max_value <= high:
        high = None
    if field.min_value is not None and field.min_value >= low:
        low = None
    if high is not None or low is not None:
        label = str(field.label or name)
        field.validators.append(
            _Check(inputs.check_number_range, name, label, minimum=low, maximum=high)
        )


def harden(form) -> None:
    """Add the limits to every field of ``form`` not yet hardened (idempotent)."""
    for name, field in form.fields.items():
        if getattr(field, "_finsam_limits", False):
            continue
        field._finsam_limits = True
        label = str(field.label or name)
        if isinstance(field, forms.DateField):
            field.validators.append(_Check(inputs.check_date_range, name, label))
        elif isinstance(field, forms.IntegerField):  # Float- and DecimalField included
            _number_limits(form, name, field)
        elif isinstance(field, forms.CharField) and not isinstance(
            field.widget, forms.PasswordInput
        ):
            if _is_code(name):
                field.validators.append(_Check(inputs.check_code, name, label))
            elif isinstance(field.widget, forms.Textarea):
                field.validators.append(_Check(inputs.check_free_text, name, label))
            else:
                field.validators.append(_Check(inputs.check_name, name, label))
            column = _model_field(form, name)
            limit = getattr(column, "max_length", None) or (
                TEXT_AREA_MAX if isinstance(field.widget, forms.Textarea) else LINE_MAX
            )
            if field.max_length is None or field.max_length > limit:
                field.max_length = limit
                field.validators.append(_MaxLength(label, limit))


class _MaxLength:
    def __init__(self, label: str, limit: int):
        self.label, self.limit = label, limit

    def __call__(self, value) -> None:
        if value is not None and len(value) > self.limit:
            raise ValidationError(
                f"{self.label}: högst {self.limit} tecken är tillåtna (nu {len(value)}).",
                code="text.too_long",
            )


def keep_omitted(form) -> None:
    """An edit form never blanks what it was not sent: a field the POST leaves out entirely
    (not one sent empty – that clears it) keeps its initial, i.e. stored, value. The same rule as
    Django's ``ModelForm`` (``value_omitted_from_data``); checkboxes are never "omitted"."""
    if not form.is_bound or not form.initial:
        return
    data = None
    for name, field in form.fields.items():
        if name not in form.initial or field.disabled:
            continue
        key = form.add_prefix(name)
        if not field.widget.value_omitted_from_data(form.data, form.files, key):
            continue
        value = field.prepare_value(form.get_initial_for_field(field, name))
        if data is None:
            data = form.data.copy()
        if isinstance(value, list | tuple) and hasattr(data, "setlist"):
            data.setlist(key, list(value))
        else:
            data[key] = value
    if data is not None:
        form.data = data
