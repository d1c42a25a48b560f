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
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "finsam.accounts.middleware.LoginRequiredMiddleware",
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
SESSION_COOKIE_AGE = 8 * 60 * 60
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Small-cell protection threshold for aggregate outputs (reports.md).
FINSAM_PROTECTION_THRESHOLD = int(os.environ.get("FINSAM_PROTECTION_THRESHOLD", "5"))
# Retention of personal data after an episode's exit, in years (privacy.md).
FINSAM_RETENTION_YEARS = int(os.environ.get("FINSAM_RETENTION_YEARS", "10"))
# The reports' columnar copy of the episodes (finsam/reports/extract.py): auto, always or off,
# and where it is kept between processes (empty = only in memory).
FINSAM_REPORT_EXTRACT = os.environ.get("FINSAM_REPORT_EXTRACT", "auto")
FINSAM_REPORT_EXTRACT_DIR = os.environ.get(
    "FINSAM_REPORT_EXTRACT_DIR", str(DATA_DIR / "report-extract")
)

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
