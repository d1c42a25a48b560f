"""The code lists of the domain specification (``spec/domain.md`` §2).

These are the *defaults* shipped with Finsam. The database keeps them as versioned reference data
(``registry.CodeListEntry`` with valid-from/valid-to), loaded from here by a migration; this
module is the one place the codes and their Swedish labels are written down.

Multi-valued fields (support before/after) are stored as bit masks: every support code has a
fixed bit that is never reused, so an episode's set of codes is one integer that both SQLite and
PostgreSQL can aggregate with ``&``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

LAW_START = date(2004, 1, 1)
"""The FINSAM law came into force 2004-01-01; no registration date may be earlier."""

FULL_TIME_HOURS = 40
"""40 hours a week is one full-time equivalent; a higher extent counts as 40."""


def _no_language() -> str | None:
    return None


_active_language: Callable[[], str | None] = _no_language
"""Returns the language of the current request; the web layer plugs in Django's
``get_language`` (:func:`use_language`), the core itself stays free of Django."""


def use_language(get_language: Callable[[], str | None]) -> None:
    """Make :meth:`CodeList.label_of` and :meth:`CodeList.choices` follow ``get_language()``:
    the English label (``label_en``) when it is English and the code has one, else Swedish."""
    global _active_language
    _active_language = get_language


def display_label(code: Code) -> str:
    """The code's label in the active language (Swedish unless English is active)."""
    if code.label_en and (_active_language() or "").startswith("en"):
        return code.label_en
    return code.label


def english_labels() -> dict[str, str]:
    """Swedish label → English label over every code list (for labels already rendered)."""
    return {c.label: c.label_en for lst in ALL_CODE_LISTS for c in lst.codes if c.label_en}


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    label: str
    """Swedish label (the user interface is Swedish first)."""
    label_en: str = ""
    bit: int | None = None
    """Bit position for multi-valued lists; stable forever."""
    note: str = ""


@dataclass(frozen=True, slots=True)
class CodeList:
    name: str
    label: str
    codes: tuple[Code, ...]
    ours: bool = False
    """True where the list is a product decision rather than a published national list."""
    _by_code: dict[str, Code] = field(
        init=False, repr=False, compare=False, hash=False, default_factory=dict
    )
    """code → :class:`Code`, built once (membership is tested for every imported row)."""

    def __post_init__(self) -> None:
        by_code: dict[str, Code] = {}
        for c in self.codes:
            by_code.setdefault(c.code, c)  # the first wins, as in a scan of ``codes``
        object.__setattr__(self, "_by_code", by_code)

    def __contains__(self, code: object) -> bool:
        try:
            return code in self._by_code
        except TypeError:  # an unhashable value is not a code
            return False

    def __iter__(self):
        return iter(self.codes)

    def get(self, code: str) -> Code | None:
        try:
            return self._by_code.get(code)
        except TypeError:
            return None

    def label_of(self, code: str) -> str:
        c = self.get(code)
        return display_label(c) if c else code

    @property
    def code_values(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.codes)

    def choices(self) -> list[tuple[str, str]]:
        return [(c.code, display_label(c)) for c in self.codes]


SUPPORT = CodeList(
    "support",
    "Försörjning",
    (
        Code("SJP", "Sjukpenning/Rehabiliteringspenning", "Sickness/rehabilitation benefit", bit=0),
        Code("AKE", "Aktivitetsersättning", "Activity compensation", bit=1),
        Code("SJE", "Sjukersättning", "Sickness compensation", bit=2),
        Code("AKA", "Arbetslöshetsersättning (A-kassa)", "Unemployment insurance", bit=3),
        Code("AKS", "Aktivitetsstöd/Utvecklingsersättning", "Activity support", bit=4),
        Code("ETA", "Etableringsersättning", "Establishment benefit", bit=5, note="ours"),
        Code("FSS", "Försörjningsstöd/Ekonomiskt bistånd", "Social assistance", bit=6),
        Code("STU", "Studiestöd/Studiemedel", "Study support", bit=7),
        Code("AOF", "Annan offentlig försörjning", "Other public support", bit=8),
        Code("ING", "Ingen offentlig försörjning", "No public support", bit=9),
        Code("SAK", "Uppgift saknas", "Missing", bit=10, note="only after"),
    ),
)
PUBLIC_SUPPORT = frozenset({"SJP", "AKE", "SJE", "AKA", "AKS", "ETA", "FSS", "AOF"})
SUPPORT_MISSING = "SAK"
SUPPORT_ONLY_AFTER = frozenset({"SAK"})

