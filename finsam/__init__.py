"""Finsam – the open follow-up and steering system for Swedish coordination associations."""

__version__ = "0.1.0"
