"""Local use and development: SQLite in the data directory unless DATABASE_URL is set.

``DEBUG`` is off unless ``FINSAM_DEBUG=1``: the README's start command must never show
tracebacks or settings to the browser (errors get the Swedish pages of ``finsam/web/errors.py``).
Static files are served by WhiteNoise either way (from ``collectstatic``'s copy, or straight from
the apps' static folders when it has not been run).
"""

import os

from finsam.settings.base import *  # noqa: F403

DEBUG = os.environ.get("FINSAM_DEBUG", "") == "1"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
