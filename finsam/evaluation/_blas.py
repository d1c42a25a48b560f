"""Keep BLAS single-threaded for the small matrix products of typical evaluation panels.

The products here (bootstrap draws, aggregations) are small; multi-threaded OpenBLAS spends more
time synchronising than computing, and on a shared machine a busy core stalls it badly (measured:
the ISF study 2.5× slower with two BLAS threads under load). When ``threadpoolctl`` is installed,
BLAS is limited to one thread inside :func:`att_gt` and :func:`aggte` for panels up to
:data:`SINGLE_THREAD_MAX_ROWS` unit-period rows; without it this is a no-op.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

SINGLE_THREAD_MAX_ROWS = 400_000
"""Panels up to this many unit-period rows run with one BLAS thread."""

_controller = None
_unavailable = False


def _get_controller():
    global _controller, _unavailable
    if _controller is None and not _unavailable:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # optional dependency
            _unavailable = True
            return None
        _controller = ThreadpoolController()
    return _controller


@contextlib.contextmanager
def small_blas(n_rows: int) -> Iterator[None]:
    controller = _get_controller() if n_rows <= SINGLE_THREAD_MAX_ROWS else None
    if controller is None:
        yield
        return
    with controller.limit(limits=1, user_api="blas"):
        yield
