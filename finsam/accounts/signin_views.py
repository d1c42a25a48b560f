"""Pages of the sign-in itself: the MFA code after the password, MFA setup with recovery codes,
and the confirmation (step-up) before identity is revealed."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from finsam.accounts import services
from finsam.accounts.forms import PasswordConfirmForm, TokenForm
from finsam.accounts.oidc import oidc_enabled
from finsam.accounts.sessions import PASSWORD_MFA, is_eid_session, mark_authenticated
from finsam.accounts.strong_auth import MFA_ENROLLED, user_has_mfa
from finsam.audit.models import LogType
from finsam.audit.services import audit_record
from finsam.domain.problems import DomainValidationError

RECOVERY_CODES_SESSION = "finsam_new_recovery_codes"


def _next(request, default="/") -> str:
    url = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return default


def _verify_code(request, token: str):
    """The device among the user's confirmed ones that accepts ``token`` (audited either way)."""
    from django_otp import devices_for_user, login

    token = (token or "").replace(" ", "").lower()
    for device in devices_for_user(request.user, confirmed=True, for_verify=True):
        if not device.verify_is_allowed()[0]:
            request.finsam_mfa_throttled = True
            continue
        if device.verify_token(token):
            login(request, device)
            mark_authenticated(request, method=PASSWORD_MFA, strong=True, sign_in=False)
            return device
    audit_record(
        actor=request.user,
        log_type=LogType.AUTH,
        action="mfa_failed",
        obj=request.user,
        summary=f"Fel kod för tvåstegsverifiering: {request.user.username}",
    )
    return None


def _code_error(request) -> str:
    if getattr(request, "finsam_mfa_throttled", False):
        return gettext(
            "Koden stämmer inte, och efter flera felaktiga koder måste du vänta en stund "
            "mellan försöken. Vänta några sekunder och försök igen."
        )
    return gettext("Koden stämmer inte eller är redan använd. Försök igen med en ny kod.")


@require_http_methods(["GET", "POST"])
def mfa_verify(request):
    """The second step after the password: a TOTP or recovery code."""
    if is_eid_session(request) or request.user.is_verified():
        return redirect(_next(request))
    if not user_has_mfa(request.user):
        request.session[MFA_ENROLLED] = False
        return redirect(_next(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _verify_code(request, form.cleaned_data["token"]):
            return redirect(_next(request))
        form.add_error("token", _code_error(request))
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": _next(request)})


def _qr_svg(device) -> str:
    from django_otp.qr import write_qrcode_image

    out = io.BytesIO()
    write_qrcode_image(device.config_url, out)
    svg = out.getvalue().decode("utf-8")
    return svg[svg.find("<svg") :]


@require_http_methods(["GET", "POST"])
def mfa_setup(request):
    """Turn on TOTP (QR code + the key as text), then show the recovery codes once."""
    from base64 import b32encode

    user = request.user
    codes = request.session.pop(RECOVERY_CODES_SESSION, None)
    enrolled = user_has_mfa(user)
    if request.method == "POST" and request.POST.get("action") == "regenerate" and enrolled:
        if not (user.is_verified() or is_eid_session(request)):
            return redirect(f"{request.path}")
        request.session[RECOVERY_CODES_SESSION] = services.recovery_codes_regenerate(
            actor=user, user=user
        )
        messages.success(request, gettext("Nya reservkoder är skapade; de gamla gäller inte."))
        return redirect("mfa_setup")
    if enrolled:
        return render(
            request,
            "accounts/mfa_setup.html",
            {"enrolled": True, "codes": codes, "next": _next(request)},
        )
    device = services.totp_begin(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new_codes = services.totp_confirm(
                actor=user, device=device, token=form.cleaned_data["token"]
            )
        except DomainValidationError as exc:
            form.apply_problems(exc.problems)
        else:
            from django_otp import login

            device.refresh_from_db()
            login(request, device)
            mark_authenticated(request, method=PASSWORD_MFA, strong=True, sign_in=False)
            request.session[MFA_ENROLLED] = True
            request.session[RECOVERY_CODES_SESSION] = new_codes
            messages.success(request, gettext("Tvåstegsverifiering är påslagen för ditt konto."))
            return redirect(f"{request.path}?{urlencode({'next': _next(request)})}")
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "enrolled": False,
            "form": form,
            "qr": mark_safe(_qr_svg(device)),
            "secret": b32encode(device.bin_key).decode("ascii"),
            "next": _next(request),
        },
    )


@require_http_methods(["GET", "POST"])
def reauthenticate(request):
    """Confirm who you are before a sensitive action: e-ID again, an MFA code or – only where
    strong sign-in is not required – the password."""
    user = request.user
    next_url = _next(request)
    has_mfa = user_has_mfa(user)
    allow_password = not settings.FINSAM_REQUIRE_STRONG_AUTH and user.has_usable_password()
    code_form = TokenForm(request.POST if request.POST.get("kind") == "code" else None)
    password_form = PasswordConfirmForm(
        request.POST if request.POST.get("kind") == "password" else None
    )
    if request.method == "POST":
        if request.POST.get("kind") == "code" and has_mfa and code_form.is_valid():
            if _verify_code(request, code_form.cleaned_data["token"]):
                return redirect(next_url)
            code_form.add_error("token", _code_error(request))
        elif request.POST.get("kind") == "password" and allow_password and password_form.is_valid():
            confirmed = authenticate(
                request,
                username=user.get_username(),
                password=password_form.cleaned_data["password"],
            )
            if confirmed is not None and confirmed.pk == user.pk:
                mark_authenticated(
                    request,
                    method=request.session.get("finsam_auth_method", "password"),
                    strong=False,
                    sign_in=False,
                )
                return redirect(next_url)
            password_form.add_error("password", gettext("Lösenordet stämmer inte."))
    return render(
        request,
        "accounts/reauthenticate.html",
        {
            "next": next_url,
            "eid": oidc_enabled() and bool(user.eid_pseudonym or user.hsa_id),
            "has_mfa": has_mfa,
            "allow_password": allow_password,
            "code_form": code_form,
            "password_form": password_form,
        },
    )
