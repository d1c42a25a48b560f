from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from finsam.access.admin import RoleAssignmentForm
from finsam.access.models import RoleAssignment
from finsam.accounts.models import User


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    form = RoleAssignmentForm
    extra = 0


@admin.register(User)
class FinsamUserAdmin(UserAdmin):
    inlines = [RoleInline]
