"""The deviation reports are read-only in the Django admin: every write is a service (audited).
The category list is edited as code list ``deviation_category`` in the code-list admin."""

from django.contrib import admin

from finsam.deviations.models import DeviationReport


@admin.register(DeviationReport)
class DeviationReportAdmin(admin.ModelAdmin):
    list_display = ["pk", "association", "report_date", "category", "status"]
    list_filter = ["association", "status", "category"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
