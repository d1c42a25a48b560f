"""Tests: fixed throw-away keys, fast hashing; PostgreSQL if DATABASE_URL is set, else SQLite."""

import os

os.environ.setdefault("FINSAM_SECRET_KEY", "test-secret-key-not-for-production-" + "x" * 20)
os.environ.setdefault("FINSAM_PSEUDONYM_KEY", "dGVzdC1wc2V1ZG9ueW0ta2V5LTMyLWJ5dGVzLWxvbmch")
os.environ.setdefault("FINSAM_ENCRYPTION_KEYS", "kq3E0nQZ3mK5vV6Q0b0y9b5y5S9Wm0W2pR8m3hQm9Yc=")

from finsam.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False
# Report results are not cached (tests/reports/test_cache.py switches a memory cache on).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# A second alias mirroring the test database, as a read replica would (finsam/settings/routers.py);
# report reads go there only in the tests that switch FINSAM_READ_REPLICA on.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
DATABASE_ROUTERS = ["finsam.settings.routers.ReportReplicaRouter"]
FINSAM_READ_REPLICA = False
# The report extract lives in memory only (tests that need the disk set a temporary directory).
FINSAM_REPORT_EXTRACT_DIR = ""
# Background jobs run at once, in the request that queues them (one test runs the real worker).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Sign-in: strong authentication off (tests opt in); throttling off except in the tests that
# switch it on (tests/accounts/), so the suite's logins never lock each other out.
FINSAM_REQUIRE_STRONG_AUTH = False
AXES_ENABLED = False
