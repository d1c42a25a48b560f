"""Built-in job handlers."""

from __future__ import annotations

import os
import socket


def selftest(job, progress) -> dict:
    """A job that only proves the queue works: it says which process ran it."""
    progress(50, "Arbetaren har tagit jobbet")
    return {
        "summary": (
            f"Bakgrundsarbetaren fungerar (process {os.getpid()} på {socket.gethostname()})."
        ),
        "pid": os.getpid(),
    }
