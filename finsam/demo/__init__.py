"""Demo data: ``finsam demo`` loads a small, realistic data set for trying Finsam locally.

A top-level module that may import every app (the apps themselves never import it): the
registry part (associations, members, interventions, users, episodes, volume, budgets) in
``registry.py``, deviation reports in ``deviations.py``, indicator rounds in ``indicators.py``.
Everything is written through the apps' services, so the demo obeys the rules real data does.
"""
