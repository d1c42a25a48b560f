"""The value limits of Finsam's own forms (``finsam.ui.field_limits``: dates, numbers within their
database column, codes, no control characters) for the Django admin's forms too, so that no
value the system administrator types there ends in a server error or a forbidden character."""

from __future__ import annotations

from django.contrib import admin

from finsam.ui import field_limits

_installed = False


def install() -> None:
    """Wrap ``ModelAdmin.get_form`` once: its form classes harden their fields before cleaning."""
    global _installed
    if _installed:
        return
    original = admin.ModelAdmin.get_form

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = original(self, request, obj, change=change, **kwargs)

        class LimitedForm(form_class):
            def full_clean(self):
                field_limits.harden(self)
                super().full_clean()

        LimitedForm.__name__ = form_class.__name__
        return LimitedForm

    admin.ModelAdmin.get_form = get_form
    _installed = True
