"""Every error at once: when a form has errors of its own (a required field left empty, a
malformed date), the service is still asked – on what could be read, in a transaction that is
always rolled back – so the user sees the registration rules' errors in the same round instead
of one at a time."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ObjectDoesNotExist
from django.db import DatabaseError, transaction

from finsam.domain.problems import DomainValidationError


def partial_data(form: forms.Form) -> dict:
    """The form's cleaned values, with an empty value for each field that did not clean."""
    data = dict(getattr(form, "cleaned_data", {}) or {})
    for name, field in form.fields.items():
        if name in data:
            continue
        if isinstance(field, forms.MultipleChoiceField):
            data[name] = []
        elif isinstance(field, forms.BooleanField):
            data[name] = False
        elif isinstance(field, forms.CharField | forms.ChoiceField) and not isinstance(
            field, forms.TypedChoiceField | forms.ModelChoiceField
        ):
            data[name] = ""
        else:
            data[name] = None
    return data


def add_rule_errors(form: forms.Form, action, field_map: dict[str, str] | None = None) -> None:
    """Run ``action(partial data)`` without keeping anything and add its problems to fields that
    have no error yet (the form's own message for a field comes first)."""
    data = partial_data(form)
    problems = []
    try:
        with transaction.atomic():
            try:
                action(data)
            except DomainValidationError as exc:
                problems = exc.problems
            transaction.set_rollback(True)
    except (TypeError, ValueError, AttributeError, LookupError, ObjectDoesNotExist, DatabaseError):
        return  # the service cannot judge partial input; the form's own errors stand
    field_map = field_map or {}
    seen = {str(e) for e in form.non_field_errors()}
    for problem in problems:
        if getattr(problem, "warning", False):
            continue
        name = field_map.get(problem.field, problem.field)
        if name in form.fields:
            if name not in form.errors:
                form.add_error(name, problem.message)
        elif problem.message not in seen:
            seen.add(problem.message)
            form.add_error(None, problem.message)
