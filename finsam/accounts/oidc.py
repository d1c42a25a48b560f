"""Sign-in with Swedish e-ID through OpenID Connect (mozilla-django-oidc).

Authorization code flow with PKCE (S256), ``state`` and ``nonce`` checked by the library; Finsam
adds the issuer and audience checks of the ID token, discovery of the endpoints from
``FINSAM_OIDC_ISSUER``, matching to an account an administrator created beforehand (never
creating one), and a Swedish, audited refusal for every way the sign-in can fail.

The person is matched on the HMAC pseudonym of the personal identity number claim
(``finsam.domain.identity.pseudonym``; the number is never stored) or on the HSA-id claim.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from finsam.audit.models import LogType
from finsam.audit.services import audit_record
from finsam.domain.identity import parse_personal_number, pseudonym
from finsam.domain.problems import DomainValidationError

log = logging.getLogger(__name__)

BACKEND_PATH = "finsam.accounts.oidc.FinsamOIDCBackend"
_TIMEOUT = 10


@dataclass(frozen=True)
class OIDCConfig:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_endpoint: str
    sign_algo: str
    personal_number_claims: tuple[str, ...]
    hsa_id_claim: str


_discovered: dict[str, dict] = {}


def oidc_enabled() -> bool:
    """Configured at all (no network): a client id and an issuer or explicit endpoints."""
    return bool(
        settings.FINSAM_OIDC_CLIENT_ID
        and (settings.FINSAM_OIDC_ISSUER or settings.FINSAM_OIDC_AUTHORIZATION_ENDPOINT)
    )


def _discover(issuer: str) -> dict:
    if issuer not in _discovered:
        response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=_TIMEOUT)
        response.raise_for_status()
        document = response.json()
        if document.get("issuer", "").rstrip("/") != issuer:
            raise SuspiciousOperation("discovery document names another issuer")
        _discovered[issuer] = document
    return _discovered[issuer]


def oidc_config() -> OIDCConfig:
    """The configuration, endpoints from discovery where not given (raises when unreachable)."""
    s = settings
    explicit = {
        "authorization_endpoint": s.FINSAM_OIDC_AUTHORIZATION_ENDPOINT,
        "token_endpoint": s.FINSAM_OIDC_TOKEN_ENDPOINT,
        "userinfo_endpoint": s.FINSAM_OIDC_USERINFO_ENDPOINT,
        "jwks_uri": s.FINSAM_OIDC_JWKS_ENDPOINT,
    }
    if s.FINSAM_OIDC_ISSUER and not all(explicit.values()):
        document = _discover(s.FINSAM_OIDC_ISSUER)
        explicit = {k: v or document.get(k, "") for k, v in explicit.items()}
    return OIDCConfig(
        issuer=s.FINSAM_OIDC_ISSUER,
        client_id=s.FINSAM_OIDC_CLIENT_ID,
        client_secret=s.FINSAM_OIDC_CLIENT_SECRET,
        scopes=s.FINSAM_OIDC_SCOPES,
        authorization_endpoint=explicit["authorization_endpoint"],
        token_endpoint=explicit["token_endpoint"],
        userinfo_endpoint=explicit["userinfo_endpoint"],
        jwks_endpoint=explicit["jwks_uri"],
        sign_algo=s.FINSAM_OIDC_SIGN_ALGO,
        personal_number_claims=tuple(s.FINSAM_OIDC_PERSONAL_NUMBER_CLAIMS),
        hsa_id_claim=s.FINSAM_OIDC_HSA_ID_CLAIM,
    )


def _library_settings(config: OIDCConfig) -> dict:
    """What mozilla-django-oidc reads, from Finsam's configuration."""
    return {
        "OIDC_OP_AUTHORIZATION_ENDPOINT": config.authorization_endpoint,
        "OIDC_OP_TOKEN_ENDPOINT": config.token_endpoint,
        "OIDC_OP_USER_ENDPOINT": config.userinfo_endpoint,
        "OIDC_OP_JWKS_ENDPOINT": config.jwks_endpoint or None,
        "OIDC_RP_CLIENT_ID": config.client_id,
        "OIDC_RP_CLIENT_SECRET": config.client_secret,
        "OIDC_RP_SIGN_ALGO": config.sign_algo,
        "OIDC_RP_SCOPES": config.scopes,
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": True,
        "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
        "OIDC_CREATE_USER": False,
        "OIDC_TIMEOUT": _TIMEOUT,
        "OIDC_AUTHENTICATION_CALLBACK_URL": "oidc_callback",
        "OIDC_STORE_ID_TOKEN": False,
        "OIDC_STORE_ACCESS_TOKEN": False,
    }


