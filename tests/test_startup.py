"""Start-up stays light: loading Finsam's Django apps imports none of the heavy libraries.

They load when first used (estimation, charts, PDFs); ``bench/startup.py`` times the start-up.
Structural, not timed: a fresh interpreter runs ``django.setup()`` and reports ``sys.modules``.
"""

import json
import os
import subprocess
import sys

import pytest

HEAVY = ("scipy", "altair", "vl_convert", "weasyprint", "pandas", "statsmodels", "matplotlib")

PROBE = """
import json, sys
import django
django.setup()
from django.core.management import get_commands
get_commands()
print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {heavy})))
"""


@pytest.mark.parametrize("settings", ["finsam.settings.local", "finsam.settings.test"])
def test_django_setup_imports_no_heavy_library(settings, tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings, "FINSAM_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=set(HEAVY))],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_finsam_commands_skip_system_checks():
    """Finsam's own batch commands do not run Django's system checks (about a second)."""
    from django.core.management import get_commands, load_command_class

    own = {n: app for n, app in get_commands().items() if app.startswith("finsam")}
    assert "import" in own
    checked = [
        name
        for name, app in own.items()
        if load_command_class(app, name).requires_system_checks and name != "demo"
    ]
    assert checked == []
