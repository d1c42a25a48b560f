import re
from datetime import date

import pytest
from cryptography.fernet import Fernet
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from finsam.domain import identity as identity_module
from finsam.domain.identity import (
    GCM_PREFIX,
    IdentityCipher,
    looks_like_personal_number,
    parse_personal_number,
    pseudonym,
)
from finsam.domain.problems import DomainValidationError
from tests.conftest import COORDINATION_NUMBER, PNR_MAN, PNR_WOMAN

TODAY = date(2026, 11, 22)


def rule_of(raw):
    with pytest.raises(DomainValidationError) as exc:
        parse_personal_number(raw, today=TODAY)
    return exc.value.problems[0].rule, exc.value.problems[0].message


def test_parses_twelve_digits_and_derives_sex_and_birth_date():
    woman = parse_personal_number(PNR_WOMAN, today=TODAY)
    assert woman.canonical == "199001010009"
    assert woman.birth_date == date(1990, 1, 1)
    assert woman.sex == "K"
    assert not woman.is_coordination_number
    assert parse_personal_number(PNR_MAN, today=TODAY).sex == "M"


@pytest.mark.parametrize("raw", ["900101-0009", "9001010009", "199001010009", " 19900101-0009 "])
def test_accepts_the_usual_forms(raw):
    assert parse_personal_number(raw, today=TODAY).canonical == "199001010009"


def test_plus_marks_a_centenarian():
    body = "201231123"
    number = f"{body[:6]}+{body[6:]}{luhn.calc_check_digit(body)}"
    assert parse_personal_number(number, today=TODAY).birth_date == date(1920, 12, 31)


def test_coordination_number_has_day_plus_sixty():
    person = parse_personal_number(COORDINATION_NUMBER, today=TODAY)
    assert person.is_coordination_number
    assert person.birth_date == date(1990, 1, 1)


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ("", "identity.required"),
        ("19900101-000X", "identity.format"),
        ("9001010008", "identity.checksum"),
        ("19901301-0009", "identity.date"),
        ("19900101-0008", "identity.checksum"),
        ("123", "identity.length"),
        ("20300101-0000", "identity.date"),
    ],
)
def test_rejects_with_a_swedish_message(raw, rule):
    got_rule, message = rule_of(raw)
    assert got_rule == rule
    assert "Personnummer/samordningsnummer" in message


def test_the_number_never_appears_in_its_repr():
    person = parse_personal_number(PNR_WOMAN, today=TODAY)
    assert "0009" not in repr(person) and "19900101" not in str(person)


def test_pseudonym_is_keyed_and_stable():
    person = parse_personal_number(PNR_WOMAN, today=TODAY)
    same = parse_personal_number("900101-0009", today=TODAY)
    assert pseudonym(person, b"k1") == pseudonym(same, b"k1")
    assert pseudonym(person, b"k1") != pseudonym(person, b"k2")
    assert len(pseudonym(person, b"k1")) == 64
    assert "199001010009" not in pseudonym(person, b"k1")


def test_cipher_round_trip_and_key_rotation():
    old, new = IdentityCipher.generate_key(), IdentityCipher.generate_key()
    token = IdentityCipher([old]).encrypt("199001010009")
    assert "199001010009" not in token
    assert IdentityCipher([new, old]).decrypt(token) == "199001010009"
    with pytest.raises(ValueError):
        IdentityCipher([new]).decrypt(token)


def test_free_text_check_finds_identity_numbers():
    assert looks_like_personal_number("Personen (900101-0009) fick inget stöd")
    assert not looks_like_personal_number("Ärende 123456-7890 utan personnummer")


@given(
    birth=st.dates(min_value=date(1920, 1, 1), max_value=date(2010, 12, 31)),
    serial=st.integers(min_value=0, max_value=999),
    coordination=st.booleans(),
)
def test_every_luhn_valid_number_parses_and_round_trips(birth, serial, coordination):
    day = birth.day + (60 if coordination else 0)
    body = f"{birth:%y%m}{day:02d}{serial:03d}"
    number = f"{birth.year}{body[2:6]}-{body[6:]}{luhn.calc_check_digit(body)}"
    person = parse_personal_number(number, today=TODAY)
    assert person.birth_date == birth
    assert person.is_coordination_number == coordination
    assert person.sex == ("M" if serial % 2 else "K")
    assert parse_personal_number(person.display, today=TODAY) == person


