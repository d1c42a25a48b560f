"""Counties, municipalities and city districts with their official codes (SCB)."""

from django.db import models
from django.utils.translation import gettext_lazy


class County(models.Model):
    code = models.CharField(gettext_lazy("länskod"), max_length=2, primary_key=True)
    name = models.CharField(gettext_lazy("namn"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = gettext_lazy("län")
        verbose_name_plural = gettext_lazy("län")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Municipality(models.Model):
    code = models.CharField(gettext_lazy("kommunkod"), max_length=4, primary_key=True)
    name = models.CharField(gettext_lazy("namn"), max_length=100)
    county = models.ForeignKey(
        County,
        on_delete=models.PROTECT,
        related_name="municipalities",
        verbose_name=gettext_lazy("län"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = gettext_lazy("kommun")
        verbose_name_plural = gettext_lazy("kommuner")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class District(models.Model):
    """A city district (stadsdel), for Stockholm and Göteborg."""

    code = models.CharField(gettext_lazy("kod"), max_length=10, unique=True)
    name = models.CharField(gettext_lazy("namn"), max_length=100)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="districts",
        verbose_name=gettext_lazy("kommun"),
    )

    class Meta:
        ordering = ["municipality", "name"]
        verbose_name = gettext_lazy("stadsdel")
        verbose_name_plural = gettext_lazy("stadsdelar")

    def __str__(self) -> str:
        return self.name
