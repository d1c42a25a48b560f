"""Key material: the identity cipher and the pseudonym key (from settings)."""

from __future__ import annotations

from django.conf import settings

from finsam.domain.identity import (
    IdentityCipher,
    PersonalNumber,
    pseudonym,
)


def identity_cipher() -> IdentityCipher:
    return IdentityCipher(list(settings.FINSAM_ENCRYPTION_KEYS))


def pseudonym_for(person: PersonalNumber) -> str:
    return pseudonym(person, settings.FINSAM_PSEUDONYM_KEY)
