from django import forms
from django.contrib import admin

from finsam.access.models import InterventionAssignment, RoleAssignment
from finsam.access.permissions import can
from finsam.domain.access import (
    ROLE_LABELS,
    ROLES_WITH_ASSOCIATION,
    Action,
    Role,
    incompatible_with,
)

# The admin is for system administrators only (``domain.md`` §5).
admin.site.has_permission = lambda request: (
    request.user.is_active and request.user.is_staff and can(request.user, Action.ADMIN_SITE)
)


class RoleAssignmentForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = "__all__"

    def clean(self):
        data = super().clean()
        role = data.get("role")
        user = data.get("user") or getattr(self.instance, "user", None)
        if role and Role(role) in ROLES_WITH_ASSOCIATION and not data.get("association"):
            self.add_error(
                "association", f"Rollen {ROLE_LABELS[Role(role)]} måste kopplas till ett förbund."
            )
        if role and user and user.pk:
            existing = set(
                RoleAssignment.objects.filter(user=user)
                .exclude(pk=self.instance.pk)
                .values_list("role", flat=True)
            )
            clash = incompatible_with(existing, role)
            if clash:
                self.add_error(
                    "role",
                    f"En användare kan inte vara både "
                    f"{ROLE_LABELS[clash].lower()} och {ROLE_LABELS[Role(role)].lower()}.",
                )
        return data


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    form = RoleAssignmentForm
    list_display = ["user", "role", "association"]
    list_filter = ["role", "association"]


@admin.register(InterventionAssignment)
class InterventionAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "intervention", "kind"]
    list_filter = ["kind"]
