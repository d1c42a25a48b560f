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