@given(st.text(max_size=30))
def test_parser_never_crashes_on_arbitrary_text(text):
    try:
        parse_personal_number(text, today=TODAY)
    except DomainValidationError as exc:
        assert exc.problems and exc.problems[0].message


def _outcome(raw):
    try:
        return parse_personal_number(raw, today=TODAY)
    except DomainValidationError as exc:
        return [(p.rule, p.message) for p in exc.problems]


def _slow_outcome(raw):
    """The same parse with the fast path switched off (every input through stdnum's clean)."""
    saved = identity_module._PLAIN
    identity_module._PLAIN = re.compile(r"(?!)")
    try:
        return _outcome(raw)
    finally:
        identity_module._PLAIN = saved


@given(
    st.one_of(
        st.text(alphabet="0123456789-+ :", max_size=16),
        st.text(alphabet="0123456789-+", min_size=10, max_size=13),
        st.builds(
            lambda d, s, sep: f"{d:%Y%m%d}{sep}{s:04d}",
            st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31)),
            st.integers(min_value=0, max_value=9999),
            st.sampled_from(["", "-", "+"]),
        ),
        st.builds(
            lambda d, s, sep: f"{d:%y%m%d}{sep}{s:04d}",
            st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31)),
            st.integers(min_value=0, max_value=9999),
            st.sampled_from(["", "-", "+"]),
        ),
        st.text(max_size=16),
    )
)
def test_fast_path_for_plain_numbers_equals_the_stdnum_path(raw):
    assert _outcome(raw) == _slow_outcome(raw)


def test_fast_path_is_taken_only_for_plain_ascii():
    assert identity_module._PLAIN.fullmatch("19900101-0009")
    assert identity_module._PLAIN.fullmatch("9001010009")
    assert not identity_module._PLAIN.fullmatch("19900101 0009")
    assert not identity_module._PLAIN.fullmatch("１９９００１０１－０００９")
    # Full-width digits and a Unicode dash still parse, through stdnum's clean.
    assert _outcome("１９９００１０１－０００９") == parse_personal_number(PNR_WOMAN, today=TODAY)


def test_cipher_writes_aes_gcm_with_random_nonces():
    key = IdentityCipher.generate_key()
    cipher = IdentityCipher([key])
    a, b = cipher.encrypt("199001010009"), cipher.encrypt("199001010009")
    assert a.startswith(GCM_PREFIX) and b.startswith(GCM_PREFIX)
    assert a != b  # a fresh 96-bit nonce each time
    assert cipher.decrypt(a) == cipher.decrypt(b) == "199001010009"
    assert IdentityCipher([key]).decrypt(a) == "199001010009"  # the key is derived, not stored


def test_cipher_still_reads_fernet_tokens_written_before_aes_gcm():
    old, new = IdentityCipher.generate_key(), IdentityCipher.generate_key()
    legacy = Fernet(old).encrypt(b"199001010009").decode("ascii")
    assert IdentityCipher([old]).decrypt(legacy) == "199001010009"
    assert IdentityCipher([new, old]).decrypt(legacy) == "199001010009"
    with pytest.raises(ValueError):
        IdentityCipher([new]).decrypt(legacy)


def test_cipher_rejects_tampered_or_truncated_gcm_tokens():
    cipher = IdentityCipher([IdentityCipher.generate_key()])
    token = cipher.encrypt("199001010009")
    body = token[len(GCM_PREFIX) :]
    flipped = body[:20] + ("A" if body[20] != "A" else "B") + body[21:]
    for bad in (GCM_PREFIX + flipped, token[:-8], GCM_PREFIX, GCM_PREFIX + "!!!", "g1:ä"):
        with pytest.raises(ValueError):
            cipher.decrypt(bad)
