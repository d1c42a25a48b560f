"""Uploaded evaluation files, kept in a temporary file keyed in the user's session.

The pages are two steps (upload, then choose columns and options and run), so the file must
survive between requests without a database table. It is written to a private temporary
directory under a random token; the session holds only the token, the original file name and the
suffix. Files older than :data:`MAX_AGE` are removed whenever something is uploaded, and a user's
earlier file is removed when a new one replaces it. The panels are aggregate data (municipality ×
year), never identity data.
"""

from __future__ import annotations

import re
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

MAX_AGE = 24 * 3600
MAX_BYTES = 50 * 1024 * 1024
_TOKEN = re.compile(r"[0-9a-f]{32}")
_SUFFIX = re.compile(r"\.(csv|txt|xlsx)")


def upload_dir() -> Path:
    path = Path(tempfile.gettempdir()) / "finsam-utvardering"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


@dataclass(frozen=True, slots=True)
class Stored:
    path: Path
    name: str
    size: int


def _clean_old(directory: Path) -> None:
    limit = time.time() - MAX_AGE
    for path in directory.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            pass


def store(session, key: str, name: str, content: bytes) -> Stored:
    """Save ``content`` under a fresh token and remember it in ``session[key]``."""
    directory = upload_dir()
    _clean_old(directory)
    forget(session, key)
    suffix = Path(name).suffix.lower()
    if not _SUFFIX.fullmatch(suffix):
        suffix = ".csv"
    token = secrets.token_hex(16)
    path = directory / f"{token}{suffix}"
    path.write_bytes(content)
    path.chmod(0o600)
    session[key] = {"token": token, "suffix": suffix, "name": Path(name).name[:200]}
    return Stored(path, session[key]["name"], len(content))


def load(session, key: str) -> Stored | None:
    """The stored file of ``session[key]``, or ``None`` (never uploaded, or removed since)."""
    meta = session.get(key)
    if not isinstance(meta, dict):
        return None
    token, suffix = str(meta.get("token", "")), str(meta.get("suffix", ""))
    if not _TOKEN.fullmatch(token) or not _SUFFIX.fullmatch(suffix):
        return None
    path = upload_dir() / f"{token}{suffix}"
    if not path.is_file():
        session.pop(key, None)
        return None
    return Stored(path, str(meta.get("name", path.name)), path.stat().st_size)


def forget(session, key: str) -> None:
    """Remove the stored file of ``session[key]`` and the session entry."""
    stored = load(session, key)
    if stored is not None:
        stored.path.unlink(missing_ok=True)
    session.pop(key, None)
