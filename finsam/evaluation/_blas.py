"""Keep BLAS single-threaded for the small matrix products of typical evaluation panels.

The products here (bootstrap draws, aggregations) are small; multi-threaded OpenBLAS spends more
time synchronising than computing, and on a shared machine a busy core stalls it badly (measured:
the ISF study 2.5× slower with two BLAS threads under load). BLAS is limited to one thread
(``threadpoolctl``, a required dependency) inside :func:`att_gt` and :func:`aggte` for panels up
to :data:`SINGLE_THREAD_MAX_ROWS` unit-period rows.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from threadpoolctl import ThreadpoolController

SINGLE_THREAD_MAX_ROWS = 400_000
"""Panels up to this many unit-period rows run with one BLAS thread."""

_controller: ThreadpoolController | None = None


def _get_controller() -> ThreadpoolController:
    """One controller per process (it inspects the loaded libraries once)."""
    global _controller
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller


@contextlib.contextmanager
def small_blas(n_rows: int) -> Iterator[None]:
    if n_rows > SINGLE_THREAD_MAX_ROWS:
        yield
        return
    with _get_controller().limit(limits=1, user_api="blas"):
        yield
