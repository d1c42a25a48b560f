"""Settings shared by every environment. Secrets come from ``finsam.settings.secrets``."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from finsam.settings.secrets import MissingSecretsError, data_dir, load_secrets

BASE_DIR = Path(__file__).resolve().parent.parent
PRODUCTION = os.environ.get("DJANGO_SETTINGS_MODULE") == "finsam.settings.production"
DATA_DIR = data_dir()

try:
    _secrets = load_secrets(production=PRODUCTION)
except MissingSecretsError as exc:
    raise ImproperlyConfigured(str(exc)) from exc
SECRET_KEY = _secrets["secret_key"]
FINSAM_PSEUDONYM_KEY = _secrets["pseudonym_key"].encode("ascii")
FINSAM_ENCRYPTION_KEYS = [k.strip().encode("ascii") for k in _secrets["encryption_keys"].split(",")]

DEBUG = False
ALLOWED_HOSTS = os.environ.get("FINSAM_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "finsam.accounts",
    "finsam.audit",
    "finsam.geo",
    "finsam.registry",
    "finsam.access",
    "finsam.finance",
    "finsam.socioeconomics",
    "finsam.evaluation.web",
    "finsam.reports",
    "finsam.web",
    "finsam.interchange",
    "finsam.deviations",
    "finsam.indicators",
    "finsam.demo",
    "finsam.planning",
    "django_tasks",
    "django_tasks_db",
    "finsam.jobs",
    # Sign-in: TOTP and recovery codes (django-otp), throttling (django-axes); docs/privacy.md.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "finsam.api",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "finsam.accounts.locale.SwedishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "finsam.audit.context.AuditContextMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "finsam.accounts.sessions.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "finsam.accounts.middleware.LoginRequiredMiddleware",
    "finsam.accounts.strong_auth.StrongAuthMiddleware",
    # Last, as django-axes requires: turns a refused sign-in into the Swedish lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "finsam.urls"
WSGI_APPLICATION = "finsam.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "finsam.accounts.context_processors.roles",
                "finsam.accounts.context_processors.signin",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'finsam.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
# A streaming read replica of the primary that national reports read (finsam/settings/routers.py,
# docs/operations.md); writes and everything else always go to the primary ("default").
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=60
    )
    DATABASE_ROUTERS = ["finsam.settings.routers.ReportReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# What is the same for everyone – one report plan's result at one registry state and its chart –
# cached for every worker (finsam/reports/cache.py, docs/operations.md): "file" (default; a
# directory shared by the workers of one host), "db" (the table finsam_report_cache, shared by
# several web hosts; create it with `finsam createcachetable`) or "off".
FINSAM_REPORT_CACHE = os.environ.get("FINSAM_REPORT_CACHE", "file")
FINSAM_REPORT_CACHE_SECONDS = int(os.environ.get("FINSAM_REPORT_CACHE_SECONDS", "600"))
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if FINSAM_REPORT_CACHE == "file":
    CACHES["reports"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("FINSAM_REPORT_CACHE_DIR", str(DATA_DIR / "report-cache")),
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
elif FINSAM_REPORT_CACHE == "db":
    CACHES["reports"] = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "finsam_report_cache",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Small-cell protection threshold for aggregate outputs (reports.md).
FINSAM_PROTECTION_THRESHOLD = int(os.environ.get("FINSAM_PROTECTION_THRESHOLD", "5"))
FINSAM_PROTECTION_FINEST_PERIOD = os.environ.get("FINSAM_PROTECTION_FINEST_PERIOD", "quarter")
"""The finest calendar period protected outputs offer: year, half, quarter or month (the
whole grid of a year down to it is protected together; month costs most)."""
# Retention of personal data after an episode's exit, in years (privacy.md).
FINSAM_RETENTION_YEARS = int(os.environ.get("FINSAM_RETENTION_YEARS", "10"))
# The reports' columnar copy of the episodes (finsam/reports/extract.py): auto, always or off,
# and where it is kept between processes (empty = only in memory).
FINSAM_REPORT_EXTRACT = os.environ.get("FINSAM_REPORT_EXTRACT", "auto")
FINSAM_REPORT_EXTRACT_DIR = os.environ.get(
    "FINSAM_REPORT_EXTRACT_DIR", str(DATA_DIR / "report-extract")
)

# Background work (docs/operations.md): a queue in the database, run by `finsam db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Uploaded files waiting for a background job (the web import), below the data directory.
FINSAM_JOB_DIR = os.environ.get("FINSAM_JOB_DIR", str(DATA_DIR / "jobs"))
# What goes to the background (docs/operations.md §7): a report over every association of a
# registry with at least this many episodes (a download, or when its columnar copy is stale), an
# allocation comparison of at least this many associations.
FINSAM_BACKGROUND_REPORT_EPISODES = int(
    os.environ.get("FINSAM_BACKGROUND_REPORT_EPISODES", "20000")
)
FINSAM_BACKGROUND_ALLOCATION_ROWS = int(os.environ.get("FINSAM_BACKGROUND_ALLOCATION_ROWS", "150"))


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value in (None, "") else value.strip().lower() in ("1", "true", "yes", "on")


# --- Sign-in (docs/privacy.md "Inloggning") ---------------------------------------------------
# e-ID or MFA for every role that may see identities; on by default in production only.
FINSAM_REQUIRE_STRONG_AUTH = _env_flag("FINSAM_REQUIRE_STRONG_AUTH", PRODUCTION)
# Idle timeout and absolute lifetime of a session (finsam/accounts/sessions.py).
FINSAM_SESSION_IDLE_MINUTES = int(os.environ.get("FINSAM_SESSION_IDLE_MINUTES", "30"))
FINSAM_SESSION_MAX_HOURS = float(os.environ.get("FINSAM_SESSION_MAX_HOURS", "10"))
SESSION_COOKIE_AGE = int(FINSAM_SESSION_MAX_HOURS * 60 * 60)
# Revealing identity needs a sign-in (e-ID, MFA code or – without strong auth – password) no
# older than this (finsam/accounts/strong_auth.py).
FINSAM_STEP_UP_MINUTES = int(os.environ.get("FINSAM_STEP_UP_MINUTES", "15"))

# OpenID Connect (Swedish e-ID through a broker); off unless FINSAM_OIDC_CLIENT_ID is set.
# Endpoints come from the issuer's discovery document unless given explicitly.
FINSAM_OIDC_ISSUER = os.environ.get("FINSAM_OIDC_ISSUER", "").rstrip("/")
FINSAM_OIDC_CLIENT_ID = os.environ.get("FINSAM_OIDC_CLIENT_ID", "")
FINSAM_OIDC_CLIENT_SECRET = os.environ.get("FINSAM_OIDC_CLIENT_SECRET", "")
FINSAM_OIDC_SCOPES = os.environ.get(
    "FINSAM_OIDC_SCOPES", "openid profile https://id.oidc.se/scope/naturalPersonNumber"
)
FINSAM_OIDC_AUTHORIZATION_ENDPOINT = os.environ.get("FINSAM_OIDC_AUTHORIZATION_ENDPOINT", "")
FINSAM_OIDC_TOKEN_ENDPOINT = os.environ.get("FINSAM_OIDC_TOKEN_ENDPOINT", "")
FINSAM_OIDC_USERINFO_ENDPOINT = os.environ.get("FINSAM_OIDC_USERINFO_ENDPOINT", "")
FINSAM_OIDC_JWKS_ENDPOINT = os.environ.get("FINSAM_OIDC_JWKS_ENDPOINT", "")
FINSAM_OIDC_SIGN_ALGO = os.environ.get("FINSAM_OIDC_SIGN_ALGO", "RS256")
# Claims carrying the personal identity number (first present wins) and the HSA-id.
FINSAM_OIDC_PERSONAL_NUMBER_CLAIMS = [
    c.strip()
    for c in os.environ.get(
        "FINSAM_OIDC_PERSONAL_NUMBER_CLAIM",
        "https://id.oidc.se/claim/personalIdentityNumber,"
        "https://id.oidc.se/claim/coordinationNumber",
    ).split(",")
    if c.strip()
]
FINSAM_OIDC_HSA_ID_CLAIM = os.environ.get("FINSAM_OIDC_HSA_ID_CLAIM", "")
FINSAM_OIDC_LABEL = os.environ.get("FINSAM_OIDC_LABEL", "Logga in med e-legitimation")

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesBackend",  # first: refuses locked-out accounts and addresses
    "django.contrib.auth.backends.ModelBackend",  # username and password
    "finsam.accounts.oidc.FinsamOIDCBackend",  # the e-ID callback
]

# Throttling of failed sign-ins (django-axes): per account and per client address.
AXES_FAILURE_LIMIT = int(os.environ.get("FINSAM_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("FINSAM_LOGIN_COOLOFF_MINUTES", "15")) / 60
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "finsam.accounts.throttling.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are in Finsam's audit log
# Behind a reverse proxy: the request header (WSGI name, e.g. HTTP_X_REAL_IP) in which the proxy
# puts the client's address; otherwise REMOTE_ADDR.
FINSAM_CLIENT_IP_HEADER = os.environ.get("FINSAM_CLIENT_IP_HEADER", "")
AXES_CLIENT_IP_CALLABLE = "finsam.accounts.throttling.client_ip"

# TOTP issuer name shown in the authenticator app.
OTP_TOTP_ISSUER = "Finsam"
# The REST API (finsam/api/, docs/api.md): requests per token and fixed window (seconds), and the
# largest page a list returns.
FINSAM_API_RATE_LIMIT = int(os.environ.get("FINSAM_API_RATE_LIMIT", "600"))
FINSAM_API_RATE_WINDOW = int(os.environ.get("FINSAM_API_RATE_WINDOW", "60"))
NINJA_PAGINATION_PER_PAGE = 100
NINJA_PAGINATION_MAX_LIMIT = 1000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Web hardening (docs/security.md): Content-Security-Policy without 'unsafe-inline' (django-csp;
# a nonce for any inline script or style: `nonce="{{ request.csp_nonce }}"`), Permissions-Policy,
# Swedish error pages (finsam/web/errors.py, handlers in finsam/urls.py).
from csp.constants import NONCE, NONE, SELF  # noqa: E402

INSTALLED_APPS += ["csp"]
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "csp.middleware.CSPMiddleware")  # fmt: skip
MIDDLEWARE.insert(MIDDLEWARE.index("csp.middleware.CSPMiddleware") + 1,
                  "finsam.web.security.PermissionsPolicyMiddleware")  # fmt: skip
TEMPLATES[0]["OPTIONS"]["context_processors"].append("csp.context_processors.nonce")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
FINSAM_PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), "
    "fullscreen=(self), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), "
    "payment=(), picture-in-picture=(), publickey-credentials-get=(self), screen-wake-lock=(), "
    "usb=(), xr-spatial-tracking=()"
)
CSRF_FAILURE_VIEW = "finsam.web.errors.csrf_failure"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