class _FinsamSettings:
    @staticmethod
    def get_settings(attr, *args):
        if attr.startswith("OIDC_") and oidc_enabled():
            values = _library_settings(oidc_config())
            if attr in values:
                return values[attr]
        return import_from_settings(attr, *args)


# --- Refusals -------------------------------------------------------------------------------

REFUSALS = {
    "not_configured": gettext_lazy("Inloggning med e-legitimation är inte inställd i Finsam."),
    "provider_unavailable": gettext_lazy(
        "Identitetsleverantören för e-legitimation svarar inte just nu. Försök igen om en stund."
    ),
    "provider_error": gettext_lazy(
        "Inloggningen med e-legitimation avbröts eller misslyckades hos identitetsleverantören."
    ),
    "state": gettext_lazy(
        "Inloggningen med e-legitimation nekades: svaret hörde inte till en inloggning som "
        "påbörjades här (ogiltigt eller redan använt tillstånd). Börja om inloggningen."
    ),
    "code": gettext_lazy(
        "Inloggningen med e-legitimation nekades: identitetsleverantören godtog inte "
        "inloggningskoden (den kan redan ha använts). Börja om inloggningen."
    ),
    "token": gettext_lazy(
        "Inloggningen med e-legitimation nekades: identitetsintyget kunde inte verifieras."
    ),
    "claim_missing": gettext_lazy(
        "Inloggningen med e-legitimation nekades: identitetsleverantören skickade inget "
        "personnummer eller HSA-id."
    ),
    "unknown_subject": gettext_lazy(
        "Det finns inget konto i Finsam för den här e-legitimationen. Konton skapas av "
        "förbundets administratör – kontakta hen."
    ),
    "inactive": gettext_lazy("Kontot är avstängt. Kontakta förbundets administratör."),
}


def refuse(request, reason: str, *, user=None, detail: str = ""):
    """Audit a refused e-ID sign-in and send the person back to the login page with why."""
    audit_record(
        actor=user,
        log_type=LogType.AUTH,
        action="oidc_refused",
        object_type="accounts.User" if user is not None else "",
        object_id=getattr(user, "pk", "") or "",
        summary=f"Inloggning med e-legitimation nekad: {reason}"
        + (f" ({detail})" if detail else ""),
        reason=reason,
    )
    messages.error(request, str(REFUSALS[reason]))
    return redirect("login")


# --- Backend ----------------------------------------------------------------------------------


class FinsamOIDCBackend(_FinsamSettings, OIDCAuthenticationBackend):
    """Authenticates the OIDC callback; every other ``authenticate`` call passes through.

    The library's settings are resolved only when a callback is being authenticated, so a
    password sign-in never reaches the network and an installation without e-ID needs none of
    the ``OIDC_*`` settings."""

    def __init__(self, *args, **kwargs):
        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        if request is None or "code" not in request.GET or "nonce" not in kwargs:
            return None
        if not oidc_enabled():
            return None
        super().__init__()
        self.config = oidc_config()
        return super().authenticate(request, **kwargs)

    def get_token(self, payload):
        try:
            return super().get_token(payload)
        except requests.HTTPError:
            self.request.finsam_oidc_refusal = "code"
            raise

    def verify_token(self, token, **kwargs):
        try:
            payload = super().verify_token(token, **kwargs)
        except Exception:
            self.request.finsam_oidc_refusal = "token"
            raise
        issuer = self.config.issuer
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if (issuer and str(payload.get("iss", "")).rstrip("/") != issuer) or (
            self.config.client_id not in audiences
        ):
            self.request.finsam_oidc_refusal = "token"
            raise SuspiciousOperation("ID token issuer or audience does not match")
        if payload.get("exp", 0) < time.time():
            self.request.finsam_oidc_refusal = "token"
            raise SuspiciousOperation("ID token has expired")
        self._id_claims = payload
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        """ID-token claims, completed by the userinfo endpoint (same subject required)."""
        claims = dict(payload)
        if self.config.userinfo_endpoint:
            info = super().get_userinfo(access_token, id_token, payload)
            if info.get("sub") not in (None, payload.get("sub")):
                self.request.finsam_oidc_refusal = "token"
                raise SuspiciousOperation("userinfo subject differs from the ID token")
            claims.update(info)
        return claims

    def _matching_key(self, claims) -> tuple[str, str] | None:
        for claim in self.config.personal_number_claims:
            if claims.get(claim):
                try:
                    number = parse_personal_number(str(claims[claim]))
                except DomainValidationError:
                    return None
                return "eid_pseudonym", pseudonym(number, settings.FINSAM_PSEUDONYM_KEY)
        if self.config.hsa_id_claim and claims.get(self.config.hsa_id_claim):
            return "hsa_id", str(claims[self.config.hsa_id_claim]).strip()
        return None

    def verify_claims(self, claims):
        if self._matching_key(claims) is None:
            self.request.finsam_oidc_refusal = "claim_missing"
            return False
        return True

    def filter_users_by_claims(self, claims):
        field, value = self._matching_key(claims)
        users = self.UserModel.objects.filter(**{field: value})
        if not users:
            self.request.finsam_oidc_refusal = "unknown_subject"
        return users

    def update_user(self, user, claims):
        if not user.is_active:
            self.request.finsam_oidc_refusal = "inactive"
            self.request.finsam_oidc_user = user
        return user

    def describe_user_by_claims(self, claims):
        return "the matching key of the e-ID claims"  # never the personal number itself


