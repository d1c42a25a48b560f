"""Small-cell protection of participant counts on the socio-economic and needs pages.

TEMPORARY LOCAL STAND-IN: the shared protection module ``finsam/domain/protection.py`` is being
built in parallel. Until it is on main, this tiny function applies the same rule (counts 1 up to
the threshold − 1 are shown as "<threshold"); swap the call sites for the shared module then.
"""

from __future__ import annotations

from django.conf import settings


def protect_count(count: int | None, *, protected: bool, threshold: int | None = None):
    """The count as shown: unchanged when ``protected`` is false or the count is 0 or at least
    the threshold; otherwise the text ``"<threshold"`` (e.g. ``"<5"``)."""
    if count is None or not protected:
        return count
    limit = settings.FINSAM_PROTECTION_THRESHOLD if threshold is None else threshold
    if 0 < count < limit:
        return f"<{limit}"
    return count


def is_suppressed(value) -> bool:
    return isinstance(value, str) and value.startswith("<")
