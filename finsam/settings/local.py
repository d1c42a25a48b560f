"""Local use and development: SQLite in the data directory unless DATABASE_URL is set."""

from finsam.settings.base import *  # noqa: F403

DEBUG = True
