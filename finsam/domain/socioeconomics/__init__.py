"""Socio-economics and needs (``spec/socioeconomics.md``): pure Python, no Django.

- :mod:`.parameters` – the dated parameter table of monthly costs and incomes per actor;
- :mod:`.payback` – payback per agency from registry flows (§1);
- :mod:`.exclusion` – the cost-of-exclusion scenario calculator (§2);
- :mod:`.needs` – target-group estimate and coverage (§3).
"""
