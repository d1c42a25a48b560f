"""Personal identity numbers and coordination numbers, pseudonyms and encryption.

``domain.md`` §1: an identified participant is stored only as (a) a keyed pseudonym
(HMAC-SHA-256 with one secret key for the whole installation, so one person links across
interventions, associations and years) and (b) an encrypted copy that only an authorised
participant handler can decrypt. Sex and birth date are derived from the number.

Validation builds on python-stdnum (format and the Luhn check digit); stdnum does not know
coordination numbers (samordningsnummer, day of birth + 60), so the date part is checked here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from datetime import date

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from stdnum import luhn
from stdnum.exceptions import ValidationError
from stdnum.util import clean, isdigits

from finsam.domain.problems import DomainValidationError, Problem

COORDINATION_DAY_OFFSET = 60
_PLAIN = re.compile(r"[0-9+-]+")
"""Digits with ``-``/``+`` only: the common clean form, which needs no Unicode clean-up."""


@dataclass(frozen=True, slots=True)
class PersonalNumber:
    """A validated identity number in its canonical 12-digit form ``YYYYMMDDNNNC``."""

    canonical: str
    birth_date: date
    sex: str
    """``K`` (woman) or ``M`` (man), from the second-to-last digit."""
    is_coordination_number: bool

    @property
    def display(self) -> str:
        """``YYYYMMDD-NNNN`` – for the few screens that may show it."""
        return f"{self.canonical[:8]}-{self.canonical[8:]}"

    def __repr__(self) -> str:  # never leak the number into logs or tracebacks
        return "PersonalNumber(<hidden>)"

    __str__ = __repr__


def _problem(rule: str, message: str, field: str) -> DomainValidationError:
    return DomainValidationError([Problem(field=field, rule=rule, message=message)])


def parse_personal_number(
    raw: str, *, today: date | None = None, field: str = "personal_number"
) -> PersonalNumber:
    """Validate a personal identity number or coordination number and return its canonical form.

    Accepts 10 or 12 digits, with or without ``-`` or ``+`` (``+`` marks age 100 or more in the
    10-digit form). Raises :class:`DomainValidationError` with a Swedish message otherwise.
    """
    today = today or date.today()
    if raw and raw.isascii() and _PLAIN.fullmatch(raw):
        number = raw  # already clean: stdnum's ``clean`` would return it unchanged
    else:
        number = clean(raw or "", " :").strip()
    label = "Personnummer/samordningsnummer"
    if not number:
        raise _problem("identity.required", f"{label} saknas.", field)
    separator = ""
    if len(number) in (11, 13) and number[-5] in "-+":
        separator = number[-5]
        number = number[:-5] + number[-4:]
    if not isdigits(number):
        raise _problem(
            "identity.format",
            f"{label} får bara innehålla siffror och bindestreck (ÅÅÅÅMMDD-NNNN).",
            field,
        )
    if len(number) not in (10, 12):
        raise _problem(
            "identity.length",
            f"{label} ska ha 10 eller 12 siffror (ÅÅÅÅMMDD-NNNN), inte {len(number)}.",
            field,
        )
    if len(number) == 10:
        yy = int(number[:2])
        century = today.year // 100
        if yy > today.year % 100:
            century -= 1
        if separator == "+":
            century -= 1
        number = f"{century:02d}{number}"
    year, month, day = int(number[:4]), int(number[4:6]), int(number[6:8])
    coordination = day > COORDINATION_DAY_OFFSET
    if coordination:
        day -= COORDINATION_DAY_OFFSET
    try:
        birth = date(year, month, day)
    except ValueError:
        raise _problem(
            "identity.date",
            f"{label} innehåller inget giltigt födelsedatum.",
            field,
        ) from None
    if birth > today:
        raise _problem("identity.date", f"{label} har ett födelsedatum i framtiden.", field)
    try:
        luhn.validate(number[2:])
    except ValidationError:
        raise _problem(
            "identity.checksum",
            f"{label} har fel kontrollsiffra (sista siffran stämmer inte).",
            field,
        ) from None
    sex = "M" if int(number[-2]) % 2 else "K"
    return PersonalNumber(
        canonical=number, birth_date=birth, sex=sex, is_coordination_number=coordination
    )


def is_valid_personal_number(raw: str, *, today: date | None = None) -> bool:
    try:
        parse_personal_number(raw, today=today)
    except DomainValidationError:
        return False
    return True


def pseudonym(number: PersonalNumber, key: bytes) -> str:
    """The installation-wide keyed pseudonym of a person: hex HMAC-SHA-256 of the number."""
    if not key:
        raise ValueError("a pseudonym key is required")
    return hmac.new(key, number.canonical.encode("ascii"), hashlib.sha256).hexdigest()


GCM_PREFIX = "g1:"
"""Marks an AES-GCM token; Fernet tokens (URL-safe base64) never contain ``:``."""
_GCM_INFO = b"finsam identity AES-256-GCM v1"


def _gcm_key(fernet_key: bytes) -> AESGCM:
    """The AES-256-GCM key derived (HKDF-SHA-256) from one configured Fernet key."""
    material = base64.urlsafe_b64decode(fernet_key)
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_GCM_INFO).derive(material)
    return AESGCM(derived)


class IdentityCipher:
    """Authenticated encryption of identity data: AES-256-GCM with a random 96-bit nonce.

    Accepts several keys (the configured Fernet keys; the AES key is derived from each); the first
    encrypts and all decrypt, so keys can be rotated. Tokens written before the switch to AES-GCM
    are Fernet tokens (AES-128-CBC + HMAC-SHA-256) and still decrypt with the same keys.
    """

    def __init__(self, keys: list[bytes] | tuple[bytes, ...]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is required")
        self._fernet = MultiFernet([Fernet(k) for k in keys])
        self._gcm = [_gcm_key(k) for k in keys]

    @staticmethod
    def generate_key() -> bytes:
        return Fernet.generate_key()

    def encrypt(self, text: str) -> str:
        nonce = os.urandom(12)
        sealed = self._gcm[0].encrypt(nonce, text.encode("utf-8"), None)
        return GCM_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def decrypt(self, token: str) -> str:
        if token.startswith(GCM_PREFIX):
            try:
                raw = base64.urlsafe_b64decode(token[len(GCM_PREFIX) :].encode("ascii"))
            except (ValueError, UnicodeEncodeError):
                raw = b""
            if len(raw) > 12:
                for key in self._gcm:
                    try:
                        return key.decrypt(raw[:12], raw[12:], None).decode("utf-8")
                    except InvalidTag:
                        continue
            raise ValueError("the identity could not be decrypted with the configured keys")
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeEncodeError) as exc:
            raise ValueError(
                "the identity could not be decrypted with the configured keys"
            ) from exc


# --- identity numbers in free text --------------------------------------------------------------

_SEP = r"[ \t\u00a0]*[-+\u2010\u2011\u2012\u2013\u2014\u2212]?[ \t\u00a0]*"
"""Between the date and the serial part: nothing, spaces, or one of - + (or a dash look-alike from
a word processor) with optional spaces around it."""
_LONG = re.compile(rf"(?<!\d)(?=(\d{{8}}){_SEP}(\d{{4}})(?!\d))")
_SHORT = re.compile(rf"(?<!\d)(?=(\d{{6}}){_SEP}(\d{{4}})(?!\d))")


@dataclass(frozen=True, slots=True)
class Found:
    start: int
    """Offset of the first digit in the text."""
    digits: int
    """10 or 12: how many digits the number has."""


def find_identity_numbers(text: str, *, today: date | None = None) -> list[Found]:
    """Every personal identity or coordination number in ``text`` (Luhn-valid, a real date).

    Formats: ``YYYYMMDD-NNNN``, ``YYMMDD-NNNN``, ``YYMMDDNNNN``, ``YYYYMMDDNNNN``, with ``+``
    instead of ``-``, with spaces (or a dash look-alike) between the parts. A 10-digit number is
    found whichever century its date falls in (``-`` and ``+`` are both tried), so a number typed
    with the wrong separator is found too. The number must stand on its own (no digit directly
    before or after it). Used to refuse identifying data in free text (deviation reports).
    """
    text = text or ""
    found: list[Found] = []
    for m in _LONG.finditer(text):
        if is_valid_personal_number(f"{m.group(1)}-{m.group(2)}", today=today):
            found.append(Found(m.start(), 12))
    for m in _SHORT.finditer(text):
        head, tail = m.group(1), m.group(2)
        if any(is_valid_personal_number(f"{head}{sep}{tail}", today=today) for sep in ("-", "+")):
            found.append(Found(m.start(), 10))
    return sorted(found, key=lambda f: f.start)


def looks_like_personal_number(text: str, *, today: date | None = None) -> bool:
    """True if free text contains something that validates as an identity number."""
    return bool(find_identity_numbers(text, today=today))
