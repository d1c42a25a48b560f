"""Money helpers shared by the finance modules: rounding to öre and exact splits."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from finsam.domain import formatting

ORE_PER_SEK = 100


def round_sek(amount: float) -> float:
    """Round an amount to whole öre (two decimals), halves away from zero."""
    return float(Decimal(repr(float(amount))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def to_ore(amount: float) -> int:
    """An amount in SEK as whole öre (rounded half up)."""
    return int(Decimal(repr(float(amount))).scaleb(2).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def split_amount(total: float, weights: Sequence[float]) -> list[float]:
    """Split ``total`` pro rata to ``weights`` in whole öre so the parts sum exactly to ``total``.

    Largest-remainder method: every part is rounded down to öre, then the öre left over go to the
    parts with the largest remainders (ties to the earlier part). Weights must be non-negative with
    a positive sum.
    """
    if not weights:
        return []
    weight_sum = math.fsum(weights)
    if weight_sum <= 0 or any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative with a positive sum")
    total_ore = to_ore(total)
    exact = [total_ore * w / weight_sum for w in weights]
    parts = [math.floor(x) for x in exact]
    left = total_ore - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return [p / ORE_PER_SEK for p in parts]


def format_sek(amount: float) -> str:
    """Swedish display of an amount: decimals only when there are öre (``amount_exact``)."""
    return formatting.amount_exact(round_sek(amount))
