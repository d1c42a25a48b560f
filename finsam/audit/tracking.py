"""Audit rows for changes to users, passwords, roles, assignments, code lists and parameters,
whichever way they are made (Finsam's pages, the Django admin, a command, the shell).

Model signals write the row in the transaction of the change (the admin and Finsam's services
run in one; a bare ``save()`` in autocommit mode gets its row in the statement right after).
Services that write their own, more specific row wrap the write in
:func:`finsam.audit.context.audited_by_caller`, and the signal then stays silent.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from finsam.audit.context import audited_by_caller_active, current_actor

# model label → fields recorded (the password hash is never recorded, only that it changed)
TRACKED: dict[str, tuple[str, ...]] = {
    "accounts.User": (
        "username",
        "first_name",
        "last_name",
        "email",
        "is_active",
        "is_staff",
        "is_superuser",
    ),
    "access.RoleAssignment": ("user", "role", "association"),
    "access.InterventionAssignment": ("user", "intervention", "kind"),
    "registry.CodeListEntry": (
        "list_name",
        "code",
        "label",
        "label_en",
        "bit",
        "sort_order",
        "valid_from",
        "valid_to",
        "note",
    ),
    "socioeconomics.ParameterSet": ("valid_year", "version", "source_notes", "is_default"),
    "socioeconomics.ParameterRow": (
        "parameter_set",
        "position",
        "item",
        "actor",
        "monthly_sek",
        "source",
        "year",
        "assumption",
        "note",
    ),
}


def _columns(model, fields):
    return [model._meta.get_field(f).attname for f in fields]


def _snapshot(instance, fields) -> dict:
    from finsam.audit.services import _safe

    out = {}
    for name in fields:
        field = instance._meta.get_field(name)
        out[name] = _safe(getattr(instance, field.attname))
    return out


def _association_id(instance):
    label = instance._meta.label
    if label == "access.RoleAssignment":
        return instance.association_id
    if label == "access.InterventionAssignment":
        # the intervention's model through the assignment's own foreign key: the audit app sits
        # below the registry and names none of its models
        intervention = instance._meta.get_field("intervention").related_model
        return (
            intervention._default_manager.filter(pk=instance.intervention_id)
            .values_list("association_id", flat=True)
            .first()
        )
    return None


def _name(instance) -> str:
    try:
        return str(instance)[:300]
    except Exception:  # a related row already gone (cascade delete)
        return f"{instance._meta.verbose_name} nr {instance.pk}"


def _write(instance, action: str, changes: dict, summary: str = "") -> None:
    from finsam.audit.services import audit_change

    audit_change(
        actor=current_actor(),
        action=action,
        obj=instance,
        association_id=_association_id(instance),
        changes=changes,
        summary=summary or _name(instance),
    )


def _pre_save(sender, instance, raw=False, update_fields=None, **kwargs):
    skip = update_fields is not None and set(update_fields) <= {"last_login"}
    if skip or audited_by_caller_active() or instance.pk is None:
        instance._finsam_audit_before = None
        return
    fields = TRACKED[sender._meta.label]
    extra = ("password",) if sender._meta.label == "accounts.User" else ()
    row = (
        sender._base_manager.filter(pk=instance.pk)
        .values(*_columns(sender, fields), *extra)
        .first()
    )
    if row is None:
        instance._finsam_audit_before = None
        return
    from finsam.audit.services import _safe

    before = {}
    for name in fields:
        before[name] = _safe(row[sender._meta.get_field(name).attname])
    if extra:
        before["__password"] = row["password"]
    instance._finsam_audit_before = before


def _post_save(sender, instance, created, update_fields=None, **kwargs):
    if audited_by_caller_active():
        return
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    fields = TRACKED[sender._meta.label]
    after = _snapshot(instance, fields)
    before = getattr(instance, "_finsam_audit_before", None)
    instance._finsam_audit_before = None
    is_user = sender._meta.label == "accounts.User"
    if created or before is None:
        _write(instance, "create", {k: [None, v] for k, v in after.items() if v not in (None, "")})
        if is_user and instance.has_usable_password():
            _write(instance, "password_set", {}, summary=f"{instance.username}: lösenord satt")
        return
    from finsam.audit.services import diff

    changes = diff({k: before[k] for k in fields}, after)
    if changes:
        _write(instance, "update", changes)
    if is_user and before.get("__password") != instance.password:
        _write(instance, "password_change", {}, summary=f"{instance.username}: lösenord ändrat")


def _post_delete(sender, instance, **kwargs):
    if audited_by_caller_active():
        return
    before = _snapshot(instance, TRACKED[sender._meta.label])
    _write(instance, "delete", {k: [v, None] for k, v in before.items() if v not in (None, "")})


def _m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear") or audited_by_caller_active():
        return
    field = "groups" if "groups" in sender._meta.db_table else "user_permissions"
    if reverse:
        return  # changed from the group / permission side: recorded as the user side is not
    names = sorted(str(o) for o in model._base_manager.filter(pk__in=pk_set or []))
    verb = {"post_add": "tillagda", "post_remove": "borttagna", "post_clear": "alla borttagna"}
    _write(
        instance,
        "update",
        {field: [verb[action], names]},
        summary=f"{instance}: {field} {verb[action]}",
    )


def connect() -> None:
    for label in TRACKED:
        model = apps.get_model(label)
        uid = f"finsam-audit-{label}"
        pre_save.connect(_pre_save, sender=model, dispatch_uid=uid)
        post_save.connect(_post_save, sender=model, dispatch_uid=uid)
        post_delete.connect(_post_delete, sender=model, dispatch_uid=uid)
    user = apps.get_model("accounts.User")
    for through in (user.groups.through, user.user_permissions.through):
        m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=f"finsam-audit-{through}")


class AuditedQuerySet(models.QuerySet):
    """``update()`` and ``bulk_create()`` bypass model signals; on tracked models they write the
    same audit rows as ``save()`` (``delete()`` already sends the delete signals)."""

    def update(self, **kwargs):
        label = self.model._meta.label
        if audited_by_caller_active() or label not in TRACKED:
            return super().update(**kwargs)
        fields = TRACKED[label]
        with transaction.atomic(using=self.db):
            before = {o.pk: _snapshot(o, fields) for o in self}
            n = super().update(**kwargs)
            from finsam.audit.services import diff

            for obj in self.model._base_manager.using(self.db).filter(pk__in=list(before)):
                changes = diff(before[obj.pk], _snapshot(obj, fields))
                if changes:
                    _write(obj, "update", changes)
                if label == "accounts.User" and "password" in kwargs:
                    _write(obj, "password_change", {}, summary=f"{obj.username}: lösenord ändrat")
        return n

    def bulk_create(self, objs, *args, **kwargs):
        label = self.model._meta.label
        if audited_by_caller_active() or label not in TRACKED:
            return super().bulk_create(objs, *args, **kwargs)
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            for obj in created:
                after = _snapshot(obj, TRACKED[label])
                _write(
                    obj, "create", {k: [None, v] for k, v in after.items() if v not in (None, "")}
                )
        return created


AuditedManager = models.Manager.from_queryset(AuditedQuerySet)
