"""Counties, municipalities and city districts with their official codes (SCB)."""

from django.db import models


class County(models.Model):
    code = models.CharField("länskod", max_length=2, primary_key=True)
    name = models.CharField("namn", max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = "län"
        verbose_name_plural = "län"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Municipality(models.Model):
    code = models.CharField("kommunkod", max_length=4, primary_key=True)
    name = models.CharField("namn", max_length=100)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="municipalities", verbose_name="län"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = "kommun"
        verbose_name_plural = "kommuner"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class District(models.Model):
    """A city district (stadsdel), for Stockholm and Göteborg."""

    code = models.CharField("kod", max_length=10, unique=True)
    name = models.CharField("namn", max_length=100)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="districts", verbose_name="kommun"
    )

    class Meta:
        ordering = ["municipality", "name"]
        verbose_name = "stadsdel"
        verbose_name_plural = "stadsdelar"

    def __str__(self) -> str:
        return self.name
