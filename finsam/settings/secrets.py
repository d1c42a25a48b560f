"""Where Finsam's secrets and local data live.

Secrets come from the environment (``FINSAM_SECRET_KEY``, ``FINSAM_PSEUDONYM_KEY``,
``FINSAM_ENCRYPTION_KEYS`` – comma-separated Fernet keys, the first encrypts). Outside production,
missing ones are generated once into ``<data dir>/secrets.json`` (mode 0600) and reused; production
refuses to start without them.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet

ENV_NAMES = {
    "secret_key": "FINSAM_SECRET_KEY",
    "pseudonym_key": "FINSAM_PSEUDONYM_KEY",
    "encryption_keys": "FINSAM_ENCRYPTION_KEYS",
}


class MissingSecretsError(RuntimeError):
    pass


def data_dir() -> Path:
    """The local data directory: ``FINSAM_DATA_DIR`` or ``./var`` below the working directory."""
    path = Path(os.environ.get("FINSAM_DATA_DIR") or Path.cwd() / "var").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _generate() -> dict[str, str]:
    return {
        "secret_key": secrets.token_urlsafe(50),
        "pseudonym_key": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii"),
        "encryption_keys": Fernet.generate_key().decode("ascii"),
    }


def load_secrets(*, production: bool) -> dict[str, str]:
    values = {name: os.environ.get(env, "") for name, env in ENV_NAMES.items()}
    missing = [ENV_NAMES[name] for name, value in values.items() if not value]
    if not missing:
        return values
    if production:
        raise MissingSecretsError(
            "Finsam startar inte i produktion utan hemligheter: sätt " + ", ".join(missing)
        )
    path = data_dir() / "secrets.json"
    if path.exists():
        stored = json.loads(path.read_text(encoding="utf-8"))
    else:
        stored = _generate()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(stored, fh)
    return {name: values[name] or stored[name] for name in ENV_NAMES}
