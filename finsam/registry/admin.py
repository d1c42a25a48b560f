"""Django admin for system administrators: reference data, associations and interventions.

Participants and episodes are deliberately not here – the system administrator sees no personal
data. Admin forms validate with the same domain rules as the web forms, and saves are audited.
"""

from django import forms
from django.contrib import admin

from finsam.audit.services import audit_change
from finsam.audit.tracking import TRACKED
from finsam.domain import registration as rules
from finsam.registry import services
from finsam.registry.models import (
    Association,
    AssociationMunicipality,
    BoardMember,
    CodeListEntry,
    ExtraQuestion,
    Intervention,
    Member,
)


class AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj._meta.label in TRACKED:
            return  # audited with the field changes by finsam.audit.tracking
        audit_change(
            actor=request.user,
            action=f"admin_{'update' if change else 'create'}",
            obj=obj,
            association_id=getattr(obj, "association_id", None)
            or (obj.pk if isinstance(obj, Association) else None),
            changes=dict.fromkeys(form.changed_data, "ändrad"),
        )

    def delete_model(self, request, obj):
        if obj._meta.label not in TRACKED:
            audit_change(actor=request.user, action="admin_delete", obj=obj)
        super().delete_model(request, obj)


class AssociationAdminForm(forms.ModelForm):
    class Meta:
        model = Association
        fields = "__all__"

    def clean(self):
        data = super().clean()
        for p in services.validate_association(data):
            self.add_error(p.field if p.field in self.fields else None, p.message)
        return data


class InterventionAdminForm(forms.ModelForm):
    class Meta:
        model = Intervention
        fields = "__all__"

    def clean(self):
        data = super().clean()
        for p in rules.validate_intervention(
            code=data.get("code", ""),
            name=data.get("name", ""),
            orientation=data.get("orientation", ""),
            registration=data.get("registration", ""),
            start_date=data.get("start_date"),
            end_date=data.get("end_date"),
            planned_participants=data.get("planned_participants"),
            target_groups=data.get("target_groups") or [],
        ):
            self.add_error(p.field if p.field in self.fields else None, p.message)
        return data


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0


class AreaInline(admin.TabularInline):
    model = AssociationMunicipality
    extra = 0
    autocomplete_fields = ["municipality"]


@admin.register(Association)
class AssociationAdmin(AuditedAdmin):
    form = AssociationAdminForm
    list_display = ["name", "code", "org_number", "start_date", "end_date"]
    search_fields = ["name", "code", "org_number"]
    inlines = [MemberInline, AreaInline]


@admin.register(Intervention)
class InterventionAdmin(AuditedAdmin):
    form = InterventionAdminForm
    list_display = ["name", "code", "association", "orientation", "registration", "status"]
    list_filter = ["orientation", "registration", "status", "association"]
    search_fields = ["name", "code"]


@admin.register(BoardMember)
class BoardMemberAdmin(AuditedAdmin):
    list_display = ["name", "role", "member", "association", "period_start", "period_end"]
    list_filter = ["association", "role"]


@admin.register(ExtraQuestion)
class ExtraQuestionAdmin(AuditedAdmin):
    list_display = ["text", "association", "answer_type", "phase", "order"]
    list_filter = ["association", "phase"]


@admin.register(CodeListEntry)
class CodeListEntryAdmin(AuditedAdmin):
    list_display = ["list_name", "code", "label", "valid_from", "valid_to", "sort_order"]
    list_filter = ["list_name"]
    search_fields = ["code", "label"]
