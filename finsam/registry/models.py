"""The registry: associations, members, board, interventions, participants, episodes, follow-ups,
volume counts, extra questions and the versioned code lists (``domain.md`` §1–§4).

Models hold fields, constraints and small properties. Writes go through ``registry.services``;
reads that span relations through ``registry.selectors``; rules live in ``finsam.domain``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from finsam.audit.tracking import AuditedManager
from finsam.domain import codelists as cl

USER = settings.AUTH_USER_MODEL


class CodeListEntry(models.Model):
    """Code lists as versioned reference data (loaded from ``finsam.domain.codelists``)."""

    list_name = models.CharField(gettext_lazy("kodlista"), max_length=40, db_index=True)
    code = models.CharField(gettext_lazy("kod"), max_length=20)
    label = models.CharField(gettext_lazy("benämning"), max_length=200)
    label_en = models.CharField(gettext_lazy("benämning (engelska)"), max_length=200, blank=True)
    bit = models.PositiveSmallIntegerField(gettext_lazy("bit"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(gettext_lazy("ordning"), default=0)
    valid_from = models.DateField(gettext_lazy("giltig från"), default=cl.LAW_START)
    valid_to = models.DateField(gettext_lazy("giltig till"), null=True, blank=True)
    note = models.CharField(gettext_lazy("anmärkning"), max_length=200, blank=True)

    objects = AuditedManager()  # update()/bulk_create() audited too

    class Meta:
        ordering = ["list_name", "sort_order"]
        verbose_name = gettext_lazy("kod")
        verbose_name_plural = gettext_lazy("kodlistor")
        constraints = [
            models.UniqueConstraint(
                fields=["list_name", "code", "valid_from"], name="codelist_unique_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.list_name}:{self.code} {self.label}"


class Association(models.Model):
    class MunicipalSplit(models.TextChoices):
        EQUAL = "equal", gettext_lazy("Lika delar")
        POPULATION = "population", gettext_lazy("Efter befolkning")
        SUPPORT_MEASURE = "support_measure", gettext_lazy("Efter försörjningsmått")
        CUSTOM = "custom", gettext_lazy("Egna procentsatser")

    code = models.CharField(
        gettext_lazy("kod"),
        max_length=40,
        unique=True,
        help_text=gettext_lazy("Förbundets korta kod, används i filer och rapporter."),
    )
    name = models.CharField(gettext_lazy("namn"), max_length=200)
    org_number = models.CharField(gettext_lazy("organisationsnummer"), max_length=11, blank=True)
    start_date = models.DateField(gettext_lazy("startdatum"))
    end_date = models.DateField(
        gettext_lazy("slutdatum"),
        null=True,
        blank=True,
        help_text=gettext_lazy("Endast om förbundet har avvecklats."),
    )
    description = models.TextField(gettext_lazy("beskrivning och mål"), blank=True)
    address = models.CharField(gettext_lazy("adress"), max_length=200, blank=True)
    contact_person = models.CharField(gettext_lazy("kontaktperson"), max_length=200, blank=True)
    contact_email = models.EmailField(gettext_lazy("e-post"), blank=True)
    seat_municipality = models.ForeignKey(
        "geo.Municipality",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("säteskommun"),
    )
    municipal_split = models.CharField(
        gettext_lazy("fördelning av kommunernas andel"),
        max_length=20,
        choices=MunicipalSplit.choices,
        default=MunicipalSplit.EQUAL,
    )
    majority_rules = models.TextField(gettext_lazy("regler om kvalificerad majoritet"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = gettext_lazy("samordningsförbund")
        verbose_name_plural = gettext_lazy("samordningsförbund")

    def __str__(self) -> str:
        return self.name


class AssociationMunicipality(models.Model):
    """Dated area membership: a municipality belongs to at most one association at a time."""

    association = models.ForeignKey(
        Association,
        on_delete=models.CASCADE,
        related_name="area",
        verbose_name=gettext_lazy("förbund"),
    )
    municipality = models.ForeignKey(
        "geo.Municipality",
        on_delete=models.PROTECT,
        related_name="association_memberships",
        verbose_name=gettext_lazy("kommun"),
    )
    district = models.ForeignKey(
        "geo.District",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=gettext_lazy("stadsdel"),
    )
    valid_from = models.DateField(gettext_lazy("giltig från"))
    valid_to = models.DateField(gettext_lazy("giltig till"), null=True, blank=True)

    class Meta:
        ordering = ["association", "municipality"]
        verbose_name = gettext_lazy("kommun i förbundets område")
        verbose_name_plural = gettext_lazy("förbundens områden")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="area_valid_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.association} – {self.municipality}"


class Member(models.Model):
    class Kind(models.TextChoices):
        FK = "FK", gettext_lazy("Försäkringskassan")
        AF = "AF", gettext_lazy("Arbetsförmedlingen")
        REGION = "REGION", gettext_lazy("Region")
        MUNICIPALITY = "MUNICIPALITY", gettext_lazy("Kommun")

    association = models.ForeignKey(
        Association,
        on_delete=models.CASCADE,
        related_name="members",
        verbose_name=gettext_lazy("förbund"),
    )
    kind = models.CharField(gettext_lazy("medlemstyp"), max_length=12, choices=Kind.choices)
    organisation_code = models.CharField(
        gettext_lazy("organisationskod"),
        max_length=4,
        help_text=gettext_lazy(
            "Kommunkod för kommuner, länskod för regioner, FK eller AF för myndigheterna."
        ),
    )
    name = models.CharField(gettext_lazy("namn"), max_length=200)
    contribution_percent = models.DecimalField(
        gettext_lazy("andel av partens del (%)"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=gettext_lazy("Används när förbundsordningen anger egna procentsatser."),
    )

    class Meta:
        ordering = ["association", "kind", "organisation_code"]
        verbose_name = gettext_lazy("medlem")
        verbose_name_plural = gettext_lazy("medlemmar")
        constraints = [
            models.UniqueConstraint(
                fields=["association", "kind", "organisation_code"], name="member_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BoardMember(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", gettext_lazy("Ledamot")
        DEPUTY = "deputy", gettext_lazy("Ersättare")

    association = models.ForeignKey(
        Association,
        on_delete=models.CASCADE,
        related_name="board",
        verbose_name=gettext_lazy("förbund"),
    )
    member = models.ForeignKey(
        Member,
        on_delete=models.CASCADE,
        related_name="board_members",
        verbose_name=gettext_lazy("utsedd av"),
    )
    name = models.CharField(gettext_lazy("namn"), max_length=200)
    role = models.CharField(gettext_lazy("uppdrag"), max_length=10, choices=Role.choices)
    is_chair = models.BooleanField(gettext_lazy("ordförande"), default=False)
    period_start = models.DateField(gettext_lazy("mandatperiod från"))
    period_end = models.DateField(gettext_lazy("mandatperiod till"), null=True, blank=True)

    class Meta:
        ordering = ["association", "member", "role", "name"]
        verbose_name = gettext_lazy("styrelseledamot eller ersättare")
        verbose_name_plural = gettext_lazy("styrelse")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class Intervention(models.Model):
    class Orientation(models.TextChoices):
        INDIVIDUAL = "individual", gettext_lazy("Individinriktad")
        STRUCTURAL = "structural", gettext_lazy("Strukturövergripande")

    class Registration(models.TextChoices):
        PERSONS = "persons", gettext_lazy("Personer")
        VOLUME = "volume", gettext_lazy("Volym")

    class Status(models.TextChoices):
        PLANNED = "planned", gettext_lazy("Planerad")
        ONGOING = "ongoing", gettext_lazy("Pågående")
        ENDED = "ended", gettext_lazy("Avslutad")

    association = models.ForeignKey(
        Association,
        on_delete=models.PROTECT,
        related_name="interventions",
        verbose_name=gettext_lazy("förbund"),
    )
    code = models.CharField(gettext_lazy("kod"), max_length=40, unique=True)
    name = models.CharField(gettext_lazy("namn"), max_length=200)
    description = models.TextField(gettext_lazy("beskrivning"), blank=True)
    start_date = models.DateField(gettext_lazy("startdatum"))
    end_date = models.DateField(gettext_lazy("slutdatum"), null=True, blank=True)
    status = models.CharField(
        gettext_lazy("status"), max_length=10, choices=Status.choices, default=Status.ONGOING
    )
    orientation = models.CharField(
        gettext_lazy("inriktning"), max_length=12, choices=Orientation.choices
    )
    registration = models.CharField(
        gettext_lazy("registreringssätt"), max_length=10, choices=Registration.choices
    )
    providers = models.ManyToManyField(
        Member,
        blank=True,
        related_name="provided_interventions",
        verbose_name=gettext_lazy("anordnare"),
    )
    partner_organisations = models.TextField(
        gettext_lazy("samarbetspartner"),
        blank=True,
        help_text=gettext_lazy("Civilsamhälle, sociala företag, arbetsgivare – en per rad."),
    )
    target_groups = models.JSONField(gettext_lazy("målgrupper"), default=list, blank=True)
    esf = models.BooleanField(gettext_lazy("ESF-medfinansierad"), default=False)
    planned_participants = models.PositiveIntegerField(
        gettext_lazy("planerat antal deltagare per år"), null=True, blank=True
    )

    class Meta:
        ordering = ["association", "name"]
        verbose_name = gettext_lazy("insats")
        verbose_name_plural = gettext_lazy("insatser")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="intervention_valid_period",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def takes_persons(self) -> bool:
        return (
            self.orientation == self.Orientation.INDIVIDUAL
            and self.registration == self.Registration.PERSONS
        )

    @property
    def target_group_labels(self) -> list[str]:
        return [cl.TARGET_GROUP.label_of(c) for c in self.target_groups]


class Participant(models.Model):
    """One person – identified (pseudonym + encrypted identity) or anonymous (no identity at all).

    The identity number is never stored in clear text: ``pseudonym`` is a keyed HMAC (links the same
    person across interventions, associations and years) and ``identity_encrypted`` an AES-GCM
    token (older rows: Fernet) only a participant handler's request can decrypt (and every
    decryption is audited).
    """

    class Level(models.TextChoices):
        IDENTIFIED = "identified", gettext_lazy("Identifierad")
        ANONYMOUS = "anonymous", gettext_lazy("Anonym")

    identity_level = models.CharField(
        gettext_lazy("identitetsnivå"), max_length=10, choices=Level.choices
    )
    pseudonym = models.CharField(
        gettext_lazy("pseudonym"), max_length=64, unique=True, null=True, blank=True
    )
    identity_encrypted = models.TextField(gettext_lazy("krypterat personnummer"), blank=True)
    name_encrypted = models.TextField(gettext_lazy("krypterat namn"), blank=True)
    sex = models.CharField(gettext_lazy("kön"), max_length=1, choices=cl.SEX.choices())
    birth_year = models.PositiveSmallIntegerField(gettext_lazy("födelseår"), null=True, blank=True)
    protected_identity = models.BooleanField(gettext_lazy("skyddad identitet"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    erased_at = models.DateTimeField(gettext_lazy("raderad"), null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("deltagare")
        verbose_name_plural = gettext_lazy("deltagare")

    def __str__(self) -> str:
        short = (self.pseudonym or "")[:8]
        return f"Deltagare {self.pk}" + (f" ({short}…)" if short else " (anonym)")

    @property
    def is_identified(self) -> bool:
        return self.identity_level == self.Level.IDENTIFIED


class Consent(models.Model):
    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="consents",
        verbose_name=gettext_lazy("deltagare"),
    )
    given_date = models.DateField(gettext_lazy("samtycke lämnat"))
    form_version = models.CharField(gettext_lazy("blankett/version"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(
        USER,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_lazy("registrerat av"),
    )
    withdrawn_date = models.DateField(gettext_lazy("återkallat"), null=True, blank=True)
    withdrawn_recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-given_date"]
        verbose_name = gettext_lazy("samtycke")
        verbose_name_plural = gettext_lazy("samtycken")
        indexes = [
            # Withdrawn consents are few: the worklist starts from them.
            models.Index(
                fields=["participant"],
                name="consent_withdrawn",
                condition=Q(withdrawn_date__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Samtycke {self.given_date}"


class Episode(models.Model):
    """One participation: one stay in one intervention, from enrolment to exit."""

    key = models.CharField(gettext_lazy("inskrivningsnyckel"), max_length=64, unique=True)
    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.PROTECT,
        related_name="episodes",
        verbose_name=gettext_lazy("insats"),
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="episodes",
        verbose_name=gettext_lazy("deltagare"),
    )
    # Enrolment
    start_date = models.DateField(gettext_lazy("startdatum"))
    home_municipality = models.ForeignKey(
        "geo.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("hemkommun"),
    )
    district = models.ForeignKey(
        "geo.District",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=gettext_lazy("stadsdel"),
    )
    sex = models.CharField(gettext_lazy("kön"), max_length=1, choices=cl.SEX.choices())
    age_at_start = models.PositiveSmallIntegerField(
        gettext_lazy("ålder vid start"), null=True, blank=True
    )
    support_before = models.PositiveIntegerField(
        gettext_lazy("försörjning före (bitmask)"), default=0
    )
    occupation_before = models.CharField(
        gettext_lazy("sysselsättning före"), max_length=6, blank=True
    )
    time_on_support = models.CharField(
        gettext_lazy("tid i offentlig försörjning"), max_length=6, blank=True
    )
    education = models.CharField(gettext_lazy("utbildning"), max_length=6, blank=True)
    work_hours_before = models.FloatField(gettext_lazy("arbete före (h/v)"), null=True, blank=True)
    study_hours_before = models.FloatField(
        gettext_lazy("studier före (h/v)"), null=True, blank=True
    )
    # Exit
    end_date = models.DateField(gettext_lazy("slutdatum"), null=True, blank=True)
    exit_reason = models.CharField(gettext_lazy("avslutningsanledning"), max_length=6, blank=True)
    support_after = models.PositiveIntegerField(
        gettext_lazy("försörjning efter (bitmask)"), default=0
    )
    occupation_after = models.CharField(
        gettext_lazy("sysselsättning efter"), max_length=6, blank=True
    )
    work_hours = models.FloatField(gettext_lazy("arbete efter (h/v)"), null=True, blank=True)
    study_hours = models.FloatField(gettext_lazy("studier efter (h/v)"), null=True, blank=True)
    work_study_increased = models.BooleanField(
        gettext_lazy("fått eller ökat arbete/studier"), null=True, blank=True
    )
    # Bookkeeping
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = gettext_lazy("inskrivning")
        verbose_name_plural = gettext_lazy("inskrivningar")
        indexes = [
            # exit_reason too: the lists count an intervention's (open) episodes from the index
            # alone (``selectors.episode_counts``).
            models.Index(
                fields=["intervention", "end_date", "exit_reason"], name="episode_intv_end_exit"
            ),
            models.Index(fields=["intervention", "start_date"], name="episode_intv_start"),
            # The lists' order (newest first) for a user who sees many interventions: a page of
            # 50 is read off the index instead of sorting every visible episode.
            models.Index(fields=["start_date", "id", "intervention"], name="episode_start_id"),
            # Open episodes by start (the participant lists' default, the worklist's overdue
            # episodes, oldest first): without walking past the exited ones.
            models.Index(
                fields=["start_date", "id", "intervention"],
                name="episode_open_start",
                condition=Q(end_date__isnull=True) & ~Q(exit_reason="FEL"),
            ),
            # Exits by date (the worklist's follow-ups due: a window of exit dates, oldest first).
            models.Index(
                fields=["end_date", "id", "intervention", "exit_reason"],
                name="episode_end_id",
                condition=Q(end_date__isnull=False),
            ),
            # Exits without a required value (the worklist): few, whatever the registry's size.
            models.Index(
                fields=["end_date", "id", "intervention"],
                name="episode_missing_exit",
                condition=Q(end_date__isnull=False)
                & (Q(exit_reason="") | Q(support_after=0) | Q(occupation_after="")),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="episode_valid_period",
            ),
        ]

    def __str__(self) -> str:
        return f"Inskrivning {self.key}"

    @property
    def support_before_codes(self) -> tuple[str, ...]:
        return cl.support_codes(self.support_before)

    @property
    def support_after_codes(self) -> tuple[str, ...]:
        return cl.support_codes(self.support_after)

    @property
    def is_registration_error(self) -> bool:
        return self.exit_reason == cl.EXIT_REGISTRATION_ERROR

    @property
    def is_open(self) -> bool:
        return self.end_date is None


class FollowUp(models.Model):
    class Source(models.TextChoices):
        HANDLER = "handler", gettext_lazy("Deltagaransvarig")
        REGISTER = "register", gettext_lazy("Registeruppgift")

    episode = models.ForeignKey(
        Episode,
        on_delete=models.CASCADE,
        related_name="followups",
        verbose_name=gettext_lazy("inskrivning"),
    )
    months_after = models.PositiveSmallIntegerField(
        gettext_lazy("månader efter avslut"),
        choices=[(m, f"{m} månader") for m in cl.FOLLOWUP_MONTHS],
    )
    support = models.PositiveIntegerField(gettext_lazy("försörjning (bitmask)"), default=0)
    occupation = models.CharField(gettext_lazy("sysselsättning"), max_length=6, blank=True)
    work_hours = models.FloatField(gettext_lazy("arbete (h/v)"), null=True, blank=True)
    study_hours = models.FloatField(gettext_lazy("studier (h/v)"), null=True, blank=True)
    source = models.CharField(
        gettext_lazy("källa"), max_length=10, choices=Source.choices, default=Source.HANDLER
    )
    recorded_at = models.DateTimeField(auto_now=True)
    recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["episode", "months_after"]
        verbose_name = gettext_lazy("uppföljning")
        verbose_name_plural = gettext_lazy("uppföljningar")
        constraints = [
            models.UniqueConstraint(fields=["episode", "months_after"], name="followup_unique"),
        ]

    def __str__(self) -> str:
        return f"Uppföljning {self.months_after} mån"

    @property
    def support_codes(self) -> tuple[str, ...]:
        return cl.support_codes(self.support)


class VolumeCount(models.Model):
    """Head counts per month and sex for a volume intervention."""

    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.CASCADE,
        related_name="volume_counts",
        verbose_name=gettext_lazy("insats"),
    )
    month = models.DateField(
        gettext_lazy("månad"), help_text=gettext_lazy("Första dagen i månaden.")
    )
    women = models.PositiveIntegerField(gettext_lazy("kvinnor"), default=0)
    men = models.PositiveIntegerField(gettext_lazy("män"), default=0)
    other = models.PositiveIntegerField(gettext_lazy("annat/okänt"), default=0)

    class Meta:
        ordering = ["intervention", "month"]
        verbose_name = gettext_lazy("volymuppgift")
        verbose_name_plural = gettext_lazy("volymuppgifter")
        constraints = [
            models.UniqueConstraint(fields=["intervention", "month"], name="volume_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.intervention} {self.month:%Y-%m}"

    @property
    def total(self) -> int:
        return self.women + self.men + self.other


class ExtraQuestion(models.Model):
    class AnswerType(models.TextChoices):
        YES_NO = "yes_no", gettext_lazy("Ja/nej")
        SINGLE = "single", gettext_lazy("Ett val")
        MULTIPLE = "multiple", gettext_lazy("Flera val")
        NUMBER = "number", gettext_lazy("Tal")
        TEXT = "text", gettext_lazy("Fritext")

    class Phase(models.TextChoices):
        ENROLMENT = "enrolment", gettext_lazy("Vid inskrivning")
        EXIT = "exit", gettext_lazy("Vid avslut")
        FOLLOWUP = "followup", gettext_lazy("Vid uppföljning")

    association = models.ForeignKey(
        Association,
        on_delete=models.CASCADE,
        related_name="extra_questions",
        verbose_name=gettext_lazy("förbund"),
    )
    text = models.CharField(gettext_lazy("fråga"), max_length=300)
    answer_type = models.CharField(
        gettext_lazy("svarstyp"), max_length=10, choices=AnswerType.choices
    )
    choices = models.JSONField(gettext_lazy("svarsalternativ"), default=list, blank=True)
    phase = models.CharField(gettext_lazy("ställs"), max_length=10, choices=Phase.choices)
    order = models.PositiveSmallIntegerField(gettext_lazy("ordning"), default=0)
    valid_from = models.DateField(gettext_lazy("giltig från"))
    valid_to = models.DateField(gettext_lazy("giltig till"), null=True, blank=True)

    class Meta:
        ordering = ["association", "phase", "order"]
        verbose_name = gettext_lazy("kompletterande fråga")
        verbose_name_plural = gettext_lazy("kompletterande frågor")

    def __str__(self) -> str:
        return self.text


class ExtraAnswer(models.Model):
    question = models.ForeignKey(
        ExtraQuestion,
        on_delete=models.PROTECT,
        related_name="answers",
        verbose_name=gettext_lazy("fråga"),
    )
    episode = models.ForeignKey(
        Episode,
        on_delete=models.CASCADE,
        related_name="extra_answers",
        verbose_name=gettext_lazy("inskrivning"),
    )
    followup = models.ForeignKey(
        FollowUp, null=True, blank=True, on_delete=models.CASCADE, related_name="extra_answers"
    )
    value = models.JSONField(gettext_lazy("svar"), null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("svar på kompletterande fråga")
        verbose_name_plural = gettext_lazy("svar på kompletterande frågor")

    def __str__(self) -> str:
        return f"{self.question}: {self.value}"


class PeriodSignoff(models.Model):
    """An association's sign-off of a year or half-year: registrations dated in it are locked.

    Reopening keeps the row (``reopened_at`` set, with the reason); a new sign-off is a new row.
    Written only by ``registry/services/signoff.py``; rules in ``finsam/domain/signoff.py``."""

    association = models.ForeignKey(
        Association,
        on_delete=models.PROTECT,
        related_name="signoffs",
        verbose_name=gettext_lazy("förbund"),
    )
    year = models.PositiveSmallIntegerField(gettext_lazy("år"))
    half = models.PositiveSmallIntegerField(
        gettext_lazy("halvår"),
        null=True,
        blank=True,
        help_text=gettext_lazy("Tomt = helår; 1 = jan–jun, 2 = jul–dec."),
    )
    signed_at = models.DateTimeField(gettext_lazy("undertecknad"), auto_now_add=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_lazy("undertecknad av"),
    )
    comment = models.TextField(gettext_lazy("kommentar"), blank=True)
    reopened_at = models.DateTimeField(gettext_lazy("öppnad igen"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_lazy("öppnad av"),
    )
    reopen_reason = models.TextField(gettext_lazy("orsak till öppning"), blank=True)

    class Meta:
        ordering = ["association", "year", "half", "signed_at"]
        verbose_name = gettext_lazy("undertecknad period")
        verbose_name_plural = gettext_lazy("undertecknade perioder")
        constraints = [
            models.CheckConstraint(
                condition=Q(half__isnull=True) | Q(half__in=[1, 2]), name="signoff_half_1_or_2"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.association} {self.period.label}"

    @property
    def period(self):
        from finsam.domain.signoff import SignoffPeriod

        return SignoffPeriod(self.year, self.half)

    @property
    def active(self) -> bool:
        return self.reopened_at is None
