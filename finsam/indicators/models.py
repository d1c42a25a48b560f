"""Core indicator questionnaires as versioned data, collection rounds, one-time links and the
anonymous answers (``spec/indicators.md`` §1).

A :class:`QuestionnaireVersion` is one version of the questionnaire for one respondent group; a
published version is frozen (``services`` refuse every change to it and to its items). Answers
are stored per :class:`Response` without identity: a :class:`ResponseToken` only knows whether
it has been used – not when, nor which response it gave.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from finsam.domain.indicators import definitions as core


class Indicator(models.Model):
    number = models.PositiveSmallIntegerField(gettext_lazy("nummer"), unique=True)
    name = models.CharField(gettext_lazy("namn"), max_length=200)
    perspective = models.CharField(gettext_lazy("perspektiv"), max_length=100)
    description = models.TextField(gettext_lazy("beskrivning"), blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = gettext_lazy("indikator")
        verbose_name_plural = gettext_lazy("indikatorer")

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class QuestionnaireVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = core.DRAFT, "Utkast"
        PUBLISHED = core.PUBLISHED, "Publicerad"

    respondent_group = models.CharField(
        gettext_lazy("svarandegrupp"), max_length=30, choices=list(core.RESPONDENT_GROUPS.items())
    )
    version = models.PositiveSmallIntegerField(gettext_lazy("version"))
    title = models.CharField(gettext_lazy("rubrik"), max_length=200)
    status = models.CharField(
        gettext_lazy("status"), max_length=10, choices=Status, default=Status.DRAFT
    )
    starter = models.BooleanField(
        gettext_lazy("startuppsättning"),
        default=False,
        help_text=gettext_lazy(
            "Finsams startuppsättning – ska ersättas av NNS officiella formuleringar."
        ),
    )
    note = models.TextField(gettext_lazy("anmärkning"), blank=True)
    scale_min = models.SmallIntegerField(gettext_lazy("skalans lägsta värde"), default=1)
    scale_max = models.SmallIntegerField(gettext_lazy("skalans högsta värde"), default=6)
    scale_labels = models.JSONField(gettext_lazy("skalans etiketter"), default=list)
    top_categories = models.PositiveSmallIntegerField(
        gettext_lazy("antal toppkategorier"), default=2
    )
    cannot_judge_label = models.CharField(
        gettext_lazy("text för kan inte bedöma"), max_length=60, default=core.CANNOT_JUDGE_LABEL
    )
    created_at = models.DateTimeField(gettext_lazy("skapad"), auto_now_add=True)
    published_at = models.DateTimeField(gettext_lazy("publicerad"), null=True, blank=True)

    class Meta:
        ordering = ["respondent_group", "-version"]
        verbose_name = gettext_lazy("enkätversion")
        verbose_name_plural = gettext_lazy("enkätversioner")
        constraints = [
            models.UniqueConstraint(
                fields=["respondent_group", "version"], name="questionnaire_group_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{core.group_label(self.respondent_group)} – version {self.version}"

    @property
    def is_published(self) -> bool:
        return self.status == core.PUBLISHED

    @property
    def group_label(self) -> str:
        return core.group_label(self.respondent_group)

    @property
    def scale(self) -> core.Scale:
        return core.Scale(
            minimum=self.scale_min,
            maximum=self.scale_max,
            labels=tuple(self.scale_labels),
            top_categories=self.top_categories,
            cannot_judge_label=self.cannot_judge_label,
        )


class Item(models.Model):
    questionnaire = models.ForeignKey(
        QuestionnaireVersion,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=gettext_lazy("version"),
    )
    code = models.CharField(gettext_lazy("frågekod"), max_length=20)
    position = models.PositiveSmallIntegerField(gettext_lazy("ordning"))
    text = models.CharField(gettext_lazy("påstående"), max_length=core.MAX_TEXT)
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        related_name="items",
        verbose_name=gettext_lazy("indikator"),
    )

    class Meta:
        ordering = ["questionnaire", "position"]
        verbose_name = gettext_lazy("påstående")
        verbose_name_plural = gettext_lazy("påståenden")
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="item_code_unique"),
            models.UniqueConstraint(
                fields=["questionnaire", "position"], name="item_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text}"


class CollectionRound(models.Model):
    association = models.ForeignKey(
        "registry.Association",
        on_delete=models.PROTECT,
        related_name="indicator_rounds",
        verbose_name=gettext_lazy("förbund"),
    )
    intervention = models.ForeignKey(
        "registry.Intervention",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicator_rounds",
        verbose_name=gettext_lazy("insats"),
    )
    questionnaire = models.ForeignKey(
        QuestionnaireVersion,
        on_delete=models.PROTECT,
        related_name="rounds",
        verbose_name=gettext_lazy("enkätversion"),
    )
    period_start = models.DateField(gettext_lazy("perioden börjar"))
    period_end = models.DateField(gettext_lazy("perioden slutar"))
    name = models.CharField(gettext_lazy("benämning"), max_length=200, blank=True)
    closed = models.BooleanField(gettext_lazy("stängd"), default=False)
    created_at = models.DateTimeField(gettext_lazy("skapad"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_lazy("skapad av"),
    )

    class Meta:
        ordering = ["-period_start", "-pk"]
        verbose_name = gettext_lazy("insamlingsomgång")
        verbose_name_plural = gettext_lazy("insamlingsomgångar")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="round_period_order"
            ),
        ]

    def __str__(self) -> str:
        label = self.name or self.questionnaire.group_label
        return f"{label} {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"

    @property
    def period(self) -> int:
        """The results period of the round's answers: the year the round's period starts."""
        return self.period_start.year


class ResponseToken(models.Model):
    """A one-time link. Only the SHA-256 of the token is stored; the link itself is shown once."""

    round = models.ForeignKey(
        CollectionRound,
        on_delete=models.CASCADE,
        related_name="tokens",
        verbose_name=gettext_lazy("omgång"),
    )
    token_hash = models.CharField(gettext_lazy("kontrollsumma"), max_length=64, unique=True)
    created_on = models.DateField(gettext_lazy("skapad"))
    used = models.BooleanField(gettext_lazy("använd"), default=False)

    class Meta:
        verbose_name = gettext_lazy("engångslänk")
        verbose_name_plural = gettext_lazy("engångslänkar")

    def __str__(self) -> str:
        return f"Länk {self.pk} ({'använd' if self.used else 'oanvänd'})"


class Response(models.Model):
    """One answered questionnaire, without any identity (not even the link it came through)."""

    class Channel(models.TextChoices):
        WEB = "web", gettext_lazy("Webb")
        PAPER = "paper", gettext_lazy("Papper")
        FILE = "file", gettext_lazy("Fil")

    round = models.ForeignKey(
        CollectionRound,
        on_delete=models.PROTECT,
        related_name="responses",
        verbose_name=gettext_lazy("omgång"),
    )
    submitted_on = models.DateField(gettext_lazy("inkommen"))
    channel = models.CharField(gettext_lazy("kanal"), max_length=10, choices=Channel)

    class Meta:
        ordering = ["round", "pk"]
        verbose_name = gettext_lazy("enkätsvar")
        verbose_name_plural = gettext_lazy("enkätsvar")

    def __str__(self) -> str:
        return f"Svar {self.pk} ({self.get_channel_display()})"


class Answer(models.Model):
    response = models.ForeignKey(
        Response,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=gettext_lazy("svar"),
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    value = models.SmallIntegerField(gettext_lazy("värde"), null=True, blank=True)
    cannot_judge = models.BooleanField(gettext_lazy("kan inte bedöma"), default=False)

    class Meta:
        verbose_name = gettext_lazy("svar på påstående")
        verbose_name_plural = gettext_lazy("svar på påståenden")
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="answer_once_per_item"),
            models.CheckConstraint(
                condition=(Q(value__isnull=False, cannot_judge=False))
                | (Q(value__isnull=True, cannot_judge=True)),
                name="answer_value_or_cannot_judge",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {'kan inte bedöma' if self.cannot_judge else self.value}"
