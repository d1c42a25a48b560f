"""API tokens (stored only hashed) and the per-token rate-limit windows."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy


class ApiToken(models.Model):
    """A per-system API token. The secret is shown once; only its SHA-256 is stored, with a short
    public prefix to find the row."""

    name = models.CharField(gettext_lazy("namn"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=gettext_lazy("användare"),
    )
    association = models.ForeignKey(
        "registry.Association",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=gettext_lazy("förbund"),
        help_text=gettext_lazy("Tomt: alla förbund användaren har behörighet till."),
    )
    actions = models.JSONField(
        gettext_lazy("tillåtna åtgärder"),
        default=list,
        blank=True,
        help_text=gettext_lazy("Tom lista: allt användarens roller tillåter."),
    )
    prefix = models.CharField(gettext_lazy("prefix"), max_length=16, unique=True)
    secret_hash = models.CharField(gettext_lazy("hash"), max_length=64)
    created_at = models.DateTimeField(gettext_lazy("skapad"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_lazy("skapad av"),
    )
    revoked_at = models.DateTimeField(gettext_lazy("återkallad"), null=True, blank=True)
    last_used_at = models.DateTimeField(gettext_lazy("senast använd"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = gettext_lazy("API-nyckel")
        verbose_name_plural = gettext_lazy("API-nycklar")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class RateWindow(models.Model):
    """Requests counted per token and fixed window (one row a token and window start)."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "window_start"], name="api_rate_window_unique")
        ]

    def __str__(self) -> str:
        return f"{self.token_id} {self.window_start:%Y-%m-%d %H:%M:%S}: {self.count}"