OCCUPATION = CodeList(
    "occupation",
    "Sysselsättning",
    (
        Code("ARB", "Förvärvsarbete", "Paid work (incl. subsidised employment)"),
        Code("STU", "Studier", "Studies (incl. labour-market training)"),
        Code("ARS", "Aktivt arbetssökande", "Actively seeking work"),
        Code("OVR", "Övrigt / ingen sysselsättning", "Other / no occupation"),
        Code("SAK", "Uppgift saknas", "Missing"),
    ),
)

TIME_ON_SUPPORT = CodeList(
    "time_on_support",
    "Tid i offentlig försörjning före start",
    (
        Code("NONE", "Ingen", "None"),
        Code("LT1", "Mindre än 1 år", "Under 1 year"),
        Code("1TO3", "1 till 3 år", "1 to under 3 years"),
        Code("3TO9", "3 till 9 år", "3 to under 9 years"),
        Code("GE9", "9 år eller mer", "9 years or more"),
        Code("SAK", "Uppgift saknas", "Missing"),
    ),
    ours=True,
)
TIME_ON_SUPPORT_OVER_3_YEARS = frozenset({"3TO9", "GE9"})

EDUCATION = CodeList(
    "education",
    "Högsta avslutade utbildning",
    (
        Code("GRU_LT", "Kortare än grundskola", "Less than compulsory school"),
        Code("GRU", "Grundskola", "Compulsory school"),
        Code("GYM", "Gymnasium", "Upper secondary"),
        Code("EFT", "Eftergymnasial utbildning", "Post-secondary"),
        Code("SAK", "Uppgift saknas", "Missing"),
    ),
)
EDUCATION_COMPULSORY_AT_MOST = frozenset({"GRU_LT", "GRU"})
EDUCATION_POST_SECONDARY = frozenset({"EFT"})

EXIT_REASON = CodeList(
    "exit_reason",
    "Avslutningsanledning",
    (
        Code("ARB", "Utskrivning – arbete", "Exit – work"),
        Code("STU", "Utskrivning – studier", "Exit – studies"),
        Code("REH", "Utskrivning – fortsatt rehabilitering", "Exit – continued rehabilitation"),
        Code("SJK", "Utskrivning på grund av sjukdom", "Exit – illness"),
        Code("FOR", "Utskrivning på grund av föräldraledighet", "Exit – parental leave"),
        Code("FLY", "Utskrivning på grund av flytt", "Exit – moved"),
        Code("AVB", "Avbrott på egen begäran", "Discontinued at own request", note="ours"),
        Code("UTU", "Utskrivning – utan uppgift", "Exit – not stated"),
        Code("OVR", "Övrigt", "Other"),
        Code("FEL", "Felregistrering", "Registration error"),
    ),
)
EXIT_SELF_SUPPORT = frozenset({"ARB", "STU"})
"""The published tables' "Utskrivning" row (self-support through work or studies)."""
EXIT_REGISTRATION_ERROR = "FEL"
"""Episodes with this exit reason are excluded from every report."""

SEX = CodeList(
    "sex",
    "Kön",
    (
        Code("K", "Kvinna", "Woman"),
        Code("M", "Man", "Man"),
        Code("X", "Annat/okänt", "Other/unknown"),
    ),
)

TARGET_GROUP = CodeList(
    "target_group",
    "Målgrupp",
    (
        Code("UNG", "Unga vuxna 16–29 som varken arbetar eller studerar", "Young adults NEET"),
        Code("AKE", "Personer med aktivitetsersättning", "Activity compensation"),
        Code("LSJ", "Långtidssjukskrivna", "Long-term sick"),
        Code("PSY", "Psykisk ohälsa", "Mental ill-health"),
        Code("NYA", "Nyanlända / utrikes födda", "Newly arrived / foreign born"),
        Code("LFS", "Långvarigt ekonomiskt bistånd", "Long-term social assistance"),
        Code("LAL", "Långtidsarbetslösa", "Long-term unemployed"),
        Code(
            "FUN", "Personer med funktionsnedsättning (inkl. daglig verksamhet LSS)", "Disability"
        ),
        Code("MIS", "Missbruk/beroende", "Substance abuse"),
        Code("OVR", "Övriga", "Other"),
    ),
    ours=True,
)

AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("16–19", 16, 19),
    ("20–24", 20, 24),
    ("25–29", 25, 29),
    ("30–39", 30, 39),
    ("40–49", 40, 49),
    ("50–59", 50, 59),
    ("60–64", 60, 64),
    ("65+", 65, None),
)
AGE_BANDS_UNDER_30 = frozenset({"16–19", "20–24", "25–29"})
AGE_BAND = CodeList(
    "age_band",
    "Åldersgrupp",
    tuple(Code(name, name, name) for name, _lo, _hi in AGE_BANDS),
)

ORIENTATION = CodeList(
    "orientation",
    "Inriktning",
    (
        Code("individual", "Individinriktad", "Individual"),
        Code("structural", "Strukturövergripande", "Structural"),
    ),
)
REGISTRATION_METHOD = CodeList(
    "registration",
    "Registreringssätt",
    (
        Code("persons", "Personer (identifierade eller anonyma)", "Persons"),
        Code("volume", "Volym (endast antal)", "Volume (counts only)"),
    ),
)
INTERVENTION_STATUS = CodeList(
    "intervention_status",
    "Status",
    (
        Code("planned", "Planerad", "Planned"),
        Code("ongoing", "Pågående", "Ongoing"),
        Code("ended", "Avslutad", "Ended"),
    ),
)
MEMBER_KIND = CodeList(
    "member_kind",
    "Medlemstyp",
    (
        Code("FK", "Försäkringskassan", "Social insurance agency"),
        Code("AF", "Arbetsförmedlingen", "Employment service"),
        Code("REGION", "Region", "Region"),
        Code("MUNICIPALITY", "Kommun", "Municipality"),
    ),
)
REQUIRED_MEMBER_KINDS = frozenset({"FK", "AF", "REGION", "MUNICIPALITY"})

FOLLOWUP_MONTHS = (6, 12, 24)

ALL_CODE_LISTS: tuple[CodeList, ...] = (
    SUPPORT,
    OCCUPATION,
    TIME_ON_SUPPORT,
    EDUCATION,
    EXIT_REASON,
    SEX,
    TARGET_GROUP,
    AGE_BAND,
    ORIENTATION,
    REGISTRATION_METHOD,
    INTERVENTION_STATUS,
    MEMBER_KIND,
)
CODE_LISTS_BY_NAME = {cl.name: cl for cl in ALL_CODE_LISTS}


# --- multi-valued support codes as bit masks ---------------------------------------------------

_SUPPORT_BIT: dict[str, int] = {c.code: c.bit for c in SUPPORT.codes if c.bit is not None}
_SUPPORT_BY_BIT = {bit: code for code, bit in _SUPPORT_BIT.items()}


def support_bit(code: str) -> int:
    """The mask value (``1 << bit``) of one support code."""
    return 1 << _SUPPORT_BIT[code]


def support_mask(codes: Iterable[str]) -> int:
    """Encode a set of support codes as an integer mask. Unknown codes raise ``KeyError``."""
    mask = 0
    for code in codes:
        mask |= 1 << _SUPPORT_BIT[code]
    return mask


def support_codes(mask: int) -> tuple[str, ...]:
    """Decode a mask into support codes, in code-list order."""
    return tuple(c.code for c in SUPPORT.codes if c.bit is not None and mask & (1 << c.bit))


def split_multi(value: str | None) -> list[str]:
    """Split a ``;``-separated multi-valued field (the interchange format), dropping blanks."""
    if not value:
        return []
    return [part.strip().upper() for part in value.split(";") if part.strip()]


def age_band(age: int) -> str | None:
    """The age band of ``domain.md`` §2 for an age in whole years; ``None`` below 16."""
    for name, lo, hi in AGE_BANDS:
        if age >= lo and (hi is None or age <= hi):
            return name
    return None


def age_on(birth: date, on: date) -> int:
    """Age in whole years on a date."""
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years


def full_time_equivalent(hours: float | None) -> float:
    """Hours per week as a share of full time, capped at 1.0 (40 h)."""
    if not hours or hours <= 0:
        return 0.0
    return min(float(hours), FULL_TIME_HOURS) / FULL_TIME_HOURS
