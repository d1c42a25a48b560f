"""Every write to accounts: creating users, e-ID keys, deactivation, MFA (audited).

Roles and intervention assignments are granted and withdrawn in ``finsam.access.services``.
Who may call these for whom is decided in ``finsam.users.selectors`` (the views ask).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from finsam.access.services import role_grant
from finsam.audit.context import audited_by_caller
from finsam.audit.services import audit_change
from finsam.domain.identity import parse_personal_number, pseudonym
from finsam.domain.problems import DomainValidationError, Problem

RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "Reservkoder"


def _problem(field: str, rule: str, message: str) -> DomainValidationError:
    return DomainValidationError([Problem(field, rule, message)])


def _eid_pseudonym(personal_number: str, *, exclude_pk=None) -> str:
    number = parse_personal_number(personal_number, field="personal_number")
    value = pseudonym(number, settings.FINSAM_PSEUDONYM_KEY)
    if get_user_model().objects.filter(eid_pseudonym=value).exclude(pk=exclude_pk).exists():
        raise _problem(
            "personal_number",
            "user.personal_number_taken",
            "Personnumret är redan kopplat till ett annat konto i Finsam.",
        )
    return value


def _hsa_id(hsa_id: str, *, exclude_pk=None) -> str | None:
    hsa_id = (hsa_id or "").strip()
    if not hsa_id:
        return None
    if len(hsa_id) > 64 or not hsa_id.replace("-", "").isalnum():
        raise _problem(
            "hsa_id",
            "user.hsa_id_format",
            "HSA-id får bara innehålla bokstäver, siffror och bindestreck "
            "(t.ex. SE2321000016-1234).",
        )
    if get_user_model().objects.filter(hsa_id=hsa_id).exclude(pk=exclude_pk).exists():
        raise _problem(
            "hsa_id", "user.hsa_id_taken", "HSA-id:t är redan kopplat till ett annat konto."
        )
    return hsa_id


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    password: str = "",
    personal_number: str = "",
    hsa_id: str = "",
    role=None,
    association=None,
):
    """Create an account beforehand (no self-registration) and optionally its first role.

    Without a password the account can only sign in with e-ID."""
    User = get_user_model()
    username = (username or "").strip()
    problems = []
    if not username:
        problems.append(Problem("username", "user.username_required", "Användarnamn saknas."))
    elif User.objects.filter(username__iexact=username).exists():
        problems.append(
            Problem("username", "user.username_taken", f"Användarnamnet {username} finns redan.")
        )
    if not password and not personal_number and not hsa_id:
        problems.append(
            Problem(
                "password",
                "user.no_way_to_sign_in",
                "Ange ett lösenord, ett personnummer (för e-legitimation) eller ett HSA-id – "
                "annars kan kontot inte logga in.",
            )
        )
    if problems:
        raise DomainValidationError(problems)
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise _problem("password", "user.password_weak", " ".join(exc.messages)) from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    if personal_number:
        user.eid_pseudonym = _eid_pseudonym(personal_number)
    user.hsa_id = _hsa_id(hsa_id)
    with audited_by_caller():
        user.save()
    audit_change(
        actor=actor,
        action="user_create",
        obj=user,
        association_id=getattr(association, "pk", None),
        summary=f"Konto {user.username} skapat"
        + (" (e-legitimation)" if user.eid_pseudonym or user.hsa_id else ""),
    )
    if role:
        role_grant(user=user, role=role, association=association, actor=actor)
    return user


@transaction.atomic
def user_update(
    *,
    actor,
    user,
    first_name: str,
    last_name: str,
    email: str,
    personal_number: str = "",
    remove_personal_number: bool = False,
    hsa_id: str = "",
    association_id=None,
):
    """Change name, e-mail and e-ID keys. A personal number replaces the stored pseudonym; an
    empty one keeps it (the number itself is never shown again)."""
    before = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "e-legitimation": bool(user.eid_pseudonym),
        "hsa_id": user.hsa_id or "",
    }
    new_pseudonym = user.eid_pseudonym
    if personal_number:
        new_pseudonym = _eid_pseudonym(personal_number, exclude_pk=user.pk)
    elif remove_personal_number:
        new_pseudonym = None
    new_hsa = _hsa_id(hsa_id, exclude_pk=user.pk)
    user.first_name, user.last_name, user.email = first_name, last_name, email
    user.eid_pseudonym, user.hsa_id = new_pseudonym, new_hsa
    with audited_by_caller():
        user.save()
    after = {
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "e-legitimation": bool(new_pseudonym),
        "hsa_id": new_hsa or "",
    }
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if personal_number and before["e-legitimation"]:
        changes["e-legitimation"] = ["byttes", "byttes"]
    if changes:
        audit_change(
            actor=actor,
            action="user_update",
            obj=user,
            association_id=association_id,
            changes=changes,
            summary=f"Konto {user.username} ändrat",
        )
    return user


@transaction.atomic
def user_set_active(*, actor, user, active: bool, association_id=None):
    """Deactivate (no sign-in; open sessions end at the next request) or reactivate."""
    if not active and user.pk == getattr(actor, "pk", None):
        raise _problem(
            "is_active", "user.deactivate_self", "Du kan inte stänga av ditt eget konto."
        )
    if user.is_active == active:
        return user
    user.is_active = active
    with audited_by_caller():
        user.save(update_fields=["is_active"])
    audit_change(
        actor=actor,
        action="user_activate" if active else "user_deactivate",
        obj=user,
        association_id=association_id,
        changes={"is_active": [not active, active]},
        summary=f"Konto {user.username} " + ("aktiverat" if active else "avstängt"),
    )
    return user


# --- MFA (django-otp: TOTP and static recovery codes) ---------------------------------------


def totp_begin(*, user):
    """The user's unconfirmed TOTP device (created once), to show as a QR code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Autentiseringsapp", confirmed=False)


def _new_recovery_codes(user) -> list[str]:
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


@transaction.atomic
def totp_confirm(*, actor, device, token: str) -> list[str]:
    """Confirm the TOTP device with a first code; returns new recovery codes (shown once)."""
    token = (token or "").replace(" ", "")
    if not token.isdigit() or not device.verify_token(token):
        raise _problem(
            "token",
            "mfa.token_invalid",
            "Koden stämmer inte. Ange de sex siffrorna som appen visar just nu.",
        )
    device.confirmed = True
    device.save()
    type(device).objects.filter(user=device.user).exclude(pk=device.pk).delete()
    codes = _new_recovery_codes(device.user)
    audit_change(
        actor=actor,
        action="mfa_enable",
        obj=device.user,
        summary=f"Tvåstegsverifiering påslagen för {device.user.username}",
    )
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, actor, user) -> list[str]:
    codes = _new_recovery_codes(user)
    audit_change(
        actor=actor,
        action="mfa_recovery_codes",
        obj=user,
        summary=f"Nya reservkoder för {user.username} (de gamla slutar gälla)",
    )
    return codes


@transaction.atomic
def mfa_reset(*, actor, user, association_id=None) -> int:
    """Remove every MFA device of ``user`` (a lost phone): the next sign-in sets it up anew."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).delete()[0]
    audit_change(
        actor=actor,
        action="mfa_reset",
        obj=user,
        association_id=association_id,
        summary=f"Tvåstegsverifiering återställd för {user.username}",
    )
    return removed
