"""Outcome reports R1–R9 (``spec/reports.md``) over the episode frame – pure Python, no Django."""
