"""The ``finsam`` command: Django's management commands plus Finsam's own.

``finsam migrate``, ``finsam runserver``, ``finsam demo`` … – settings default to
``finsam.settings.local`` (SQLite in the data directory) unless ``DJANGO_SETTINGS_MODULE`` is set.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finsam.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["finsam", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