# --- Views ------------------------------------------------------------------------------------


class FinsamOIDCLoginView(_FinsamSettings, OIDCAuthenticationRequestView):
    """Starts the e-ID sign-in: state, nonce and a PKCE verifier in the session, then the
    provider. ``?stepup=1`` asks the provider for a fresh authentication (``prompt=login``)."""

    def __init__(self, *args, **kwargs):
        # The library reads the endpoint here; Finsam resolves it per request in ``get``.
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request):
        if not oidc_enabled():
            return refuse(request, "not_configured")
        try:
            config = oidc_config()
        except (requests.RequestException, SuspiciousOperation, ValueError) as exc:
            log.warning("OIDC discovery failed: %s", exc)
            return refuse(request, "provider_unavailable", detail=type(exc).__name__)
        self.OIDC_OP_AUTH_ENDPOINT = config.authorization_endpoint
        self.OIDC_RP_CLIENT_ID = config.client_id
        return super().get(request)

    def get_extra_params(self, request):
        params = dict(super().get_extra_params(request))
        if request.GET.get("stepup"):
            params["prompt"] = "login"
        return params


class FinsamOIDCCallbackView(_FinsamSettings, OIDCAuthenticationCallbackView):
    """The provider's redirect back: every failure is refused in Swedish and audited."""

    def get(self, request):
        if not oidc_enabled():
            return refuse(request, "not_configured")
        if request.GET.get("error"):
            # The library drops the state (no replay) and ends in ``login_failure``.
            request.finsam_oidc_refusal = "provider_error"
            request.finsam_oidc_detail = str(request.GET.get("error"))[:60]
            return super().get(request)
        states = request.session.get("oidc_states") or {}
        if "code" not in request.GET or request.GET.get("state") not in states:
            return refuse(request, "state")
        try:
            return super().get(request)
        except SuspiciousOperation as exc:
            reason = getattr(request, "finsam_oidc_refusal", "token")
            return refuse(request, reason, detail=type(exc).__name__)
        except requests.RequestException as exc:
            reason = getattr(request, "finsam_oidc_refusal", "provider_unavailable")
            return refuse(request, reason, detail=type(exc).__name__)

    def login_failure(self):
        request = self.request
        return refuse(
            request,
            getattr(request, "finsam_oidc_refusal", "unknown_subject"),
            user=getattr(request, "finsam_oidc_user", None),
            detail=getattr(request, "finsam_oidc_detail", ""),
        )

    def login_success(self):
        from finsam.accounts.sessions import EID, mark_authenticated

        already = self.request.user.is_authenticated and self.request.user == self.user
        response = super().login_success()
        # A repeated sign-in of the same user (step-up) does not go through ``auth.login``.
        mark_authenticated(self.request, method=EID, strong=True, sign_in=not already)
        return response
