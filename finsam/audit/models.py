"""One append-only audit table, with typed proxies (the KoboToolbox pattern).

Every read of identity data and every change is written here by the service that does it, in the
same transaction. Rows are never updated or deleted: the model refuses it, and database triggers
(``finsam/audit/schema.py``) refuse UPDATE, DELETE and TRUNCATE for anything that bypasses the ORM.

Each row is a link of a hash chain (``finsam/audit/chain.py``): ``seq`` numbers the rows without
gaps, ``row_hash`` is SHA-256 over the row's canonical content and ``prev_hash`` (the hash of row
``seq - 1``). ``finsam audit-verify`` recomputes the chain.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy


class LogType(models.TextChoices):
    ACCESS = "access", gettext_lazy("Läsning av personuppgifter")
    CHANGE = "change", gettext_lazy("Ändring")
    EXPORT = "export", gettext_lazy("Export")
    AUTH = "auth", gettext_lazy("Inloggning")


class AuditLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Granskningsloggen kan inte ändras.")

    def delete(self):
        raise PermissionError("Granskningsloggen kan inte raderas.")


class AuditLog(models.Model):
    at = models.DateTimeField(gettext_lazy("tidpunkt"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        # A user who appears in the audit cannot be deleted (the row may not change): deactivate.
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("användare"),
    )
    actor_label = models.CharField(gettext_lazy("användarnamn"), max_length=150, blank=True)
    log_type = models.CharField(
        gettext_lazy("typ"), max_length=10, choices=LogType.choices, db_index=True
    )
    action = models.CharField(gettext_lazy("händelse"), max_length=60)
    object_type = models.CharField(gettext_lazy("objekttyp"), max_length=60, blank=True)
    object_id = models.CharField(
        gettext_lazy("objekt-id"), max_length=64, blank=True, db_index=True
    )
    association_id = models.BigIntegerField(
        gettext_lazy("förbund"), null=True, blank=True, db_index=True
    )
    summary = models.CharField(gettext_lazy("sammanfattning"), max_length=300, blank=True)
    changes = models.JSONField(gettext_lazy("ändringar"), default=dict, blank=True)
    reason = models.CharField(gettext_lazy("skäl"), max_length=300, blank=True)
    seq = models.BigIntegerField(gettext_lazy("löpnummer"), unique=True, null=True, editable=False)
    prev_hash = models.CharField(
        gettext_lazy("föregående hash"), max_length=64, blank=True, editable=False
    )
    row_hash = models.CharField(gettext_lazy("hash"), max_length=64, blank=True, editable=False)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = gettext_lazy("händelse i granskningsloggen")
        verbose_name_plural = gettext_lazy("granskningslogg")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Granskningsloggen kan inte ändras.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Granskningsloggen kan inte raderas.")


class AuditChainHead(models.Model):
    """One row: the last link of the chain. Appends lock it (``SELECT … FOR UPDATE``), so
    concurrent appends are serialised; ``audit-verify`` checks that it matches the last row (rows
    removed from the end would otherwise leave a valid, shorter chain)."""

    seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = gettext_lazy("granskningsloggens kedjehuvud")

    def __str__(self) -> str:
        return f"{self.seq}: {self.last_hash}"


class _TypedManager(models.Manager):
    log_type: str = ""

    def get_queryset(self):
        return AuditLogQuerySet(self.model, using=self._db).filter(log_type=self.log_type)


class _AccessManager(_TypedManager):
    log_type = LogType.ACCESS


class _ChangeManager(_TypedManager):
    log_type = LogType.CHANGE


class AccessLog(AuditLog):
    """Reads of identity data."""

    objects = _AccessManager()

    class Meta:
        proxy = True
        verbose_name = gettext_lazy("läsning av personuppgifter")
        verbose_name_plural = gettext_lazy("läsningar av personuppgifter")


class ChangeLog(AuditLog):
    """Changes to registry data."""

    objects = _ChangeManager()

    class Meta:
        proxy = True
        verbose_name = gettext_lazy("ändring")
        verbose_name_plural = gettext_lazy("ändringar")
