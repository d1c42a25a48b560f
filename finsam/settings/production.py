"""Production: every secret from the environment, PostgreSQL via DATABASE_URL, secure cookies.

Selected with ``DJANGO_SETTINGS_MODULE=finsam.settings.production``; ``base`` then refuses to start
when a secret is missing instead of generating one.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from finsam.settings.base import *  # noqa: F403

if not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured("Finsam startar inte i produktion utan DATABASE_URL (PostgreSQL).")

DEBUG = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31536000
SECURE_SSL_REDIRECT = os.environ.get("FINSAM_SSL_REDIRECT", "1") == "1"
# HSTS (one year; subdomains only when the operator says the whole domain is HTTPS) and cookies
# only over HTTPS (docs/security.md).
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("FINSAM_HSTS_SUBDOMAINS", "0") == "1"
LANGUAGE_COOKIE_SECURE = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if os.environ.get("FINSAM_BEHIND_PROXY", "0") == "1":
    # gunicorn behind a TLS-terminating proxy that sets X-Forwarded-Proto
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
